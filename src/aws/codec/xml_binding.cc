#include "aws/codec/xml_binding.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "aws/codec/timestamps.h"
#include "platform/strings.h"

namespace brume::aws::codec {
namespace {

std::string FormatDouble(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  return fmt::format("{}", value);
}

std::string FormatNumber(const Document& value) {
  if (value.is_number_integer()) return value.dump();
  double number = value.get<double>();
  if (number == std::floor(number) && std::fabs(number) < 9.0e15) {
    return fmt::format("{}", static_cast<int64_t>(number));
  }
  return FormatDouble(number);
}

bool IsIntegerShape(ShapeType type) {
  return type == ShapeType::kByte || type == ShapeType::kShort ||
         type == ShapeType::kInteger || type == ShapeType::kLong;
}

Document ParseInteger(const Shape& shape, std::string_view text,
                      std::string_view member_name) {
  std::string_view digits = platform::Trim(text);
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  int64_t value = 0;
  auto [end, error] =
      std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || error != std::errc() ||
      end != digits.data() + digits.size()) {
    throw MalformedValue(std::string(member_name), std::string(text),
                         "not an integer");
  }
  int64_t min = std::numeric_limits<int64_t>::min();
  int64_t max = std::numeric_limits<int64_t>::max();
  switch (shape.type) {
    case ShapeType::kByte:
      min = std::numeric_limits<int8_t>::min();
      max = std::numeric_limits<int8_t>::max();
      break;
    case ShapeType::kShort:
      min = std::numeric_limits<int16_t>::min();
      max = std::numeric_limits<int16_t>::max();
      break;
    case ShapeType::kInteger:
      min = std::numeric_limits<int32_t>::min();
      max = std::numeric_limits<int32_t>::max();
      break;
    default:
      break;
  }
  if (value < min || value > max) {
    throw MalformedValue(std::string(member_name), std::string(text),
                         "out of range");
  }
  return value;
}

Document ParseFloat(std::string_view text, std::string_view member_name) {
  std::string trimmed(platform::Trim(text));
  if (trimmed == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (trimmed == "Infinity") return std::numeric_limits<double>::infinity();
  if (trimmed == "-Infinity") return -std::numeric_limits<double>::infinity();
  char* end = nullptr;
  double value = std::strtod(trimmed.c_str(), &end);
  if (trimmed.empty() || end != trimmed.c_str() + trimmed.size() ||
      std::isnan(value) || std::isinf(value)) {
    throw MalformedValue(std::string(member_name), std::string(text),
                         "not a number");
  }
  return value;
}

// Concatenates the character data (text and CDATA) directly inside `node`.
std::string NodeText(const pugi::xml_node& node) {
  std::string text;
  for (pugi::xml_node child : node.children()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      text += child.value();
    }
  }
  return text;
}

bool IsFlattened(const Member& member, const Shape& shape) {
  return (member.flags & kMemberFlattened) != 0 ||
         (shape.flags & kShapeFlattened) != 0;
}

const char* WireName(const ServiceModel& service, const Member& member,
                     const char* fallback) {
  const char* name = MemberLocationName(service, member);
  return name != nullptr ? name : fallback;
}

// Prefix of "xsi:type", or empty.
std::string_view PrefixOf(std::string_view qualified_name) {
  size_t colon = qualified_name.find(':');
  if (colon == std::string_view::npos) return {};
  return qualified_name.substr(0, colon);
}

std::string_view LocalPart(std::string_view qualified_name) {
  size_t colon = qualified_name.find(':');
  if (colon == std::string_view::npos) return qualified_name;
  return qualified_name.substr(colon + 1);
}

void WriteElement(XmlWriter& writer, const ServiceModel& service,
                  const Shape& shape, const Member* member,
                  std::string_view name, const Document& value,
                  const XmlStyle& style, std::string_view namespace_uri,
                  std::string_view namespace_prefix);

void WriteStructureAttributes(XmlWriter& writer, const ServiceModel& service,
                              const Shape& shape, const Document& value,
                              const XmlStyle& style) {
  for (uint32_t i = 0; i < shape.members_count; ++i) {
    const Member& member = service.member(shape.members_begin + i);
    if ((member.flags & kMemberXmlAttribute) == 0) continue;
    auto it = value.find(member.name);
    if (it == value.end()) continue;
    writer.Attribute(WireName(service, member, member.name),
                     FormatScalar(service.shape(member.shape), &member, *it,
                                  style.always_millis));
  }
}

// S3's Grantee declares xmlns:xsi through a shape-level xmlNamespace whose
// prefix the tables do not carry; the prefix of its "xsi:type" attribute
// member names it.
std::string_view ShapeNamespacePrefix(const ServiceModel& service,
                                      const Shape& shape) {
  for (uint32_t i = 0; i < shape.members_count; ++i) {
    const Member& member = service.member(shape.members_begin + i);
    if ((member.flags & kMemberXmlAttribute) != 0 &&
        member.location_name != nullptr) {
      std::string_view prefix = PrefixOf(member.location_name);
      if (!prefix.empty()) return prefix;
    }
  }
  return {};
}

void WriteElement(XmlWriter& writer, const ServiceModel& service,
                  const Shape& shape, const Member* member,
                  std::string_view name, const Document& value,
                  const XmlStyle& style, std::string_view namespace_uri,
                  std::string_view namespace_prefix) {
  writer.Open(name);
  if (namespace_uri.empty() && shape.xml_namespace != nullptr) {
    namespace_uri = shape.xml_namespace;
    namespace_prefix = ShapeNamespacePrefix(service, shape);
  }
  if (!namespace_uri.empty()) {
    std::string attribute = "xmlns";
    if (!namespace_prefix.empty()) {
      attribute += ':';
      attribute += namespace_prefix;
    }
    writer.Attribute(attribute, namespace_uri);
  }

  switch (shape.type) {
    case ShapeType::kStructure:
    case ShapeType::kUnion:
      if (!value.is_object()) break;
      WriteStructureAttributes(writer, service, shape, value, style);
      WriteXmlStructureMembers(writer, service, shape, value, style);
      break;
    case ShapeType::kList: {
      if (!value.is_array()) break;
      const Member& item = service.member(shape.members_begin);
      const Shape& item_shape = service.shape(item.shape);
      const char* item_name = WireName(service, item, "member");
      for (const Document& element : value) {
        WriteElement(
            writer, service, item_shape, &item, item_name, element, style,
            item.xml_namespace ? item.xml_namespace : "",
            item.xml_namespace_prefix ? item.xml_namespace_prefix : "");
      }
      break;
    }
    case ShapeType::kMap: {
      if (!value.is_object()) break;
      const Member& key = service.member(shape.members_begin);
      const Member& item = service.member(shape.members_begin + 1);
      for (auto it = value.begin(); it != value.end(); ++it) {
        writer.Open("entry");
        writer.Element(WireName(service, key, "key"), it.key());
        WriteElement(writer, service, service.shape(item.shape), &item,
                     WireName(service, item, "value"), it.value(), style, {},
                     {});
        writer.Close();
      }
      break;
    }
    default:
      writer.Text(FormatScalar(shape, member, value, style.always_millis));
  }
  writer.Close();
}

Document ReadMapEntries(const ServiceModel& service, const Shape& shape,
                        const pugi::xml_node& node) {
  Document map = Document::object();
  const Member& key_member = service.member(shape.members_begin);
  const Member& value_member = service.member(shape.members_begin + 1);
  std::string_view key_name = WireName(service, key_member, "key");
  std::string_view value_name = WireName(service, value_member, "value");
  for (pugi::xml_node entry : node.children()) {
    if (entry.type() != pugi::node_element) continue;
    std::string key;
    Document item;
    bool has_value = false;
    for (pugi::xml_node part : entry.children()) {
      if (part.type() != pugi::node_element) continue;
      if (LocalName(part) == key_name) {
        key = NodeText(part);
      } else if (LocalName(part) == value_name) {
        item = ReadXmlValue(service, service.shape(value_member.shape),
                            &value_member, part);
        has_value = true;
      }
    }
    if (has_value) map[key] = std::move(item);
  }
  return map;
}

Document ReadFlattenedMap(const ServiceModel& service, const Shape& shape,
                          const pugi::xml_node& parent, std::string_view name) {
  // Each <name> child of `parent` is one entry with a key and a value.
  Document map = Document::object();
  const Member& key_member = service.member(shape.members_begin);
  const Member& value_member = service.member(shape.members_begin + 1);
  std::string_view key_name = WireName(service, key_member, "key");
  std::string_view value_name = WireName(service, value_member, "value");
  for (pugi::xml_node entry : parent.children()) {
    if (entry.type() != pugi::node_element || LocalName(entry) != name) {
      continue;
    }
    pugi::xml_node key_node;
    pugi::xml_node value_node;
    for (pugi::xml_node part : entry.children()) {
      if (part.type() != pugi::node_element) continue;
      if (LocalName(part) == key_name) key_node = part;
      if (LocalName(part) == value_name) value_node = part;
    }
    if (key_node && value_node) {
      map[NodeText(key_node)] =
          ReadXmlValue(service, service.shape(value_member.shape),
                       &value_member, value_node);
    }
  }
  return map;
}

}  // namespace

