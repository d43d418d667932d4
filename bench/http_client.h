#pragma once

// Minimal HTTP/1.1 client for the load generator: one keep-alive connection
// per instance, driven by C++20 coroutines on Boost.Asio, with Beast parsing
// the responses. Transport failures are thrown as boost::system::system_error.

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace brume::bench {

struct HttpResult {
  int status = 0;
  std::string body;  // empty for downloads written to a file
  uint64_t body_bytes = 0;
};

class HttpConnection {
 public:
  HttpConnection(boost::asio::io_context& io,
                 boost::asio::ip::tcp::endpoint endpoint);

  // Sends `head` (request line and headers, ending with an empty line) and
  // `body`, then reads the whole response into memory. Connects first when
  // needed, and closes after a response that does not keep the connection
  // alive.
  boost::asio::awaitable<HttpResult> RoundTrip(std::string_view head,
                                               std::string_view body);

  // Like RoundTrip, but sends the first `length` bytes of the file at `path`
  // as the body, with sendfile(2).
  boost::asio::awaitable<HttpResult> UploadFile(std::string_view head,
                                                const std::string& path,
                                                uint64_t length);

  // Like RoundTrip, but writes the response body to the file at `path`.
  boost::asio::awaitable<HttpResult> DownloadToFile(std::string_view head,
                                                    const std::string& path);

  // Closes the socket; pending operations fail with operation_aborted.
  void Close();

 private:
  boost::asio::awaitable<void> EnsureConnected();
  void CloseUnlessKeepAlive(bool keep_alive);

  boost::asio::ip::tcp::endpoint endpoint_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace brume::bench
