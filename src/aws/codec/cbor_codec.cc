// smithy-rpc-v2-cbor codec (CloudWatch's current protocol) and the CBOR
// reader and writer of cbor.h.
//
// Requests are POST /service/<ServiceName>/operation/<Operation> with
// "smithy-protocol: rpc-v2-cbor" and a CBOR map body. Responses carry the
// same header and "Content-Type: application/cbor". Errors are a CBOR map
// with "__type" (the error's shape id) and the error structure's members.

#include <cmath>
#include <cstring>
#include <vector>

#include "aws/codec/cbor.h"
#include "aws/codec/json_family.h"
#include "aws/codec/protocols.h"

namespace brume::aws::codec {

namespace {

constexpr int kMaxDepth = 64;
constexpr uint64_t kIndefinite = UINT64_MAX;

// Recursive-descent CBOR reader over a byte string.
class CborReader {
 public:
  explicit CborReader(std::string_view bytes) : bytes_(bytes) {}

  bool done() const { return pos_ == bytes_.size(); }

  bool Read(Document* out, int depth) {
    if (depth > kMaxDepth || pos_ >= bytes_.size()) return false;
    const uint8_t initial = static_cast<uint8_t>(bytes_[pos_++]);
    const uint8_t major = initial >> 5;
    const uint8_t info = initial & 0x1f;

    if (major == 7) return ReadSimple(info, out);

    uint64_t argument = 0;
    if (!ReadArgument(info, &argument)) return false;
    switch (major) {
      case 0:
        if (argument > static_cast<uint64_t>(INT64_MAX)) {
          *out = argument;
        } else {
          *out = static_cast<int64_t>(argument);
        }
        return true;
      case 1:
        // -1 - argument; arguments past INT64_MAX do not fit a document.
        if (argument > static_cast<uint64_t>(INT64_MAX)) return false;
        *out = -1 - static_cast<int64_t>(argument);
        return true;
      case 2:
      case 3: {
        std::string text;
        if (!ReadString(major, argument, &text)) return false;
        if (major == 2) {
          *out = Blob(text);
        } else {
          *out = std::move(text);
        }
        return true;
      }
      case 4:
        return ReadArray(argument, out, depth);
      case 5:
        return ReadMap(argument, out, depth);
      case 6:
        // Tag 1 (epoch time) and other tags both yield their content,
        // because the model shape determines what the value means.
        return Read(out, depth + 1);
    }
    return false;
  }

 private:
  bool Take(size_t count, std::string_view* out) {
    if (bytes_.size() - pos_ < count) return false;
    *out = bytes_.substr(pos_, count);
    pos_ += count;
    return true;
  }

  bool ReadArgument(uint8_t info, uint64_t* argument) {
    if (info < 24) {
      *argument = info;
      return true;
    }
    if (info == 31) {
      *argument = kIndefinite;
      return true;
    }
    if (info > 27) return false;
    const size_t width = size_t{1} << (info - 24);
    std::string_view raw;
    if (!Take(width, &raw)) return false;
    uint64_t value = 0;
    for (char c : raw) value = (value << 8) | static_cast<uint8_t>(c);
    *argument = value;
    return true;
  }

  bool ReadString(uint8_t major, uint64_t length, std::string* out) {
    if (length != kIndefinite) {
      std::string_view raw;
      if (!Take(length, &raw)) return false;
      out->assign(raw);
      return true;
    }
    // Indefinite length: definite chunks of the same major type until 0xff.
    while (true) {
      if (pos_ >= bytes_.size()) return false;
      const uint8_t initial = static_cast<uint8_t>(bytes_[pos_++]);
      if (initial == 0xff) return true;
      if ((initial >> 5) != major) return false;
      uint64_t chunk_length = 0;
      if (!ReadArgument(initial & 0x1f, &chunk_length) ||
          chunk_length == kIndefinite) {
        return false;
      }
      std::string_view chunk;
      if (!Take(chunk_length, &chunk)) return false;
      out->append(chunk);
    }
  }

  bool AtBreak() {
    if (pos_ < bytes_.size() && static_cast<uint8_t>(bytes_[pos_]) == 0xff) {
      ++pos_;
      return true;
    }
    return false;
  }

  bool ReadArray(uint64_t count, Document* out, int depth) {
    *out = Document::array();
    for (uint64_t i = 0; count == kIndefinite || i < count; ++i) {
      if (count == kIndefinite && AtBreak()) return true;
      if (count != kIndefinite && count > bytes_.size() - pos_) return false;
      Document item;
      if (!Read(&item, depth + 1)) return false;
      out->push_back(std::move(item));
    }
    return true;
  }

