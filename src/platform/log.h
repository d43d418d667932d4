#pragma once

// Process-wide logging on spdlog. Code logs through spdlog's default logger
// (spdlog::info, spdlog::warn, ...); ConfigureLogging sets its level and its
// output format, and LogRequest writes the one line per served request.
//
// Rules for callers: never log credentials, signatures or the Authorization
// header, and log request or response bodies only at trace, through
// LogExcerpt.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "platform/status.h"

namespace spdlog::sinks {
class sink;
}  // namespace spdlog::sinks

namespace brume::platform {

// Sets the level (trace, debug, info, warn or error) and the format (text or
// json) of the default logger, which writes to stderr, or to `sink` when one
// is given (tests). Returns InvalidArgument for any other level or format
// and leaves the logger unchanged.
//
// text: "2024-05-01T12:00:00.123Z info message"
// json: one object per line with "time", "level" and "message"; request
//       lines add service, operation, status, error_code, latency_ms and
//       request_id.
Status ConfigureLogging(std::string_view level, std::string_view format,
                        std::shared_ptr<spdlog::sinks::sink> sink = nullptr);

// Fields of the access-log line written after each response. The views are
// read only during the LogRequest call.
struct RequestLogLine {
  std::string_view service;     // service model id, e.g. "sqs"; empty if unknown
  std::string_view operation;   // e.g. "SendMessage"; empty if unknown
  int status = 0;               // HTTP status code sent
  std::string_view error_code;  // AWS error code; empty on success
  double latency_ms = 0;        // from request read to response written
  std::string_view request_id;
};

// Writes a request line at info level. Text form, fields in this order:
// "sqs SendMessage 200 - 0.41ms req=<request id>", with "-" for an empty
// service, operation or error code.
void LogRequest(const RequestLogLine& line);

// Returns the first `max_bytes` of `body` for a trace log. Bytes outside
// printable ASCII are written as \xNN and '\' as "\\". A cut body ends
// with "...(N more bytes)".
std::string LogExcerpt(std::string_view body, size_t max_bytes = 512);

}  // namespace brume::platform
