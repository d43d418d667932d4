#include "aws/sigv2.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <utility>
#include <vector>

#include "aws/codec/timestamps.h"
#include "aws/router.h"
#include "platform/crypto.h"
#include "platform/strings.h"

namespace brume::aws {
namespace {

// AWS accepts request times up to 15 minutes from its clock.
constexpr int64_t kMaxSkewMs = 15 * 60 * 1000;

constexpr std::string_view kMissingDate =
    "AWS authentication requires a valid Date or x-amz-date header";

// Query parameters that name a sub-resource and so belong to the
// CanonicalizedResource. The S3 guide lists acl, cors, delete, lifecycle,
// location, logging, notification, partNumber, policy, requestPayment,
// tagging, torrent, uploadId, uploads, versionId, versioning, versions,
// website and the response-* overrides. The others are in the list that
// botocore 1.43's HmacV1Auth signs, so that its signatures verify.
constexpr std::string_view kSubResources[] = {
    "accelerate",
    "acl",
    "analytics",
    "cors",
    "defaultObjectAcl",
    "delete",
    "inventory",
    "lifecycle",
    "location",
    "logging",
    "metrics",
    "notification",
    "object-lock",
    "partNumber",
    "policy",
    "replication",
    "requestPayment",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "restore",
    "select",
    "select-type",
    "storageClass",
    "tagging",
    "torrent",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
    "website",
};

bool IsSubResource(std::string_view name) {
  return std::find(std::begin(kSubResources), std::end(kSubResources), name) !=
         std::end(kSubResources);
}

AwsError MakeError(std::string code, std::string message, int http_status) {
  AwsError error;
  error.code = std::move(code);
  error.message = std::move(message);
  error.http_status = http_status;
  return error;
}

AwsError InvalidAuthorizationHeader(std::string message,
                                    std::string_view header) {
  AwsError error = MakeError("InvalidArgument", std::move(message), 400);
  error.fields = {{"ArgumentName", "Authorization"},
                  {"ArgumentValue", std::string(header)}};
  return error;
}

// A raw query parameter: the name decoded, the value decoded, and whether
// the parameter had an '=' at all ("acl" versus "acl=").
struct RawParameter {
  std::string name;
  std::string value;
  bool has_value = false;
};

// Splits the query as sent. '+' stays '+', as S3 and botocore read it.
std::vector<RawParameter> SplitQuery(std::string_view query) {
  std::vector<RawParameter> parameters;
  while (!query.empty()) {
    size_t end = query.find('&');
    std::string_view piece = query.substr(0, end);
    query = end == std::string_view::npos ? std::string_view()
                                          : query.substr(end + 1);
    if (piece.empty()) continue;
    size_t equals = piece.find('=');
    RawParameter parameter;
    parameter.name = platform::PercentDecode(piece.substr(0, equals));
    if (equals != std::string_view::npos) {
      parameter.value = platform::PercentDecode(piece.substr(equals + 1));
      parameter.has_value = true;
    }
    parameters.push_back(std::move(parameter));
  }
  return parameters;
}

const RawParameter* FindParameter(const std::vector<RawParameter>& parameters,
                                  std::string_view name) {
  for (const RawParameter& parameter : parameters) {
    if (parameter.name == name) return &parameter;
  }
  return nullptr;
}

// Trims the value and replaces each line fold (a line break and the
// whitespace after it) with one space, as RFC 2616 section 4.2 unfolds.
std::string UnfoldHeaderValue(std::string_view value) {
  value = platform::Trim(value);
  std::string unfolded;
  unfolded.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c != '\r' && c != '\n') {
      unfolded.push_back(c);
      continue;
    }
    while (i + 1 < value.size() &&
           (value[i + 1] == '\r' || value[i + 1] == '\n' ||
            value[i + 1] == ' ' || value[i + 1] == '\t')) {
      ++i;
    }
    while (!unfolded.empty() &&
           (unfolded.back() == ' ' || unfolded.back() == '\t')) {
      unfolded.pop_back();
    }
    unfolded.push_back(' ');
  }
  return unfolded;
}

