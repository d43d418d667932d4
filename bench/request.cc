#include "request.h"

#include <chrono>

#include "aws/sigv4.h"
#include "platform/crypto.h"

namespace brume::bench {

namespace {

// Adds Host and Content-Length, signs, and serializes the head.
std::string SignHead(const SigningConfig& config, HttpRequest& request,
                     std::string_view service, uint64_t content_length) {
  request.headers.Set("Host", config.host);
  request.headers.Set("Content-Length", std::to_string(content_length));
  request.body.size = content_length;

  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count();
  aws::SignSigV4(request, config.access_key_id, config.secret_access_key,
                 config.region, service, now_ms);

  std::string head;
  head.reserve(512);
  head.append(request.method).append(" ").append(request.target);
  head.append(" HTTP/1.1\r\n");
  for (const auto& [name, value] : request.headers) {
    head.append(name).append(": ").append(value).append("\r\n");
  }
  head.append("\r\n");
  return head;
}

}  // namespace

HttpRequest MakeRequest(std::string method, std::string path,
                        std::string query) {
  HttpRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  request.query = std::move(query);
  request.target =
      request.query.empty() ? request.path : request.path + "?" + request.query;
  return request;
}

std::string SignedRequestHead(const SigningConfig& config,
                              HttpRequest& request, std::string_view service,
                              std::string_view body) {
  if (service == "s3") {
    return SignedRequestHead(config, request, service, body.size(),
                             platform::Sha256Hex(body));
  }
  // The SDKs send no x-amz-content-sha256 header to other services, so
  // SignSigV4 hashes body.data for the canonical request.
  request.body.data = std::string(body);
  return SignHead(config, request, service, body.size());
}

std::string SignedRequestHead(const SigningConfig& config,
                              HttpRequest& request, std::string_view service,
                              uint64_t content_length,
                              std::string_view payload_sha256_hex) {
  request.headers.Set("x-amz-content-sha256", std::string(payload_sha256_hex));
  return SignHead(config, request, service, content_length);
}

}  // namespace brume::bench
