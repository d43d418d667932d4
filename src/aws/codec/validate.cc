// Model validation of input documents, with the messages AWS's validation
// layer (Coral) prints, e.g.
//   1 validation error detected: Value null at 'queueName' failed to satisfy
//   constraint: Member must not be null
//
// Pattern constraints are not checked: AWS services enforce them unevenly,
// and a request AWS accepts must not fail here. Handlers validate formats
// that matter to their behaviour.

#include <cmath>
#include <string>
#include <vector>

#include "aws/codec/protocols.h"

namespace brume::aws::codec {

namespace {

// Printed in place of a sensitive member's value, spelled as the AWS SDK
// for Java redacts such values in toString().
// NOTE: whether AWS services redact sensitive values in validation messages
// is not verified. brume redacts them so secrets never reach messages or
// logs. Blobs print only their length, as for any other blob.
constexpr char kRedacted[] = "***Sensitive Data Redacted***";

// AWS prints member paths with the first letter of each member name in
// lower case: QueueName -> queueName, KeySchema.1.member.AttributeName ->
// keySchema.1.member.attributeName.
std::string LowerCamel(std::string_view name) {
  std::string result(name);
  if (!result.empty() && result[0] >= 'A' && result[0] <= 'Z') {
    result[0] = static_cast<char>(result[0] - 'A' + 'a');
  }
  return result;
}

std::string FormatNumber(double value) {
  if (std::floor(value) == value && std::fabs(value) < 1e18) {
    return std::to_string(static_cast<int64_t>(value));
  }
  std::string text = std::to_string(value);
  while (text.size() > 1 && text.back() == '0') text.pop_back();
  return text;
}

// Renders a value as Java's toString would, since Coral builds its message
// from the deserialized Java object.
std::string RenderValue(const Document& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_binary()) {
    const size_t size = value.get_binary().size();
    return "java.nio.HeapByteBuffer[pos=0 lim=" + std::to_string(size) +
           " cap=" + std::to_string(size) + "]";
  }
  if (value.is_number_float()) return FormatNumber(value.get<double>());
  if (value.is_array()) {
    std::string text = "[";
    for (size_t i = 0; i < value.size(); ++i) {
      if (i > 0) text += ", ";
      text += RenderValue(value[i]);
    }
    return text + "]";
  }
  if (value.is_object()) {
    std::string text = "{";
    bool first = true;
    for (const auto& [key, element] : value.items()) {
      if (!first) text += ", ";
      first = false;
      text += key + "=" + RenderValue(element);
    }
    return text + "}";
  }
  return value.dump();
}

// Length of UTF-8 text in UTF-16 code units, as Java's String.length()
// measures it: one per character, two for characters outside the BMP.
size_t Utf16Length(std::string_view text) {
  size_t count = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    count += (c >= 0xF0) ? 2 : 1;
  }
  return count;
}

bool IsNumberType(ShapeType type) {
  switch (type) {
    case ShapeType::kByte:
    case ShapeType::kShort:
    case ShapeType::kInteger:
    case ShapeType::kLong:
    case ShapeType::kFloat:
    case ShapeType::kDouble:
    case ShapeType::kBigInteger:
    case ShapeType::kBigDecimal:
      return true;
    default:
      return false;
  }
}

class Validator {
 public:
  // SQS returns its own InvalidAttributeName for an unknown attribute name,
  // not a ValidationException, so the handlers of awsQueryCompatible
  // services (SQS, CloudWatch) check enum values themselves.
  // NOTE: that CloudWatch skips model enum checks too is not verified.
  explicit Validator(const ServiceModel& service)
      : service_(service), check_enums_(!service.aws_query_compatible) {}

  const std::vector<std::string>& errors() const { return errors_; }