// The value of a positional header (Content-MD5, Content-Type): the header,
// or for a presigned URL the lower-case query parameter that presigners
// put in its place.
std::string PositionalValue(const HttpRequest& request, std::string_view name,
                            bool presigned) {
  if (auto header = request.headers.Get(name)) {
    return std::string(platform::Trim(*header));
  }
  if (presigned) {
    auto parameters = SplitQuery(request.query);
    if (const RawParameter* parameter =
            FindParameter(parameters, platform::ToLower(name))) {
      return std::string(platform::Trim(parameter->value));
    }
  }
  return "";
}

// Parses an HTTP date. S3 reads RFC 822 dates with a zone name or numeric
// offset; times before 1970 count as invalid, as s3-tests expects.
// NOTE: the RFC 850 and asctime forms of RFC 2616 are not read.
std::optional<int64_t> ParseHttpDateMillis(std::string_view text) {
  std::optional<double> seconds = codec::ParseRfc822(text);
  if (!seconds || *seconds < 0) return std::nullopt;
  return static_cast<int64_t>(*seconds) * 1000;
}

// "2026-12-04T19:03:31Z", the form S3 gives ServerTime and Expires in.
std::string FormatIsoSeconds(int64_t epoch_ms) {
  std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

// S3 shows the bytes it signed as space-separated lower-case hex pairs.
std::string SpacedHex(std::string_view bytes) {
  std::string hex = platform::HexEncode(bytes);
  std::string spaced;
  spaced.reserve(hex.size() * 3 / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    if (i > 0) spaced.push_back(' ');
    spaced.append(hex, i, 2);
  }
  return spaced;
}

bool SignaturesEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// The string to sign with the resource path replaced by `resource`.
std::string StringToSignWithResource(const HttpRequest& request,
                                     const SigV2Auth& auth,
                                     std::string_view resource) {
  std::string date_line;
  if (auth.presigned) {
    date_line = auth.expires;
  } else if (!request.headers.Has("x-amz-date")) {
    if (auto date = request.headers.Get("Date")) {
      date_line = platform::Trim(*date);
    }
  }

  std::string text = request.method;
  text.push_back('\n');
  text += PositionalValue(request, "Content-MD5", auth.presigned);
  text.push_back('\n');
  text += PositionalValue(request, "Content-Type", auth.presigned);
  text.push_back('\n');
  text += date_line;
  text.push_back('\n');
  text += CanonicalizedAmzHeaders(request, auth.presigned);
  text += resource;
  return text;
}

Result<SigV2Auth> ParseHeader(std::string_view header) {
  // "AWS" and one space, then "AKID:signature" with one colon.
  size_t space = header.find(' ');
  if (space == std::string_view::npos) {
    return InvalidAuthorizationHeader(
        "Authorization header is invalid -- one and only one ' ' (space) "
        "required",
        header);
  }
  std::string_view rest = header.substr(space + 1);
  if (rest.starts_with(' ')) {
    return InvalidAuthorizationHeader(
        "Authorization header is invalid -- one and only one ' ' (space) "
        "required",
        header);
  }
  size_t colon = rest.find(':');
  if (colon == std::string_view::npos || colon + 1 == rest.size() ||
      rest.find(':', colon + 1) != std::string_view::npos) {
    return InvalidAuthorizationHeader(
        "AWS authorization header is invalid.  Expected "
        "AwsAccessKeyId:signature",
        header);
  }
  SigV2Auth auth;
  auth.access_key_id = rest.substr(0, colon);
  auth.signature = rest.substr(colon + 1);
  return auth;
}

Result<SigV2Auth> ParseQuery(const std::vector<RawParameter>& parameters) {
  const RawParameter* access_key = FindParameter(parameters, "AWSAccessKeyId");
  const RawParameter* expires = FindParameter(parameters, "Expires");
  const RawParameter* signature = FindParameter(parameters, "Signature");
  if (access_key == nullptr || expires == nullptr || signature == nullptr) {
    return MakeError("AccessDenied",
                     "Query-string authentication requires the Signature, "
                     "Expires and AWSAccessKeyId parameters",
                     403);
  }

  // Expires: decimal seconds since the epoch, optionally signed.
  std::string_view text = expires->value;
  std::string_view digits = text;
  bool negative = false;
  if (!digits.empty() && (digits.front() == '+' || digits.front() == '-')) {
    negative = digits.front() == '-';
    digits.remove_prefix(1);
  }
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  bool numeric = !digits.empty() && digits.size() <= 15 &&
                 std::all_of(digits.begin(), digits.end(),
                             [](char c) { return c >= '0' && c <= '9'; });
  // S3 reads Expires as a 32-bit count of seconds: 2147483648 and more are
  // not dates.
  if (numeric && !negative && std::stoll(std::string(digits)) > 2147483647) {
    numeric = false;
  }
  if (!numeric) {
    return MakeError("AccessDenied",
                     "Invalid date (should be seconds since epoch): " +
                         std::string(text),
                     403);
  }

  SigV2Auth auth;
  auth.access_key_id = access_key->value;
  auth.signature = signature->value;
  auth.presigned = true;
  auth.expires = expires->value;
  auth.expires_seconds = std::stoll(std::string(digits)) * (negative ? -1 : 1);
  if (const RawParameter* token =
          FindParameter(parameters, "x-amz-security-token")) {
    auth.security_token = token->value;
  }
  return auth;
}

}  // namespace

