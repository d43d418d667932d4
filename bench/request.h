#pragma once

// Builds SigV4-signed HTTP/1.1 request heads the way an AWS SDK sends them:
// each request gets a fresh X-Amz-Date and signature.

#include <cstdint>
#include <string>
#include <string_view>

#include "services/common/http.h"

namespace brume::bench {

struct SigningConfig {
  std::string host;  // Host header value, "127.0.0.1:PORT"
  // brume's default credentials for --verify-signatures.
  std::string access_key_id = "test";
  std::string secret_access_key = "test";
  std::string region = "us-east-1";
};

// Signs `request` for `service` (the SigV4 signing name: "s3", "sqs", ...)
// and returns its request line and headers, ending with the empty line. The
// body of `content_length` bytes follows the head. Its hex SHA-256 goes into
// x-amz-content-sha256 and the signature, as the SDKs send S3 requests over
// plain HTTP.
std::string SignedRequestHead(const SigningConfig& config,
                              HttpRequest& request, std::string_view service,
                              uint64_t content_length,
                              std::string_view payload_sha256_hex);

// Same, for a body in memory, hashing `body`. Only S3 requests get an
// x-amz-content-sha256 header, as from the SDKs.
std::string SignedRequestHead(const SigningConfig& config,
                              HttpRequest& request, std::string_view service,
                              std::string_view body);

// Returns a request with `method`, `path` and `query` set (path already
// percent-encoded, query without '?').
HttpRequest MakeRequest(std::string method, std::string path,
                        std::string query = {});

}  // namespace brume::bench
