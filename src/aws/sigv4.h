#pragma once

// AWS Signature Version 4: parsing the Authorization header and presigned
// query strings, verifying signatures, and signing (for the benchmark's load
// generator and for tests).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "services/common/error.h"
#include "services/common/http.h"

namespace brume::aws {

// What a request's SigV4 authentication claims.
struct SigV4Auth {
  std::string access_key_id;
  std::string date;     // credential scope date, YYYYMMDD
  std::string region;   // credential scope region
  std::string service;  // credential scope service (signing name)
  std::vector<std::string> signed_headers;  // lower-case, sorted as sent
  std::string signature;                    // lower-case hex
  std::string amz_date;        // X-Amz-Date (or Date), YYYYMMDDTHHMMSSZ
  std::string security_token;  // X-Amz-Security-Token, if any
  std::string payload_hash;    // x-amz-content-sha256 value, if any
  bool presigned = false;      // from the query string
  int64_t expires_seconds = 0;  // X-Amz-Expires of presigned URLs
};

// Extracts SigV4 fields from the Authorization header or, failing that, the
// X-Amz-* query parameters of a presigned URL. Returns nullopt for unsigned
// requests; an AwsError for malformed ones (IncompleteSignature,
// AuthorizationQueryParametersError, ...).
std::optional<Result<SigV4Auth>> ParseSigV4(const HttpRequest& request);

// Verifies the signature of `request` with `secret_access_key` at time
// `now_ms`, returning SignatureDoesNotMatch, RequestTimeTooSkewed
// (15 minutes) or AccessDenied ("Request has expired") as AWS does.
// `payload_hash` is the hex SHA-256 of the body, or the literal the client
// signed (UNSIGNED-PAYLOAD, STREAMING-*).
Status VerifySigV4(const HttpRequest& request, const SigV4Auth& auth,
                   std::string_view secret_access_key, int64_t now_ms);

// Signs a request in place (adds X-Amz-Date, x-amz-content-sha256 and
// Authorization), as an SDK does.
void SignSigV4(HttpRequest& request, std::string_view access_key_id,
               std::string_view secret_access_key, std::string_view region,
               std::string_view service, int64_t now_ms);

// Incremental decoder of aws-chunked bodies
// ("<hex-size>;chunk-signature=<sig>\r\n<data>\r\n ... 0;...\r\n<trailers>\r\n").
// Verifies chunk signatures when constructed with a signing key.
class AwsChunkedDecoder {
 public:
  // Without verification (chunk signatures are parsed but not checked).
  AwsChunkedDecoder() = default;
  // With verification: seed signature from the Authorization header.
  AwsChunkedDecoder(std::string signing_key, std::string scope,
                    std::string amz_date, std::string seed_signature);

  // Feeds received bytes; decoded payload bytes are appended to `out`.
  // Returns an AwsError (IncompleteBody, SignatureDoesNotMatch,
  // InvalidChunkSizeError) on malformed input.
  Status Feed(std::string_view bytes, std::string* out);
  // True once the final chunk and trailers were read.
  bool done() const { return state_ == State::kDone; }
  const Headers& trailers() const { return trailers_; }

 private:
  enum class State { kSize, kData, kDataEnd, kTrailers, kDone };
  State state_ = State::kSize;
  std::string line_;
  uint64_t remaining_ = 0;
  std::string chunk_signature_;
  std::string chunk_data_;  // current chunk, kept only when verifying
  bool verify_ = false;
  std::string signing_key_;
  std::string scope_;
  std::string amz_date_;
  std::string previous_signature_;
  Headers trailers_;
};

}  // namespace brume::aws
