#include "server/server.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <utility>  // boost 1.74 asio/awaitable.hpp needs std::exchange

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <ctime>
#include <limits>
#include <filesystem>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "platform/ids.h"
#include "platform/log.h"
#include "platform/strings.h"

namespace brume::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// Request bodies are read from the socket and written to spool files in
// pieces of this size.
constexpr size_t kReadChunkBytes = 256 * 1024;
// Beast reads at most 64 KiB per call.
constexpr size_t kParserReadBytes = 64 * 1024;

std::string HttpDate() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buffer;
}

// A response for failures before any service is known (malformed HTTP,
// oversize headers): AWS front ends return those as a plain XML error.
HttpResponse PlainError(int status, std::string_view code,
                        std::string_view message) {
  HttpResponse response;
  response.status = status;
  response.headers.Set("Content-Type", "application/xml");
  response.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" +
                  platform::XmlEscape(code) + "</Code><Message>" +
                  platform::XmlEscape(message) + "</Message><RequestId>" +
                  platform::NewUuid() + "</RequestId></Error>";
  return response;
}

// A body is aws-chunked when its payload hash is a STREAMING-* value, or
// when there is no payload hash and Content-Encoding names aws-chunked. A
// Content-Encoding of aws-chunked beside a plain SHA-256 or UNSIGNED-PAYLOAD
// comes with a raw body, which S3 stores as sent (s3-tests expects a
// PutObject with "gzip, aws-chunked" and an empty body to succeed).
bool IsAwsChunked(const HttpRequest& request) {
  if (auto sha = request.headers.Get("x-amz-content-sha256")) {
    return sha->starts_with("STREAMING-");
  }
  if (auto encoding = request.headers.Get("Content-Encoding")) {
    return platform::ToLower(*encoding).find("aws-chunked") != std::string::npos;
  }
  return false;
}

