#include "aws/sigv4.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <utility>

#include "aws/codec/timestamps.h"
#include "platform/crypto.h"
#include "platform/strings.h"

namespace brume::aws {
namespace {

using platform::HexEncode;
using platform::HmacSha256;
using platform::PercentDecode;
using platform::PercentEncode;
using platform::Sha256Hex;

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kTerminator = "aws4_request";
constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// AWS accepts request times up to 15 minutes from its clock.
constexpr int64_t kMaxSkewMs = 15 * 60 * 1000;
// Presigned URLs live at most 7 days (S3's limit for X-Amz-Expires).
constexpr int64_t kMaxExpiresSeconds = 604800;

constexpr std::string_view kMalformedCredentialS3 =
    "the Credential is mal-formed; expecting "
    "\"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".";

// Headers SDKs leave unsigned because proxies may change them (the union of
// botocore's and the JavaScript SDK's lists).
constexpr std::string_view kUnsignableHeaders[] = {
    "authorization",
    "cache-control",
    "connection",
    "expect",
    "from",
    "keep-alive",
    "max-forwards",
    "pragma",
    "referer",
    "te",
    "trace",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "x-amzn-trace-id",
};

// ---------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// days_from_civil).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const unsigned year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year =
      (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<int64_t>(day_of_era) - 719468;
}

struct CivilTime {
  int64_t year;
  unsigned month, day, hour, minute, second;
};

CivilTime CivilFromMillis(int64_t epoch_ms) {
  int64_t seconds = epoch_ms >= 0 ? epoch_ms / 1000 : (epoch_ms - 999) / 1000;
  int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  int64_t second_of_day = seconds - days * 86400;

  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned day_of_era = static_cast<unsigned>(days - era * 146097);
  const unsigned year_of_era = (day_of_era - day_of_era / 1460 +
                                day_of_era / 36524 - day_of_era / 146096) /
                               365;
  const unsigned day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned month_index = (5 * day_of_year + 2) / 153;
  CivilTime time;
  time.day = day_of_year - (153 * month_index + 2) / 5 + 1;
  time.month = month_index < 10 ? month_index + 3 : month_index - 9;
  time.year = static_cast<int64_t>(year_of_era) + era * 400 + (time.month <= 2);
  time.hour = static_cast<unsigned>(second_of_day / 3600);
  time.minute = static_cast<unsigned>(second_of_day % 3600 / 60);
  time.second = static_cast<unsigned>(second_of_day % 60);
  return time;
}

// "YYYYMMDDTHHMMSSZ", the ISO 8601 basic format SigV4 uses.
std::string FormatAmzDate(int64_t epoch_ms) {
  CivilTime t = CivilFromMillis(epoch_ms);
  char buffer[80];
  std::snprintf(buffer, sizeof(buffer), "%04lld%02u%02uT%02u%02u%02uZ",
                static_cast<long long>(t.year), t.month, t.day, t.hour,
                t.minute, t.second);
  return buffer;
}

// "YYYY-MM-DDTHH:MM:SSZ", as S3 writes ServerTime and Expires.
std::string FormatIsoSeconds(int64_t epoch_ms) {
  CivilTime t = CivilFromMillis(epoch_ms);
  char buffer[80];
  std::snprintf(buffer, sizeof(buffer), "%04lld-%02u-%02uT%02u:%02u:%02uZ",
                static_cast<long long>(t.year), t.month, t.day, t.hour,
                t.minute, t.second);
  return buffer;
}

bool AllDigits(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

unsigned ParseDigits(std::string_view text) {
  unsigned value = 0;
  for (char c : text) value = value * 10 + static_cast<unsigned>(c - '0');
  return value;
}

// Parses "YYYYMMDDTHHMMSSZ" into epoch milliseconds.
std::optional<int64_t> ParseAmzDate(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z' ||
      !AllDigits(text.substr(0, 8)) || !AllDigits(text.substr(9, 6))) {
    return std::nullopt;
  }
  unsigned year = ParseDigits(text.substr(0, 4));
  unsigned month = ParseDigits(text.substr(4, 2));
  unsigned day = ParseDigits(text.substr(6, 2));
  unsigned hour = ParseDigits(text.substr(9, 2));
  unsigned minute = ParseDigits(text.substr(11, 2));
  unsigned second = ParseDigits(text.substr(13, 2));
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
      minute > 59 || second > 60) {
    return std::nullopt;
  }
  int64_t days = DaysFromCivil(year, month, day);
  return ((days * 24 + hour) * 60 + minute) * 60000 + int64_t{second} * 1000;
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

AwsError MakeError(std::string code, std::string message, int http_status) {
  AwsError error;
  error.code = std::move(code);
  error.message = std::move(message);
  error.http_status = http_status;
  return error;
}

AwsError QueryParametersError(std::string message) {
  return MakeError("AuthorizationQueryParametersError", std::move(message),
                   400);
}

// A malformed Authorization header, in S3's words or in those of the JSON
// and query services.
AwsError HeaderMalformed(bool s3, std::string_view s3_detail,
                         std::string message) {
  if (s3) {
    return MakeError(
        "AuthorizationHeaderMalformed",
        "The authorization header is malformed; " + std::string(s3_detail),
        400);
  }
  return MakeError("IncompleteSignature", std::move(message), 400);
}

// S3 shows the bytes it signed as space-separated hex pairs.
// NOTE: lower-case single-byte groups are from memory of S3 responses and
// not checked against a captured one.
std::string SpacedHex(std::string_view bytes) {
  std::string hex = HexEncode(bytes);
  std::string spaced;
  spaced.reserve(hex.size() * 3 / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    if (i > 0) spaced.push_back(' ');
    spaced.append(hex, i, 2);
  }
  return spaced;
}

AwsError SignatureMismatch(bool s3, const SigV4Auth& auth,
                           const std::string& canonical_request,
                           const std::string& string_to_sign) {
  if (s3) {
    AwsError error = MakeError(
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature "
        "you provided. Check your key and signing method.",
        403);
    error.fields = {
        {"AWSAccessKeyId", auth.access_key_id},
        {"StringToSign", string_to_sign},
        {"SignatureProvided", auth.signature},
        {"StringToSignBytes", SpacedHex(string_to_sign)},
        {"CanonicalRequest", canonical_request},
        {"CanonicalRequestBytes", SpacedHex(canonical_request)},
    };
    return error;
  }
  return MakeError(
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you "
      "provided. Check your AWS Secret Access Key and signing method. Consult "
      "the service documentation for details.\n\nThe Canonical String for "
      "this request should have been\n'" +
          canonical_request + "'\n\nThe String-to-Sign should have been\n'" +
          string_to_sign + "'\n",
      403);
}

// ---------------------------------------------------------------------------
// Canonical request pieces
// ---------------------------------------------------------------------------

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(separator, start);
    if (end == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

// Trims and collapses every run of whitespace to one space, as SigV4's
// canonical header values require.
std::string CanonicalHeaderValue(std::string_view value) {
  std::string result;
  result.reserve(value.size());
  bool pending_space = false;
  for (char c : value) {
    bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
                 c == '\f';
    if (space) {
      pending_space = !result.empty();
      continue;
    }
    if (pending_space) result.push_back(' ');
    pending_space = false;
    result.push_back(c);
  }
  return result;
}

bool IsLowerHex(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

bool IsSha256Hex(std::string_view text) {
  return text.size() == 64 && IsLowerHex(platform::ToLower(text));
}

bool IsKnownPayloadLiteral(std::string_view value) {
  return value == kUnsignedPayload || IsStreamingPayload(value) ||
         value == "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD" ||
         value == "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER";
}

// Hex SHA-256 of the body, reading the spool file when there is one.
Result<std::string> HashBody(const HttpRequest& request) {
  if (!request.body.spooled) return Sha256Hex(request.body.data);

  std::unique_ptr<FILE, int (*)(FILE*)> file(
      std::fopen(request.body.file_path.c_str(), "rb"), &std::fclose);
  if (!file) {
    return InternalFailure("brume could not open the spooled request body " +
                           request.body.file_path + " to hash it");
  }
  platform::Digest digest(platform::DigestAlgorithm::kSha256);
  std::string buffer(1 << 20, '\0');
  size_t read = 0;
  while ((read = std::fread(buffer.data(), 1, buffer.size(), file.get())) > 0) {
    digest.Update(std::string_view(buffer.data(), read));
  }
  if (std::ferror(file.get())) {
    return InternalFailure("brume could not read the spooled request body " +
                           request.body.file_path + " to hash it");
  }
  return HexEncode(digest.Final());
}

bool IsS3Service(std::string_view service) { return service == "s3"; }

// The payload hash the client signed: the x-amz-content-sha256 value it
// sent, UNSIGNED-PAYLOAD for S3 presigned URLs without one, or else the
// SHA-256 of the body.
Result<std::string> SignedPayloadHash(const HttpRequest& request,
                                      const SigV4Auth& auth) {
  if (!auth.payload_hash.empty()) return auth.payload_hash;
  if (auth.presigned && IsS3Service(auth.service)) {
    return std::string(kUnsignedPayload);
  }
  return HashBody(request);
}

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

struct Credential {
  std::string access_key_id, date, region, service, terminator;
};

std::optional<Credential> SplitCredential(std::string_view text) {
  std::vector<std::string_view> parts = Split(text, '/');
  if (parts.size() != 5) return std::nullopt;
  return Credential{std::string(parts[0]), std::string(parts[1]),
                    std::string(parts[2]), std::string(parts[3]),
                    std::string(parts[4])};
}

std::vector<std::string> SplitSignedHeaders(std::string_view text) {
  std::vector<std::string> names;
  for (std::string_view name : Split(text, ';')) {
    name = platform::Trim(name);
    if (!name.empty()) names.push_back(platform::ToLower(name));
  }
  return names;
}

Result<SigV4Auth> ParseAuthorizationHeader(const HttpRequest& request,
                                           std::string_view header) {
  std::string_view trimmed = platform::Trim(header);
  size_t space = trimmed.find_first_of(" \t");
  std::string_view algorithm = trimmed.substr(0, space);
  std::string_view rest = space == std::string_view::npos
                              ? std::string_view()
                              : trimmed.substr(space + 1);
  const bool s3_scope = header.find("/s3/") != std::string_view::npos;
  if (algorithm != kAlgorithm) {
    // SigV2 ("AWS AKID:signature") never gets here: the dispatcher parses it
    // with ParseSigV2 first.
    // TODO: SigV4a (AWS4-ECDSA-P256-SHA256) is not supported, so such
    // requests fail here.
    if (s3_scope) {
      return MakeError("InvalidArgument", "Unsupported Authorization Type",
                       400);
    }
    return MakeError(
        "IncompleteSignature",
        "Unsupported AWS 'algorithm': '" + std::string(algorithm) + "'", 400);
  }

  // Components: "Credential=..., SignedHeaders=..., Signature=...".
  std::string credential_text, signed_headers_text, signature;
  bool has_credential = false, has_signed_headers = false,
       has_signature = false;
  for (std::string_view component : Split(rest, ',')) {
    component = platform::Trim(component);
    if (component.empty()) continue;
    size_t equals = component.find('=');
    if (equals == std::string_view::npos) {
      return HeaderMalformed(
          s3_scope, kMalformedCredentialS3,
          "'" + std::string(component) +
              "' not a valid key=value pair (missing equal-sign) in "
              "Authorization header: '" +
              std::string(header) + "'.");
    }
    std::string_view key = platform::Trim(component.substr(0, equals));
    std::string_view value = platform::Trim(component.substr(equals + 1));
    if (key == "Credential") {
      credential_text = value;
      has_credential = true;
    } else if (key == "SignedHeaders") {
      signed_headers_text = value;
      has_signed_headers = true;
    } else if (key == "Signature") {
      signature = value;
      has_signature = true;
    }
  }

  std::optional<std::string_view> amz_date = request.headers.Get("X-Amz-Date");
  std::optional<std::string_view> http_date = request.headers.Get("Date");

  // AWS lists every missing part in one message.
  std::string missing;
  if (!has_credential) {
    missing += "Authorization header requires 'Credential' parameter. ";
  }
  if (!has_signature) {
    missing += "Authorization header requires 'Signature' parameter. ";
  }
  if (!has_signed_headers) {
    missing += "Authorization header requires 'SignedHeaders' parameter. ";
  }
  if (!amz_date && !http_date) {
    missing +=
        "Authorization header requires existence of either a 'X-Amz-Date' or "
        "a 'Date' header. ";
  }
  if (!missing.empty()) {
    if (s3_scope &&
        (!has_credential || !has_signature || !has_signed_headers)) {
      return HeaderMalformed(true, kMalformedCredentialS3, "");
    }
    if (s3_scope) {
      return MakeError("AccessDenied",
                       "AWS authentication requires a valid Date or "
                       "x-amz-date header",
                       403);
    }
    return MakeError("IncompleteSignature",
                     missing + "Authorization=" + std::string(header), 400);
  }

  std::optional<Credential> credential = SplitCredential(credential_text);
  const bool s3 = credential ? IsS3Service(credential->service) : s3_scope;
  if (!credential) {
    return HeaderMalformed(
        s3, kMalformedCredentialS3,
        "Credential must have exactly 5 slash-delimited elements, e.g. "
        "keyid/date/region/service/term, got '" +
            credential_text + "'");
  }
  if (credential->access_key_id.empty()) {
    return HeaderMalformed(
        s3, "a non-empty Access Key (AKID) must be provided in the credential.",
        "Authorization header requires a non-empty Access Key (AKID) in the "
        "'Credential' parameter. Authorization=" +
            std::string(header));
  }
  if (credential->terminator != kTerminator) {
    if (s3) return HeaderMalformed(true, kMalformedCredentialS3, "");
    return MakeError("SignatureDoesNotMatch",
                     "Credential should be scoped with a valid terminator: "
                     "'aws4_request', not '" +
                         credential->terminator + "'.",
                     403);
  }

  SigV4Auth auth;
  auth.access_key_id = credential->access_key_id;
  auth.date = credential->date;
  auth.region = credential->region;
  auth.service = credential->service;
  auth.signed_headers = SplitSignedHeaders(signed_headers_text);
  auth.signature = platform::ToLower(signature);

  // The request time: X-Amz-Date, or else the HTTP Date header.
  if (amz_date) {
    if (!ParseAmzDate(*amz_date)) {
      if (s3) {
        return MakeError("AccessDenied",
                         "AWS authentication requires a valid Date or "
                         "x-amz-date header",
                         403);
      }
      return MakeError("IncompleteSignature",
                       "Date must be in ISO-8601 'basic format'. Got '" +
                           std::string(*amz_date) +
                           "'. See http://en.wikipedia.org/wiki/ISO_8601",
                       400);
    }
    auth.amz_date = *amz_date;
  } else {
    std::optional<double> seconds = codec::ParseRfc822(*http_date);
    if (!seconds) {
      if (s3) {
        return MakeError("AccessDenied",
                         "AWS authentication requires a valid Date or "
                         "x-amz-date header",
                         403);
      }
      return MakeError("IncompleteSignature",
                       "Date must be in ISO-8601 'basic format'. Got '" +
                           std::string(*http_date) +
                           "'. See http://en.wikipedia.org/wiki/ISO_8601",
                       400);
    }
    auth.amz_date = FormatAmzDate(static_cast<int64_t>(*seconds) * 1000);
  }

  if (auto token = request.headers.Get("X-Amz-Security-Token")) {
    auth.security_token = *token;
  }
  if (auto payload = request.headers.Get("x-amz-content-sha256")) {
    auth.payload_hash = *payload;
  }
  return auth;
}

const std::string* FindParameter(
    const std::vector<std::pair<std::string, std::string>>& parameters,
    std::string_view name) {
  for (const auto& [key, value] : parameters) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::optional<Result<SigV4Auth>> ParsePresignedQuery(
    const HttpRequest& request) {
  auto parameters = platform::ParseQueryString(request.query);
  const std::string* algorithm = FindParameter(parameters, "X-Amz-Algorithm");
  const std::string* credential_text =
      FindParameter(parameters, "X-Amz-Credential");
  const std::string* signature = FindParameter(parameters, "X-Amz-Signature");
  const std::string* date = FindParameter(parameters, "X-Amz-Date");
  const std::string* signed_headers =
      FindParameter(parameters, "X-Amz-SignedHeaders");
  const std::string* expires = FindParameter(parameters, "X-Amz-Expires");
  if (!algorithm && !credential_text && !signature) return std::nullopt;

  if (!algorithm || !credential_text || !signature || !date ||
      !signed_headers || !expires) {
    return QueryParametersError(
        "Query-string authentication version 4 requires the X-Amz-Algorithm, "
        "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, "
        "and X-Amz-Expires parameters.");
  }
  if (*algorithm != kAlgorithm) {
    return QueryParametersError(
        "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
  }
  std::optional<Credential> credential = SplitCredential(*credential_text);
  if (!credential || credential->access_key_id.empty() ||
      credential->terminator != kTerminator) {
    return QueryParametersError(
        "Error parsing the X-Amz-Credential parameter; " +
        std::string(kMalformedCredentialS3));
  }
  if (!ParseAmzDate(*date)) {
    return QueryParametersError(
        "X-Amz-Date must be in the ISO8601 Long Format "
        "\"yyyyMMdd'T'HHmmss'Z'\"");
  }

  // X-Amz-Expires: decimal seconds, 0 to 604800.
  std::string_view expires_text = *expires;
  bool negative = !expires_text.empty() && expires_text.front() == '-';
  if (negative) expires_text.remove_prefix(1);
  if (expires_text.empty() || expires_text.size() > 18 ||
      !AllDigits(expires_text)) {
    return QueryParametersError("X-Amz-Expires should be a number");
  }
  int64_t expires_seconds = std::stoll(std::string(expires_text));
  if (negative && expires_seconds != 0) {
    return QueryParametersError("X-Amz-Expires must be non-negative");
  }
  if (expires_seconds > kMaxExpiresSeconds) {
    return QueryParametersError(
        "X-Amz-Expires must be less than a week (in seconds); that is, the "
        "given X-Amz-Expires must be less than 604800 seconds");
  }

  SigV4Auth auth;
  auth.access_key_id = credential->access_key_id;
  auth.date = credential->date;
  auth.region = credential->region;
  auth.service = credential->service;
  auth.signed_headers = SplitSignedHeaders(*signed_headers);
  auth.signature = platform::ToLower(*signature);
  auth.amz_date = *date;
  auth.presigned = true;
  auth.expires_seconds = expires_seconds;
  if (const std::string* token =
          FindParameter(parameters, "X-Amz-Security-Token")) {
    auth.security_token = *token;
  } else if (auto header = request.headers.Get("X-Amz-Security-Token")) {
    auth.security_token = *header;
  }
  if (const std::string* payload =
          FindParameter(parameters, "X-Amz-Content-Sha256")) {
    auth.payload_hash = *payload;
  } else if (auto header = request.headers.Get("x-amz-content-sha256")) {
    auth.payload_hash = *header;
  }
  return Result<SigV4Auth>(std::move(auth));
}

// ---------------------------------------------------------------------------
// Verification steps
// ---------------------------------------------------------------------------

Status CheckScopeDate(const SigV4Auth& auth, bool s3) {
  std::string_view request_day = std::string_view(auth.amz_date).substr(0, 8);
  if (auth.date == request_day) return Status();
  if (s3 && auth.presigned) {
    return QueryParametersError(
        "Invalid credential date. Date is not the same as X-Amz-Date.");
  }
  if (s3) {
    return MakeError("AuthorizationHeaderMalformed",
                     "The authorization header is malformed; Invalid "
                     "credential date. Date is not the same as X-Amz-Date.",
                     400);
  }
  return MakeError("SignatureDoesNotMatch",
                   "Date in Credential scope does not match YYYYMMDD from "
                   "ISO-8601 version of date from HTTP: '" +
                       auth.date + "' != '" + std::string(request_day) +
                       "', from '" + auth.amz_date + "'.",
                   403);
}

Status CheckRequestTime(const SigV4Auth& auth, bool s3, int64_t request_ms,
                        int64_t now_ms) {
  if (auth.presigned) {
    if (request_ms - now_ms > kMaxSkewMs) {
      return MakeError("AccessDenied", "Request is not valid yet", 403);
    }
    const int64_t expires_ms = request_ms + auth.expires_seconds * 1000;
    if (now_ms > expires_ms) {
      AwsError error = MakeError("AccessDenied", "Request has expired", 403);
      error.fields = {
          {"X-Amz-Expires", std::to_string(auth.expires_seconds)},
          {"Expires", FormatIsoSeconds(expires_ms)},
          {"ServerTime", FormatIsoSeconds(now_ms)},
      };
      return error;
    }
    return Status();
  }

  if (std::llabs(now_ms - request_ms) <= kMaxSkewMs) return Status();
  if (s3) {
    AwsError error = MakeError(
        "RequestTimeTooSkewed",
        "The difference between the request time and the current time is too "
        "large.",
        403);
    error.fields = {
        {"RequestTime", auth.amz_date},
        {"ServerTime", FormatIsoSeconds(now_ms)},
        {"MaxAllowedSkewMilliseconds", std::to_string(kMaxSkewMs)},
    };
    return error;
  }
  if (request_ms < now_ms) {
    return MakeError("SignatureDoesNotMatch",
                     "Signature expired: " + auth.amz_date +
                         " is now earlier than " +
                         FormatAmzDate(now_ms - kMaxSkewMs) + " (" +
                         FormatAmzDate(now_ms) + " - 15 min.)",
                     403);
  }
  return MakeError("SignatureDoesNotMatch",
                   "Signature not yet current: " + auth.amz_date +
                       " is still later than " +
                       FormatAmzDate(now_ms + kMaxSkewMs) + " (" +
                       FormatAmzDate(now_ms) + " + 15 min.)",
                   403);
}

// S3 requires x-amz-content-sha256 on header-signed requests and accepts
// only a SHA-256 or one of its literals there.
Status CheckS3PayloadHeader(const SigV4Auth& auth) {
  if (auth.presigned) return Status();
  if (auth.payload_hash.empty()) {
    return MakeError(
        "InvalidRequest",
        "Missing required header for this request: x-amz-content-sha256", 400);
  }
  if (IsSha256Hex(auth.payload_hash) ||
      IsKnownPayloadLiteral(auth.payload_hash)) {
    return Status();
  }
  return MakeError(
      "InvalidArgument",
      "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, "
      "STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, "
      "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "
      "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, "
      "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 "
      "value.",
      400);
}

std::vector<std::string> SignableHeaderNames(const Headers& headers) {
  std::vector<std::string> names;
  for (const auto& [name, value] : headers) {
    std::string lower = platform::ToLower(name);
    bool unsignable =
        std::find(std::begin(kUnsignableHeaders), std::end(kUnsignableHeaders),
                  lower) != std::end(kUnsignableHeaders);
    if (!unsignable) names.push_back(std::move(lower));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::string JoinSignedHeaders(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) {
    if (!joined.empty()) joined.push_back(';');
    joined += name;
  }
  return joined;
}

void AppendQueryParameter(std::string& query, std::string_view name,
                          std::string_view value) {
  if (!query.empty()) query.push_back('&');
  query += PercentEncode(name);
  query.push_back('=');
  query += PercentEncode(value);
}

bool SignaturesEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

// ---------------------------------------------------------------------------
// Public functions
// ---------------------------------------------------------------------------

bool IsStreamingPayload(std::string_view payload_hash) {
  return payload_hash.starts_with("STREAMING-");
}

CanonicalUriOptions CanonicalUriOptionsFor(std::string_view service) {
  if (service == "s3" || service == "s3express") return {false, false};
  return {true, true};
}

std::string CanonicalUri(std::string_view raw_path,
                         const CanonicalUriOptions& options) {
  if (raw_path.empty()) return "/";
  std::vector<std::string_view> segments = Split(raw_path, '/');

  // Dot segments and empty segments go before decoding, on the path as
  // sent, as botocore's remove_dot_segments does.
  if (options.normalize) {
    std::vector<std::string_view> kept;
    for (std::string_view segment : segments) {
      if (segment.empty() || segment == ".") continue;
      if (segment == "..") {
        if (!kept.empty()) kept.pop_back();
        continue;
      }
      kept.push_back(segment);
    }
    std::string path = raw_path.front() == '/' ? "/" : "";
    for (size_t i = 0; i < kept.size(); ++i) {
      if (i > 0) path.push_back('/');
      std::string encoded = PercentEncode(PercentDecode(kept[i]));
      path += options.double_encode ? PercentEncode(encoded) : encoded;
    }
    if (raw_path.back() == '/' && !kept.empty()) path.push_back('/');
    return path;
  }

  std::string path;
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) path.push_back('/');
    std::string encoded = PercentEncode(PercentDecode(segments[i]));
    path += options.double_encode ? PercentEncode(encoded) : encoded;
  }
  return path;
}

std::string CanonicalQueryString(std::string_view raw_query, bool presigned) {
  std::vector<std::pair<std::string, std::string>> encoded;
  for (auto& [name, value] : platform::ParseQueryString(raw_query)) {
    if (presigned && name == "X-Amz-Signature") continue;
    encoded.emplace_back(PercentEncode(name), PercentEncode(value));
  }
  std::sort(encoded.begin(), encoded.end());

  std::string query;
  for (const auto& [name, value] : encoded) {
    if (!query.empty()) query.push_back('&');
    query += name;
    query.push_back('=');
    query += value;
  }
  return query;
}

std::string CanonicalHeaders(const Headers& headers,
                             const std::vector<std::string>& signed_headers) {
  std::string block;
  for (const std::string& name : signed_headers) {
    std::string values;
    bool first = true;
    for (const auto& [header_name, header_value] : headers) {
      if (!platform::EqualsIgnoreCase(header_name, name)) continue;
      if (!first) values.push_back(',');
      values += CanonicalHeaderValue(header_value);
      first = false;
    }
    block += name;
    block.push_back(':');
    block += values;
    block.push_back('\n');
  }
  return block;
}

std::string BuildCanonicalRequest(
    const HttpRequest& request, const std::vector<std::string>& signed_headers,
    std::string_view payload_hash, const CanonicalUriOptions& options,
    bool presigned) {
  std::string canonical = request.method;
  canonical.push_back('\n');
  canonical += CanonicalUri(request.path, options);
  canonical.push_back('\n');
  canonical += CanonicalQueryString(request.query, presigned);
  canonical.push_back('\n');
  canonical += CanonicalHeaders(request.headers, signed_headers);
  canonical.push_back('\n');
  canonical += JoinSignedHeaders(signed_headers);
  canonical.push_back('\n');
  canonical += payload_hash;
  return canonical;
}

std::string CredentialScope(std::string_view date, std::string_view region,
                            std::string_view service) {
  std::string scope(date);
  scope.push_back('/');
  scope += region;
  scope.push_back('/');
  scope += service;
  scope.push_back('/');
  scope += kTerminator;
  return scope;
}

std::string BuildStringToSign(std::string_view amz_date, std::string_view scope,
                              std::string_view canonical_request) {
  std::string text(kAlgorithm);
  text.push_back('\n');
  text += amz_date;
  text.push_back('\n');
  text += scope;
  text.push_back('\n');
  text += Sha256Hex(canonical_request);
  return text;
}

std::string DeriveSigningKey(std::string_view secret_access_key,
                             std::string_view date, std::string_view region,
                             std::string_view service) {
  std::string key = HmacSha256("AWS4" + std::string(secret_access_key), date);
  key = HmacSha256(key, region);
  key = HmacSha256(key, service);
  return HmacSha256(key, kTerminator);
}

std::string ComputeSignature(std::string_view signing_key,
                             std::string_view string_to_sign) {
  return HexEncode(HmacSha256(signing_key, string_to_sign));
}

std::string ComputeChunkSignature(std::string_view signing_key,
                                  std::string_view amz_date,
                                  std::string_view scope,
                                  std::string_view previous_signature,
                                  std::string_view chunk_sha256) {
  std::string text = "AWS4-HMAC-SHA256-PAYLOAD\n";
  text += amz_date;
  text += '\n';
  text += scope;
  text += '\n';
  text += previous_signature;
  text += '\n';
  text += kEmptySha256;
  text += '\n';
  text += chunk_sha256;
  return ComputeSignature(signing_key, text);
}

std::string ComputeTrailerSignature(std::string_view signing_key,
                                    std::string_view amz_date,
                                    std::string_view scope,
                                    std::string_view previous_signature,
                                    std::string_view trailers_sha256) {
  std::string text = "AWS4-HMAC-SHA256-TRAILER\n";
  text += amz_date;
  text += '\n';
  text += scope;
  text += '\n';
  text += previous_signature;
  text += '\n';
  text += trailers_sha256;
  return ComputeSignature(signing_key, text);
}

std::optional<Result<SigV4Auth>> ParseSigV4(const HttpRequest& request) {
  // S3 reads an empty Authorization header as no credential.
  auto header = request.headers.Get("Authorization");
  if (header && !platform::Trim(*header).empty()) {
    return ParseAuthorizationHeader(request, *header);
  }
  return ParsePresignedQuery(request);
}

bool NeedsBodyToVerify(const SigV4Auth& auth) {
  return auth.payload_hash.empty() &&
         !(auth.presigned && IsS3Service(auth.service));
}

Status VerifySigV4(const HttpRequest& request, const SigV4Auth& auth,
                   std::string_view secret_access_key, int64_t now_ms) {
  const bool s3 = IsS3Service(auth.service);

  std::optional<int64_t> request_ms = ParseAmzDate(auth.amz_date);
  if (!request_ms) {
    // ParseSigV4 accepts only valid dates, so this is a hand-made SigV4Auth.
    return MakeError(
        "IncompleteSignature",
        "Date must be in ISO-8601 'basic format'. Got '" + auth.amz_date + "'.",
        400);
  }
  if (Status status = CheckScopeDate(auth, s3); !status.ok()) return status;
  if (s3) {
    if (Status status = CheckS3PayloadHeader(auth); !status.ok()) {
      return status;
    }
  }
  // A presigned URL's expiry is checked after its signature, the order
  // LocalStack's S3 emulation uses. Clock skew of a header signature is
  // checked first.
  if (!auth.presigned) {
    Status status = CheckRequestTime(auth, s3, *request_ms, now_ms);
    if (!status.ok()) return status;
  }

  Result<std::string> payload_hash = SignedPayloadHash(request, auth);
  if (!payload_hash.ok()) return payload_hash.error();
  std::string canonical_request = BuildCanonicalRequest(
      request, auth.signed_headers, payload_hash.value(),
      CanonicalUriOptionsFor(auth.service), auth.presigned);
  std::string scope = CredentialScope(auth.date, auth.region, auth.service);
  std::string string_to_sign =
      BuildStringToSign(auth.amz_date, scope, canonical_request);
  std::string signing_key =
      DeriveSigningKey(secret_access_key, auth.date, auth.region, auth.service);
  std::string expected = ComputeSignature(signing_key, string_to_sign);
  if (!SignaturesEqual(expected, auth.signature)) {
    return SignatureMismatch(s3, auth, canonical_request, string_to_sign);
  }

  if (auth.presigned) return CheckRequestTime(auth, s3, *request_ms, now_ms);
  return Status();
}

Status VerifyPayloadHash(const HttpRequest& request, const SigV4Auth& auth) {
  if (!IsSha256Hex(auth.payload_hash)) return Status();
  Result<std::string> computed = HashBody(request);
  if (!computed.ok()) return computed.error();
  if (computed.value() == platform::ToLower(auth.payload_hash)) return Status();

  if (IsS3Service(auth.service)) {
    AwsError error = MakeError(
        "XAmzContentSHA256Mismatch",
        "The provided 'x-amz-content-sha256' header does not match what was "
        "computed.",
        400);
    error.fields = {
        {"ClientComputedContentSHA256", auth.payload_hash},
        {"S3ComputedContentSHA256", computed.value()},
    };
    return error;
  }
  return MakeError(
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you "
      "provided. Check your AWS Secret Access Key and signing method. Consult "
      "the service documentation for details.",
      403);
}

void SignSigV4(HttpRequest& request, std::string_view access_key_id,
               std::string_view secret_access_key, std::string_view region,
               std::string_view service, int64_t now_ms) {
  SignSigV4(request, access_key_id, secret_access_key, region, service, now_ms,
            "");
}

void SignSigV4(HttpRequest& request, std::string_view access_key_id,
               std::string_view secret_access_key, std::string_view region,
               std::string_view service, int64_t now_ms,
               std::string_view session_token) {
  const std::string amz_date = FormatAmzDate(now_ms);
  const std::string date = amz_date.substr(0, 8);

  request.headers.Set("X-Amz-Date", amz_date);
  if (!session_token.empty()) {
    request.headers.Set("X-Amz-Security-Token", std::string(session_token));
  }
  // SDKs send x-amz-content-sha256 to S3 only, and sign whatever value the
  // request already carries.
  std::string payload_hash;
  if (auto claimed = request.headers.Get("x-amz-content-sha256")) {
    payload_hash = *claimed;
  } else {
    payload_hash = Sha256Hex(request.body.data);
    if (IsS3Service(service)) {
      request.headers.Set("x-amz-content-sha256", payload_hash);
    }
  }

  std::vector<std::string> signed_headers =
      SignableHeaderNames(request.headers);
  std::string canonical_request =
      BuildCanonicalRequest(request, signed_headers, payload_hash,
                            CanonicalUriOptionsFor(service), false);
  std::string scope = CredentialScope(date, region, service);
  std::string signature = ComputeSignature(
      DeriveSigningKey(secret_access_key, date, region, service),
      BuildStringToSign(amz_date, scope, canonical_request));

  request.headers.Set(
      "Authorization",
      std::string(kAlgorithm) + " Credential=" + std::string(access_key_id) +
          "/" + scope + ", SignedHeaders=" + JoinSignedHeaders(signed_headers) +
          ", Signature=" + signature);
}

void PresignSigV4(HttpRequest& request, std::string_view access_key_id,
                  std::string_view secret_access_key, std::string_view region,
                  std::string_view service, int64_t now_ms,
                  int64_t expires_seconds, std::string_view session_token) {
  const std::string amz_date = FormatAmzDate(now_ms);
  const std::string date = amz_date.substr(0, 8);
  const std::string scope = CredentialScope(date, region, service);
  const std::vector<std::string> signed_headers = {"host"};

  AppendQueryParameter(request.query, "X-Amz-Algorithm", kAlgorithm);
  AppendQueryParameter(request.query, "X-Amz-Credential",
                       std::string(access_key_id) + "/" + scope);
  AppendQueryParameter(request.query, "X-Amz-Date", amz_date);
  AppendQueryParameter(request.query, "X-Amz-Expires",
                       std::to_string(expires_seconds));
  AppendQueryParameter(request.query, "X-Amz-SignedHeaders", "host");
  if (!session_token.empty()) {
    AppendQueryParameter(request.query, "X-Amz-Security-Token", session_token);
  }

  std::string payload_hash = IsS3Service(service)
                                 ? std::string(kUnsignedPayload)
                                 : Sha256Hex(request.body.data);
  std::string canonical_request =
      BuildCanonicalRequest(request, signed_headers, payload_hash,
                            CanonicalUriOptionsFor(service), true);
  std::string signature = ComputeSignature(
      DeriveSigningKey(secret_access_key, date, region, service),
      BuildStringToSign(amz_date, scope, canonical_request));
  AppendQueryParameter(request.query, "X-Amz-Signature", signature);
  request.target = request.path + "?" + request.query;
}

}  // namespace brume::aws
