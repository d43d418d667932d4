#include "server/dispatcher.h"

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

  // SigV4 fields, if the request is signed.
  std::optional<AwsError> auth_error;
  if (auto parsed = aws::ParseSigV4(exchange.request)) {
    if (parsed->ok()) {
      exchange.auth = std::move(*parsed).value();
    } else {
      auth_error = parsed->error();
    }
  }

  exchange.route = router_->RouteHeaders(
      exchange.request, exchange.auth ? &*exchange.auth : nullptr);
  ctx.request_id =
      IsS3(exchange.route.ref) ? platform::NewS3RequestId() : platform::NewUuid();
  if (exchange.route.ref.service) ctx.service = exchange.route.ref.service->id;
  if (exchange.route.ref.operation) {
    ctx.operation = exchange.route.ref.operation->name;
  } else if (!exchange.route.pseudo_operation.empty()) {
    ctx.operation = exchange.route.pseudo_operation;
  }

  if (auth_error) {
    exchange.early_response = Fail(exchange, *auth_error);
    return;
  }
  if (exchange.route.kind == aws::Route::Kind::kError) {
    exchange.early_response = Fail(exchange, *exchange.route.error);
    return;
  }
  if (auto error = ResolveIdentity(exchange)) {
    exchange.early_response = Fail(exchange, *error);
  }
}

std::optional<AwsError> Dispatcher::ResolveIdentity(Exchange& exchange) const {
  RequestContext& ctx = exchange.context;
  ctx.region = options_.default_region;
  ctx.account_id = platform::DefaultAccountForAccessKey("");
  if (!exchange.auth) {
    ctx.caller_arn = "";  // anonymous
    return std::nullopt;
  }
  const aws::SigV4Auth& auth = *exchange.auth;
  ctx.access_key_id = auth.access_key_id;
  if (!auth.region.empty()) ctx.region = auth.region;

  std::optional<platform::Credential> credential =
      credentials_->Find(auth.access_key_id);
  bool s3 = IsS3(exchange.route.ref);
  if (credential) {
    ctx.account_id = credential->account_id;
    ctx.caller_arn = credential->arn;
    if (credential->expiration_ms != 0 &&
        credential->expiration_ms <= clock_->NowMillis()) {
      return AwsError{"ExpiredToken",
                      s3 ? "The provided token has expired."
                         : "The security token included in the request is "
                           "expired",
                      s3 ? 400 : 403};
    }
  } else {
    ctx.account_id = platform::DefaultAccountForAccessKey(auth.access_key_id);
    ctx.caller_arn = "arn:" +
                     std::string(platform::PartitionOf(ctx.region)) +
                     ":iam::" + ctx.account_id + ":root";
  }

  if (!options_.verify_signatures) return std::nullopt;
  std::string secret;
  if (credential) {
    secret = credential->secret_access_key;
  } else if (auth.access_key_id == options_.access_key_id) {
    secret = options_.secret_access_key;
  } else {
    return UnknownAccessKey(s3);
  }
  Status verified = aws::VerifySigV4(exchange.request, auth, secret,
                                          clock_->NowMillis());
  if (!verified.ok()) return verified.error();
  return std::nullopt;
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
