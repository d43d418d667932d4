#include "aws/codec/rest_bindings.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <set>

#include "aws/codec/timestamps.h"
#include "platform/strings.h"

namespace brume::aws::codec {

namespace {

// Prefix-map header values (S3 x-amz-meta-*) may carry any bytes: HTTP
// clients such as Python's http.client send non-ASCII text as Latin-1, the
// JavaScript SDK as UTF-8. Each byte becomes one code point, so documents
// stay valid UTF-8, and TextToHeaderBytes restores the exact bytes.
std::string HeaderBytesToText(std::string_view bytes) {
  std::string text;
  text.reserve(bytes.size());
  for (char c : bytes) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80) {
      text += c;
    } else {
      text += static_cast<char>(0xC0 | (byte >> 6));
      text += static_cast<char>(0x80 | (byte & 0x3F));
    }
  }
  return text;
}

// Inverts HeaderBytesToText. Text with code points above U+00FF (a value a
// handler wrote) is sent as its UTF-8 bytes.
std::string TextToHeaderBytes(std::string_view text) {
  std::string bytes;
  bytes.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    auto lead = static_cast<unsigned char>(text[i]);
    if ((lead == 0xC2 || lead == 0xC3) && i + 1 < text.size()) {
      auto next = static_cast<unsigned char>(text[i + 1]);
      bytes += static_cast<char>(((lead & 0x03) << 6) | (next & 0x3F));
      ++i;
    } else if (lead >= 0x80) {
      return std::string(text);
    } else {
      bytes += text[i];
    }
  }
  return bytes;
}

AwsError ConversionError(const Member& member, std::string_view text,
                         std::string_view expected) {
  // NOTE: the code and message for an unconvertible header, query or URI
  // value are not verified against AWS.
  AwsError error;
  error.code = "SerializationException";
  error.message = "Value '" + std::string(text) + "' at '" +
                  std::string(WireName(member)) + "' is not a valid " +
                  std::string(expected);
  error.http_status = 400;
  return error;
}

bool IsIntegerType(ShapeType type) {
  return type == ShapeType::kByte || type == ShapeType::kShort ||
         type == ShapeType::kInteger || type == ShapeType::kLong ||
         type == ShapeType::kBigInteger;
}

bool IsFloatType(ShapeType type) {
  return type == ShapeType::kFloat || type == ShapeType::kDouble ||
         type == ShapeType::kBigDecimal;
}

std::optional<double> ParseFloatText(std::string_view text) {
  // Smithy spells the special values NaN, Infinity and -Infinity.
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text == "Infinity") return std::numeric_limits<double>::infinity();
  if (text == "-Infinity") return -std::numeric_limits<double>::infinity();
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(),
                                   value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return value;
}

// Splits a header list value at commas. RFC 822 dates contain a comma after
// the weekday, so a timestamp list in that format splits at every second
// comma.
std::vector<std::string> SplitHeaderList(std::string_view value,
                                         bool rfc822_items) {
  std::vector<std::string> items;
  std::string current;
  bool skip_next_comma = rfc822_items;
  bool in_quotes = false;
  for (char c : value) {
    if (c == '"') {
      in_quotes = !in_quotes;
      continue;
    }
    if (c == ',' && !in_quotes) {
      if (skip_next_comma) {
        skip_next_comma = false;
        current.push_back(c);
        continue;
      }
      items.emplace_back(platform::Trim(current));
      current.clear();
      skip_next_comma = rfc822_items;
      continue;
    }
    current.push_back(c);
  }
  std::string_view last = platform::Trim(current);
  if (!last.empty() || !items.empty()) items.emplace_back(last);
  return items;
}

std::string FormatNumber(const Document& value) {
  if (value.is_number_float()) {
    const double d = value.get<double>();
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  }
  return value.dump();
}

}  // namespace

std::string_view WireName(const Member& member) {
  return member.location_name != nullptr ? member.location_name : member.name;
}

