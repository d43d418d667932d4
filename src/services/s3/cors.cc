// CORS: responses to preflight OPTIONS requests and Access-Control-* headers
// on normal responses, from the bucket's CORS rules.

#include <fmt/format.h>

#include "platform/strings.h"
#include "services/s3/errors.h"
#include "services/s3/handlers.h"

namespace brume::s3 {
namespace {

// Matches `text` against a CORS pattern with at most one '*' wildcard,
// ignoring case as S3 does for headers (origins are compared as sent).
bool WildcardMatch(std::string_view pattern, std::string_view text,
                   bool ignore_case) {
  auto equal = [&](std::string_view a, std::string_view b) {
    return ignore_case ? platform::EqualsIgnoreCase(a, b) : a == b;
  };
  size_t star = pattern.find('*');
  if (star == std::string_view::npos) return equal(pattern, text);
  std::string_view head = pattern.substr(0, star);
  std::string_view tail = pattern.substr(star + 1);
  if (text.size() < head.size() + tail.size()) return false;
  return equal(text.substr(0, head.size()), head) &&
         equal(text.substr(text.size() - tail.size()), tail);
}

std::vector<std::string> SplitHeaderList(std::string_view list) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    std::string_view item = platform::Trim(list.substr(start, comma - start));
    if (!item.empty()) items.push_back(platform::ToLower(item));
    start = comma + 1;
  }
  return items;
}

std::string JoinList(const Document& list) {
  std::string joined;
  for (const Document& item : list) {
    if (!joined.empty()) joined += ", ";
    joined += item.get<std::string>();
  }
  return joined;
}

// Returns the first rule matching origin, method and requested headers, or
// nullptr.
const Document* MatchRule(const Document& rules, std::string_view origin,
                          std::string_view method,
                          const std::vector<std::string>& request_headers) {
  for (const Document& rule : rules) {
    bool origin_ok = false;
    for (const Document& allowed : rule.value("AllowedOrigins", Document::array())) {
      if (WildcardMatch(allowed.get<std::string>(), origin, false)) {
        origin_ok = true;
        break;
      }
    }
    if (!origin_ok) continue;
    bool method_ok = false;
    for (const Document& allowed : rule.value("AllowedMethods", Document::array())) {
      if (allowed.get<std::string>() == method) method_ok = true;
    }
    if (!method_ok) continue;
    bool headers_ok = true;
    for (const std::string& header : request_headers) {
      bool matched = false;
      for (const Document& allowed :
           rule.value("AllowedHeaders", Document::array())) {
        if (WildcardMatch(allowed.get<std::string>(), header, true)) {
          matched = true;
          break;
        }
      }
      if (!matched) {
        headers_ok = false;
        break;
      }
    }
    if (headers_ok) return &rule;
  }
  return nullptr;
}

// Access-Control-* headers for a matching rule.
void AddRuleHeaders(const Document& rule, std::string_view origin,
                    Headers& headers) {
  bool any_origin = false;
  for (const Document& allowed : rule.value("AllowedOrigins", Document::array())) {
    if (allowed.get<std::string>() == "*") any_origin = true;
  }
  headers.Set("Access-Control-Allow-Origin",
              any_origin ? std::string("*") : std::string(origin));
  headers.Set("Access-Control-Allow-Methods",
              JoinList(rule.value("AllowedMethods", Document::array())));
  if (rule.contains("ExposeHeaders") && !rule["ExposeHeaders"].empty()) {
    headers.Set("Access-Control-Expose-Headers",
                JoinList(rule["ExposeHeaders"]));
  }
  if (rule.contains("MaxAgeSeconds")) {
    headers.Set("Access-Control-Max-Age",
                std::to_string(rule["MaxAgeSeconds"].get<int64_t>()));
  }
  if (!any_origin) headers.Set("Access-Control-Allow-Credentials", "true");
  headers.Set("Vary",
              "Origin, Access-Control-Request-Headers, "
              "Access-Control-Request-Method");
}

AwsError CorsForbidden(std::string message) {
  AwsError error = AccessDenied(std::move(message));
  error.code = "AccessForbidden";
  return error;
}