  // Checks the members of a structure value at `path` ("" at the top).
  void CheckStructure(const Shape& shape, const Document& value,
                      const std::string& path) {
    if (!value.is_object()) return;
    const uint32_t end = shape.members_begin + shape.members_count;
    for (uint32_t i = shape.members_begin; i < end; ++i) {
      const Member& member = service_.member(i);
      const std::string child_path =
          path.empty() ? LowerCamel(member.name)
                       : path + "." + LowerCamel(member.name);
      auto it = value.find(member.name);
      if (it == value.end() || it->is_null()) {
        if (member.flags & kMemberRequired) {
          errors_.push_back("Value null at '" + child_path +
                            "' failed to satisfy constraint: Member must "
                            "not be null");
        }
        continue;
      }
      // A deprecated member keeps values its enum no longer lists, e.g.
      // SQS ReceiveMessage AttributeNames accepts message system attribute
      // names such as SentTimestamp.
      const bool saved_check_enums = check_enums_;
      if (member.flags & kMemberDeprecated) check_enums_ = false;
      CheckValue(service_.shape(member.shape), *it, child_path);
      check_enums_ = saved_check_enums;
    }
  }

 private:
  void Report(const Shape& shape, const Document& value,
              const std::string& path, const std::string& constraint) {
    const bool redact = (shape.flags & kShapeSensitive) && !value.is_binary();
    std::string rendered = redact ? std::string(kRedacted) : RenderValue(value);
    errors_.push_back("Value '" + rendered + "' at '" + path +
                      "' failed to satisfy constraint: " + constraint);
  }

  // Returns the constraints a scalar or collection value itself breaks
  // (length, range, enum), without looking inside collections.
  std::vector<std::string> OwnViolations(const Shape& shape,
                                         const Document& value) {
    std::vector<std::string> violations;
    double length = -1;
    if (shape.type == ShapeType::kString && value.is_string()) {
      length = static_cast<double>(
          Utf16Length(value.get_ref<const std::string&>()));
    } else if (shape.type == ShapeType::kBlob &&
               (value.is_binary() || value.is_string())) {
      length = static_cast<double>(BlobBytes(value).size());
    } else if ((shape.type == ShapeType::kList && value.is_array()) ||
               (shape.type == ShapeType::kMap && value.is_object())) {
      length = static_cast<double>(value.size());
    }

    if (length >= 0) {
      if ((shape.flags & kShapeHasMin) && length < shape.min) {
        violations.push_back("Member must have length greater than or equal "
                             "to " + FormatNumber(shape.min));
      }
      if ((shape.flags & kShapeHasMax) && length > shape.max) {
        violations.push_back("Member must have length less than or equal "
                             "to " + FormatNumber(shape.max));
      }
    } else if (IsNumberType(shape.type) && value.is_number()) {
      const double number = value.get<double>();
      if ((shape.flags & kShapeHasMin) && number < shape.min) {
        violations.push_back("Member must have value greater than or equal "
                             "to " + FormatNumber(shape.min));
      }
      if ((shape.flags & kShapeHasMax) && number > shape.max) {
        violations.push_back("Member must have value less than or equal "
                             "to " + FormatNumber(shape.max));
      }
    }

    if (check_enums_ && shape.type == ShapeType::kString &&
        shape.enum_count > 0 && value.is_string()) {
      const std::string& text = value.get_ref<const std::string&>();
      bool found = false;
      std::string set;
      for (uint32_t i = 0; i < shape.enum_count; ++i) {
        std::string_view option = service_.enum_values[shape.enum_begin + i];
        if (option == text) found = true;
        if (i > 0) set += ", ";
        set += option;
      }
      if (!found) {
        violations.push_back("Member must satisfy enum value set: [" + set +
                             "]");
      }
    }
    return violations;
  }

  static std::string JoinConstraints(const std::vector<std::string>& items) {
    std::string joined;
    for (const std::string& item : items) {
      if (!joined.empty()) joined += ", ";
      joined += item;
    }
    return joined;
  }

  void CheckValue(const Shape& shape, const Document& value,
                  const std::string& path) {
    for (const std::string& violation : OwnViolations(shape, value)) {
      Report(shape, value, path, violation);
    }

    switch (shape.type) {
      case ShapeType::kStructure:
      case ShapeType::kUnion:
        CheckStructure(shape, value, path);
        break;
      case ShapeType::kList:
        if (value.is_array()) CheckList(shape, value, path);
        break;
      case ShapeType::kMap:
        if (value.is_object()) CheckMap(shape, value, path);
        break;
      default:
        break;
    }
  }

