#pragma once

// The HTTP/1.1 front end: one Asio io_context run by one thread per core,
// a coroutine per connection, keep-alive, chunked and aws-chunked request
// bodies, Expect: 100-continue, bodies spooled to files for streaming
// operations, and file responses sent with sendfile.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "platform/status.h"
#include "server/dispatcher.h"
#include "server/wakeups.h"

namespace brume::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 4566;
  unsigned threads = 0;  // 0: one per core
  // Largest request line plus headers; larger ones get 431.
  uint32_t max_header_bytes = 64 * 1024;
  // Largest body read into memory (every operation without a streaming
  // payload); larger ones get 413.
  uint64_t max_memory_body_bytes = 64ull << 20;
  // Largest streamed body: S3's single PUT limit, 5 GiB.
  uint64_t max_streaming_body_bytes = 5ull << 30;
  // Directory for spooled request bodies; on the same file system as the
  // blobs so handlers can rename them into place.
  std::string spool_dir;
  // Idle keep-alive connections are closed after this many seconds.
  int idle_timeout_seconds = 120;
};

// Handles /_brume/* requests and returns nullopt for other paths.
using AdminHandler =
    std::function<std::optional<HttpResponse>(const HttpRequest&)>;

class Server {
 public:
  Server(ServerOptions options, Dispatcher* dispatcher, TimerWakeups* wakeups,
         AdminHandler admin);
  ~Server();

  // Binds and listens; fails with the OS error (address in use, ...).
  platform::Status Listen();
  // The bound port (useful with port 0).
  uint16_t port() const;

  // Serves until SIGINT or SIGTERM, then lets in-flight requests finish
  // (at most `drain_seconds`) and returns.
  void Run(int drain_seconds = 10);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace brume::server