  bool ReadMap(uint64_t count, Document* out, int depth) {
    *out = Document::object();
    for (uint64_t i = 0; count == kIndefinite || i < count; ++i) {
      if (count == kIndefinite && AtBreak()) return true;
      if (count != kIndefinite && count > bytes_.size() - pos_) return false;
      Document key;
      if (!Read(&key, depth + 1) || !key.is_string()) return false;
      Document value;
      if (!Read(&value, depth + 1)) return false;
      (*out)[key.get<std::string>()] = std::move(value);
    }
    return true;
  }

  bool ReadSimple(uint8_t info, Document* out) {
    std::string_view raw;
    switch (info) {
      case 20:
        *out = false;
        return true;
      case 21:
        *out = true;
        return true;
      case 22:
      case 23:
        *out = nullptr;
        return true;
      case 25: {
        if (!Take(2, &raw)) return false;
        *out = HalfToDouble(static_cast<uint16_t>(
            (static_cast<uint8_t>(raw[0]) << 8) | static_cast<uint8_t>(raw[1])));
        return true;
      }
      case 26: {
        if (!Take(4, &raw)) return false;
        uint32_t bits = 0;
        for (char c : raw) bits = (bits << 8) | static_cast<uint8_t>(c);
        float value;
        std::memcpy(&value, &bits, sizeof(value));
        *out = static_cast<double>(value);
        return true;
      }
      case 27: {
        if (!Take(8, &raw)) return false;
        uint64_t bits = 0;
        for (char c : raw) bits = (bits << 8) | static_cast<uint8_t>(c);
        double value;
        std::memcpy(&value, &bits, sizeof(value));
        *out = value;
        return true;
      }
      default:
        return false;
    }
  }

  // IEEE 754 half precision, as RFC 8949 appendix D decodes it.
  static double HalfToDouble(uint16_t half) {
    const int exponent = (half >> 10) & 0x1f;
    const int mantissa = half & 0x3ff;
    double value;
    if (exponent == 0) {
      value = std::ldexp(mantissa, -24);
    } else if (exponent != 31) {
      value = std::ldexp(mantissa + 1024, exponent - 25);
    } else {
      value = mantissa == 0 ? INFINITY : NAN;
    }
    return (half & 0x8000) ? -value : value;
  }

  std::string_view bytes_;
  size_t pos_ = 0;
};

// Writes a document along its shape: timestamps as tag 1 epoch numbers and
// blobs as byte strings, so clients decode them by type.
void WriteValue(CborWriter& writer, const ServiceModel& service,
                const Shape& shape, const Document& value) {
  switch (shape.type) {
    case ShapeType::kStructure:
    case ShapeType::kUnion: {
      std::vector<uint32_t> present;
      const uint32_t end = shape.members_begin + shape.members_count;
      for (uint32_t i = shape.members_begin; i < end; ++i) {
        auto it = value.is_object() ? value.find(service.member(i).name)
                                    : value.end();
        if (value.is_object() && it != value.end() && !it->is_null()) {
          present.push_back(i);
        }
      }
      writer.BeginMap(present.size());
      for (uint32_t index : present) {
        const Member& member = service.member(index);
        writer.Text(member.name);
        WriteValue(writer, service, service.shape(member.shape),
                   value[member.name]);
      }
      return;
    }

    case ShapeType::kList: {
      const Shape& item_shape =
          service.shape(service.member(shape.members_begin).shape);
      if (!value.is_array()) {
        writer.BeginArray(0);
        return;
      }
      writer.BeginArray(value.size());
      for (const Document& item : value) {
        WriteValue(writer, service, item_shape, item);
      }
      return;
    }

    case ShapeType::kMap: {
      const Shape& value_shape =
          service.shape(service.member(shape.members_begin + 1).shape);
      if (!value.is_object()) {
        writer.BeginMap(0);
        return;
      }
      writer.BeginMap(value.size());
      for (const auto& [key, item] : value.items()) {
        writer.Text(key);
        WriteValue(writer, service, value_shape, item);
      }
      return;
    }

    case ShapeType::kTimestamp:
      writer.Tag(1);
      if (value.is_number_integer()) {
        writer.Integer(value.get<int64_t>());
      } else if (value.is_number()) {
        const double seconds = std::round(value.get<double>() * 1000.0) / 1000.0;
        if (std::floor(seconds) == seconds) {
          writer.Integer(static_cast<int64_t>(seconds));
        } else {
          writer.Double(seconds);
        }
      } else {
        writer.Integer(0);
      }
      return;

    case ShapeType::kBlob:
      writer.Bytes(BlobBytes(value));
      return;

    default:
      break;
  }

  // Float shapes stay floats even when the document holds an integer, so
  // clients that decode strictly by type accept them.
  const bool float_shape = shape.type == ShapeType::kFloat ||
                           shape.type == ShapeType::kDouble ||
                           shape.type == ShapeType::kBigDecimal;
  if (float_shape && value.is_number()) {
    writer.Double(value.get<double>());
    return;
  }

  // Other scalars and documents: write by the JSON type of the value.
  if (value.is_string()) {
    writer.Text(value.get_ref<const std::string&>());
  } else if (value.is_boolean()) {
    writer.Bool(value.get<bool>());
  } else if (value.is_number_unsigned()) {
    writer.Unsigned(value.get<uint64_t>());
  } else if (value.is_number_integer()) {
    writer.Integer(value.get<int64_t>());
  } else if (value.is_number_float()) {
    if (shape.type == ShapeType::kDocument) {
      writer.Double(value.get<double>());
    } else {
      writer.Integer(static_cast<int64_t>(value.get<double>()));
    }
  } else if (value.is_binary()) {
    writer.Bytes(BlobBytes(value));
  } else if (value.is_array()) {
    writer.BeginArray(value.size());
    for (const Document& item : value) {
      WriteValue(writer, service, shape, item);
    }
  } else if (value.is_object()) {
    writer.BeginMap(value.size());
    for (const auto& [key, item] : value.items()) {
      writer.Text(key);
      WriteValue(writer, service, shape, item);
    }
  } else {
    writer.Null();
  }
}

void SetCborHeaders(HttpResponse& response, std::string_view request_id,
                    bool has_body) {
  response.headers.Set("smithy-protocol", "rpc-v2-cbor");
  if (has_body) response.headers.Set("Content-Type", "application/cbor");
  response.headers.Set("x-amzn-RequestId", std::string(request_id));
}

}  // namespace

void CborWriter::Head(uint8_t major, uint64_t argument) {
  const uint8_t type = static_cast<uint8_t>(major << 5);
  if (argument < 24) {
    data_.push_back(static_cast<char>(type | argument));
    return;
  }
  int width;
  uint8_t info;
  if (argument <= 0xff) {
    width = 1;
    info = 24;
  } else if (argument <= 0xffff) {
    width = 2;
    info = 25;
  } else if (argument <= 0xffffffffULL) {
    width = 4;
    info = 26;
  } else {
    width = 8;
    info = 27;
  }
  data_.push_back(static_cast<char>(type | info));
  for (int i = width - 1; i >= 0; --i) {
    data_.push_back(static_cast<char>((argument >> (8 * i)) & 0xff));
  }
}

void CborWriter::Text(std::string_view text) {
  Head(3, text.size());
  data_.append(text);
}

void CborWriter::Bytes(std::string_view bytes) {
  Head(2, bytes.size());
  data_.append(bytes);
}

void CborWriter::Integer(int64_t value) {
  if (value >= 0) {
    Head(0, static_cast<uint64_t>(value));
  } else {
    Head(1, static_cast<uint64_t>(-1 - value));
  }
}

void CborWriter::Double(double value) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  data_.push_back('\xfb');
  for (int i = 7; i >= 0; --i) {
    data_.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
  }
}

