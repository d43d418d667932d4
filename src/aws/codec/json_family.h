#pragma once

// Pieces shared by the JSON-family codecs (json 1.0/1.1, rest-json and
// smithy-rpc-v2-cbor): converting between wire values and documents along a
// model shape, and naming errors the way these protocols do.

#include <string>
#include <string_view>

#include "aws/codec.h"
#include "aws/model.h"

namespace brume::aws::codec {

// Encoding a wire value had before it was parsed into a nlohmann::json value.
// JSON carries blobs as base64 strings and timestamps per timestampFormat.
// CBOR carries blobs as byte strings and timestamps as epoch numbers.
enum class WireFormat { kJson, kCbor };

// Converts a parsed wire value into the document of `shape`, checking JSON
// types the way AWS's deserializers do. Unknown structure members are
// dropped and null members are treated as absent. A type mismatch returns a
// SerializationException with AWS's message, e.g. "STRING_VALUE can not be
// converted to an Integer".
Result<Document> DocumentFromWire(const ServiceModel& service,
                                  const Shape& shape, const Document& wire,
                                  WireFormat format, Protocol protocol);

// Converts a document of `shape` into the JSON value written on the wire
// (member names per the model, blobs in base64, timestamps per format).
Document DocumentToJson(const ServiceModel& service, const Shape& shape,
                        const Document& value, Protocol protocol);

// The JSON key of a body member. awsQueryCompatible services use member
// names, because their locationName traits come from the query model.
std::string_view JsonMemberName(const ServiceModel& service,
                                const Member& member);

// Finds the error shape an AwsError code names, by shape name or by the
// query error code of the shape's error trait. Returns nullptr if none.
const Shape* FindErrorShape(const ServiceModel* service, std::string_view code);

// The "__type" value of a JSON-family error body.
std::string ErrorTypeName(const ServiceModel* service, Protocol protocol,
                          const AwsError& error);

// The x-amzn-query-error header value for awsQueryCompatible services,
// "<query code>;Sender" or "<query code>;Receiver".
std::string QueryErrorHeader(const ServiceModel* service,
                             const AwsError& error);

// The key of the error message in an error body: "Message" when the error
// shape declares that member, else "message".
std::string_view ErrorMessageKey(const ServiceModel* service,
                                 const AwsError& error);

// Builds a SerializationException (400) with `message`.
AwsError SerializationError(std::string message);

// Returns the request body, reading it from its spool file when spooled.
Result<std::string> ReadRequestBody(const HttpRequest& request);

}  // namespace brume::aws::codec