// Content-Encoding without the aws-chunked token, which only describes the
// transfer framing brume already removed.
void StripAwsChunkedEncoding(HttpRequest& request) {
  auto encoding = request.headers.Get("Content-Encoding");
  if (!encoding) return;
  std::string kept;
  std::string_view rest = *encoding;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view token = platform::Trim(rest.substr(0, comma));
    if (!token.empty() && !platform::EqualsIgnoreCase(token, "aws-chunked")) {
      if (!kept.empty()) kept += ",";
      kept += token;
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (kept.empty()) {
    request.headers.Remove("Content-Encoding");
  } else {
    request.headers.Set("Content-Encoding", kept);
  }
}

// Destination of a request body as it arrives (memory or a spool file),
// with aws-chunked framing removed on the way.
class BodySink {
 public:
  BodySink(HttpRequest* request, bool spool, const std::string& spool_dir,
           uint64_t limit, std::optional<aws::AwsChunkedDecoder> verifier)
      : request_(request), spool_(spool), limit_(limit) {
    chunked_ = IsAwsChunked(*request);
    if (verifier) decoder_ = std::move(*verifier);
    if (spool_) {
      path_ = spool_dir + "/upload-" + platform::NewUuid();
      fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      created_ = fd_ >= 0;
    }
  }
  // Removes the spool file unless Finish handed it to the request, so a body
  // cut short or rejected leaves nothing in the spool directory.
  ~BodySink() {
    if (fd_ >= 0) ::close(fd_);
    if (created_ && !request_->body.spooled) ::unlink(path_.c_str());
  }

  // Returns the error when the spool file could not be created.
  std::optional<AwsError> Open() const {
    if (spool_ && fd_ < 0) {
      return InternalFailure("brume could not create a spool file in its data "
                             "directory: " + std::string(std::strerror(errno)));
    }
    return std::nullopt;
  }

  std::optional<AwsError> Write(std::string_view bytes) {
    if (chunked_) {
      decoded_.clear();
      Status status = decoder_.Feed(bytes, &decoded_);
      if (!status.ok()) return status.error();
      return Append(decoded_);
    }
    return Append(bytes);
  }

  std::optional<AwsError> Finish() {
    if (chunked_) {
      Status complete = decoder_.Finish();
      if (!complete.ok()) return complete.error();
      if (auto declared = request_->headers.Get("x-amz-decoded-content-length");
          declared && *declared != std::to_string(decoder_.decoded_size())) {
        return AwsError{"IncompleteBody",
                        "You did not provide the number of bytes specified by "
                        "the x-amz-decoded-content-length HTTP header (" +
                            std::string(*declared) + "); the chunks carried " +
                            std::to_string(decoder_.decoded_size()) + " bytes.",
                        400};
      }
      request_->body.trailers = decoder_.trailers();
    }
    // S3 never stores the aws-chunked token, framed body or not.
    StripAwsChunkedEncoding(*request_);
    request_->body.size = size_;
    if (spool_) {
      if (::close(fd_) != 0) {
        fd_ = -1;
        return InternalFailure("brume could not write the request body to "
                               "disk: " + std::string(std::strerror(errno)));
      }
      fd_ = -1;
      request_->body.spooled = true;
      request_->body.file_path = path_;
    }
    return std::nullopt;
  }

 private:
  std::optional<AwsError> Append(std::string_view bytes) {
    size_ += bytes.size();
    if (size_ > limit_) {
      AwsError error{spool_ ? "EntityTooLarge" : "RequestEntityTooLarge",
                     "Your proposed upload exceeds the maximum allowed size", 413};
      if (spool_) error.http_status = 400;
      return error;
    }
    if (!spool_) {
      request_->body.data.append(bytes);
      return std::nullopt;
    }
    while (!bytes.empty()) {
      ssize_t written = ::write(fd_, bytes.data(), bytes.size());
      if (written < 0) {
        if (errno == EINTR) continue;
        return InternalFailure("brume could not write the request body to "
                               "disk: " + std::string(std::strerror(errno)));
      }
      bytes.remove_prefix(static_cast<size_t>(written));
    }
    return std::nullopt;
  }

  HttpRequest* request_;
  bool spool_;
  uint64_t limit_;
  bool chunked_ = false;
  aws::AwsChunkedDecoder decoder_;
  std::string decoded_;
  std::string path_;
  int fd_ = -1;
  bool created_ = false;
  uint64_t size_ = 0;
};

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, Dispatcher* dispatcher, TimerWakeups* wakeups,
       AdminHandler admin)
      : options_(std::move(options)),
        dispatcher_(dispatcher),
        wakeups_(wakeups),
        admin_(std::move(admin)),
        threads_(options_.threads ? options_.threads
                                  : std::max(1u, std::thread::hardware_concurrency())),
        io_(static_cast<int>(threads_)),
        acceptor_(io_),
        blocking_pool_(threads_ * 2) {}

  platform::Status Listen() {
    RaiseFileLimit();
    boost::system::error_code ec;
    auto address = asio::ip::make_address(options_.host, ec);
    if (ec) {
      return platform::Status::InvalidArgument("invalid --host '" +
                                               options_.host + "': " + ec.message());
    }
    tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return platform::Status::IoError("cannot listen on " + options_.host + ":" +
                                       std::to_string(options_.port) + ": " +
                                       ec.message());
    }
    return platform::Status::Ok();
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }

  void Run(int drain_seconds) {
    asio::co_spawn(io_, Accept(), asio::detached);

    asio::signal_set signals(io_, SIGINT, SIGTERM);
    signals.async_wait([this, drain_seconds](boost::system::error_code ec, int signal) {
      if (ec) return;
      spdlog::info("received {}, finishing in-flight requests",
                   signal == SIGINT ? "SIGINT" : "SIGTERM");
      draining_ = true;
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      wakeups_->CancelAll();
      asio::co_spawn(io_, Drain(drain_seconds), asio::detached);
    });

    std::vector<std::thread> threads;
    for (unsigned i = 1; i < threads_; ++i) threads.emplace_back([this] { io_.run(); });
    io_.run();
    for (auto& thread : threads) thread.join();
    blocking_pool_.join();
  }

 private:
  static void RaiseFileLimit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
      limit.rlim_cur = limit.rlim_max;
      setrlimit(RLIMIT_NOFILE, &limit);
    }
  }

  awaitable<void> Drain(int drain_seconds) {
    asio::steady_timer timer(io_);
    auto deadline = Clock::now() + std::chrono::seconds(drain_seconds);
    while (active_requests_.load() > 0 && Clock::now() < deadline) {
      timer.expires_after(std::chrono::milliseconds(10));
      co_await timer.async_wait(use_awaitable);
    }
    if (active_requests_.load() > 0) {
      spdlog::warn("{} requests still running after {} s; stopping anyway",
                   active_requests_.load(), drain_seconds);
    }
    io_.stop();
  }

  awaitable<void> Accept() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor_.async_accept(
          asio::redirect_error(use_awaitable, ec));
      if (ec) {
        if (draining_ || ec == asio::error::operation_aborted) co_return;
        spdlog::warn("accept failed: {}", ec.message());
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      asio::co_spawn(socket.get_executor(), Session(std::move(socket)),
                     asio::detached);
    }
  }

  awaitable<void> Session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    std::string remote;
    {
      boost::system::error_code ec;
      auto endpoint = stream.socket().remote_endpoint(ec);
      if (!ec) remote = endpoint.address().to_string();
    }
    for (;;) {
      bool keep_alive = co_await ServeOne(stream, buffer, remote);
      if (!keep_alive || draining_) break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  // Reads, dispatches and responds to one request. Returns whether the
  // connection can carry another.
  awaitable<bool> ServeOne(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                           const std::string& remote) {
    http::request_parser<http::buffer_body> parser;
    parser.header_limit(options_.max_header_bytes);
    // Limits are enforced while reading. Not boost::none: Beast 1.74
    // compares a Content-Length with an empty optional as exceeding it.
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    boost::system::error_code ec;
    stream.expires_after(std::chrono::seconds(options_.idle_timeout_seconds));
    co_await http::async_read_header(stream, buffer, parser,
                                     asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (ec == http::error::end_of_stream || ec == asio::error::eof ||
          ec == asio::error::connection_reset || ec == beast::error::timeout ||
          ec == asio::error::operation_aborted) {
        co_return false;
      }
      HttpResponse response =
          ec == http::error::header_limit
              ? PlainError(431, "RequestHeaderSectionTooLarge",
                           "Your request header section exceeds the maximum "
                           "allowed size of " +
                               std::to_string(options_.max_header_bytes) +
                               " bytes.")
              : PlainError(400, "BadRequest",
                           "brume could not parse the HTTP request: " + ec.message());
      co_await WriteResponse(stream, response, false, false);
      platform::LogRequest({"", "", response.status,
                            ec == http::error::header_limit
                                ? "RequestHeaderSectionTooLarge"
                                : "BadRequest",
                            0, ""});
      co_return false;
    }

    ActiveRequest active(active_requests_);
    auto started = Clock::now();
    auto& header = parser.get();
    bool keep_alive = header.keep_alive();

    // A Transfer-Encoding that does not end in chunked leaves the body
    // length unknown, so its bytes could pass for a second request (RFC 9112
    // section 6.3: 400 and close). Other codings before chunked are not
    // implemented (section 6.1: 501). HTTP/1.1 also requires Host.
    if (auto coding = header.find(http::field::transfer_encoding);
        coding != header.end() &&
        !platform::EqualsIgnoreCase(platform::Trim(coding->value()), "chunked")) {
      std::string_view value = coding->value();
      size_t comma = value.rfind(',');
      std::string_view last =
          platform::Trim(comma == std::string_view::npos ? value : value.substr(comma + 1));
      bool ends_chunked = platform::EqualsIgnoreCase(last, "chunked");
      HttpResponse response =
          ends_chunked
              ? PlainError(501, "NotImplemented",
                           "A header you provided implies functionality that is "
                           "not implemented: Transfer-Encoding '" + std::string(value) +
                               "'; send the body with only 'Transfer-Encoding: "
                               "chunked' or a Content-Length.")
              : PlainError(400, "BadRequest",
                           "Transfer-Encoding '" + std::string(value) +
                               "' does not end in chunked, so the body length is "
                               "unknown; send a Content-Length or "
                               "'Transfer-Encoding: chunked'.");
      co_await WriteResponse(stream, response, false, false);
      platform::LogRequest({"", "", response.status,
                            ends_chunked ? "NotImplemented" : "BadRequest", 0, ""});
      co_return false;
    }
    if (header.version() >= 11 && header.find(http::field::host) == header.end()) {
      HttpResponse response = PlainError(
          400, "BadRequest", "HTTP/1.1 requests must carry a Host header.");
      co_await WriteResponse(stream, response, false, false);
      platform::LogRequest({"", "", response.status, "BadRequest", 0, ""});
      co_return false;
    }

    Exchange exchange;
    HttpRequest& request = exchange.request;
    request.method = std::string(header.method_string());
    request.target = std::string(header.target());
    // Absolute-form targets ("http://host:port/path") carry the path after
    // the authority.
    if (request.target.starts_with("http://") || request.target.starts_with("https://")) {
      size_t path_start = request.target.find('/', request.target.find("//") + 2);
      request.target = path_start == std::string::npos ? "/" : request.target.substr(path_start);
    }
    size_t question = request.target.find('?');
    request.path = request.target.substr(0, question);
    if (question != std::string::npos) request.query = request.target.substr(question + 1);
    for (const auto& field : header) {
      request.headers.Add(std::string(field.name_string()), std::string(field.value()));
    }
    request.remote_address = remote;

    HttpResponse response;
    bool admin_answered = false;
    if (request.path.starts_with("/_brume/")) {
      // Admin requests have small or no bodies.
      if (auto error = co_await ReadBody(stream, buffer, parser, exchange, false)) {
        response = PlainError(error->http_status, error->code, error->message);
        keep_alive = false;
      } else if (auto answered = admin_(request)) {
        response = std::move(*answered);
      } else {
        response = PlainError(404, "NotFound", "no brume admin endpoint at " + request.path);
      }
      admin_answered = true;
    }

    if (!admin_answered) {
      dispatcher_->Begin(exchange);
      if (exchange.early_response) {
        // The body is left unread, so a connection that carries one
        // cannot be reused.
        if (parser.content_length().value_or(0) > 0 || parser.chunked()) keep_alive = false;
        response = *exchange.early_response;
      } else {
        bool spool = exchange.route.spool_body;
        if (auto error = co_await ReadBody(stream, buffer, parser, exchange, spool)) {
          response = dispatcher_->Fail(exchange, *error);
          keep_alive = false;
        } else {
          if (exchange.route.kind == aws::Route::Kind::kNeedBody) {
            dispatcher_->RouteBody(exchange);
          }
          dispatcher_->FinishAuthentication(exchange);
          response = co_await DispatchWithWaits(exchange);
        }
      }
      if (request.body.spooled) {
        std::error_code ignored;
        std::filesystem::remove(request.body.file_path, ignored);
      }
    }

    response.headers.Set("Date", HttpDate());
    bool head = request.method == "HEAD";
    bool written = co_await WriteResponse(stream, response, keep_alive, head);

    double latency_ms =
        std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    if (!admin_answered) {
      platform::LogRequest({exchange.context.service, exchange.context.operation,
                            response.status, exchange.error_code, latency_ms,
                            exchange.context.request_id});
    }
    co_return written && keep_alive;
  }

  struct ActiveRequest {
    explicit ActiveRequest(std::atomic<int>& counter) : counter_(counter) { ++counter_; }
    ~ActiveRequest() { --counter_; }
    std::atomic<int>& counter_;
  };

  // Reads the body into memory or a spool file. Returns an AwsError when the
  // body is too large, malformed or cut short.
  awaitable<std::optional<AwsError>> ReadBody(
      beast::tcp_stream& stream, beast::flat_buffer& buffer,
      http::request_parser<http::buffer_body>& parser, Exchange& exchange,
      bool spool) {
    HttpRequest& request = exchange.request;
    uint64_t limit = spool ? options_.max_streaming_body_bytes
                           : options_.max_memory_body_bytes;
    if (auto length = parser.content_length(); length && *length > limit) {
      if (spool) {
        co_return AwsError{"EntityTooLarge",
                           "Your proposed upload exceeds the maximum allowed size",
                           400};
      }
      co_return AwsError{"RequestEntityTooLarge",
                         "Request body of " + std::to_string(*length) +
                             " bytes exceeds brume's limit of " +
                             std::to_string(limit) + " bytes",
                         413};
    }
    if (parser.is_done()) {
      BodySink sink(&request, spool, options_.spool_dir, limit,
                    dispatcher_->ChunkVerifier(exchange));
      if (auto error = sink.Open()) co_return error;
      co_return sink.Finish();
    }

    if (auto expect = request.headers.Get("Expect");
        expect && platform::EqualsIgnoreCase(*expect, "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      boost::system::error_code ec;
      co_await asio::async_write(stream, asio::buffer(kContinue.data(), kContinue.size()),
                                 asio::redirect_error(use_awaitable, ec));
      if (ec) co_return AwsError{"IncompleteBody", "connection closed", 400};
    }

    BodySink sink(&request, spool, options_.spool_dir, limit,
                  dispatcher_->ChunkVerifier(exchange));
    if (auto error = sink.Open()) co_return error;
    if (!spool && parser.content_length()) {
      request.body.data.reserve(static_cast<size_t>(*parser.content_length()));
    }
    if (parser.content_length() && !parser.chunked()) {
      co_return co_await ReadFixedLengthBody(stream, buffer,
                                             *parser.content_length(), sink);
    }

    // Transfer-Encoding: chunked needs Beast's parser to remove the framing.
    // Beast reads at most the buffer's free capacity per call, which after a
    // small header is a few hundred bytes, so give it room for 64 KiB reads
    // and release that room once the body is read.
    buffer.reserve(kParserReadBytes);
    std::vector<char> chunk(kReadChunkBytes);
    while (!parser.is_done()) {
      parser.get().body().data = chunk.data();
      parser.get().body().size = chunk.size();
      boost::system::error_code ec;
      stream.expires_after(std::chrono::seconds(60));
      co_await http::async_read_some(stream, buffer, parser,
                                     asio::redirect_error(use_awaitable, ec));
      if (ec == http::error::need_buffer) ec = {};
      size_t got = chunk.size() - parser.get().body().size;
      if (got > 0) {
        if (auto error = sink.Write(std::string_view(chunk.data(), got))) co_return error;
      }
      if (ec) {
        co_return AwsError{"IncompleteBody",
                           "You did not provide the number of bytes specified "
                           "by the Content-Length HTTP header (" + ec.message() + ")",
                           400};
      }
    }
    buffer.shrink_to_fit();
    co_return sink.Finish();
  }

  // Reads a body of `length` bytes straight from the socket into the sink,
  // without Beast's parser, which would read it a few hundred bytes at a
  // time and copy it once more. Bytes that arrived with the header are in
  // `buffer`, and any bytes there after the body belong to the next request,
  // so they stay.
  awaitable<std::optional<AwsError>> ReadFixedLengthBody(
      beast::tcp_stream& stream, beast::flat_buffer& buffer, uint64_t length,
      BodySink& sink) {
    uint64_t remaining = length;
    size_t buffered =
        static_cast<size_t>(std::min<uint64_t>(buffer.size(), remaining));
    if (buffered > 0) {
      std::string_view early_bytes(
          static_cast<const char*>(buffer.data().data()), buffered);
      if (auto error = sink.Write(early_bytes)) co_return error;
      buffer.consume(buffered);
      remaining -= buffered;
    }

    // Fill the chunk before handing it to the sink, so a spooled body is
    // written in 256 KiB pieces whatever sizes the socket returns.
    std::vector<char> chunk(
        static_cast<size_t>(std::min<uint64_t>(remaining, kReadChunkBytes)));
    size_t filled = 0;
    while (remaining > 0) {
      size_t want = static_cast<size_t>(
          std::min<uint64_t>(chunk.size() - filled, remaining));
      boost::system::error_code ec;
      stream.expires_after(std::chrono::seconds(60));
      size_t got = co_await stream.async_read_some(
          asio::buffer(chunk.data() + filled, want),
          asio::redirect_error(use_awaitable, ec));
      filled += got;
      remaining -= got;
      if (ec) {
        co_return AwsError{"IncompleteBody",
                           "You did not provide the number of bytes specified "
                           "by the Content-Length HTTP header (" +
                               ec.message() + ")",
                           400};
      }
      if (filled == chunk.size() || remaining == 0) {
        if (auto error = sink.Write(std::string_view(chunk.data(), filled))) {
          co_return error;
        }
        filled = 0;
      }
    }
    co_return sink.Finish();
  }

  awaitable<HttpResponse> DispatchWithWaits(Exchange& exchange) {
    // S3 handlers read and write whole objects; run them off the I/O threads.
    bool blocking = exchange.context.service == "s3";
    for (;;) {
      uint64_t sequence = wakeups_->Sequence();
      std::variant<HttpResponse, WaitAndRetry> outcome;
      if (blocking) {
        outcome = co_await asio::co_spawn(
            blocking_pool_,
            [this, &exchange]() -> awaitable<std::variant<HttpResponse, WaitAndRetry>> {
              co_return dispatcher_->Dispatch(exchange);
            },
            use_awaitable);
      } else {
        outcome = dispatcher_->Dispatch(exchange);
      }
      if (auto* response = std::get_if<HttpResponse>(&outcome)) {
        co_return std::move(*response);
      }
      WaitAndRetry wait = std::get<WaitAndRetry>(outcome);
      if (exchange.context.wait_expired) {
        co_return dispatcher_->Fail(
            exchange, InternalFailure("handler asked to wait after its deadline"));
      }
      if (Clock::now() < wait.deadline && !draining_) {
        co_await wakeups_->Wait(wait.key, wait.deadline, sequence);
      }
      if (Clock::now() >= wait.deadline || draining_) {
        exchange.context.wait_expired = true;
      }
    }
  }

  // Writes the response; returns false when the connection broke.
  awaitable<bool> WriteResponse(beast::tcp_stream& stream, HttpResponse& response,
                                bool keep_alive, bool head) {
    boost::system::error_code ec;
    stream.expires_never();
    uint64_t body_length = response.file ? response.file->length : response.body.size();
    http::response<http::string_body> message;
    message.result(static_cast<unsigned>(response.status));
    message.version(11);
    std::optional<std::string> head_length;
    for (const auto& [name, value] : response.headers) {
      if (platform::EqualsIgnoreCase(name, "Content-Length")) {
        head_length = value;
        continue;
      }
      // A stored or echoed value with CR, LF or NUL would split the
      // response; such a header is dropped, never sent.
      if (name.find_first_of("\r\n\0", 0, 3) != std::string::npos ||
          value.find_first_of("\r\n\0", 0, 3) != std::string::npos) {
        spdlog::warn("dropped response header {} with a CR, LF or NUL in it",
                     name.substr(0, 64));
        continue;
      }
      message.insert(name, value);
    }
    message.keep_alive(keep_alive);
    bool no_body = head || response.status == 304 || response.status == 204 ||
                   (response.status >= 100 && response.status < 200);
    if (head) {
      // HEAD announces the length the GET would send.
      message.set(http::field::content_length,
                  head_length ? *head_length : std::to_string(body_length));
    } else if (!no_body) {
      message.set(http::field::content_length, std::to_string(body_length));
    }

    if (no_body || !response.file) {
      if (!no_body) message.body() = std::move(response.body);
      http::response_serializer<http::string_body> serializer(message);
      co_await http::async_write(stream, serializer,
                                 asio::redirect_error(use_awaitable, ec));
      co_return !ec;
    }

    // Headers, then the file range with sendfile.
    int fd = ::open(response.file->path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      spdlog::error("cannot open {} to send it: {}", response.file->path,
                    std::strerror(errno));
      co_return false;
    }
    http::response_serializer<http::string_body> serializer(message);
    co_await http::async_write_header(stream, serializer,
                                      asio::redirect_error(use_awaitable, ec));
    off_t offset = static_cast<off_t>(response.file->offset);
    uint64_t remaining = response.file->length;
    auto& socket = stream.socket();
    socket.native_non_blocking(true, ec);
    while (!ec && remaining > 0) {
      ssize_t sent = ::sendfile(socket.native_handle(), fd, &offset,
                                static_cast<size_t>(std::min<uint64_t>(remaining, 1 << 30)));
      if (sent > 0) {
        remaining -= static_cast<uint64_t>(sent);
        continue;
      }
      if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        co_await socket.async_wait(tcp::socket::wait_write,
                                   asio::redirect_error(use_awaitable, ec));
        continue;
      }
      if (sent < 0 && errno == EINTR) continue;
      break;  // error, or the file shrank
    }
    ::close(fd);
    co_return !ec && remaining == 0;
  }

  ServerOptions options_;
  Dispatcher* dispatcher_;
  TimerWakeups* wakeups_;
  AdminHandler admin_;
  unsigned threads_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  asio::thread_pool blocking_pool_;
  std::atomic<bool> draining_{false};
  std::atomic<int> active_requests_{0};
};

Server::Server(ServerOptions options, Dispatcher* dispatcher, TimerWakeups* wakeups,
               AdminHandler admin)
    : impl_(std::make_unique<Impl>(std::move(options), dispatcher, wakeups,
                                   std::move(admin))) {}
Server::~Server() = default;
platform::Status Server::Listen() { return impl_->Listen(); }
uint16_t Server::port() const { return impl_->port(); }
void Server::Run(int drain_seconds) { impl_->Run(drain_seconds); }

}  // namespace brume::server
