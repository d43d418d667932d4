#pragma once

// Generic protocol codecs over the generated model tables: they turn an HTTP
// request into the validated input document of its operation, and an output
// document or an AwsError into the HTTP response AWS would send.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/model.h"
#include "services/common/context.h"
#include "services/common/document.h"
#include "services/common/error.h"
#include "services/common/http.h"

namespace brume::aws {

// The operation a request was routed to, and the protocol it speaks.
struct OperationRef {
  const ServiceModel* service = nullptr;
  const Operation* operation = nullptr;
  Protocol protocol = Protocol::kJson;
};

// URI labels the router matched, percent-decoded, e.g. {"Bucket", "b"},
// {"Key", "a/b.txt"}.
using UriLabels = std::vector<std::pair<std::string, std::string>>;

// Parses the request into the operation's input document and validates it
// against the model (required members, types, enums, lengths, ranges),
// returning the error AWS returns for that protocol when it fails. A
// streaming payload member is not read: its bytes stay in request.body.
Result<Document> DecodeInput(const OperationRef& ref, const HttpRequest& request,
                             const UriLabels& labels);

// Serialises an output document: status code, headers (including the request
// id header of the protocol) and body. Uses ctx.response_file /
// ctx.response_payload for streaming or blob payload members and appends
// ctx.response_headers.
HttpResponse EncodeOutput(const OperationRef& ref, const Document& output,
                          const RequestContext& ctx);

// Renders an error in the shape of the protocol. `service` may be null when
// the request matched no service; the error is then rendered for
// `protocol` alone.
HttpResponse EncodeError(const ServiceModel* service, Protocol protocol,
                         const AwsError& error, std::string_view request_id);

}  // namespace brume::aws
