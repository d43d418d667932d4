#pragma once

// Compact tables generated from the AWS service models that botocore ships
// (see src/aws/codegen/generate_models.py). One ServiceModel per enabled
// service; shapes, members and operations refer to each other by index.

#include <cstdint>
#include <span>
#include <string_view>

namespace brume::aws {

enum class Protocol : uint8_t {
  kQuery,
  kEc2,
  kJson,
  kRestJson,
  kRestXml,
  kRpcV2Cbor,
};

std::string_view ProtocolName(Protocol protocol);

enum class ShapeType : uint8_t {
  kStructure,
  kUnion,
  kList,
  kMap,
  kString,
  kBoolean,
  kByte,
  kShort,
  kInteger,
  kLong,
  kFloat,
  kDouble,
  kBigInteger,
  kBigDecimal,
  kTimestamp,
  kBlob,
  kDocument,
};

// Part of the HTTP message that carries a member (the model's "location").
enum class Location : uint8_t {
  kBody,
  kHeader,
  kHeaders,  // prefix map, e.g. x-amz-meta-*
  kUri,
  kQueryString,
  kStatusCode,
};

enum class TimestampFormat : uint8_t {
  kDefault,  // the protocol's default
  kIso8601,
  kRfc822,
  kUnixTimestamp,
};

inline constexpr uint32_t kNoShape = UINT32_MAX;

// Member flags.
inline constexpr uint16_t kMemberRequired = 1 << 0;
inline constexpr uint16_t kMemberXmlAttribute = 1 << 1;
inline constexpr uint16_t kMemberFlattened = 1 << 2;
inline constexpr uint16_t kMemberIdempotencyToken = 1 << 3;
inline constexpr uint16_t kMemberHostLabel = 1 << 4;
inline constexpr uint16_t kMemberPayload = 1 << 5;  // the structure's payload
inline constexpr uint16_t kMemberJsonValue = 1 << 6;
inline constexpr uint16_t kMemberEventPayload = 1 << 7;
inline constexpr uint16_t kMemberDeprecated = 1 << 8;
// The member reference carries "streaming" (S3 Body). Its target shape also
// gets kShapeStreaming.
inline constexpr uint16_t kMemberStreaming = 1 << 9;

struct Member {
  const char* name;           // member name in the model
  uint32_t shape;             // index into ServiceModel::shapes
  Location location;
  TimestampFormat timestamp_format;  // member-level override
  uint16_t flags;
  // Header name, URI label, query key, or XML/JSON/query wire name when it
  // differs from `name`; nullptr otherwise.
  const char* location_name;
  const char* query_name;     // ec2 "queryName"; nullptr if absent
  const char* xml_namespace;  // xmlNamespace uri; nullptr if absent
  const char* xml_namespace_prefix;
};

// Shape flags.
inline constexpr uint16_t kShapeException = 1 << 0;
inline constexpr uint16_t kShapeFlattened = 1 << 1;
inline constexpr uint16_t kShapeSensitive = 1 << 2;
inline constexpr uint16_t kShapeStreaming = 1 << 3;
inline constexpr uint16_t kShapeRequiresLength = 1 << 4;
inline constexpr uint16_t kShapeEventStream = 1 << 5;
inline constexpr uint16_t kShapeHasMin = 1 << 6;
inline constexpr uint16_t kShapeHasMax = 1 << 7;
inline constexpr uint16_t kShapeSenderFault = 1 << 8;
inline constexpr uint16_t kShapeWrapper = 1 << 9;  // query "wrapper"

struct Shape {
  const char* name;
  ShapeType type;
  TimestampFormat timestamp_format;
  uint16_t flags;
  // Structure and union: members [members_begin, members_begin+members_count).
  // List: the member is at members_begin (count 1).
  // Map: key at members_begin, value at members_begin + 1 (count 2).
  uint32_t members_begin;
  uint32_t members_count;
  // Length (string, blob, list, map) or range (numbers) constraints, valid
  // when kShapeHasMin / kShapeHasMax is set.
  double min;
  double max;
  const char* pattern;  // nullptr if none
  // Enum values: enum_values[enum_begin, enum_begin+enum_count).
  uint32_t enum_begin;
  uint32_t enum_count;
  // Structures: index into members of the "payload" member, or UINT32_MAX.
  uint32_t payload_member;
  // Error shapes: the "error" trait; code is nullptr when the shape name is
  // the code.
  const char* error_code;
  uint16_t error_http_status;
  // Shape-level XML name and namespace (rest-xml root elements).
  const char* xml_name;
  const char* xml_namespace;
};

struct Operation {
  const char* name;
  const char* http_method;
  const char* request_uri;  // e.g. "/{Bucket}/{Key+}?uploads"
  uint16_t http_response_code;
  uint32_t input;   // kNoShape if the operation takes none
  uint32_t output;  // kNoShape if it returns none
  const char* result_wrapper;  // query output resultWrapper; nullptr if none
  uint32_t errors_begin;  // into ServiceModel::error_shapes
  uint32_t errors_count;
  bool auth_none;          // "authtype": "none" (callable unsigned)
  bool checksum_required;  // httpChecksumRequired or requestChecksumRequired
  const char* host_prefix;  // endpoint hostPrefix; nullptr if none
};

struct ServiceModel {
  const char* id;                // botocore folder name, e.g. "sqs"
  const char* api_version;       // "2012-11-05"
  const char* endpoint_prefix;   // "sqs"
  const char* signing_name;      // SigV4 service name
  const char* target_prefix;     // X-Amz-Target prefix; nullptr if none
  const char* json_version;      // "1.0" or "1.1"; nullptr if none
  const char* xml_namespace;     // query/rest-xml response namespace
  const char* service_id;        // "SQS"
  const char* full_name;         // "Amazon Simple Queue Service"
  Protocol protocol;             // preferred protocol
  uint8_t protocols;             // bit (1 << Protocol) per protocol served
  bool aws_query_compatible;     // awsQueryCompatible trait
  // Sorted by name so FindOperation can binary-search.
  std::span<const Operation> operations;
  // Sorted by name so FindShape can binary-search.
  std::span<const Shape> shapes;
  std::span<const Member> members;
  std::span<const char* const> enum_values;
  std::span<const uint32_t> error_shapes;

  bool Serves(Protocol p) const {
    return (protocols & (1u << static_cast<uint8_t>(p))) != 0;
  }
  const Operation* FindOperation(std::string_view name) const;
  const Shape* FindShape(std::string_view name) const;
  const Shape& shape(uint32_t index) const { return shapes[index]; }
  const Member& member(uint32_t index) const { return members[index]; }
  uint32_t IndexOf(const Shape& s) const {
    return static_cast<uint32_t>(&s - shapes.data());
  }
};

// Every service model compiled into this binary, sorted by id.
std::span<const ServiceModel* const> AllServiceModels();

// Finds a compiled service model by botocore id ("sqs", "s3", "sts").
const ServiceModel* FindServiceModel(std::string_view id);

// botocore version whose models were compiled in, e.g. "1.43.11".
std::string_view ModelsVersion();

}  // namespace brume::aws