bool HasSigV2Credential(const HttpRequest& request) {
  if (auto header = request.headers.Get("Authorization")) {
    std::string_view scheme = header->substr(0, header->find(' '));
    if (platform::EqualsIgnoreCase(scheme, "AWS")) return true;
  }
  auto parameters = SplitQuery(request.query);
  return FindParameter(parameters, "Signature") != nullptr &&
         FindParameter(parameters, "X-Amz-Algorithm") == nullptr;
}

std::optional<Result<SigV2Auth>> ParseSigV2(const HttpRequest& request) {
  if (!HasSigV2Credential(request)) return std::nullopt;
  auto parameters = SplitQuery(request.query);
  auto header = request.headers.Get("Authorization");
  const bool query_credential =
      FindParameter(parameters, "Signature") != nullptr ||
      FindParameter(parameters, "X-Amz-Algorithm") != nullptr;

  if (header && query_credential) {
    return Result<SigV2Auth>(InvalidAuthorizationHeader(
        "Only one auth mechanism allowed; only the X-Amz-Algorithm query "
        "parameter, Signature query string parameter or the Authorization "
        "header should be specified",
        *header));
  }
  if (header) {
    Result<SigV2Auth> parsed = ParseHeader(*header);
    if (parsed.ok()) {
      SigV2Auth auth = std::move(parsed).value();
      if (auto token = request.headers.Get("x-amz-security-token")) {
        auth.security_token = *token;
      }
      return Result<SigV2Auth>(std::move(auth));
    }
    return parsed;
  }
  return ParseQuery(parameters);
}

Status CheckSigV2Time(const HttpRequest& request, const SigV2Auth& auth,
                      int64_t now_ms, bool check_skew) {
  if (auth.presigned) {
    const int64_t expires_ms = auth.expires_seconds * 1000;
    if (now_ms <= expires_ms) return Status();
    AwsError error = MakeError("AccessDenied", "Request has expired", 403);
    error.fields = {{"Expires", FormatIsoSeconds(expires_ms)},
                    {"ServerTime", FormatIsoSeconds(now_ms)}};
    return error;
  }

  // x-amz-date wins over Date even when it cannot be read.
  std::optional<std::string_view> date = request.headers.Get("x-amz-date");
  if (!date) date = request.headers.Get("Date");
  std::optional<int64_t> request_ms;
  if (date) request_ms = ParseHttpDateMillis(*date);
  if (!request_ms) return MakeError("AccessDenied", std::string(kMissingDate), 403);

  if (!check_skew || std::llabs(now_ms - *request_ms) <= kMaxSkewMs) {
    return Status();
  }
  AwsError error = MakeError(
      "RequestTimeTooSkewed",
      "The difference between the request time and the current time is too "
      "large.",
      403);
  error.fields = {
      {"RequestTime", std::string(*date)},
      {"ServerTime", FormatIsoSeconds(now_ms)},
      {"MaxAllowedSkewMilliseconds", std::to_string(kMaxSkewMs)},
  };
  return error;
}