Result<Document> ParseBoundValue(const ServiceModel& service,
                                 const Member& member, std::string_view text) {
  const Shape& shape = service.shape(member.shape);
  switch (shape.type) {
    case ShapeType::kString: {
      if ((member.flags & kMemberJsonValue) == 0) return Document(text);
      // A jsonvalue string travels as base64-encoded JSON text.
      std::string json_text;
      if (!platform::Base64Decode(text, &json_text)) {
        return ConversionError(member, text, "base64-encoded JSON value");
      }
      Document parsed = Document::parse(json_text, nullptr, false);
      if (parsed.is_discarded()) {
        return ConversionError(member, text, "base64-encoded JSON value");
      }
      return parsed;
    }
    case ShapeType::kBoolean:
      if (platform::EqualsIgnoreCase(text, "true")) return Document(true);
      if (platform::EqualsIgnoreCase(text, "false")) return Document(false);
      return ConversionError(member, text, "boolean");
    case ShapeType::kTimestamp: {
      std::optional<double> seconds = ParseTimestamp(platform::Trim(text));
      if (!seconds) return ConversionError(member, text, "timestamp");
      return Document(*seconds);
    }
    case ShapeType::kBlob: {
      std::string bytes;
      if (!platform::Base64Decode(text, &bytes)) {
        return ConversionError(member, text, "base64-encoded blob");
      }
      return Blob(bytes);
    }
    default:
      break;
  }

  if (IsIntegerType(shape.type)) {
    std::string_view trimmed = platform::Trim(text);
    int64_t value = 0;
    auto [end, ec] = std::from_chars(
        trimmed.data(), trimmed.data() + trimmed.size(), value);
    if (ec != std::errc() || end != trimmed.data() + trimmed.size() ||
        trimmed.empty()) {
      return ConversionError(member, text, "integer");
    }
    return Document(value);
  }
  if (IsFloatType(shape.type)) {
    std::optional<double> value = ParseFloatText(platform::Trim(text));
    if (!value) return ConversionError(member, text, "number");
    return Document(*value);
  }
  return ConversionError(member, text, "scalar value");
}

std::string FormatBoundValue(const ServiceModel& service, const Member& member,
                             const Document& value, Location location,
                             Protocol protocol) {
  const Shape& shape = service.shape(member.shape);
  switch (shape.type) {
    case ShapeType::kString:
      if (member.flags & kMemberJsonValue) {
        return platform::Base64Encode(value.is_string()
                                          ? value.get<std::string>()
                                          : value.dump());
      }
      return value.is_string() ? value.get<std::string>() : value.dump();
    case ShapeType::kBoolean:
      return value.is_boolean() ? (value.get<bool>() ? "true" : "false")
                                : value.dump();
    case ShapeType::kTimestamp:
      if (!value.is_number()) return value.is_string() ? value.get<std::string>()
                                                       : value.dump();
      return FormatTimestamp(
          value.get<double>(),
          EffectiveTimestampFormat(protocol, location, &member, shape));
    case ShapeType::kBlob:
      return platform::Base64Encode(BlobBytes(value));
    default:
      break;
  }
  if (value.is_number()) return FormatNumber(value);
  return value.is_string() ? value.get<std::string>() : value.dump();
}

