#pragma once

// AWS Signature Version 4: parsing the Authorization header and presigned
// query strings, verifying signatures, and signing (for the benchmark's load
// generator and for tests).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/crypto.h"
#include "services/common/error.h"
#include "services/common/http.h"

namespace brume::aws {

// Claims of a request's SigV4 authentication.
struct SigV4Auth {
  std::string access_key_id;
  std::string date;     // credential scope date, YYYYMMDD
  std::string region;   // credential scope region
  std::string service;  // credential scope service (signing name)
  std::vector<std::string> signed_headers;  // lower-case, sorted as sent
  std::string signature;                    // lower-case hex
  std::string amz_date;         // X-Amz-Date (or Date), YYYYMMDDTHHMMSSZ
  std::string security_token;   // X-Amz-Security-Token, if any
  std::string payload_hash;     // x-amz-content-sha256 value, if any
  bool presigned = false;       // from the query string
  int64_t expires_seconds = 0;  // X-Amz-Expires of presigned URLs
};

// Extracts SigV4 fields from the Authorization header or, failing that, the
// X-Amz-* query parameters of a presigned URL. Returns nullopt for unsigned
// requests (an empty Authorization header counts as none); an AwsError for
// malformed ones (IncompleteSignature, AuthorizationQueryParametersError,
// ...). SigV2 credentials are ParseSigV2's (sigv2.h), so callers try that
// first.
//
// Error codes: a malformed Authorization header is IncompleteSignature
// (400) as JSON and query services send it, except that a credential scoped
// to "s3" gets S3's AuthorizationHeaderMalformed (or AccessDenied for a bad
// date). Presigned query parameters always fail with S3's
// AuthorizationQueryParametersError (400). A caller that knows the request
// is for S3 while the scope is not "s3" renames IncompleteSignature to
// AuthorizationHeaderMalformed.
std::optional<Result<SigV4Auth>> ParseSigV4(const HttpRequest& request);

// Verifies the signature of `request` with `secret_access_key` at time
// `now_ms`, returning SignatureDoesNotMatch, RequestTimeTooSkewed
// (15 minutes) or AccessDenied ("Request has expired") as AWS does.
// `auth.payload_hash` is the hex SHA-256 of the body, or the literal the
// client signed (UNSIGNED-PAYLOAD, STREAMING-*), or empty when the client
// sent none.
//
// The codes and messages follow the scope's service. With scope "s3":
// SignatureDoesNotMatch with the StringToSign and CanonicalRequest fields,
// RequestTimeTooSkewed, and AccessDenied for presigned URLs that expired or
// are not valid yet. Elsewhere, as query services send them:
// SignatureDoesNotMatch, also for clock skew ("Signature expired: ..."),
// which JSON protocols (DynamoDB, Lambda) name InvalidSignatureException, so
// callers rendering JSON errors rename the code.
// Hashes the body when NeedsBodyToVerify(auth); call it after the body was
// read in that case.
Status VerifySigV4(const HttpRequest& request, const SigV4Auth& auth,
                   std::string_view secret_access_key, int64_t now_ms);

// Signs a request in place (adds X-Amz-Date, Authorization and, for S3,
// x-amz-content-sha256), as an SDK does. Signs every header present except
// those SDKs leave unsigned (User-Agent, Expect, ...).
void SignSigV4(HttpRequest& request, std::string_view access_key_id,
               std::string_view secret_access_key, std::string_view region,
               std::string_view service, int64_t now_ms);

// Same as above, also signing `session_token` as X-Amz-Security-Token when
// it is not empty (temporary credentials from STS).
void SignSigV4(HttpRequest& request, std::string_view access_key_id,
               std::string_view secret_access_key, std::string_view region,
               std::string_view service, int64_t now_ms,
               std::string_view session_token);

// Turns `request` into a presigned URL request, as SDK presigners do: adds
// the X-Amz-* query parameters (and X-Amz-Security-Token when
// `session_token` is not empty) to request.query and request.target. Signs
// the host header only. S3 requests sign UNSIGNED-PAYLOAD and others the
// SHA-256 of the in-memory body.
void PresignSigV4(HttpRequest& request, std::string_view access_key_id,
                  std::string_view secret_access_key, std::string_view region,
                  std::string_view service, int64_t now_ms,
                  int64_t expires_seconds, std::string_view session_token = "");

// Returns true when VerifySigV4 has to hash the request body, because the
// client sent no x-amz-content-sha256 value. Until the body is read,
// verification of such a request fails.
bool NeedsBodyToVerify(const SigV4Auth& auth);

// Checks the body against a hex x-amz-content-sha256 value, reading the
// spool file when the body is spooled. S3 reports a mismatch as
// XAmzContentSHA256Mismatch and other services as SignatureDoesNotMatch.
// Returns ok for the UNSIGNED-PAYLOAD and STREAMING-* literals.
Status VerifyPayloadHash(const HttpRequest& request, const SigV4Auth& auth);

// x-amz-content-sha256 values other than a hex SHA-256.
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr std::string_view kStreamingSignedPayload =
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
inline constexpr std::string_view kStreamingSignedPayloadTrailer =
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
inline constexpr std::string_view kStreamingUnsignedPayloadTrailer =
    "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

// True for the STREAMING-* values, whose bodies are aws-chunked.
bool IsStreamingPayload(std::string_view payload_hash);

// The building blocks of a signature, exposed for tests and for the
// aws-chunked decoder.

// Rules for deriving the canonical URI from the percent-encoded request
// path. S3 uses the path as sent (encoded once, dot segments kept). Every other
// service removes dot segments and empty segments and encodes each segment
// twice, as botocore and the AWS SDKs sign.
struct CanonicalUriOptions {
  bool normalize = true;
  bool double_encode = true;
};

// Options for the credential scope service: S3 (and S3 Express) sign the
// path as sent, all others normalise and double-encode it.
CanonicalUriOptions CanonicalUriOptionsFor(std::string_view service);

// Canonical URI of a percent-encoded path. Each segment is decoded and
// encoded again with the SigV4 unreserved set, so clients that escape more
// or fewer characters than SigV4 requires still verify.
std::string CanonicalUri(std::string_view raw_path,
                         const CanonicalUriOptions& options);

// Canonical query string: parameters decoded, re-encoded, and sorted by name
// then value. Leaves out X-Amz-Signature when `presigned`.
std::string CanonicalQueryString(std::string_view raw_query, bool presigned);

// Canonical headers block: "name:value\n" for each of `signed_headers` (lower
// case), with repeated headers joined by ',' and whitespace runs collapsed
// to one space.
std::string CanonicalHeaders(const Headers& headers,
                             const std::vector<std::string>& signed_headers);

// The canonical request, ready to hash into the string to sign.
std::string BuildCanonicalRequest(
    const HttpRequest& request, const std::vector<std::string>& signed_headers,
    std::string_view payload_hash, const CanonicalUriOptions& options,
    bool presigned);

// "YYYYMMDD/region/service/aws4_request".
std::string CredentialScope(std::string_view date, std::string_view region,
                            std::string_view service);

// "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex sha256 of canonical request>".
std::string BuildStringToSign(std::string_view amz_date, std::string_view scope,
                              std::string_view canonical_request);

// Raw signing key: HMAC chain over "AWS4" + secret, date, region, service
// and "aws4_request".
std::string DeriveSigningKey(std::string_view secret_access_key,
                             std::string_view date, std::string_view region,
                             std::string_view service);

// Lower-case hex HMAC-SHA256 of `string_to_sign` under `signing_key`.
std::string ComputeSignature(std::string_view signing_key,
                             std::string_view string_to_sign);

// Signature of one aws-chunked chunk: the string to sign is
// "AWS4-HMAC-SHA256-PAYLOAD\n<amz_date>\n<scope>\n<previous signature>\n"
// followed by the hex SHA-256 of "" and of the chunk data, on two lines.
// The first chunk chains from the seed signature of the Authorization
// header.
std::string ComputeChunkSignature(std::string_view signing_key,
                                  std::string_view amz_date,
                                  std::string_view scope,
                                  std::string_view previous_signature,
                                  std::string_view chunk_sha256);

// Signature of aws-chunked trailers: the string to sign is
// "AWS4-HMAC-SHA256-TRAILER\n<amz_date>\n<scope>\n<final chunk signature>\n"
// followed by the hex SHA-256 of the trailers, "name:value\n" each.
std::string ComputeTrailerSignature(std::string_view signing_key,
                                    std::string_view amz_date,
                                    std::string_view scope,
                                    std::string_view previous_signature,
                                    std::string_view trailers_sha256);

// Incremental decoder of aws-chunked bodies
// ("<hex-size>;chunk-signature=<sig>\r\n<data>\r\n ...
// 0;...\r\n<trailers>\r\n"). Verifies chunk signatures when constructed with a
// signing key.
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
  // A chunk's bytes reach `out` before its signature is checked, so after
  // an error the caller discards everything decoded so far. Bytes after the
  // end of the body are rejected.
  Status Feed(std::string_view bytes, std::string* out);
  // True once the final chunk and trailers were read.
  bool done() const { return state_ == State::kDone; }
  const Headers& trailers() const { return trailers_; }
  // Returns IncompleteBody unless the final chunk and trailers were read.
  // Call it when the HTTP body ends.
  Status Finish() const;
  // Sum of the chunk sizes so far, to compare with
  // x-amz-decoded-content-length.
  uint64_t decoded_size() const { return decoded_size_; }

 private:
  enum class State { kSize, kData, kDataEnd, kTrailers, kDone };
  Status ParseSizeLine();
  Status FinishChunk();
  Status ParseTrailerLine();
  Status VerifyTrailerSignature();

  State state_ = State::kSize;
  std::string line_;
  uint64_t remaining_ = 0;
  uint64_t chunk_size_ = 0;
  uint64_t previous_chunk_size_ = 0;
  uint64_t decoded_size_ = 0;
  size_t trailer_bytes_ = 0;
  std::string chunk_signature_;
  std::optional<platform::Digest> chunk_hash_;  // only when verifying
  std::string trailer_signature_;
  bool verify_ = false;
  std::string signing_key_;
  std::string scope_;
  std::string amz_date_;
  std::string previous_signature_;
  Headers trailers_;
};

}  // namespace brume::aws
