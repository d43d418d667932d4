#pragma once

// AWS Signature Version 2 as S3 reads it: the "Authorization: AWS
// AKID:signature" header and presigned URLs with AWSAccessKeyId, Expires and
// Signature query parameters. The string to sign follows "Signing and
// authenticating REST requests" in the S3 API reference
// (https://docs.aws.amazon.com/AmazonS3/latest/API/RESTAuthentication.html).
// Only S3 accepts SigV2; callers route other services' requests elsewhere.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "services/common/error.h"
#include "services/common/http.h"

namespace brume::aws {

// Claims of a request's SigV2 authentication.
struct SigV2Auth {
  std::string access_key_id;
  std::string signature;  // base64 HMAC-SHA1, query values percent-decoded
  bool presigned = false;  // from the query string
  // Presigned URLs: the Expires parameter as sent (it takes the place of the
  // Date line in the string to sign) and its value in epoch seconds.
  std::string expires;
  int64_t expires_seconds = 0;
  std::string security_token;  // x-amz-security-token, header or query
};

// True when the request carries a SigV2 credential: an Authorization header
// whose scheme is "AWS" (any case, also with nothing after it), or a
// Signature query parameter without X-Amz-Algorithm. S3 reads an
// AWSAccessKeyId parameter without a Signature as no credential.
bool HasSigV2Credential(const HttpRequest& request);

// Extracts the SigV2 fields. Returns nullopt unless HasSigV2Credential.
// A header beside a query credential, or a header that is not
// "AWS AKID:signature" with one space, fails with InvalidArgument (400, with
// ArgumentName and ArgumentValue fields). A query without Expires or
// AWSAccessKeyId, or whose Expires is not a number of seconds, fails with
// AccessDenied (403).
std::optional<Result<SigV2Auth>> ParseSigV2(const HttpRequest& request);

// Checks the request time as S3 does. A header-signed request takes its
// time from x-amz-date when present (readable or not), else from Date, and
// fails with AccessDenied (403) when that is missing or not an RFC 822 date
// from 1970 on. When `check_skew` is set, a time more than 15 minutes from
// `now_ms` fails with RequestTimeTooSkewed (403). A presigned request fails
// with AccessDenied "Request has expired" once `now_ms` is past Expires; it
// has no skew limit.
Status CheckSigV2Time(const HttpRequest& request, const SigV2Auth& auth,
                      int64_t now_ms, bool check_skew);

// Verifies the signature with `secret_access_key`. Returns S3's
// SignatureDoesNotMatch (403) with the AWSAccessKeyId, StringToSign,
// SignatureProvided and StringToSignBytes fields on a mismatch.
Status VerifySigV2(const HttpRequest& request, const SigV2Auth& auth,
                   std::string_view secret_access_key);

// Signs a request in place: sets Date unless x-amz-date is present, then
// the Authorization header.
void SignSigV2(HttpRequest& request, std::string_view access_key_id,
               std::string_view secret_access_key, int64_t now_ms);

// The building blocks of a signature, exposed for tests.

// The StringToSign: verb, Content-MD5, Content-Type and date lines, then the
// canonicalized x-amz-* headers and the canonicalized resource. The date
// line is Expires for presigned URLs, empty when x-amz-date is present, and
// the Date header otherwise. A presigned URL's x-amz-*, Content-Type and
// Content-MD5 query parameters count as headers, because presigners (boto3's
// HmacV1QueryAuth) move the signed headers into the query.
std::string BuildSigV2StringToSign(const HttpRequest& request,
                                   const SigV2Auth& auth);

// CanonicalizedAmzHeaders: the x-amz-* headers, lower-cased and sorted, with
// repeated headers joined by ',' and folding whitespace unfolded to one
// space, each "name:value\n". Takes x-amz-* query parameters into account
// for presigned URLs.
std::string CanonicalizedAmzHeaders(const HttpRequest& request, bool presigned);

// CanonicalizedResource: "/bucket" for a virtual-hosted-style Host, the path
// as sent (still percent-encoded), then the sub-resources and response-*
// overrides among the query parameters, sorted by name, values decoded.
std::string CanonicalizedResource(const HttpRequest& request);

// Base64 HMAC-SHA1 of `string_to_sign` under `secret_access_key`.
std::string ComputeSigV2Signature(std::string_view secret_access_key,
                                  std::string_view string_to_sign);

}  // namespace brume::aws