const char* MemberLocationName(const ServiceModel& service,
                               const Member& member) {
  if (member.location_name != nullptr) return member.location_name;
  return service.shape(member.shape).xml_name;
}

std::string_view LocalName(const pugi::xml_node& node) {
  return LocalPart(node.name());
}

std::string FormatScalar(const Shape& shape, const Member* member,
                         const Document& value, bool always_millis) {
  switch (shape.type) {
    case ShapeType::kBlob:
      return platform::Base64Encode(BlobBytes(value));
    case ShapeType::kBoolean:
      if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
      break;
    case ShapeType::kTimestamp:
      if (value.is_number()) {
        TimestampFormat format = EffectiveTimestampFormat(
            Protocol::kRestXml, Location::kBody, member, shape);
        std::string text = FormatTimestamp(value.get<double>(), format);
        // S3 writes "2009-10-12T17:50:30.000Z" even for whole seconds.
        bool iso = format == TimestampFormat::kIso8601 ||
                   format == TimestampFormat::kDefault;
        if (always_millis && iso && text.find('.') == std::string::npos &&
            text.ends_with('Z')) {
          text.insert(text.size() - 1, ".000");
        }
        return text;
      }
      break;
    default:
      break;
  }
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number()) return FormatNumber(value);
  if (value.is_binary()) return BlobBytes(value);
  return value.dump();
}

