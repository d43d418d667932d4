// json 1.0/1.1 and rest-json codecs, and the JSON-family helpers the CBOR
// codec shares (json_family.h).

#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>

#include <zlib.h>

#include "aws/codec/json_family.h"
#include "aws/codec/protocols.h"
#include "aws/codec/rest_bindings.h"
#include "aws/codec/timestamps.h"
#include "platform/strings.h"

namespace brume::aws::codec {

namespace {

constexpr Document::error_handler_t kReplaceInvalidUtf8 =
    Document::error_handler_t::replace;

std::string DumpJson(const Document& value) {
  return value.dump(-1, ' ', false, kReplaceInvalidUtf8);
}

// Coral, the framework behind most JSON-protocol AWS services, names the
// JSON token it could not convert in its SerializationException messages.
std::string TokenName(const Document& wire) {
  if (wire.is_string()) return "STRING_VALUE";
  if (wire.is_boolean()) return wire.get<bool>() ? "TRUE_VALUE" : "FALSE_VALUE";
  if (wire.is_number()) return "NUMBER_VALUE";
  if (wire.is_binary()) return "BYTES_VALUE";
  return "NULL_VALUE";
}

// The Java type name and article Coral prints for a target shape type.
std::string JavaTypeName(ShapeType type) {
  switch (type) {
    case ShapeType::kString:
      return "a String";
    case ShapeType::kBoolean:
      return "a Boolean";
    case ShapeType::kByte:
      return "a Byte";
    case ShapeType::kShort:
      return "a Short";
    case ShapeType::kInteger:
      return "an Integer";
    case ShapeType::kLong:
      return "a Long";
    case ShapeType::kFloat:
      return "a Float";
    case ShapeType::kDouble:
      return "a Double";
    case ShapeType::kBigInteger:
      return "a BigInteger";
    case ShapeType::kBigDecimal:
      return "a BigDecimal";
    case ShapeType::kTimestamp:
      return "a Date";
    case ShapeType::kBlob:
      return "a ByteBuffer";
    default:
      return "a value";
  }
}

AwsError TypeMismatch(const Document& wire, ShapeType expected) {
  if (wire.is_array()) {
    return SerializationError("Start of list found where not expected");
  }
  if (wire.is_object()) {
    return SerializationError(
        "Start of structure or map found where not expected.");
  }
  // AWS prints "an Boolean" for a string sent as a boolean (observed from
  // SES v2), while a number sent as a boolean reads "a Boolean".
  if (wire.is_string() && expected == ShapeType::kBoolean) {
    return SerializationError("STRING_VALUE can not be converted to an Boolean");
  }
  // NOTE: messages for timestamps and blobs are not verified against AWS.
  return SerializationError(TokenName(wire) + " can not be converted to " +
                            JavaTypeName(expected));
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

Result<Document> ScalarFromWire(const Shape& shape, const Document& wire,
                                WireFormat format) {
  switch (shape.type) {
    case ShapeType::kString:
      if (wire.is_string()) return wire;
      return TypeMismatch(wire, shape.type);

    case ShapeType::kBoolean:
      if (wire.is_boolean()) return wire;
      // Coral accepts a JSON string that spells a boolean.
      if (wire.is_string()) {
        const std::string& text = wire.get_ref<const std::string&>();
        if (platform::EqualsIgnoreCase(text, "true")) return Document(true);
        if (platform::EqualsIgnoreCase(text, "false")) return Document(false);
      }
      return TypeMismatch(wire, shape.type);

    case ShapeType::kTimestamp: {
      if (wire.is_number()) return Document(wire.get<double>());
      if (wire.is_string() && format == WireFormat::kJson) {
        // A member whose timestampFormat is iso8601 or rfc822 is a string.
        // Epoch seconds sent as a string are accepted too.
        std::optional<double> seconds =
            ParseTimestamp(wire.get_ref<const std::string&>());
        if (seconds) return Document(*seconds);
      }
      return TypeMismatch(wire, shape.type);
    }

    case ShapeType::kBlob:
      if (format == WireFormat::kCbor) {
        if (wire.is_binary()) return wire;
        return TypeMismatch(wire, shape.type);
      }
      if (wire.is_string()) {
        std::string bytes;
        if (!platform::Base64Decode(wire.get_ref<const std::string&>(),
                                    &bytes)) {
          // NOTE: AWS's message for invalid base64 is not verified.
          return SerializationError("Base64 encoded string is invalid");
        }
        return Blob(bytes);
      }
      return TypeMismatch(wire, shape.type);

    case ShapeType::kDocument:
      return wire;

    default:
      break;
  }

  if (IsIntegerType(shape.type)) {
    // Numbers beyond the 64-bit range cannot be held, so they are rejected
    // instead of wrapping into a value the client never sent.
    // NOTE: AWS's message for an out-of-range number is not verified.
    if (wire.is_number_unsigned() &&
        wire.get<uint64_t>() >
            static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return SerializationError("Number " + wire.dump() +
                                " is out of range for a 64-bit integer");
    }
    if (wire.is_number_integer()) return wire;
    if (wire.is_number_float()) {
      // Coral truncates a fractional number sent for an integer member.
      const double value = wire.get<double>();
      if (!std::isfinite(value)) return TypeMismatch(wire, shape.type);
      if (value >= 9223372036854775808.0 || value < -9223372036854775808.0) {
        return SerializationError("Number " + wire.dump() +
                                  " is out of range for a 64-bit integer");
      }
      return Document(static_cast<int64_t>(std::trunc(value)));
    }
    return TypeMismatch(wire, shape.type);
  }
  if (IsFloatType(shape.type)) {
    if (wire.is_number()) return Document(wire.get<double>());
    // Smithy's JSON protocols send non-finite numbers as these strings.
    if (wire.is_string()) {
      const std::string& text = wire.get_ref<const std::string&>();
      if (text == "NaN") return Document(std::nan(""));
      if (text == "Infinity") {
        return Document(std::numeric_limits<double>::infinity());
      }
      if (text == "-Infinity") {
        return Document(-std::numeric_limits<double>::infinity());
      }
    }
    return TypeMismatch(wire, shape.type);
  }
  return TypeMismatch(wire, shape.type);
}

Result<Document> FromWire(const ServiceModel& service, const Shape& shape,
                          const Document& wire, WireFormat format,
                          Protocol protocol) {
  switch (shape.type) {
    case ShapeType::kStructure:
    case ShapeType::kUnion: {
      if (wire.is_array()) {
        return SerializationError("Start of list found where not expected");
      }
      if (!wire.is_object()) return SerializationError("Expected null");
      Document result = Document::object();
      const uint32_t end = shape.members_begin + shape.members_count;
      for (uint32_t i = shape.members_begin; i < end; ++i) {
        const Member& child = service.member(i);
        // Bound members (headers, URI labels, query) never come from the
        // body, even when a client repeats them there.
        if (child.location != Location::kBody) continue;
        // rpc-v2-cbor keys structures by member name and ignores jsonName.
        auto it = wire.find(format == WireFormat::kCbor
                                ? std::string_view(child.name)
                                : JsonMemberName(service, child));
        if (it == wire.end() || it->is_null()) continue;
        Result<Document> value = FromWire(service, service.shape(child.shape),
                                          *it, format, protocol);
        if (!value.ok()) return value;
        result[child.name] = std::move(value).value();
      }
      return result;
    }

    case ShapeType::kList: {
      if (!wire.is_array()) {
        if (wire.is_object()) {
          return SerializationError(
              "Start of structure or map found where not expected.");
        }
        return SerializationError("Expected list or null");
      }
      const Member& item = service.member(shape.members_begin);
      const Shape& item_shape = service.shape(item.shape);
      Document result = Document::array();
      for (const Document& element : wire) {
        if (element.is_null()) continue;
        Result<Document> value =
            FromWire(service, item_shape, element, format, protocol);
        if (!value.ok()) return value;
        result.push_back(std::move(value).value());
      }
      return result;
    }

    case ShapeType::kMap: {
      if (wire.is_array()) {
        return SerializationError("Start of list found where not expected");
      }
      if (!wire.is_object()) return SerializationError("Expected map or null");
      const Member& value_member = service.member(shape.members_begin + 1);
      const Shape& value_shape = service.shape(value_member.shape);
      Document result = Document::object();
      for (const auto& [key, element] : wire.items()) {
        if (element.is_null()) continue;
        Result<Document> value = FromWire(service, value_shape, element,
                                          format, protocol);
        if (!value.ok()) return value;
        result[key] = std::move(value).value();
      }
      return result;
    }

    default:
      return ScalarFromWire(shape, wire, format);
  }
}

Document TimestampToJson(double seconds, TimestampFormat format) {
  if (format == TimestampFormat::kIso8601 ||
      format == TimestampFormat::kRfc822) {
    return FormatTimestamp(seconds, format);
  }
  const double millis = std::round(seconds * 1000.0);
  if (std::fmod(millis, 1000.0) == 0) {
    return static_cast<int64_t>(millis / 1000.0);
  }
  return millis / 1000.0;
}

Document ToJson(const ServiceModel& service, const Shape& shape,
                const Member* member, const Document& value,
                Protocol protocol) {
  switch (shape.type) {
    case ShapeType::kStructure:
    case ShapeType::kUnion: {
      Document result = Document::object();
      if (!value.is_object()) return result;
      const uint32_t end = shape.members_begin + shape.members_count;
      for (uint32_t i = shape.members_begin; i < end; ++i) {
        const Member& child = service.member(i);
        if (child.location != Location::kBody) continue;
        auto it = value.find(child.name);
        if (it == value.end() || it->is_null()) continue;
        result[std::string(JsonMemberName(service, child))] =
            ToJson(service, service.shape(child.shape), &child, *it, protocol);
      }
      return result;
    }

    case ShapeType::kList: {
      Document result = Document::array();
      if (!value.is_array()) return result;
      const Member& item = service.member(shape.members_begin);
      const Shape& item_shape = service.shape(item.shape);
      for (const Document& element : value) {
        result.push_back(ToJson(service, item_shape, &item, element, protocol));
      }
      return result;
    }

    case ShapeType::kMap: {
      Document result = Document::object();
      if (!value.is_object()) return result;
      const Member& value_member = service.member(shape.members_begin + 1);
      const Shape& value_shape = service.shape(value_member.shape);
      for (const auto& [key, element] : value.items()) {
        result[key] =
            ToJson(service, value_shape, &value_member, element, protocol);
      }
      return result;
    }

    case ShapeType::kTimestamp:
      if (!value.is_number()) return value;
      return TimestampToJson(
          value.get<double>(),
          EffectiveTimestampFormat(protocol, Location::kBody, member, shape));

    case ShapeType::kBlob:
      if (value.is_binary() || value.is_string()) {
        return platform::Base64Encode(BlobBytes(value));
      }
      return value;

    case ShapeType::kFloat:
    case ShapeType::kDouble:
      if (value.is_number_float()) {
        const double d = value.get<double>();
        if (std::isnan(d)) return "NaN";
        if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
      }
      return value;

    default:
      return value;
  }
}

// Parses a JSON request body; an empty body is an empty object.
Result<Document> ParseJsonBody(std::string_view body) {
  if (platform::Trim(body).empty()) return Document::object();
  Document parsed = Document::parse(body, nullptr, false);
  if (parsed.is_discarded()) {
    // NOTE: AWS's message for a body that is not JSON is not verified.
    return SerializationError("Malformed JSON request body");
  }
  return parsed;
}

std::string JsonContentType(const ServiceModel& service) {
  const char* version =
      service.json_version != nullptr ? service.json_version : "1.0";
  return std::string("application/x-amz-json-") + version;
}

void AppendContextHeaders(const RequestContext& ctx, HttpResponse& response) {
  for (const auto& [name, value] : ctx.response_headers) {
    response.headers.Set(name, value);
  }
  if (ctx.response_status) response.status = *ctx.response_status;
}

bool IsStreamingPayload(const Member& member, const Shape& shape) {
  return (member.flags & kMemberStreaming) != 0 ||
         (shape.flags & kShapeStreaming) != 0;
}

}  // namespace

AwsError SerializationError(std::string message) {
  AwsError error;
  error.code = "SerializationException";
  error.message = std::move(message);
  error.http_status = 400;
  return error;
}

std::string_view JsonMemberName(const ServiceModel& service,
                                const Member& member) {
  if (service.aws_query_compatible) return member.name;
  return WireName(member);
}

Result<Document> DocumentFromWire(const ServiceModel& service,
                                  const Shape& shape, const Document& wire,
                                  WireFormat format, Protocol protocol) {
  return FromWire(service, shape, wire, format, protocol);
}

Document DocumentToJson(const ServiceModel& service, const Shape& shape,
                        const Document& value, Protocol protocol) {
  return ToJson(service, shape, nullptr, value, protocol);
}

Result<std::string> ReadRequestBody(const HttpRequest& request) {
  if (!request.body.spooled) return request.body.data;
  std::ifstream in(request.body.file_path, std::ios::binary);
  if (!in) {
    return InternalFailure("cannot read the spooled request body " +
                           request.body.file_path);
  }
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

const Shape* FindErrorShape(const ServiceModel* service,
                            std::string_view code) {
  if (service == nullptr || code.empty()) return nullptr;
  const Shape* shape = service->FindShape(code);
  if (shape != nullptr && (shape->flags & kShapeException) != 0) return shape;
  for (const Shape& candidate : service->shapes) {
    if ((candidate.flags & kShapeException) != 0 &&
        candidate.error_code != nullptr && code == candidate.error_code) {
      return &candidate;
    }
  }
  return nullptr;
}

std::string ErrorTypeName(const ServiceModel* service, Protocol protocol,
                          const AwsError& error) {
  const Shape* shape = FindErrorShape(service, error.code);
  const std::string name = shape != nullptr ? shape->name : error.code;
  if (service == nullptr) return name;
  const std::string_view id = service->id;

  // Clients keep what follows '#', so the namespace only has to match what
  // AWS sends where tools compare whole bodies. DynamoDB and SQS send these.
  if (id == "dynamodb") {
    if (shape != nullptr) return "com.amazonaws.dynamodb.v20120810#" + name;
    if (name == "ValidationException") {
      return "com.amazon.coral.validate#" + name;
    }
    return "com.amazon.coral.service#" + name;
  }
  if (id == "sqs" && shape != nullptr) return "com.amazonaws.sqs#" + name;
  if (protocol == Protocol::kRpcV2Cbor && shape != nullptr) {
    // smithy-rpc-v2-cbor sends the absolute shape id.
    return "com.amazonaws." + std::string(id) + "#" + name;
  }
  return name;
}

std::string QueryErrorHeader(const ServiceModel* service,
                             const AwsError& error) {
  if (service == nullptr || !service->aws_query_compatible) return "";
  const Shape* shape = FindErrorShape(service, error.code);
  std::string code = error.code;
  if (shape != nullptr) {
    code = shape->error_code != nullptr ? shape->error_code : shape->name;
  }
  return code + (error.sender_fault ? ";Sender" : ";Receiver");
}

std::string_view ErrorMessageKey(const ServiceModel* service,
                                 const AwsError& error) {
  const Shape* shape = FindErrorShape(service, error.code);
  if (shape == nullptr) return "message";
  const uint32_t end = shape->members_begin + shape->members_count;
  for (uint32_t i = shape->members_begin; i < end; ++i) {
    if (std::string_view(service->member(i).name) == "Message") {
      return "Message";
    }
  }
  return "message";
}

Result<Document> DecodeJson(const OperationRef& ref,
                            const HttpRequest& request) {
  const ServiceModel& service = *ref.service;
  if (ref.operation->input == kNoShape) return Document::object();

  Result<std::string> body = ReadRequestBody(request);
  if (!body.ok()) return body.error();
  Result<Document> wire = ParseJsonBody(body.value());
  if (!wire.ok()) return wire;
  return DocumentFromWire(service, service.shape(ref.operation->input),
                          wire.value(), WireFormat::kJson, ref.protocol);
}

HttpResponse EncodeJson(const OperationRef& ref, const Document& output,
                        const RequestContext& ctx) {
  const ServiceModel& service = *ref.service;
  HttpResponse response;
  response.status = 200;
  if (ref.operation->output == kNoShape) {
    response.body = "{}";
  } else {
    response.body = DumpJson(DocumentToJson(
        service, service.shape(ref.operation->output), output, ref.protocol));
  }
  response.headers.Set("x-amzn-RequestId", ctx.request_id);
  response.headers.Set("Content-Type", JsonContentType(service));
  if (std::string_view(service.id) == "dynamodb") {
    // DynamoDB sends the CRC32 of every body, which SDKs verify when present.
    const uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(
                                    response.body.data()),
                            static_cast<uInt>(response.body.size()));
    response.headers.Set("x-amz-crc32", std::to_string(crc));
  }
  AppendContextHeaders(ctx, response);
  return response;
}

Result<Document> DecodeRestJson(const OperationRef& ref,
                                const HttpRequest& request,
                                const UriLabels& labels) {
  const ServiceModel& service = *ref.service;
  Document input = Document::object();
  if (ref.operation->input == kNoShape) return input;
  const Shape& shape = service.shape(ref.operation->input);

  // Body: either one payload member or the remaining body members.
  RestBodyMembers body_members = RestBodyMembersOf(service, shape);
  if (body_members.payload != nullptr) {
    const Member& payload = *body_members.payload;
    const Shape& payload_shape = service.shape(payload.shape);
    if (payload_shape.type == ShapeType::kBlob &&
        IsStreamingPayload(payload, payload_shape)) {
      // Streaming bytes stay in request.body for the handler to read.
    } else {
      Result<std::string> body = ReadRequestBody(request);
      if (!body.ok()) return body.error();
      if (payload_shape.type == ShapeType::kBlob) {
        if (!body.value().empty()) input[payload.name] = Blob(body.value());
      } else if (payload_shape.type == ShapeType::kString) {
        if (!body.value().empty()) input[payload.name] = body.value();
      } else if (!platform::Trim(body.value()).empty()) {
        Result<Document> wire = ParseJsonBody(body.value());
        if (!wire.ok()) return wire;
        Result<Document> value =
            DocumentFromWire(service, payload_shape, wire.value(),
                             WireFormat::kJson, ref.protocol);
        if (!value.ok()) return value;
        input[payload.name] = std::move(value).value();
      }
    }
  } else if (!body_members.body.empty()) {
    Result<std::string> body = ReadRequestBody(request);
    if (!body.ok()) return body.error();
    Result<Document> wire = ParseJsonBody(body.value());
    if (!wire.ok()) return wire;
    Result<Document> value = DocumentFromWire(service, shape, wire.value(),
                                              WireFormat::kJson, ref.protocol);
    if (!value.ok()) return value;
    input = std::move(value).value();
  }

  // URI labels, headers and query string.
  Status bound = DecodeRestBindings(service, ref.protocol, shape, request,
                                    labels, input);
  if (!bound.ok()) return bound.error();
  return input;
}

HttpResponse EncodeRestJson(const OperationRef& ref, const Document& output,
                            const RequestContext& ctx) {
  const ServiceModel& service = *ref.service;
  HttpResponse response;
  response.status = ref.operation->http_response_code;
  response.headers.Set("x-amzn-RequestId", ctx.request_id);
  if (ref.operation->output == kNoShape) {
    AppendContextHeaders(ctx, response);
    return response;
  }
  const Shape& shape = service.shape(ref.operation->output);
  RestBodyMembers body_members =
      EncodeRestBindings(service, ref.protocol, shape, output, response);

  if (body_members.payload != nullptr) {
    const Member& payload = *body_members.payload;
    const Shape& payload_shape = service.shape(payload.shape);
    auto value = output.is_object() ? output.find(payload.name) : output.end();
    const bool present = output.is_object() && value != output.end() &&
                         !value->is_null();
    std::string content_type;
    if (payload_shape.type == ShapeType::kBlob) {
      content_type = "application/octet-stream";
      if (ctx.response_file) {
        response.file = *ctx.response_file;
      } else if (ctx.response_payload) {
        response.body = *ctx.response_payload;
      } else if (present) {
        response.body = BlobBytes(*value);
      }
    } else if (payload_shape.type == ShapeType::kString) {
      content_type = "text/plain";
      if (ctx.response_payload) {
        response.body = *ctx.response_payload;
      } else if (present && value->is_string()) {
        response.body = value->get<std::string>();
      }
    } else if (present) {
      content_type = "application/json";
      response.body = DumpJson(
          ToJson(service, payload_shape, &payload, *value, ref.protocol));
    }
    if (!content_type.empty() && !response.headers.Has("Content-Type") &&
        (!response.body.empty() || response.file)) {
      response.headers.Set("Content-Type", content_type);
    }
  } else if (!body_members.body.empty()) {
    response.body =
        DumpJson(DocumentToJson(service, shape, output, ref.protocol));
    if (!response.headers.Has("Content-Type")) {
      response.headers.Set("Content-Type", "application/json");
    }
  }
  AppendContextHeaders(ctx, response);
  return response;
}

HttpResponse EncodeJsonError(const ServiceModel* service, Protocol protocol,
                             const AwsError& error,
                             std::string_view request_id) {
  HttpResponse response;
  response.status = error.http_status;

  Document body = Document::object();
  body["__type"] = ErrorTypeName(service, protocol, error);
  body[std::string(ErrorMessageKey(service, error))] = error.message;
  for (const auto& [name, value] : error.fields) body[name] = value;
  response.body = DumpJson(body);

  response.headers.Set("x-amzn-RequestId", std::string(request_id));
  if (protocol == Protocol::kRestJson) {
    response.headers.Set("Content-Type", "application/json");
    const Shape* shape = FindErrorShape(service, error.code);
    response.headers.Set("x-amzn-ErrorType",
                         shape != nullptr ? shape->name : error.code);
  } else {
    response.headers.Set("Content-Type",
                         service != nullptr ? JsonContentType(*service)
                                            : "application/x-amz-json-1.0");
  }
  std::string query_error = QueryErrorHeader(service, error);
  if (!query_error.empty()) {
    response.headers.Set("x-amzn-query-error", query_error);
  }
  for (const auto& [name, value] : error.headers) {
    response.headers.Set(name, value);
  }
  return response;
}

}  // namespace brume::aws::codec
