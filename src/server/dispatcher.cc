#include "server/dispatcher.h"

#include <cstdio>
#include <ctime>

#include <spdlog/spdlog.h>

#include "aws/codec.h"
#include "platform/ids.h"
#include "platform/strings.h"

namespace brume::server {
namespace {

bool IsS3(const aws::OperationRef& ref) {
  return ref.service && std::string_view(ref.service->id) == "s3";
}

// Authentication errors keep AWS's codes: S3 has its own names for them.
AwsError UnknownAccessKey(bool s3) {
  if (s3) {
    return AwsError{"InvalidAccessKeyId",
                    "The AWS Access Key Id you provided does not exist in our "
                    "records.",
                    403};
  }
  return AwsError{"InvalidClientTokenId",
                  "The security token included in the request is invalid.",
                  403};
}

// Other services reject a SigV2 Authorization header as an unknown
// signing algorithm.
// NOTE: this is the SigV4 parser's error for unknown algorithms; what AWS
// services other than S3 send for a SigV2 header is not checked.
AwsError SigV2Unsupported() {
  return AwsError{"IncompleteSignature", "Unsupported AWS 'algorithm': 'AWS'",
                  400};
}

// The service of a malformed Authorization header's credential scope
// ("Credential=AKID/20150830/us-east-1/sts/aws4_request"), for routing its
// error.
std::optional<aws::SigV4Auth> ScopeHint(const HttpRequest& request) {
  std::string_view text;
  if (auto header = request.headers.Get("Authorization")) text = *header;
  size_t start = text.find("Credential=");
  if (start == std::string_view::npos) return std::nullopt;
  std::string_view credential = text.substr(start + 11);
  credential = credential.substr(0, credential.find_first_of(", "));
  std::vector<std::string_view> parts;
  while (!credential.empty()) {
    size_t slash = credential.find('/');
    parts.push_back(credential.substr(0, slash));
    if (slash == std::string_view::npos) break;
    credential.remove_prefix(slash + 1);
  }
  if (parts.size() < 4) return std::nullopt;
  aws::SigV4Auth hint;
  hint.region = std::string(parts[2]);
  hint.service = std::string(parts[3]);
  return hint;
}

// Milliseconds since the epoch of an X-Amz-Date value (20150830T123600Z).
std::optional<int64_t> ParseAmzDate(std::string_view text) {
  std::tm tm{};
  if (text.size() != 16 ||
      std::sscanf(std::string(text).c_str(), "%4d%2d%2dT%2d%2d%2dZ", &tm.tm_year,
                  &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &tm.tm_sec) != 6) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

// "2026-12-04T19:03:31Z", the form of S3's Expires and ServerTime fields.
std::string FormatIsoSeconds(int64_t epoch_ms) {
  std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

}  // namespace

Dispatcher::Dispatcher(DispatcherOptions options, const aws::Router* router,
                       std::vector<std::unique_ptr<Service>>* services,
                       platform::CredentialStore* credentials,
                       platform::Clock* clock, platform::Wakeups* wakeups)
    : options_(std::move(options)),
      router_(router),
      credentials_(credentials),
      clock_(clock),
      wakeups_(wakeups) {
  for (auto& service : *services) services_[std::string(service->id())] = service.get();
}

const Service* Dispatcher::FindService(std::string_view id) const {
  auto it = services_.find(id);
  return it == services_.end() ? nullptr : it->second;
}

HttpResponse Dispatcher::Fail(Exchange& exchange,
                                   const AwsError& error) const {
  exchange.error_code = error.code;
  const aws::OperationRef& ref = exchange.route.ref;
  if (exchange.context.request_id.empty()) {
    exchange.context.request_id =
        IsS3(ref) ? platform::NewS3RequestId() : platform::NewUuid();
  }
  HttpResponse response = aws::EncodeError(ref.service, ref.protocol, error,
                                                exchange.context.request_id);
  if (exchange.request.method == "HEAD") response.body.clear();
  return response;
}

void Dispatcher::Begin(Exchange& exchange) const {
  RequestContext& ctx = exchange.context;
  ctx.http = &exchange.request;
  ctx.clock = clock_;
  ctx.wakeups = wakeups_;
  if (auto host = exchange.request.headers.Get("Host")) {
    ctx.endpoint = "http://" + std::string(*host);
  }

  // SigV2 or SigV4 fields, if the request is signed. A malformed SigV4
  // signature still names its service, so its error takes that service's
  // protocol. SigV2 names none; such requests route like anonymous ones.
  std::optional<AwsError> auth_error;
  std::optional<aws::SigV4Auth> scope_hint;
  bool sigv2 = false;
  if (auto parsed = aws::ParseSigV2(exchange.request)) {
    sigv2 = true;
    if (parsed->ok()) {
      exchange.sigv2_auth = std::move(*parsed).value();
    } else {
      auth_error = parsed->error();
    }
  } else if (auto parsed = aws::ParseSigV4(exchange.request)) {
    if (parsed->ok()) {
      exchange.auth = std::move(*parsed).value();
    } else {
      auth_error = parsed->error();
      scope_hint = ScopeHint(exchange.request);
    }
  }

  const aws::SigV4Auth* routing_auth =
      exchange.auth ? &*exchange.auth : (scope_hint ? &*scope_hint : nullptr);
  exchange.route = router_->RouteHeaders(exchange.request, routing_auth);
  // Browsers send CORS preflights unsigned, but to the URL of the request
  // they precede, which may be a presigned URL signed for another method.
  // S3 builds preflight responses from the CORS configuration alone.
  if (exchange.route.pseudo_operation == aws::kS3OptionsPreflight) {
    exchange.auth.reset();
    exchange.sigv2_auth.reset();
    auth_error.reset();
  }
  ctx.request_id =
      IsS3(exchange.route.ref) ? platform::NewS3RequestId() : platform::NewUuid();
  if (exchange.route.ref.service) ctx.service = exchange.route.ref.service->id;
  if (exchange.route.ref.operation) {
    ctx.operation = exchange.route.ref.operation->name;
  } else if (!exchange.route.pseudo_operation.empty()) {
    ctx.operation = exchange.route.pseudo_operation;
  }

  // Only S3 reads SigV2. Other services reject its header, and read its
  // query parameters as no credential.
  if (sigv2 && !IsS3(exchange.route.ref)) {
    exchange.sigv2_auth.reset();
    auth_error.reset();
    if (exchange.request.headers.Has("Authorization")) {
      auth_error = SigV2Unsupported();
    }
  }

  if (auth_error) {
    exchange.early_response = Fail(exchange, AdaptAuthError(exchange, *auth_error));
    return;
  }
  if (exchange.route.kind == aws::Route::Kind::kError) {
    exchange.early_response = Fail(exchange, *exchange.route.error);
    return;
  }
  // A query request's identity is resolved once its Action is known.
  if (exchange.route.kind == aws::Route::Kind::kNeedBody) return;
  if (auto error = ResolveIdentity(exchange)) {
    exchange.early_response = Fail(exchange, *error);
  }
}

std::optional<AwsError> Dispatcher::ResolveIdentity(Exchange& exchange) const {
  RequestContext& ctx = exchange.context;
  ctx.region = options_.default_region;
  ctx.account_id = platform::DefaultAccountForAccessKey("");
  if (exchange.sigv2_auth) return CheckSigV2(exchange);
  if (!exchange.auth) {
    ctx.caller_arn = "";  // anonymous
    if (options_.verify_signatures && !AllowsAnonymous(exchange)) {
      return MissingAuthentication(exchange);
    }
    return std::nullopt;
  }
  const aws::SigV4Auth& auth = *exchange.auth;
  ctx.access_key_id = auth.access_key_id;
  if (!auth.region.empty()) ctx.region = auth.region;

  // Presigned URLs expire whether or not signatures are verified, as
  // clients rely on it.
  if (auth.presigned) {
    std::optional<int64_t> signed_at = ParseAmzDate(auth.amz_date);
    const int64_t now_ms = clock_->NowMillis();
    if (signed_at && *signed_at + auth.expires_seconds * 1000 < now_ms) {
      AwsError error{"AccessDenied", "Request has expired", 403};
      if (IsS3(exchange.route.ref)) {
        error.fields = {
            {"X-Amz-Expires", std::to_string(auth.expires_seconds)},
            {"Expires",
             FormatIsoSeconds(*signed_at + auth.expires_seconds * 1000)},
            {"ServerTime", FormatIsoSeconds(now_ms)},
        };
      }
      return error;
    }
  }

  if (auto error =
          ResolveCaller(exchange, auth.access_key_id, auth.security_token)) {
    return error;
  }

  // Signatures that cover a known payload hash are checked now, before a
  // large body is read; the rest once the body is in.
  if (!options_.verify_signatures || aws::NeedsBodyToVerify(auth)) {
    return std::nullopt;
  }
  Result<std::string> secret = SecretFor(exchange, auth.access_key_id);
  if (!secret.ok()) return secret.error();
  Status verified = aws::VerifySigV4(exchange.request, auth, secret.value(),
                                     clock_->NowMillis());
  if (!verified.ok()) return AdaptAuthError(exchange, verified.error());
  return std::nullopt;
}

std::optional<AwsError> Dispatcher::CheckSigV2(Exchange& exchange) const {
  const aws::SigV2Auth& auth = *exchange.sigv2_auth;
  // Begin keeps SigV2 credentials only on requests routed to S3.
  if (!IsS3(exchange.route.ref)) {
    return AdaptAuthError(exchange, SigV2Unsupported());
  }
  exchange.context.access_key_id = auth.access_key_id;

  // Presigned URLs expire and header dates must be readable whether or not
  // signatures are verified, as for SigV4; clock skew counts only when
  // verifying.
  Status time = aws::CheckSigV2Time(exchange.request, auth, clock_->NowMillis(),
                                    options_.verify_signatures);
  if (!time.ok()) return time.error();
  if (auto error =
          ResolveCaller(exchange, auth.access_key_id, auth.security_token)) {
    return error;
  }
  if (!options_.verify_signatures) return std::nullopt;

  Result<std::string> secret = SecretFor(exchange, auth.access_key_id);
  if (!secret.ok()) return secret.error();
  Status verified = aws::VerifySigV2(exchange.request, auth, secret.value());
  if (!verified.ok()) return verified.error();
  return std::nullopt;
}

std::optional<AwsError> Dispatcher::ResolveCaller(
    Exchange& exchange, const std::string& access_key_id,
    const std::string& security_token) const {
  RequestContext& ctx = exchange.context;
  std::optional<platform::Credential> credential =
      credentials_->Find(access_key_id);
  bool s3 = IsS3(exchange.route.ref);
  if (credential) {
    ctx.account_id = credential->account_id;
    ctx.caller_arn = credential->arn;
    // Temporary credentials are valid only with the session token they
    // were issued with.
    if (credential->session_token != security_token) {
      if (s3) {
        return AwsError{"InvalidToken",
                        "The provided token is malformed or otherwise invalid.", 400};
      }
      return AwsError{"InvalidClientTokenId",
                      "The security token included in the request is invalid.", 403};
    }
    if (credential->expiration_ms != 0 &&
        credential->expiration_ms <= clock_->NowMillis()) {
      return AwsError{"ExpiredToken",
                      s3 ? "The provided token has expired."
                         : "The security token included in the request is "
                           "expired",
                      s3 ? 400 : 403};
    }
  } else {
    ctx.account_id = platform::DefaultAccountForAccessKey(access_key_id);
    ctx.caller_arn = "arn:" +
                     std::string(platform::PartitionOf(ctx.region)) +
                     ":iam::" + ctx.account_id + ":root";
  }
  return std::nullopt;
}

bool Dispatcher::AllowsAnonymous(const Exchange& exchange) const {
  const aws::Route& route = exchange.route;
  // Browser form uploads carry their signature in the form; CORS
  // preflights are never signed.
  if (!route.pseudo_operation.empty()) return true;
  // S3 serves anonymous requests that ACLs or the bucket policy allow and
  // rejects the rest itself.
  if (IsS3(route.ref)) return true;
  return route.ref.operation && route.ref.operation->auth_none;
}

AwsError Dispatcher::MissingAuthentication(const Exchange& exchange) const {
  if (IsS3(exchange.route.ref)) {
    return AwsError{"AccessDenied", "Access Denied.", 403};
  }
  // S3 is the one service that reads SigV2, so other services see its query
  // parameters as no credential.
  const HttpRequest& request = exchange.request;
  bool sigv2 = request.query.find("AWSAccessKeyId=") != std::string::npos;
  std::string why = sigv2 ? " Only S3 accepts Signature Version 2; sign "
                            "requests to this service with Signature "
                            "Version 4."
                          : "";
  return AwsError{"MissingAuthenticationToken",
                  "The request must contain either a valid (registered) AWS "
                  "access key ID or X.509 certificate." + why,
                  403};
}

Result<std::string> Dispatcher::SecretFor(
    const Exchange& exchange, const std::string& access_key_id) const {
  if (auto credential = credentials_->Find(access_key_id)) {
    return credential->secret_access_key;
  }
  if (access_key_id == options_.access_key_id) {
    return options_.secret_access_key;
  }
  return UnknownAccessKey(IsS3(exchange.route.ref));
}

AwsError Dispatcher::AdaptAuthError(const Exchange& exchange,
                                    AwsError error) const {
  const aws::OperationRef& ref = exchange.route.ref;
  bool json = ref.protocol == aws::Protocol::kJson ||
              ref.protocol == aws::Protocol::kRestJson ||
              ref.protocol == aws::Protocol::kRpcV2Cbor;
  if (IsS3(ref) && error.code == "IncompleteSignature") {
    error.code = "AuthorizationHeaderMalformed";
  }
  // JSON protocols (DynamoDB, Lambda) name a bad signature this way.
  if (json && error.code == "SignatureDoesNotMatch") {
    error.code = "InvalidSignatureException";
  }
  return error;
}

std::optional<aws::AwsChunkedDecoder> Dispatcher::ChunkVerifier(
    const Exchange& exchange) const {
  if (!options_.verify_signatures || !exchange.auth) return std::nullopt;
  const aws::SigV4Auth& auth = *exchange.auth;
  if (auth.payload_hash != aws::kStreamingSignedPayload &&
      auth.payload_hash != aws::kStreamingSignedPayloadTrailer) {
    return std::nullopt;
  }
  Result<std::string> secret = SecretFor(exchange, auth.access_key_id);
  if (!secret.ok()) return std::nullopt;  // already rejected in Begin
  std::string key =
      aws::DeriveSigningKey(secret.value(), auth.date, auth.region, auth.service);
  return aws::AwsChunkedDecoder(
      std::move(key), aws::CredentialScope(auth.date, auth.region, auth.service),
      auth.amz_date, auth.signature);
}

void Dispatcher::FinishAuthentication(Exchange& exchange) const {
  if (exchange.early_response || !options_.verify_signatures || !exchange.auth) {
    return;
  }
  const aws::SigV4Auth& auth = *exchange.auth;
  if (aws::NeedsBodyToVerify(auth)) {
    Result<std::string> secret = SecretFor(exchange, auth.access_key_id);
    if (!secret.ok()) {
      exchange.early_response = Fail(exchange, secret.error());
      return;
    }
    Status verified = aws::VerifySigV4(exchange.request, auth, secret.value(),
                                       clock_->NowMillis());
    if (!verified.ok()) {
      exchange.early_response =
          Fail(exchange, AdaptAuthError(exchange, verified.error()));
      return;
    }
  }
  Status payload = aws::VerifyPayloadHash(exchange.request, auth);
  if (!payload.ok()) {
    exchange.early_response =
        Fail(exchange, AdaptAuthError(exchange, payload.error()));
  }
}

void Dispatcher::RouteBody(Exchange& exchange) const {
  exchange.route = router_->RouteQueryBody(
      exchange.request, exchange.auth ? &*exchange.auth : nullptr);
  RequestContext& ctx = exchange.context;
  if (exchange.route.ref.service) ctx.service = exchange.route.ref.service->id;
  if (exchange.route.ref.operation) ctx.operation = exchange.route.ref.operation->name;
  if (exchange.route.kind == aws::Route::Kind::kError) {
    exchange.early_response = Fail(exchange, *exchange.route.error);
    return;
  }
  // A query request's identity is resolved once its Action is known.
  if (exchange.route.kind == aws::Route::Kind::kNeedBody) return;
  if (auto error = ResolveIdentity(exchange)) {
    exchange.early_response = Fail(exchange, *error);
  }
}

std::variant<HttpResponse, WaitAndRetry> Dispatcher::Dispatch(
    Exchange& exchange) const {
  if (exchange.early_response) return *exchange.early_response;
  RequestContext& ctx = exchange.context;
  const aws::OperationRef& ref = exchange.route.ref;
  std::string_view operation_name = ctx.operation;

  const Service* service = FindService(ctx.service);
  const Handler* handler =
      service ? service->FindHandler(operation_name) : nullptr;
  if (!handler) {
    return Fail(exchange, NotImplemented(ctx.service, operation_name));
  }

  // Pseudo-operations (S3 form uploads, CORS preflight) have no model
  // input; their handlers read ctx.http.
  if (!exchange.input_decoded) {
    if (ref.operation) {
      Result<Document> input =
          aws::DecodeInput(ref, exchange.request, exchange.route.labels);
      if (!input.ok()) return Fail(exchange, input.error());
      exchange.input = std::move(input).value();
    } else {
      exchange.input = Document::object();
      for (const auto& [name, value] : exchange.route.labels) {
        exchange.input[name] = value;
      }
    }
    exchange.input_decoded = true;
  }

  Reply reply = [&]() -> Reply {
    try {
      return (*handler)(ctx, exchange.input);
    } catch (const std::exception& e) {
      spdlog::error("{} {} failed with an unexpected exception: {} (request {})",
                    ctx.service, ctx.operation, e.what(), ctx.request_id);
      return InternalFailure("brume failed while handling this request; see "
                             "its log for request " + ctx.request_id);
    }
  }();

  if (reply.is_wait()) return reply.wait();
  if (reply.is_error()) return Fail(exchange, reply.error());
  if (reply.is_raw()) {
    HttpResponse response = std::move(reply.raw());
    for (const auto& [name, value] : ctx.response_headers) {
      response.headers.Add(name, value);
    }
    return response;
  }
  if (!ref.operation) {
    return Fail(exchange, InternalFailure("handler of " + ctx.operation +
                                          " returned a document but the "
                                          "operation has no model shape"));
  }
  HttpResponse response = aws::EncodeOutput(ref, reply.document(), ctx);
  if (exchange.request.method == "HEAD") response.body.clear();
  return response;
}

}  // namespace brume::server
