#include "aws/router.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "platform/strings.h"

namespace brume::aws {
namespace {

using QueryPairs = std::vector<std::pair<std::string, std::string>>;

bool IsRestProtocol(Protocol protocol) {
  return protocol == Protocol::kRestJson || protocol == Protocol::kRestXml;
}

bool ServesQuery(const ServiceModel& service) {
  return service.Serves(Protocol::kQuery) || service.Serves(Protocol::kEc2);
}

// S3 operations that share a request URI with the operation AWS actually
// serves there: deprecated predecessors, and S3 Express (directory bucket)
// operations that AWS serves on a different endpoint.
const std::set<std::string_view> kShadowedS3Operations = {
    "GetBucketLifecycle",  "PutBucketLifecycle", "GetBucketNotification",
    "PutBucketNotification", "ListDirectoryBuckets", "CreateSession",
};

std::string_view HostWithoutPort(std::string_view host) {
  if (!host.empty() && host.front() == '[') {  // [::1]:4566
    size_t end = host.find(']');
    return end == std::string_view::npos ? host : host.substr(0, end + 1);
  }
  size_t colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

bool LooksLikeRegion(std::string_view label) {
  return label.find('-') != std::string_view::npos &&
         std::any_of(label.begin(), label.end(),
                     [](char c) { return std::isdigit(c); });
}

const std::pair<std::string, std::string>* FindQuery(const QueryPairs& query,
                                                     std::string_view name) {
  for (const auto& pair : query) {
    if (pair.first == name) return &pair;
  }
  return nullptr;
}

AwsError UnknownOperation(std::string_view what) {
  AwsError error;
  error.code = "UnknownOperationException";
  error.message = "brume found no operation for " + std::string(what) +
                  "; check the endpoint, the X-Amz-Target header or the URI";
  error.http_status = 400;
  return error;
}

// Input members bound to the query string or to headers that the operation
// requires: a request without them is not that operation (S3 UploadPart
// needs partNumber and uploadId, CopyObject needs x-amz-copy-source).
void RequiredBindings(const ServiceModel& service, const Operation& operation,
                      std::vector<std::pair<Location, std::string>>* out) {
  if (operation.input == kNoShape) return;
  const Shape& input = service.shape(operation.input);
  for (uint32_t i = 0; i < input.members_count; ++i) {
    const Member& member = service.member(input.members_begin + i);
    if (!(member.flags & kMemberRequired)) continue;
    if (member.location != Location::kQueryString &&
        member.location != Location::kHeader) {
      continue;
    }
    out->emplace_back(member.location, member.location_name
                                           ? member.location_name
                                           : member.name);
  }
}

// False when a '%' is not followed by two hex digits.
bool HasValidPercentEscapes(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') continue;
    if (i + 2 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      return false;
    }
    i += 2;
  }
  return true;
}

}  // namespace

std::optional<std::string> VirtualHostedBucket(std::string_view host) {
  host = HostWithoutPort(host);
  std::string lower = platform::ToLower(host);
  std::string_view view = lower;
  auto strip_suffix = [&view](std::string_view suffix) {
    if (view.size() > suffix.size() && view.ends_with(suffix)) {
      view.remove_suffix(suffix.size());
      return true;
    }
    return false;
  };
  if (strip_suffix(".amazonaws.com")) {
    // bucket.s3, bucket.s3.us-west-2, bucket.s3-us-west-2,
    // bucket.s3.dualstack.us-east-1
    size_t pos = view.find(".s3.");
    if (pos == std::string_view::npos) pos = view.find(".s3-");
    if (pos == std::string_view::npos) {
      if (view.ends_with(".s3")) pos = view.size() - 3;
    }
    if (pos == std::string_view::npos || pos == 0) return std::nullopt;
    return std::string(host.substr(0, pos));
  }
  if (strip_suffix(".s3.localhost") || strip_suffix(".localhost")) {
    return std::string(host.substr(0, view.size()));
  }
  return std::nullopt;
}

Router::Router(std::span<const ServiceModel* const> models) : models_(models) {
  for (const ServiceModel* service : models) {
    if (service->target_prefix) {
      by_target_prefix_[service->target_prefix] = service;
    }
    std::set<std::string> names;
    if (service->signing_name) names.insert(service->signing_name);
    if (service->endpoint_prefix) names.insert(service->endpoint_prefix);
    names.insert(service->id);
    for (const std::string& name : names) by_name_[name].push_back(service);

    if (IsRestProtocol(service->protocol)) {
      rest_.emplace(service, std::make_unique<LazyRestService>());
    }
  }
}

const Router::RestService& Router::RestPatterns(
    const ServiceModel* service) const {
  LazyRestService& lazy = *rest_.at(service);
  std::call_once(lazy.built, [&lazy, service] {
    RestService& rest = lazy.rest;
    rest.model = service;
    for (const Operation& operation : service->operations) {
      if (std::string_view(service->id) == "s3" &&
          kShadowedS3Operations.count(operation.name)) {
        continue;
      }
      UriPattern pattern;
      pattern.operation = &operation;
      std::string_view uri = operation.request_uri ? operation.request_uri : "/";
      std::string_view path = uri;
      size_t question = uri.find('?');
      if (question != std::string_view::npos) {
        path = uri.substr(0, question);
        for (const auto& [name, value] :
             platform::ParseQueryString(uri.substr(question + 1))) {
          pattern.query.emplace_back(name, value);
        }
      }
      size_t start = 1;
      while (start <= path.size()) {
        size_t slash = path.find('/', start);
        if (slash == std::string_view::npos) slash = path.size();
        std::string segment(path.substr(start, slash - start));
        if (!segment.empty() || slash < path.size()) {
          if (segment.find('{') == std::string::npos) {
            pattern.literal_chars += static_cast<int>(segment.size()) + 1;
          }
          pattern.segments.push_back(std::move(segment));
        }
        start = slash + 1;
      }
      RequiredBindings(*service, operation, &pattern.required);
      rest.patterns.push_back(std::move(pattern));
    }
  });
  return lazy.rest;
}

const ServiceModel* Router::OnlyQueryServiceWith(
    std::string_view action) const {
  // A binary search per query service on each call replaces an index of
  // every query operation built at startup. Only query requests without a
  // credential scope or a service Host get here.
  const ServiceModel* found = nullptr;
  for (const ServiceModel* service : models_) {
    if (!ServesQuery(*service) || !service->FindOperation(action)) continue;
    if (found) return nullptr;
    found = service;
  }
  return found;
}

std::vector<const ServiceModel*> Router::ServicesForName(
    std::string_view name) const {
  auto it = by_name_.find(std::string(name));
  if (it == by_name_.end()) return {};
  return it->second;
}

const ServiceModel* Router::ServiceFromHost(const HttpRequest& request) const {
  auto host_header = request.headers.Get("Host");
  if (!host_header) return nullptr;
  if (VirtualHostedBucket(*host_header)) return FindServiceModel("s3");
  std::string host = platform::ToLower(HostWithoutPort(*host_header));
  std::string_view view = host;
  if (!view.ends_with(".amazonaws.com")) return nullptr;
  view.remove_suffix(std::string_view(".amazonaws.com").size());
  size_t dot = view.rfind('.');
  if (dot != std::string_view::npos && LooksLikeRegion(view.substr(dot + 1))) {
    view = view.substr(0, dot);
  }
  auto services = ServicesForName(view);
  return services.empty() ? nullptr : services.front();
}

Route Router::RouteHeaders(const HttpRequest& request,
                           const SigV4Auth* auth) const {
  // JSON protocols name the operation in X-Amz-Target: "Prefix.Operation".
  if (auto target = request.headers.Get("X-Amz-Target")) {
    size_t dot = target->rfind('.');
    if (dot == std::string_view::npos) {
      Route route;
      route.ref.protocol = Protocol::kJson;
      route.error = UnknownOperation("X-Amz-Target '" + std::string(*target) + "'");
      return route;
    }
    auto it = by_target_prefix_.find(std::string(target->substr(0, dot)));
    const ServiceModel* service = it == by_target_prefix_.end() ? nullptr : it->second;
    return RouteRpc(request, service, target->substr(dot + 1), Protocol::kJson);
  }

  // smithy-rpc-v2-cbor: POST /service/<ServiceName>/operation/<Operation>.
  std::string_view path = request.path;
  if (path.starts_with("/service/")) {
    std::string_view rest = path.substr(std::string_view("/service/").size());
    size_t slash = rest.find("/operation/");
    auto protocol_header = request.headers.Get("smithy-protocol");
    if (slash != std::string_view::npos ||
        (protocol_header && *protocol_header == "rpc-v2-cbor")) {
      std::string_view service_name = rest.substr(0, slash);
      std::string_view operation =
          slash == std::string_view::npos
              ? std::string_view()
              : rest.substr(slash + std::string_view("/operation/").size());
      // The smithy service shape name is the JSON target prefix.
      auto it = by_target_prefix_.find(std::string(service_name));
      const ServiceModel* service =
          it == by_target_prefix_.end() ? nullptr : it->second;
      return RouteRpc(request, service, operation, Protocol::kRpcV2Cbor);
    }
  }

  // The service the request was signed for, if it speaks query.
  std::vector<const ServiceModel*> scoped;
  if (auth) scoped = ServicesForName(auth->service);
  bool scope_is_query = std::any_of(
      scoped.begin(), scoped.end(),
      [](const ServiceModel* s) { return ServesQuery(*s); });
  bool scope_is_rest = !scoped.empty() && !scope_is_query;

  if (!scope_is_rest) {
    QueryPairs query = platform::ParseQueryString(request.query);
    if (const auto* action = FindQuery(query, "Action")) {
      return RouteQuery(request, auth, action->second);
    }
    auto content_type = request.headers.Get("Content-Type");
    if (request.method == "POST" && content_type &&
        platform::StartsWithIgnoreCase(*content_type,
                                       "application/x-www-form-urlencoded") &&
        (scope_is_query || scoped.empty())) {
      Route route;
      route.kind = Route::Kind::kNeedBody;
      // Until the Action is read, errors render as query XML for the
      // scope's service.
      route.ref.protocol = Protocol::kQuery;
      for (const ServiceModel* service : scoped) {
        if (ServesQuery(*service)) route.ref.service = service;
      }
      return route;
    }
  }
  return RouteRest(request, auth);
}

Route Router::RouteQueryBody(const HttpRequest& request,
                             const SigV4Auth* auth) const {
  QueryPairs form = platform::ParseQueryString(request.body.data);
  if (const auto* action = FindQuery(form, "Action")) {
    return RouteQuery(request, auth, action->second);
  }
  Route route;
  route.ref.protocol = Protocol::kQuery;
  route.error = AwsError{"MissingAction", "Missing Action parameter", 400};
  return route;
}

Route Router::RouteRpc(const HttpRequest& request, const ServiceModel* service,
                       std::string_view operation_name,
                       Protocol protocol) const {
  (void)request;
  Route route;
  route.ref.service = service;
  route.ref.protocol = protocol;
  if (!service) {
    route.error = UnknownOperation("'" + std::string(operation_name) +
                                   "' of an unknown service");
    return route;
  }
  const Operation* operation = service->FindOperation(operation_name);
  if (!operation) {
    route.error = UnknownOperation(std::string(service->id) + " operation '" +
                                   std::string(operation_name) + "'");
    return route;
  }
  route.kind = Route::Kind::kOperation;
  route.ref.operation = operation;
  return route;
}

Route Router::RouteQuery(const HttpRequest& request, const SigV4Auth* auth,
                         std::string_view action) const {
  Route route;
  route.ref.protocol = Protocol::kQuery;

  // The service: the credential scope, else the Host, else the only query
  // service that has this action.
  const ServiceModel* service = nullptr;
  if (auth) {
    for (const ServiceModel* candidate : ServicesForName(auth->service)) {
      if (ServesQuery(*candidate)) service = candidate;
    }
  }
  if (!service) {
    const ServiceModel* from_host = ServiceFromHost(request);
    if (from_host && ServesQuery(*from_host)) service = from_host;
  }
  if (!service) service = OnlyQueryServiceWith(action);
  if (!service) {
    route.error = AwsError{
        "InvalidAction",
        "brume could not tell which service the action '" +
            std::string(action) +
            "' is for; sign the request with SigV4 so its credential scope "
            "names the service",
        400};
    return route;
  }

  route.ref.service = service;
  route.ref.protocol = service->Serves(Protocol::kEc2) ? Protocol::kEc2
                                                       : Protocol::kQuery;
  const Operation* operation = service->FindOperation(action);
  if (!operation) {
    route.error = AwsError{"InvalidAction",
                           "The action " + std::string(action) +
                               " is not valid for this web service.",
                           400};
    return route;
  }
  route.kind = Route::Kind::kOperation;
  route.ref.operation = operation;
  return route;
}

bool Router::MatchPattern(const UriPattern& pattern, const HttpRequest& request,
                          std::string_view path, const QueryPairs& query,
                          UriLabels* labels, int* score) const {
  const Operation& operation = *pattern.operation;
  if (request.method != operation.http_method) return false;

  // Path: literal segments must match; {Label} takes one segment, {Label+}
  // the rest of the path, slashes included. Labels are matched on the raw
  // path so an encoded slash (%2F) stays inside its segment.
  UriLabels captured;
  size_t pos = 0;
  for (const std::string& segment : pattern.segments) {
    if (pos >= path.size() || path[pos] != '/') return false;
    ++pos;
    bool is_label = segment.size() > 2 && segment.front() == '{' &&
                    segment.back() == '}';
    if (!is_label) {
      if (path.compare(pos, segment.size(), segment) != 0) return false;
      pos += segment.size();
      if (pos < path.size() && path[pos] != '/') return false;
      continue;
    }
    std::string name = segment.substr(1, segment.size() - 2);
    bool greedy = name.back() == '+';
    if (greedy) name.pop_back();
    size_t end = greedy ? path.size() : path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    if (end == pos) return false;  // labels are never empty
    captured.emplace_back(
        name, platform::PercentDecode(path.substr(pos, end - pos)));
    pos = end;
  }
  // A single trailing slash is allowed ("/bucket/" is the bucket).
  if (pos < path.size() && !(pos + 1 == path.size() && path[pos] == '/')) {
    return false;
  }

  // Query literals ("?uploads", "?list-type=2").
  int points = pattern.literal_chars;
  for (const auto& [name, value] : pattern.query) {
    const auto* found = FindQuery(query, name);
    if (!found) return false;
    if (!value.empty() && found->second != value) return false;
    points += 100;
  }

  // Required query-string and header members decide between operations of
  // one URI (PutObject, UploadPart, CopyObject, UploadPartCopy): a request
  // lacking one is not that operation, and each one present adds weight.
  for (const auto& [location, name] : pattern.required) {
    bool present = location == Location::kHeader
                       ? request.headers.Has(name)
                       : FindQuery(query, name) != nullptr;
    if (!present) return false;
    points += 10;
  }

  // SDKs that add "x-id=<Operation>" (the JavaScript SDK v3 for S3) name the
  // operation outright.
  if (const auto* x_id = FindQuery(query, "x-id")) {
    if (x_id->second == operation.name) points += 1000;
  }

  *labels = std::move(captured);
  *score = points;
  return true;
}

Route Router::RouteRest(const HttpRequest& request,
                        const SigV4Auth* auth) const {
  Route route;
  route.ref.protocol = Protocol::kRestXml;

  // Candidate services: the credential scope's, else the Host's, else S3
  // (anonymous S3 requests carry no signature).
  std::vector<const ServiceModel*> candidates;
  if (auth) {
    for (const ServiceModel* service : ServicesForName(auth->service)) {
      if (IsRestProtocol(service->protocol)) candidates.push_back(service);
    }
  }
  if (candidates.empty()) {
    const ServiceModel* from_host = ServiceFromHost(request);
    if (from_host && IsRestProtocol(from_host->protocol)) {
      candidates.push_back(from_host);
    }
  }
  if (candidates.empty() && (!auth || auth->service == "s3")) {
    if (const ServiceModel* s3 = FindServiceModel("s3")) {
      candidates.push_back(s3);
    }
  }
  if (candidates.empty()) {
    if (auth) {
      auto named = ServicesForName(auth->service);
      if (!named.empty()) {
        route.ref.service = named.front();
        route.ref.protocol = named.front()->protocol;
      }
    }
    route.error = UnknownOperation(request.method + " " + request.path);
    return route;
  }

  QueryPairs query = platform::ParseQueryString(request.query);
  if (std::string_view(candidates.front()->id) == "s3" &&
      !HasValidPercentEscapes(request.path)) {
    route.ref.service = candidates.front();
    route.error = AwsError{"InvalidURI", "Couldn't parse the specified URI.", 400};
    route.error->fields.emplace_back("URI", request.path);
    return route;
  }
  int best_score = -1;
  for (const ServiceModel* service : candidates) {
    std::string path = request.path;
    bool is_s3 = std::string_view(service->id) == "s3";
    if (is_s3) {
      if (auto host = request.headers.Get("Host")) {
        if (auto bucket = VirtualHostedBucket(*host)) {
          path = "/" + platform::PercentEncode(*bucket) +
                 (path == "/" ? "" : path);
        }
      }
      // Requests no model operation describes.
      std::string pseudo;
      auto content_type = request.headers.Get("Content-Type");
      if (request.method == "OPTIONS") {
        pseudo = kS3OptionsPreflight;
      } else if (request.method == "POST" && content_type &&
                 platform::StartsWithIgnoreCase(*content_type,
                                                "multipart/form-data")) {
        pseudo = kS3PostObject;
      }
      if (!pseudo.empty()) {
        route.kind = Route::Kind::kOperation;
        route.ref.service = service;
        route.pseudo_operation = pseudo;
        route.spool_body = pseudo == kS3PostObject;
        size_t slash = path.find('/', 1);
        std::string bucket = path.substr(1, slash == std::string::npos
                                                ? std::string::npos
                                                : slash - 1);
        if (!bucket.empty()) {
          route.labels.emplace_back("Bucket", platform::PercentDecode(bucket));
        }
        if (slash != std::string::npos && slash + 1 < path.size()) {
          route.labels.emplace_back(
              "Key", platform::PercentDecode(path.substr(slash + 1)));
        }
        return route;
      }
    }
    const RestService& rest = RestPatterns(service);
    for (const UriPattern& pattern : rest.patterns) {
      UriLabels labels;
      int score = 0;
      if (!MatchPattern(pattern, request, path, query, &labels, &score)) {
        continue;
      }
      if (score > best_score) {
        best_score = score;
        route.ref.service = service;
        route.ref.operation = pattern.operation;
        route.labels = std::move(labels);
      }
    }
  }

  const ServiceModel* first = candidates.front();
  route.ref.protocol = first->protocol;
  if (!route.ref.operation) {
    route.ref.service = first;
    if (std::string_view(first->id) == "s3") {
      route.error = AwsError{"MethodNotAllowed",
                             "The specified method is not allowed against "
                             "this resource.",
                             405};
      route.error->fields.emplace_back("Method", request.method);
    } else {
      route.error = UnknownOperation(std::string(first->id) + " " +
                                     request.method + " " + request.path);
      route.error->http_status = 404;
    }
    return route;
  }
  route.ref.protocol = route.ref.service->protocol;
  route.kind = Route::Kind::kOperation;

  // Operations whose input payload is a stream get their body spooled.
  const Operation& operation = *route.ref.operation;
  if (operation.input != kNoShape) {
    const ServiceModel& service = *route.ref.service;
    const Shape& input = service.shape(operation.input);
    if (input.payload_member != UINT32_MAX) {
      const Member& payload = service.member(input.payload_member);
      route.spool_body =
          (service.shape(payload.shape).flags & kShapeStreaming) != 0;
    }
  }
  return route;
}

}  // namespace brume::aws
