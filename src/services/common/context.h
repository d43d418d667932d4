#pragma once

// Request facts a handler receives besides its input document.

#include <optional>
#include <string>
#include <vector>

#include "services/common/http.h"

namespace brume {

namespace platform {
class Clock;
class Storage;
class Wakeups;
}  // namespace platform

struct RequestContext {
  std::string request_id;
  std::string account_id;  // from the access key; "000000000000" by default
  std::string region;      // from the SigV4 credential scope
  std::string access_key_id;
  std::string caller_arn;  // ARN of the calling identity
  std::string service;     // service model id, e.g. "sqs"
  std::string operation;   // operation name, e.g. "SendMessage"
  // Scheme and authority the client used, e.g. "http://localhost:4566", for
  // URLs the response returns (SQS queue URLs).
  std::string endpoint;

  const HttpRequest* http = nullptr;
  platform::Clock* clock = nullptr;
  platform::Wakeups* wakeups = nullptr;

  // Set by a handler whose output has a streaming payload: the body is sent
  // from this file range instead of being serialised from the document.
  std::optional<FileBody> response_file;
  // Raw payload bytes for a streaming or blob payload member in memory.
  std::optional<std::string> response_payload;
  // Extra response headers the codec adds after its own.
  Headers response_headers;
  // Overrides the operation's HTTP status code (S3 206 Partial Content).
  std::optional<int> response_status;
  // True when a handler that asked to wait is called for the last time
  // because its deadline passed.
  bool wait_expired = false;
};

}  // namespace brume