  // Scalar items that break a constraint are reported once for the whole
  // list ("Member must satisfy constraint: [...]"), as AWS does. Structure
  // items are checked member by member at "<list>.<n>.member".
  void CheckList(const Shape& shape, const Document& value,
                 const std::string& path) {
    const Shape& item_shape =
        service_.shape(service_.member(shape.members_begin).shape);
    if (item_shape.type == ShapeType::kStructure ||
        item_shape.type == ShapeType::kUnion ||
        item_shape.type == ShapeType::kList ||
        item_shape.type == ShapeType::kMap) {
      for (size_t i = 0; i < value.size(); ++i) {
        CheckValue(item_shape, value[i],
                   path + "." + std::to_string(i + 1) + ".member");
      }
      return;
    }
    std::vector<std::string> item_violations;
    for (const Document& item : value) {
      for (std::string& violation : OwnViolations(item_shape, item)) {
        bool seen = false;
        for (const std::string& existing : item_violations) {
          if (existing == violation) seen = true;
        }
        if (!seen) item_violations.push_back(std::move(violation));
      }
    }
    if (!item_violations.empty()) {
      Report(shape, value, path,
             "Member must satisfy constraint: [" +
                 JoinConstraints(item_violations) + "]");
    }
  }

  // Map keys and scalar values are reported once for the map ("Map keys
  // must satisfy constraint: [...]"). Structure values are checked at
  // "<map>.<key>.member".
  // NOTE: the path form for structure values inside maps is not verified
  // against AWS.
  void CheckMap(const Shape& shape, const Document& value,
                const std::string& path) {
    const Shape& key_shape =
        service_.shape(service_.member(shape.members_begin).shape);
    const Shape& value_shape =
        service_.shape(service_.member(shape.members_begin + 1).shape);
    const bool scalar_values = value_shape.type != ShapeType::kStructure &&
                               value_shape.type != ShapeType::kUnion &&
                               value_shape.type != ShapeType::kList &&
                               value_shape.type != ShapeType::kMap;
    std::vector<std::string> key_violations;
    std::vector<std::string> value_violations;
    for (const auto& [key, element] : value.items()) {
      for (std::string& violation : OwnViolations(key_shape, Document(key))) {
        key_violations.push_back(std::move(violation));
      }
      if (scalar_values) {
        for (std::string& violation : OwnViolations(value_shape, element)) {
          value_violations.push_back(std::move(violation));
        }
      } else {
        CheckValue(value_shape, element, path + "." + key + ".member");
      }
    }
    if (!key_violations.empty()) {
      errors_.push_back("Value at '" + path +
                        "' failed to satisfy constraint: Map keys must "
                        "satisfy constraint: [" +
                        key_violations.front() + "]");
    }
    if (!value_violations.empty()) {
      errors_.push_back("Value at '" + path +
                        "' failed to satisfy constraint: Map value must "
                        "satisfy constraint: [" +
                        value_violations.front() + "]");
    }
  }

  const ServiceModel& service_;
  bool check_enums_;
  std::vector<std::string> errors_;
};

// The first required member missing from a structure value, if any, by its
// wire name (for ec2's MissingParameter).
const Member* FirstMissingRequired(const ServiceModel& service,
                                   const Shape& shape, const Document& value) {
  const uint32_t end = shape.members_begin + shape.members_count;
  for (uint32_t i = shape.members_begin; i < end; ++i) {
    const Member& member = service.member(i);
    if ((member.flags & kMemberRequired) == 0) continue;
    if (!value.is_object() || !value.contains(member.name) ||
        value[member.name].is_null()) {
      return &member;
    }
  }
  return nullptr;
}