Document ParseScalar(const Shape& shape, std::string_view text,
                     std::string_view member_name) {
  if (IsIntegerShape(shape.type)) {
    return ParseInteger(shape, text, member_name);
  }
  switch (shape.type) {
    case ShapeType::kBoolean: {
      std::string_view trimmed = platform::Trim(text);
      if (platform::EqualsIgnoreCase(trimmed, "true")) return true;
      if (platform::EqualsIgnoreCase(trimmed, "false")) return false;
      throw MalformedValue(std::string(member_name), std::string(text),
                           "not a boolean");
    }
    case ShapeType::kFloat:
    case ShapeType::kDouble:
    case ShapeType::kBigDecimal:
      return ParseFloat(text, member_name);
    case ShapeType::kBigInteger: {
      // Values beyond 64 bits lose precision as doubles.
      // TODO: keep big integers as decimal strings.
      Document number = ParseFloat(text, member_name);
      double value = number.get<double>();
      if (value != std::floor(value)) {
        throw MalformedValue(std::string(member_name), std::string(text),
                             "not an integer");
      }
      return number;
    }
    case ShapeType::kTimestamp: {
      std::optional<double> seconds = ParseTimestamp(platform::Trim(text));
      if (!seconds) {
        throw MalformedValue(std::string(member_name), std::string(text),
                             "not a timestamp");
      }
      if (*seconds == std::floor(*seconds)) {
        return static_cast<int64_t>(*seconds);
      }
      return *seconds;
    }
    case ShapeType::kBlob: {
      std::string bytes;
      if (!platform::Base64Decode(platform::Trim(text), &bytes)) {
        throw MalformedValue(std::string(member_name), std::string(text),
                             "not valid base64");
      }
      return Blob(bytes);
    }
    default:
      return std::string(text);
  }
}

void WriteXmlMember(XmlWriter& writer, const ServiceModel& service,
                    const Member& member, const Document& value,
                    const XmlStyle& style) {
  const Shape& shape = service.shape(member.shape);
  const char* name = WireName(service, member, member.name);
  if (shape.type == ShapeType::kList && IsFlattened(member, shape)) {
    if (!value.is_array()) return;
    // A flattened list repeats its items in the parent, named by the list
    // member's locationName when it has one (as botocore's parser reads).
    const Member& item = service.member(shape.members_begin);
    const char* item_name = WireName(service, item, name);
    for (const Document& element : value) {
      WriteElement(writer, service, service.shape(item.shape), &item, item_name,
                   element, style, {}, {});
    }
    return;
  }
  if (shape.type == ShapeType::kMap && IsFlattened(member, shape)) {
    if (!value.is_object()) return;
    const Member& key = service.member(shape.members_begin);
    const Member& item = service.member(shape.members_begin + 1);
    for (auto it = value.begin(); it != value.end(); ++it) {
      writer.Open(name);
      writer.Element(WireName(service, key, "key"), it.key());
      WriteElement(writer, service, service.shape(item.shape), &item,
                   WireName(service, item, "value"), it.value(), style, {}, {});
      writer.Close();
    }
    return;
  }
  WriteElement(writer, service, shape, &member, name, value, style,
               member.xml_namespace ? member.xml_namespace : "",
               member.xml_namespace_prefix ? member.xml_namespace_prefix : "");
}