Status DecodeRestBindings(const ServiceModel& service, Protocol protocol,
                          const Shape& input_shape, const HttpRequest& request,
                          const UriLabels& labels, Document& input) {
  if (!input.is_object()) input = Document::object();
  const auto query = platform::ParseQueryString(request.query);
  std::set<std::string, std::less<>> claimed_query_keys;
  const Member* query_map = nullptr;

  const uint32_t end = input_shape.members_begin + input_shape.members_count;
  for (uint32_t i = input_shape.members_begin; i < end; ++i) {
    const Member& member = service.member(i);
    const Shape& shape = service.shape(member.shape);
    const std::string_view wire_name = WireName(member);

    switch (member.location) {
      case Location::kUri: {
        for (const auto& [label, value] : labels) {
          std::string_view name = label;
          if (name.ends_with('+')) name.remove_suffix(1);
          if (name != wire_name) continue;
          Result<Document> parsed =
              ParseBoundValue(service, member, value);
          if (!parsed.ok()) return parsed.error();
          input[member.name] = std::move(parsed).value();
          break;
        }
        break;
      }

      case Location::kHeader: {
        std::optional<std::string_view> header = request.headers.Get(wire_name);
        if (!header) break;
        if (shape.type == ShapeType::kList) {
          const Member& item = service.member(shape.members_begin);
          const Shape& item_shape = service.shape(item.shape);
          const bool rfc822_items =
              item_shape.type == ShapeType::kTimestamp &&
              EffectiveTimestampFormat(protocol, Location::kHeader, &item,
                                       item_shape) == TimestampFormat::kRfc822;
          Document list = Document::array();
          for (const std::string& text : SplitHeaderList(*header, rfc822_items)) {
            Result<Document> parsed =
                ParseBoundValue(service, item, text);
            if (!parsed.ok()) return parsed.error();
            list.push_back(std::move(parsed).value());
          }
          input[member.name] = std::move(list);
          break;
        }
        // An empty header carries no value for a non-string member.
        if (header->empty() && shape.type != ShapeType::kString) break;
        // Documents hold UTF-8 text, so other bytes are rejected here
        // rather than failing later when the document is stored.
        if (!platform::IsValidUtf8(*header)) {
          return ConversionError(member, "(bytes that are not UTF-8)",
                                 "UTF-8 header value");
        }
        Result<Document> parsed =
            ParseBoundValue(service, member, *header);
        if (!parsed.ok()) return parsed.error();
        input[member.name] = std::move(parsed).value();
        break;
      }

      case Location::kHeaders: {
        // A prefix map such as x-amz-meta-*: keys are the header names
        // without the prefix, in lower case as HTTP/1.1 servers see them.
        Document map = Document::object();
        for (const auto& [name, value] : request.headers) {
          if (name.size() <= wire_name.size() ||
              !platform::StartsWithIgnoreCase(name, wire_name)) {
            continue;
          }
          map[platform::ToLower(name.substr(wire_name.size()))] =
              HeaderBytesToText(value);
        }
        if (!map.empty()) input[member.name] = std::move(map);
        break;
      }

      case Location::kQueryString: {
        if (shape.type == ShapeType::kMap) {
          query_map = &member;
          break;
        }
        claimed_query_keys.emplace(wire_name);
        if (shape.type == ShapeType::kList) {
          const Member& item = service.member(shape.members_begin);
          Document list = Document::array();
          for (const auto& [key, value] : query) {
            if (key != wire_name) continue;
            Result<Document> parsed =
                ParseBoundValue(service, item, value);
            if (!parsed.ok()) return parsed.error();
            list.push_back(std::move(parsed).value());
          }
          if (!list.empty()) input[member.name] = std::move(list);
          break;
        }
        for (const auto& [key, value] : query) {
          if (key != wire_name) continue;
          Result<Document> parsed =
              ParseBoundValue(service, member, value);
          if (!parsed.ok()) return parsed.error();
          input[member.name] = std::move(parsed).value();
          break;
        }
        break;
      }

      case Location::kBody:
      case Location::kStatusCode:
        break;
    }
  }

  // A map bound to the query string takes every parameter no named member
  // claimed (API Gateway's map of string to string or to a string list).
  if (query_map != nullptr) {
    const Shape& map_shape = service.shape(query_map->shape);
    const Shape& value_shape =
        service.shape(service.member(map_shape.members_begin + 1).shape);
    Document map = Document::object();
    for (const auto& [key, value] : query) {
      if (claimed_query_keys.contains(key)) continue;
      if (value_shape.type == ShapeType::kList) {
        map[key].push_back(value);
      } else if (!map.contains(key)) {
        map[key] = value;
      }
    }
    if (!map.empty()) input[query_map->name] = std::move(map);
  }
  return Status();
}

RestBodyMembers RestBodyMembersOf(const ServiceModel& service,
                                  const Shape& shape) {
  RestBodyMembers result;
  if (shape.payload_member != kNoShape) {
    result.payload = &service.member(shape.payload_member);
    return result;
  }
  const uint32_t end = shape.members_begin + shape.members_count;
  for (uint32_t i = shape.members_begin; i < end; ++i) {
    if (service.member(i).location == Location::kBody) result.body.push_back(i);
  }
  return result;
}

RestBodyMembers EncodeRestBindings(const ServiceModel& service,
                                   Protocol protocol, const Shape& output_shape,
                                   const Document& output,
                                   HttpResponse& response) {
  const uint32_t end = output_shape.members_begin + output_shape.members_count;
  for (uint32_t i = output_shape.members_begin; i < end; ++i) {
    const Member& member = service.member(i);
    if (!output.is_object()) break;
    auto it = output.find(member.name);
    if (it == output.end() || it->is_null()) continue;
    const Shape& shape = service.shape(member.shape);
    const std::string wire_name(WireName(member));

    switch (member.location) {
      case Location::kHeader:
        if (shape.type == ShapeType::kList && it->is_array()) {
          const Member& item = service.member(shape.members_begin);
          std::string joined;
          for (const Document& value : *it) {
            if (!joined.empty()) joined += ", ";
            joined += FormatBoundValue(service, item, value, Location::kHeader,
                                       protocol);
          }
          response.headers.Set(wire_name, joined);
        } else {
          response.headers.Set(wire_name,
                               FormatBoundValue(service, member, *it,
                                                Location::kHeader, protocol));
        }
        break;

      case Location::kHeaders:
        if (it->is_object()) {
          for (const auto& [key, value] : it->items()) {
            response.headers.Set(
                wire_name + key,
                value.is_string() ? TextToHeaderBytes(value.get<std::string>())
                                  : value.dump());
          }
        }
        break;

      case Location::kStatusCode:
        if (it->is_number_integer()) response.status = it->get<int>();
        break;

      case Location::kUri:
      case Location::kQueryString:
      case Location::kBody:
        break;
    }
  }
  return RestBodyMembersOf(service, output_shape);
}

}  // namespace brume::aws::codec
