#pragma once

// Shape-driven conversion between documents and the XML of the query, ec2
// and rest-xml protocols, following the model's XML traits: locationName,
// flattened lists and maps, xmlAttribute and xmlNamespace. Scalars follow
// the same text rules in query parameters and XML.

#include <pugixml.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

#include "aws/codec/xml_writer.h"
#include "aws/model.h"
#include "services/common/document.h"

namespace brume::aws::codec {

// Raised while decoding input when a value does not fit its shape (for
// example "abc" for an integer). The codec catches it and returns the
// protocol's error for malformed input.
class MalformedValue : public std::runtime_error {
 public:
  MalformedValue(std::string member, std::string value, std::string reason)
      : std::runtime_error(reason),
        member_(std::move(member)),
        value_(std::move(value)) {}
  const std::string& member() const { return member_; }
  const std::string& value() const { return value_; }

 private:
  std::string member_;
  std::string value_;
};

// Renders a scalar document value (string, number, boolean, timestamp, blob)
// as XML or query text. Timestamps use the member's or shape's
// timestampFormat, else ISO 8601, with milliseconds when the value has a
// fraction or `always_millis` is set.
std::string FormatScalar(const Shape& shape, const Member* member,
                         const Document& value, bool always_millis = false);

// Parses the text form of a scalar of `shape`. Timestamps may be ISO 8601,
// RFC 822 or epoch seconds regardless of the format trait. Throws
// MalformedValue naming `member_name` when the text does not fit the shape.
Document ParseScalar(const Shape& shape, std::string_view text,
                     std::string_view member_name);

// Output options that differ between services.
struct XmlStyle {
  // Writes timestamps with milliseconds always (S3 writes
  // "2009-10-12T17:50:30.000Z").
  bool always_millis = false;
};

// Writes `value` as the element of `member` (named by its locationName or
// member name). Flattened lists and maps write one element per item.
void WriteXmlMember(XmlWriter& writer, const ServiceModel& service,
                    const Member& member, const Document& value,
                    const XmlStyle& style);

// Writes `value` of shape `shape` as an element called `name`, with its
// xmlAttribute members as attributes and `namespace_uri` (when not empty)
// as xmlns. For structures only members in Location::kBody are written.
void WriteXmlElement(XmlWriter& writer, const ServiceModel& service,
                     const Shape& shape, std::string_view name,
                     const Document& value, const XmlStyle& style,
                     std::string_view namespace_uri = {},
                     std::string_view namespace_prefix = {});

// Writes the body members of a structure as children of the current
// element (query results, where the wrapper element is the operation's).
void WriteXmlStructureMembers(XmlWriter& writer, const ServiceModel& service,
                              const Shape& shape, const Document& value,
                              const XmlStyle& style);

// Reads the body members of structure `shape` from the children and
// attributes of `node`. Throws MalformedValue on values that do not fit.
Document ReadXmlStructure(const ServiceModel& service, const Shape& shape,
                          const pugi::xml_node& node);

// Reads `node` as a value of `shape`.
Document ReadXmlValue(const ServiceModel& service, const Shape& shape,
                      const Member* member, const pugi::xml_node& node);

// Returns the wire name of a member in XML and query parameters: its
// locationName, else the locationName its target shape declares (SQS's
// TagMap travels as "Tag"), else nullptr for the member name.
const char* MemberLocationName(const ServiceModel& service,
                               const Member& member);

// Element name without its namespace prefix ("s3:Key" -> "Key").
std::string_view LocalName(const pugi::xml_node& node);

}  // namespace brume::aws::codec