// True when every required member inside an XML payload value is present,
// through nested structures, lists and maps.
bool XmlPayloadComplete(const ServiceModel& service, const Shape& shape,
                        const Document& value, int depth = 0) {
  if (depth > 64) return true;  // the XML parser already bounds nesting
  switch (shape.type) {
    case ShapeType::kStructure:
    case ShapeType::kUnion: {
      if (!value.is_object()) return true;
      if (FirstMissingRequired(service, shape, value) != nullptr) return false;
      const uint32_t end = shape.members_begin + shape.members_count;
      for (uint32_t i = shape.members_begin; i < end; ++i) {
        const Member& member = service.member(i);
        auto it = value.find(member.name);
        if (it == value.end()) continue;
        if (!XmlPayloadComplete(service, service.shape(member.shape), *it, depth + 1)) {
          return false;
        }
      }
      return true;
    }
    case ShapeType::kList: {
      if (!value.is_array()) return true;
      const Shape& item = service.shape(service.member(shape.members_begin).shape);
      for (const Document& element : value) {
        if (!XmlPayloadComplete(service, item, element, depth + 1)) return false;
      }
      return true;
    }
    case ShapeType::kMap: {
      if (!value.is_object()) return true;
      const Shape& item = service.shape(service.member(shape.members_begin + 1).shape);
      for (const auto& [key, element] : value.items()) {
        if (!XmlPayloadComplete(service, item, element, depth + 1)) return false;
      }
      return true;
    }
    default:
      return true;
  }
}

}  // namespace

Status ValidateInput(const OperationRef& ref, const Document& input) {
  if (ref.operation->input == kNoShape) return Status();

  // rest-xml services check their own headers and labels and return their
  // own codes (S3's InvalidArgument, InvalidBucketName), never model
  // validation messages. An XML body that lacks an element the schema
  // requires is malformed, though: S3 calls it MalformedXML.
  if (ref.protocol == Protocol::kRestXml) {
    const ServiceModel& service = *ref.service;
    const Shape& shape = service.shape(ref.operation->input);
    if (shape.payload_member == UINT32_MAX) return Status();
    const Member& payload = service.member(shape.payload_member);
    auto it = input.find(payload.name);
    if (it == input.end()) return Status();
    if (XmlPayloadComplete(service, service.shape(payload.shape), *it)) {
      return Status();
    }
    if (std::string_view(service.id) == "s3") {
      return AwsError("MalformedXML",
                      "The XML you provided was not well-formed or did not "
                      "validate against our published schema");
    }
    // NOTE: Route 53 and CloudFront codes for this case are not verified.
    return AwsError("InvalidInput",
                    "The XML document is missing an element that the schema "
                    "requires");
  }

  const ServiceModel& service = *ref.service;
  const Shape& shape = service.shape(ref.operation->input);

  // EC2 names the first missing parameter instead of listing violations.
  if (ref.protocol == Protocol::kEc2) {
    const Member* missing = FirstMissingRequired(service, shape, input);
    if (missing != nullptr) {
      const char* name = missing->query_name != nullptr ? missing->query_name
                         : missing->location_name != nullptr
                             ? missing->location_name
                             : missing->name;
      return MissingParameter(name);
    }
  }

  Validator validator(service);
  validator.CheckStructure(shape, input, "");
  const std::vector<std::string>& errors = validator.errors();
  if (errors.empty()) return Status();

  std::string message = std::to_string(errors.size()) +
                        (errors.size() == 1 ? " validation error detected: "
                                            : " validation errors detected: ");
  for (size_t i = 0; i < errors.size(); ++i) {
    if (i > 0) message += "; ";
    message += errors[i];
  }

  AwsError error;
  error.message = std::move(message);
  error.http_status = 400;
  error.sender_fault = true;
  switch (ref.protocol) {
    case Protocol::kQuery:
      // STS and IAM return the query code ValidationError.
      error.code = "ValidationError";
      break;
    case Protocol::kEc2:
      error.code = "InvalidParameterValue";
      break;
    default:
      error.code = "ValidationException";
      break;
  }
  return error;
}

}  // namespace brume::aws::codec