void WriteXmlElement(XmlWriter& writer, const ServiceModel& service,
                     const Shape& shape, std::string_view name,
                     const Document& value, const XmlStyle& style,
                     std::string_view namespace_uri,
                     std::string_view namespace_prefix) {
  WriteElement(writer, service, shape, nullptr, name, value, style,
               namespace_uri, namespace_prefix);
}

void WriteXmlStructureMembers(XmlWriter& writer, const ServiceModel& service,
                              const Shape& shape, const Document& value,
                              const XmlStyle& style) {
  if (!value.is_object()) return;
  for (uint32_t i = 0; i < shape.members_count; ++i) {
    const Member& member = service.member(shape.members_begin + i);
    if (member.location != Location::kBody ||
        (member.flags & kMemberXmlAttribute) != 0) {
      continue;
    }
    auto it = value.find(member.name);
    if (it == value.end() || it->is_null()) continue;
    WriteXmlMember(writer, service, member, *it, style);
  }
}

Document ReadXmlStructure(const ServiceModel& service, const Shape& shape,
                          const pugi::xml_node& node) {
  Document result = Document::object();
  for (uint32_t i = 0; i < shape.members_count; ++i) {
    const Member& member = service.member(shape.members_begin + i);
    if (member.location != Location::kBody) continue;
    const Shape& member_shape = service.shape(member.shape);
    const char* name = WireName(service, member, member.name);

    if ((member.flags & kMemberXmlAttribute) != 0) {
      for (pugi::xml_attribute attribute : node.attributes()) {
        if (std::string_view(attribute.name()) == name ||
            LocalPart(attribute.name()) == LocalPart(name)) {
          result[member.name] =
              ParseScalar(member_shape, attribute.value(), member.name);
          break;
        }
      }
      continue;
    }

    if (member_shape.type == ShapeType::kList &&
        IsFlattened(member, member_shape)) {
      // Accept the list member's locationName (botocore's output rule) and
      // the member's own name (its input rule).
      const Member& item = service.member(member_shape.members_begin);
      std::string_view item_name = WireName(service, item, name);
      Document items = Document::array();
      for (pugi::xml_node child : node.children()) {
        if (child.type() != pugi::node_element) continue;
        std::string_view child_name = LocalName(child);
        if (child_name != item_name && child_name != name) continue;
        items.push_back(
            ReadXmlValue(service, service.shape(item.shape), &item, child));
      }
      if (!items.empty()) result[member.name] = std::move(items);
      continue;
    }

    if (member_shape.type == ShapeType::kMap &&
        IsFlattened(member, member_shape)) {
      Document map = ReadFlattenedMap(service, member_shape, node, name);
      if (!map.empty()) result[member.name] = std::move(map);
      continue;
    }

    for (pugi::xml_node child : node.children()) {
      if (child.type() == pugi::node_element && LocalName(child) == name) {
        result[member.name] =
            ReadXmlValue(service, member_shape, &member, child);
        break;
      }
    }
  }
  return result;
}

Document ReadXmlValue(const ServiceModel& service, const Shape& shape,
                      const Member* member, const pugi::xml_node& node) {
  switch (shape.type) {
    case ShapeType::kStructure:
    case ShapeType::kUnion:
      return ReadXmlStructure(service, shape, node);
    case ShapeType::kList: {
      const Member& item = service.member(shape.members_begin);
      const Shape& item_shape = service.shape(item.shape);
      Document items = Document::array();
      for (pugi::xml_node child : node.children()) {
        if (child.type() != pugi::node_element) continue;
        items.push_back(ReadXmlValue(service, item_shape, &item, child));
      }
      return items;
    }
    case ShapeType::kMap:
      return ReadMapEntries(service, shape, node);
    default:
      return ParseScalar(shape, NodeText(node),
                         member != nullptr ? member->name : shape.name);
  }
}

}  // namespace brume::aws::codec
