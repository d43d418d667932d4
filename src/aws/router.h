#pragma once

// Finds the service, operation and protocol of a request the way AWS front
// ends do. The operation comes from X-Amz-Target, the smithy-rpc-v2-cbor
// path, the query `Action` parameter, or, for REST protocols, the request
// URI patterns of the service models. The service of a REST or query request
// comes from the SigV4 credential scope or the Host header. Every table is
// built from the compiled models.

#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "aws/codec.h"
#include "aws/model.h"
#include "aws/sigv4.h"

namespace brume::aws {

// S3 requests that no model operation describes: browser form uploads and
// CORS preflight. The S3 service registers handlers under these names.
inline constexpr std::string_view kS3PostObject = "PostObject";
inline constexpr std::string_view kS3OptionsPreflight = "OptionsPreflight";

struct Route {
  enum class Kind {
    kOperation,  // ref and labels are set
    kNeedBody,   // a query request whose Action is in the form body
    kError,      // error is set; ref.service and ref.protocol select its format
  };
  Kind kind = Kind::kError;
  OperationRef ref;
  UriLabels labels;
  std::optional<AwsError> error;
  // The operation's input is a streaming payload: spool the body to a file.
  bool spool_body = false;
  // Set for S3 requests routed to kS3PostObject / kS3OptionsPreflight; ref
  // then has no operation.
  std::string pseudo_operation;
};

class Router {
 public:
  explicit Router(std::span<const ServiceModel* const> models);

  // Routes with the request line and headers only. `auth` is the request's
  // parsed SigV4 data, if it carried any.
  Route RouteHeaders(const HttpRequest& request, const SigV4Auth* auth) const;

  // Routes a query request once its form body has been read.
  Route RouteQueryBody(const HttpRequest& request, const SigV4Auth* auth) const;

  // Services that a SigV4 signing name or endpoint prefix designates.
  std::vector<const ServiceModel*> ServicesForName(std::string_view name) const;

 private:
  struct UriPattern {
    const Operation* operation;
    std::vector<std::string> segments;  // literal or "{Label}" / "{Label+}"
    std::vector<std::pair<std::string, std::string>> query;  // literals
    int literal_chars = 0;
    // Required input members bound to headers or the query string.
    std::vector<std::pair<Location, std::string>> required;
  };
  struct RestService {
    const ServiceModel* model;
    std::vector<UriPattern> patterns;
  };
  // A REST service's patterns, built on its first request, so that startup
  // reads no operation or shape tables.
  struct LazyRestService {
    std::once_flag built;
    RestService rest;
  };

  Route RouteRpc(const HttpRequest& request, const ServiceModel* service,
                 std::string_view operation, Protocol protocol) const;
  Route RouteRest(const HttpRequest& request, const SigV4Auth* auth) const;
  Route RouteQuery(const HttpRequest& request, const SigV4Auth* auth,
                   std::string_view action) const;
  const ServiceModel* ServiceFromHost(const HttpRequest& request) const;
  // Returns the URI patterns of a REST service, building them on first use.
  // Safe to call from several threads at once.
  const RestService& RestPatterns(const ServiceModel* service) const;
  // The query service that has `action`, or nullptr when none or several do.
  const ServiceModel* OnlyQueryServiceWith(std::string_view action) const;
  bool MatchPattern(const UriPattern& pattern, const HttpRequest& request,
                    std::string_view path,
                    const std::vector<std::pair<std::string, std::string>>&
                        query,
                    UriLabels* labels, int* score) const;

  std::span<const ServiceModel* const> models_;
  std::unordered_map<std::string, const ServiceModel*> by_target_prefix_;
  std::unordered_map<std::string, std::vector<const ServiceModel*>> by_name_;
  // One entry per REST service, inserted by the constructor. Later calls
  // change only an entry's contents.
  std::unordered_map<const ServiceModel*, std::unique_ptr<LazyRestService>>
      rest_;
};

// Splits an S3 virtual-hosted-style Host ("bucket.localhost:4566",
// "bucket.s3.amazonaws.com", "bucket.s3.us-west-2.amazonaws.com") into its
// bucket name; nullopt for path-style hosts.
std::optional<std::string> VirtualHostedBucket(std::string_view host);

}  // namespace brume::aws