Result<Document> ParseCbor(std::string_view bytes) {
  CborReader reader(bytes);
  Document value;
  if (!reader.Read(&value, 0) || !reader.done()) {
    // NOTE: AWS's message for a malformed CBOR body is not verified.
    return SerializationError("Malformed CBOR request body");
  }
  return value;
}

Result<Document> DecodeCbor(const OperationRef& ref,
                            const HttpRequest& request) {
  if (ref.operation->input == kNoShape) return Document::object();
  Result<std::string> body = ReadRequestBody(request);
  if (!body.ok()) return body.error();
  // An empty body is an operation called without input members.
  if (body.value().empty()) return Document::object();

  Result<Document> wire = ParseCbor(body.value());
  if (!wire.ok()) return wire;
  const ServiceModel& service = *ref.service;
  return DocumentFromWire(service, service.shape(ref.operation->input),
                          wire.value(), WireFormat::kCbor, ref.protocol);
}

HttpResponse EncodeCbor(const OperationRef& ref, const Document& output,
                        const RequestContext& ctx) {
  const ServiceModel& service = *ref.service;
  HttpResponse response;
  response.status = 200;
  if (ref.operation->output != kNoShape) {
    CborWriter writer;
    WriteValue(writer, service, service.shape(ref.operation->output), output);
    response.body = writer.Take();
  }
  SetCborHeaders(response, ctx.request_id, !response.body.empty());
  for (const auto& [name, value] : ctx.response_headers) {
    response.headers.Set(name, value);
  }
  if (ctx.response_status) response.status = *ctx.response_status;
  return response;
}

HttpResponse EncodeCborError(const ServiceModel* service, const AwsError& error,
                             std::string_view request_id) {
  HttpResponse response;
  response.status = error.http_status;

  CborWriter writer;
  writer.BeginMap(2 + error.fields.size());
  writer.Text("__type");
  writer.Text(ErrorTypeName(service, Protocol::kRpcV2Cbor, error));
  writer.Text(ErrorMessageKey(service, error));
  writer.Text(error.message);
  for (const auto& [name, value] : error.fields) {
    writer.Text(name);
    writer.Text(value);
  }
  response.body = writer.Take();

  SetCborHeaders(response, request_id, true);
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