// The bucket a request addresses: the Bucket label when the router set it,
// else the first label of a virtual-hosted Host, else the first path
// segment.
std::string BucketFromRequest(const RequestContext& ctx,
                              const Document& input) {
  std::string bucket = InputString(input, "Bucket");
  if (!bucket.empty() || ctx.http == nullptr) return bucket;
  std::string_view host = ctx.http->headers.Get("Host").value_or("");
  host = host.substr(0, host.find(':'));
  size_t dot = host.find('.');
  if (dot != std::string_view::npos) {
    std::string_view first = host.substr(0, dot);
    std::string_view rest = host.substr(dot + 1);
    bool numeric = host.find_first_not_of("0123456789.") == std::string_view::npos;
    if (!numeric && first != "s3" &&
        (rest.starts_with("s3.") || rest == "s3" || rest == "localhost" ||
         rest.starts_with("localhost"))) {
      return std::string(first);
    }
  }
  std::string_view path = ctx.http->path;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  return platform::PercentDecode(path.substr(0, path.find('/')));
}

}  // namespace

Reply OptionsPreflight(S3State& state, RequestContext& ctx, Document& input) {
  std::string bucket_name = BucketFromRequest(ctx, input);
  std::string_view origin = ctx.http->headers.Get("Origin").value_or("");
  std::string_view method =
      ctx.http->headers.Get("Access-Control-Request-Method").value_or("");
  if (origin.empty()) {
    AwsError error = InvalidRequest(
        "Insufficient information. Origin request header needed.");
    error.code = "BadRequest";
    return error;
  }
  if (method.empty()) {
    AwsError error = InvalidRequest(
        "Invalid Access-Control-Request-Method: null");
    error.code = "BadRequest";
    return error;
  }
  Result<Document> bucket = LoadBucket(state, bucket_name);
  if (!bucket.ok()) return bucket.error();
  const Document& configs = bucket.value().value("Config", Document::object());
  if (!configs.contains("Cors")) {
    return CorsForbidden("CORSResponse: CORS is not enabled for this bucket.");
  }
  std::vector<std::string> request_headers = SplitHeaderList(
      ctx.http->headers.Get("Access-Control-Request-Headers").value_or(""));
  Document rules = configs["Cors"].value("CORSRules", Document::array());
  const Document* rule = MatchRule(rules, origin, method, request_headers);
  if (rule == nullptr) {
    return CorsForbidden(
        "CORSResponse: This CORS request is not allowed. This is usually "
        "because the evalution of Origin, request method / "
        "Access-Control-Request-Method or Access-Control-Request-Headerss are "
        "not whitelisted by the resource's CORS spec.");
  }

  HttpResponse response;
  response.status = 200;
  AddRuleHeaders(*rule, origin, response.headers);
  std::string_view requested_headers =
      ctx.http->headers.Get("Access-Control-Request-Headers").value_or("");
  if (!requested_headers.empty()) {
    response.headers.Set("Access-Control-Allow-Headers",
                         std::string(requested_headers));
  }
  response.headers.Set("x-amz-request-id", ctx.request_id);
  response.headers.Set("Content-Length", "0");
  return response;
}

namespace {

// Adds the headers of the bucket's first CORS rule that matches the
// request's Origin and method to `headers`.
void AddMatchingRuleHeaders(S3State& state, const RequestContext& ctx,
                            std::string_view bucket_name, Headers& headers) {
  std::optional<std::string_view> origin = ctx.http->headers.Get("Origin");
  if (!origin.has_value() || origin->empty()) return;
  Result<Document> bucket = LoadBucket(state, bucket_name);
  if (!bucket.ok()) return;
  const Document& configs = bucket.value().value("Config", Document::object());
  if (!configs.contains("Cors")) return;
  Document rules = configs["Cors"].value("CORSRules", Document::array());
  const Document* rule = MatchRule(rules, *origin, ctx.http->method, {});
  if (rule == nullptr) return;
  AddRuleHeaders(*rule, *origin, headers);
}

}  // namespace

void AddCorsHeadersToReply(S3State& state, RequestContext& ctx,
                           const Document& input, Reply& reply) {
  if (ctx.http == nullptr) return;
  std::string bucket = InputString(input, "Bucket");
  if (bucket.empty()) return;
  if (!reply.is_error()) {
    AddMatchingRuleHeaders(state, ctx, bucket, ctx.response_headers);
    return;
  }
  // Error responses carry their own headers.
  Headers headers;
  AddMatchingRuleHeaders(state, ctx, bucket, headers);
  for (const auto& [name, value] : headers) {
    reply.error().headers.emplace_back(name, value);
  }
}

}  // namespace brume::s3
