#include "http_client.h"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/system_error.hpp>
#include <cerrno>
#include <limits>
#include <vector>

namespace brume::bench {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::use_awaitable;
using boost::system::error_code;
using boost::system::system_error;

namespace {

// Responses larger than this are read with DownloadToFile instead.
constexpr uint64_t kMaxInMemoryBody = uint64_t{64} << 20;

// Closes a file descriptor when it leaves scope.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

[[noreturn]] void ThrowErrno(const char* what) {
  throw system_error(error_code(errno, boost::system::system_category()),
                     what);
}

}  // namespace

HttpConnection::HttpConnection(asio::io_context& io,
                               asio::ip::tcp::endpoint endpoint)
    : endpoint_(endpoint), socket_(io) {}

asio::awaitable<void> HttpConnection::EnsureConnected() {
  if (socket_.is_open()) co_return;
  buffer_.clear();
  co_await socket_.async_connect(endpoint_, use_awaitable);
  socket_.set_option(asio::ip::tcp::no_delay(true));
}

void HttpConnection::Close() {
  error_code ignored;
  socket_.close(ignored);
}

void HttpConnection::CloseUnlessKeepAlive(bool keep_alive) {
  if (!keep_alive) Close();
}

asio::awaitable<HttpResult> HttpConnection::RoundTrip(std::string_view head,
                                                      std::string_view body) {
  co_await EnsureConnected();
  const std::array<asio::const_buffer, 2> request = {
      asio::buffer(head.data(), head.size()),
      asio::buffer(body.data(), body.size())};
  co_await asio::async_write(socket_, request, use_awaitable);

  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxInMemoryBody);
  co_await http::async_read(socket_, buffer_, parser, use_awaitable);
  HttpResult result;
  result.status = static_cast<int>(parser.get().result_int());
  result.body = std::move(parser.get().body());
  result.body_bytes = result.body.size();
  CloseUnlessKeepAlive(parser.get().keep_alive());
  co_return result;
}

asio::awaitable<HttpResult> HttpConnection::UploadFile(std::string_view head,
                                                       const std::string& path,
                                                       uint64_t length) {
  FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) ThrowErrno("open upload file");

  co_await EnsureConnected();
  co_await asio::async_write(socket_, asio::buffer(head.data(), head.size()),
                             use_awaitable);

  // Zero-copy body: sendfile until the socket buffer is full, then wait for
  // the socket to become writable, as in Asio's sendfile example.
  socket_.native_non_blocking(true);
  off_t offset = 0;
  while (static_cast<uint64_t>(offset) < length) {
    const size_t chunk = static_cast<size_t>(
        std::min<uint64_t>(length - offset, uint64_t{1} << 30));
    const ssize_t sent =
        ::sendfile(socket_.native_handle(), file.get(), &offset, chunk);
    if (sent > 0) continue;
    if (sent == 0) {
      throw system_error(asio::error::eof, "upload file ended early");
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      co_await socket_.async_wait(asio::ip::tcp::socket::wait_write,
                                  use_awaitable);
      continue;
    }
    if (errno == EINTR) continue;
    ThrowErrno("sendfile");
  }

  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxInMemoryBody);
  co_await http::async_read(socket_, buffer_, parser, use_awaitable);
  HttpResult result;
  result.status = static_cast<int>(parser.get().result_int());
  result.body = std::move(parser.get().body());
  result.body_bytes = length;
  CloseUnlessKeepAlive(parser.get().keep_alive());
  co_return result;
}

asio::awaitable<HttpResult> HttpConnection::DownloadToFile(
    std::string_view head, const std::string& path) {
  FileDescriptor file(
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (file.get() < 0) ThrowErrno("open download file");

  co_await EnsureConnected();
  co_await asio::async_write(socket_, asio::buffer(head.data(), head.size()),
                             use_awaitable);

  http::response_parser<http::buffer_body> parser;
  // Beast 1.74 compares the length with the optional limit, so boost::none
  // rejects every body; use the largest value instead.
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  co_await http::async_read_header(socket_, buffer_, parser, use_awaitable);

  HttpResult result;
  result.status = static_cast<int>(parser.get().result_int());
  std::vector<char> chunk(1 << 20);
  while (!parser.is_done()) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    error_code error;
    co_await http::async_read(socket_, buffer_, parser,
                              asio::redirect_error(use_awaitable, error));
    if (error && error != http::error::need_buffer) throw system_error(error);
    const size_t received = chunk.size() - parser.get().body().size;
    size_t written = 0;
    while (written < received) {
      const ssize_t n =
          ::write(file.get(), chunk.data() + written, received - written);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) ThrowErrno("write download file");
      written += static_cast<size_t>(n);
    }
    result.body_bytes += received;
  }
  CloseUnlessKeepAlive(parser.get().keep_alive());
  co_return result;
}

}  // namespace brume::bench
