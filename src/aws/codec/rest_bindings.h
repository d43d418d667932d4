#pragma once

// HTTP bindings of the rest protocols (rest-json and rest-xml): members whose
// model "location" is a URI label, a header, a header prefix map, the query
// string or the status code. The body codecs handle the remaining members.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "aws/codec.h"
#include "aws/model.h"

namespace brume::aws::codec {

// Converts the text of a header, query parameter or URI label into the
// document value of a scalar shape (string, boolean, number, timestamp,
// blob). Timestamps accept ISO 8601, RFC 822 and epoch seconds. Blobs and
// jsonvalue strings arrive base64-encoded. Returns a SerializationException
// when the text does not convert; rest-xml callers may replace the code.
Result<Document> ParseBoundValue(const ServiceModel& service,
                                 const Member& member, std::string_view text);

// Formats a scalar document value for a header, query parameter or URI label
// (timestamps in the member's effective format, blobs in base64, booleans
// as "true"/"false").
std::string FormatBoundValue(const ServiceModel& service, const Member& member,
                             const Document& value, Location location,
                             Protocol protocol);

// Decodes the members of `input_shape` bound to URI labels (including
// greedy {Key+} labels), headers, header prefix maps (x-amz-meta-*) and the
// query string into `input`. Header lists are comma-separated. Query lists
// are repeated keys, and a map bound to the query string receives every
// parameter that no other member claims. Keys absent from the request stay
// absent from `input`.
Status DecodeRestBindings(const ServiceModel& service, Protocol protocol,
                          const Shape& input_shape, const HttpRequest& request,
                          const UriLabels& labels, Document& input);

// Members of an output structure that the rest bindings did not place.
struct RestBodyMembers {
  // Absolute member indexes (into ServiceModel::members) bound to the body,
  // in model order. Empty when the structure has a payload member.
  std::vector<uint32_t> body;
  // The payload member, or nullptr when the body is the remaining members.
  const Member* payload = nullptr;
};

// Encodes the members of `output_shape` bound to headers, header prefix maps
// and the status code into `response` (status stays untouched when the
// output has no statusCode member or it is absent) and returns the members
// left for the body.
RestBodyMembers EncodeRestBindings(const ServiceModel& service,
                                   Protocol protocol, const Shape& output_shape,
                                   const Document& output,
                                   HttpResponse& response);

// Returns the members of a structure that travel in the body (location
// body), or its payload member. Used by decoders, which place the bound
// members separately.
RestBodyMembers RestBodyMembersOf(const ServiceModel& service,
                                  const Shape& shape);

// The wire name of a bound or body member: its locationName when the model
// gives one, else its member name.
std::string_view WireName(const Member& member);

}  // namespace brume::aws::codec