Status VerifySigV2(const HttpRequest& request, const SigV2Auth& auth,
                   std::string_view secret_access_key) {
  const std::string resource = CanonicalizedResource(request);
  const std::string string_to_sign =
      StringToSignWithResource(request, auth, resource);
  if (SignaturesEqual(ComputeSigV2Signature(secret_access_key, string_to_sign),
                      auth.signature)) {
    return Status();
  }

  // botocore signs a path-style bucket URL ("/bucket") as "/bucket/", so
  // that form verifies too.
  // NOTE: S3 itself may reject that form; brume accepts it so that boto3
  // clients configured for SigV2 work on bucket operations.
  const bool bucket_only_path =
      request.path.size() > 1 &&
      request.path.find('/', 1) == std::string::npos &&
      !VirtualHostedBucket(request.headers.Get("Host").value_or(""));
  if (bucket_only_path) {
    std::string with_slash = resource;
    with_slash.insert(request.path.size(), "/");
    std::string alternative =
        StringToSignWithResource(request, auth, with_slash);
    if (SignaturesEqual(ComputeSigV2Signature(secret_access_key, alternative),
                        auth.signature)) {
      return Status();
    }
  }

  AwsError error = MakeError(
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you "
      "provided. Check your key and signing method.",
      403);
  error.fields = {
      {"AWSAccessKeyId", auth.access_key_id},
      {"StringToSign", string_to_sign},
      {"SignatureProvided", auth.signature},
      {"StringToSignBytes", SpacedHex(string_to_sign)},
  };
  return error;
}

void SignSigV2(HttpRequest& request, std::string_view access_key_id,
               std::string_view secret_access_key, int64_t now_ms) {
  if (!request.headers.Has("x-amz-date")) {
    request.headers.Set("Date",
                        codec::FormatRfc822(static_cast<double>(now_ms / 1000)));
  }
  request.headers.Remove("Authorization");
  std::string signature = ComputeSigV2Signature(
      secret_access_key, BuildSigV2StringToSign(request, SigV2Auth{}));
  request.headers.Set("Authorization", "AWS " + std::string(access_key_id) +
                                           ":" + signature);
}

std::string BuildSigV2StringToSign(const HttpRequest& request,
                                   const SigV2Auth& auth) {
  return StringToSignWithResource(request, auth,
                                  CanonicalizedResource(request));
}

std::string CanonicalizedAmzHeaders(const HttpRequest& request,
                                    bool presigned) {
  // Sorted by lower-case name; values in the order sent.
  std::vector<std::pair<std::string, std::string>> entries;
  for (const auto& [name, value] : request.headers) {
    std::string lower = platform::ToLower(name);
    if (!lower.starts_with("x-amz-")) continue;
    entries.emplace_back(std::move(lower), UnfoldHeaderValue(value));
  }
  if (presigned) {
    for (RawParameter& parameter : SplitQuery(request.query)) {
      std::string lower = platform::ToLower(parameter.name);
      if (!lower.starts_with("x-amz-") || request.headers.Has(lower)) continue;
      entries.emplace_back(std::move(lower),
                           UnfoldHeaderValue(parameter.value));
    }
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });

  std::string block;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0 && entries[i].first == entries[i - 1].first) {
      block.back() = ',';  // replaces the previous line's '\n'
    } else {
      block += entries[i].first;
      block.push_back(':');
    }
    block += entries[i].second;
    block.push_back('\n');
  }
  return block;
}

std::string CanonicalizedResource(const HttpRequest& request) {
  std::string resource;
  std::optional<std::string> bucket =
      VirtualHostedBucket(request.headers.Get("Host").value_or(""));
  if (bucket) resource = "/" + *bucket;
  resource += request.path.empty() ? "/" : request.path;

  std::vector<RawParameter> sub_resources;
  for (RawParameter& parameter : SplitQuery(request.query)) {
    if (IsSubResource(parameter.name)) {
      sub_resources.push_back(std::move(parameter));
    }
  }
  std::stable_sort(
      sub_resources.begin(), sub_resources.end(),
      [](const RawParameter& a, const RawParameter& b) { return a.name < b.name; });
  for (size_t i = 0; i < sub_resources.size(); ++i) {
    resource.push_back(i == 0 ? '?' : '&');
    resource += sub_resources[i].name;
    if (sub_resources[i].has_value) {
      resource.push_back('=');
      resource += sub_resources[i].value;
    }
  }
  return resource;
}

std::string ComputeSigV2Signature(std::string_view secret_access_key,
                                  std::string_view string_to_sign) {
  return platform::Base64Encode(platform::HmacSha1(secret_access_key, string_to_sign));
}

}  // namespace brume::aws
