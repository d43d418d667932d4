#include "platform/log.h"

#include <time.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>
#include <spdlog/formatter.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace brume::platform {
namespace {

// The request line being written on this thread, so the JSON formatter can
// add its fields. spdlog's default logger is synchronous: the formatter runs
// on the calling thread inside the logging call.
thread_local const RequestLogLine* current_request_line = nullptr;

std::optional<spdlog::level::level_enum> ParseLevel(std::string_view level) {
  if (level == "trace") return spdlog::level::trace;
  if (level == "debug") return spdlog::level::debug;
  if (level == "info") return spdlog::level::info;
  if (level == "warn") return spdlog::level::warn;
  if (level == "error") return spdlog::level::err;
  return std::nullopt;
}

std::string_view LevelName(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "trace";
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::err:
      return "error";
    case spdlog::level::critical:
      return "critical";
    default:
      return "off";
  }
}

// Formats a time as ISO 8601 in UTC with milliseconds, e.g.
// "2024-05-01T12:00:00.123Z".
std::string FormatUtc(std::chrono::system_clock::time_point time) {
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                    time.time_since_epoch())
                    .count();
  time_t seconds = static_cast<time_t>(millis / 1000);
  struct tm utc;
  gmtime_r(&seconds, &utc);
  std::array<char, 32> text;
  int length = std::snprintf(text.data(), text.size(),
                             "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                             utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                             utc.tm_hour, utc.tm_min, utc.tm_sec,
                             static_cast<int>(millis % 1000));
  return std::string(text.data(), static_cast<size_t>(length));
}

// Renders each record as one JSON object per line.
class JsonFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg,
              spdlog::memory_buf_t& dest) override {
    nlohmann::ordered_json record;
    record["time"] = FormatUtc(msg.time);
    record["level"] = LevelName(msg.level);
    record["message"] = std::string(msg.payload.data(), msg.payload.size());
    if (const RequestLogLine* line = current_request_line) {
      record["service"] = line->service;
      record["operation"] = line->operation;
      record["status"] = line->status;
      record["error_code"] = line->error_code;
      record["latency_ms"] = line->latency_ms;
      record["request_id"] = line->request_id;
    }
    // Invalid UTF-8 in a message becomes U+FFFD instead of throwing.
    std::string text =
        record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    text.push_back('\n');
    dest.append(text.data(), text.data() + text.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

std::string_view OrDash(std::string_view text) {
  return text.empty() ? std::string_view("-") : text;
}

}  // namespace

Status ConfigureLogging(std::string_view level, std::string_view format,
                        std::shared_ptr<spdlog::sinks::sink> sink) {
  std::optional<spdlog::level::level_enum> parsed_level = ParseLevel(level);
  if (!parsed_level) {
    return Status::InvalidArgument("invalid log level '" + std::string(level) +
                                   "'; use trace, debug, info, warn or error");
  }
  std::unique_ptr<spdlog::formatter> formatter;
  if (format == "text") {
    formatter = std::make_unique<spdlog::pattern_formatter>(
        "%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  } else if (format == "json") {
    formatter = std::make_unique<JsonFormatter>();
  } else {
    return Status::InvalidArgument("invalid log format '" +
                                   std::string(format) +
                                   "'; use text or json");
  }

  if (!sink) sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  sink->set_formatter(std::move(formatter));
  auto logger = std::make_shared<spdlog::logger>("brume", std::move(sink));
  logger->set_level(*parsed_level);
  spdlog::set_default_logger(std::move(logger));
  return Status::Ok();
}

void LogRequest(const RequestLogLine& line) {
  spdlog::logger* logger = spdlog::default_logger_raw();
  if (!logger->should_log(spdlog::level::info)) return;
  current_request_line = &line;
  logger->info("{} {} {} {} {:.2f}ms req={}", OrDash(line.service),
               OrDash(line.operation), line.status, OrDash(line.error_code),
               line.latency_ms, line.request_id);
  current_request_line = nullptr;
}

std::string LogExcerpt(std::string_view body, size_t max_bytes) {
  constexpr std::string_view kHex = "0123456789abcdef";
  size_t shown_bytes = std::min(body.size(), max_bytes);
  std::string out;
  out.reserve(shown_bytes + 24);
  for (size_t i = 0; i < shown_bytes; ++i) {
    unsigned char c = static_cast<unsigned char>(body[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else if (c == '\\') {
      out.append("\\\\");
    } else {
      out.append("\\x");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0f]);
    }
  }
  if (shown_bytes < body.size()) {
    out.append("...(" + std::to_string(body.size() - shown_bytes) +
               " more bytes)");
  }
  return out;
}

}  // namespace brume::platform
