// The rest-xml protocol (S3, Route 53, CloudFront): members bound to the URI,
// headers, query string and status code through rest_bindings, the rest in
// an XML body or a raw payload.

#include <cstdint>
#include <fstream>
#include <optional>
#include <pugixml.hpp>
#include <sstream>
#include <string>
#include <string_view>

#include "aws/codec/protocols.h"
#include "aws/codec/rest_bindings.h"
#include "aws/codec/xml_binding.h"
#include "aws/codec/xml_writer.h"
#include "platform/ids.h"
#include "platform/strings.h"

namespace brume::aws::codec {
namespace {

bool IsS3(const ServiceModel* service) {
  return service == nullptr || std::string_view(service->id) == "s3";
}

// The xmlns of response bodies. The botocore models of S3, Route 53 and
// CloudFront give none at service level, so it is built in the form those
// services use ("http://s3.amazonaws.com/doc/2006-03-01/").
std::string ResponseNamespace(const ServiceModel& service) {
  if (service.xml_namespace != nullptr) return service.xml_namespace;
  std::string_view id = service.id;
  if (id == "s3" || id == "cloudfront") {
    return std::string("http://") + service.endpoint_prefix +
           ".amazonaws.com/doc/" + service.api_version + "/";
  }
  return std::string("https://") + service.endpoint_prefix +
         ".amazonaws.com/doc/" + service.api_version + "/";
}

// Root elements of S3 responses whose output structure is the body. The
// botocore model does not carry them; they are the xmlName traits of the
// output shapes in S3's Smithy model (as shipped in @aws-sdk/client-s3
// 3.1178.0). Other operations fall back to the output shape's name.
std::string_view S3ResultRoot(std::string_view operation) {
  struct Root {
    std::string_view operation;
    std::string_view element;
  };
  static constexpr Root kRoots[] = {
      {"CompleteMultipartUpload", "CompleteMultipartUploadResult"},
      {"CreateMultipartUpload", "InitiateMultipartUploadResult"},
      {"CreateSession", "CreateSessionResult"},
      {"DeleteObjects", "DeleteResult"},
      {"GetBucketAccelerateConfiguration", "AccelerateConfiguration"},
      {"GetBucketAcl", "AccessControlPolicy"},
      {"GetBucketCors", "CORSConfiguration"},
      {"GetBucketLifecycleConfiguration", "LifecycleConfiguration"},
      {"GetBucketLogging", "BucketLoggingStatus"},
      {"GetBucketNotificationConfiguration", "NotificationConfiguration"},
      {"GetBucketRequestPayment", "RequestPaymentConfiguration"},
      {"GetBucketTagging", "Tagging"},
      {"GetBucketVersioning", "VersioningConfiguration"},
      {"GetBucketWebsite", "WebsiteConfiguration"},
      {"GetObjectAcl", "AccessControlPolicy"},
      {"GetObjectAttributes", "GetObjectAttributesResponse"},
      {"GetObjectTagging", "Tagging"},
      {"ListBucketAnalyticsConfigurations",
       "ListBucketAnalyticsConfigurationResult"},
      {"ListBucketInventoryConfigurations",
       "ListInventoryConfigurationsResult"},
      {"ListBucketMetricsConfigurations", "ListMetricsConfigurationsResult"},
      {"ListBuckets", "ListAllMyBucketsResult"},
      {"ListDirectoryBuckets", "ListAllMyDirectoryBucketsResult"},
      {"ListMultipartUploads", "ListMultipartUploadsResult"},
      {"ListObjectVersions", "ListVersionsResult"},
      {"ListObjects", "ListBucketResult"},
      {"ListObjectsV2", "ListBucketResult"},
      {"ListParts", "ListPartsResult"},
  };
  for (const Root& root : kRoots) {
    if (root.operation == operation) return root.element;
  }
  return {};
}

bool IsStreamingMember(const ServiceModel& service, const Member& member) {
  return (member.flags & kMemberStreaming) != 0 ||
         (service.shape(member.shape).flags & kShapeStreaming) != 0;
}

// The error for a body that is not well-formed XML or does not fit the
// model.
AwsError MalformedBody(const ServiceModel& service, std::string detail) {
  AwsError error;
  error.http_status = 400;
  if (IsS3(&service)) {
    error.code = "MalformedXML";
    error.message =
        "The XML you provided was not well-formed or did not validate "
        "against our published schema";
  } else {
    // NOTE: Route 53 returns InvalidInput and CloudFront InvalidArgument for
    // invalid input, but their code and wording for unparsable XML are not
    // verified.
    error.code = std::string_view(service.id) == "cloudfront"
                     ? "InvalidArgument"
                     : "InvalidInput";
    error.message = "Could not parse the request body: " + detail;
  }
  return error;
}

// Rest bindings return SerializationException for a header, query or URI
// value that does not convert, but the rest-xml services use InvalidArgument
// (S3, CloudFront) or InvalidInput (Route 53).
AwsError BindingError(const ServiceModel& service, AwsError error) {
  if (error.code != "SerializationException") return error;
  std::string_view id = service.id;
  if (id == "s3" || id == "cloudfront") {
    error.code = "InvalidArgument";
  } else {
    error.code = "InvalidInput";
  }
  return error;
}

Result<std::string> ReadBody(const HttpRequest& request) {
  if (!request.body.spooled) return request.body.data;
  std::ifstream file(request.body.file_path, std::ios::binary);
  if (!file) {
    return InternalFailure("cannot read spooled request body " +
                           request.body.file_path);
  }
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

// True for a code point the XML 1.0 Char production allows.
bool IsXmlChar(uint32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

// Checks that `body` is UTF-8 whose characters, and the characters its
// numeric references (&#N; &#xN;) name, are all XML 1.0 characters. pugixml
// accepts invalid bytes and references such as &#x1;, which would then reach
// stored documents and make responses that clients cannot parse.
bool IsValidXmlText(std::string_view body) {
  size_t position = 0;
  while (position < body.size()) {
    size_t start = position;
    std::optional<uint32_t> code_point = platform::NextCodePoint(body, &position);
    if (!code_point || !IsXmlChar(*code_point)) return false;
    if (*code_point != '&' || start + 2 >= body.size() || body[start + 1] != '#') {
      continue;
    }
    // A numeric character reference: &#N; or &#xN;.
    size_t end = body.find(';', start);
    if (end == std::string_view::npos || end - start > 12) return false;
    std::string_view digits = body.substr(start + 2, end - start - 2);
    int base = 10;
    if (!digits.empty() && (digits[0] == 'x' || digits[0] == 'X')) {
      base = 16;
      digits.remove_prefix(1);
    }
    if (digits.empty()) return false;
    uint32_t referenced = 0;
    for (char digit : digits) {
      int value = -1;
      if (digit >= '0' && digit <= '9') {
        value = digit - '0';
      } else if (base == 16 && digit >= 'a' && digit <= 'f') {
        value = digit - 'a' + 10;
      } else if (base == 16 && digit >= 'A' && digit <= 'F') {
        value = digit - 'A' + 10;
      }
      if (value < 0) return false;
      referenced = referenced * base + static_cast<uint32_t>(value);
      if (referenced > 0x10FFFF) return false;
    }
    if (!IsXmlChar(referenced)) return false;
  }
  return true;
}

// Parses `body` as XML without DTD processing: pugixml never loads external
// entities and, without parse_doctype, skips any DOCTYPE, so entities other
// than the five predefined ones and character references stay unexpanded.
Result<pugi::xml_node> ParseBody(const ServiceModel& service,
                                 std::string_view body,
                                 pugi::xml_document* document) {
  if (!IsValidXmlText(body)) {
    return MalformedBody(service, "the body is not valid UTF-8 XML 1.0 text");
  }
  unsigned options = pugi::parse_default & ~pugi::parse_doctype;
  pugi::xml_parse_result parsed = document->load_buffer(
      body.data(), body.size(), options, pugi::encoding_utf8);
  if (!parsed) return MalformedBody(service, parsed.description());
  pugi::xml_node root = document->document_element();
  if (!root) return MalformedBody(service, "no root element");
  return root;
}

bool HasBody(const HttpRequest& request) {
  return request.body.spooled ? request.body.size > 0
                              : !request.body.data.empty();
}

Status DecodeBody(const ServiceModel& service, const Shape& input_shape,
                  const HttpRequest& request, Document& input) {
  RestBodyMembers body = RestBodyMembersOf(service, input_shape);
  if (body.payload == nullptr && body.body.empty()) return Status();
  if (body.payload != nullptr) {
    const Member& payload = *body.payload;
    const Shape& payload_shape = service.shape(payload.shape);
    bool raw = payload_shape.type == ShapeType::kBlob ||
               payload_shape.type == ShapeType::kString;
    // A streaming payload stays in request.body for the handler.
    if (raw && IsStreamingMember(service, payload)) return Status();
    if (!HasBody(request)) return Status();
    Result<std::string> bytes = ReadBody(request);
    if (!bytes.ok()) return bytes.error();
    if (raw) {
      if (payload_shape.type == ShapeType::kBlob) {
        input[payload.name] = Blob(bytes.value());
      } else {
        input[payload.name] = std::move(bytes).value();
      }
      return Status();
    }
    pugi::xml_document document;
    Result<pugi::xml_node> root = ParseBody(service, bytes.value(), &document);
    if (!root.ok()) return root.error();
    input[payload.name] =
        ReadXmlValue(service, payload_shape, &payload, root.value());
    return Status();
  }

  if (!HasBody(request)) return Status();
  Result<std::string> bytes = ReadBody(request);
  if (!bytes.ok()) return bytes.error();
  pugi::xml_document document;
  Result<pugi::xml_node> root = ParseBody(service, bytes.value(), &document);
  if (!root.ok()) return root.error();
  Document members = ReadXmlStructure(service, input_shape, root.value());
  for (auto it = members.begin(); it != members.end(); ++it) {
    input[it.key()] = std::move(it.value());
  }
  return Status();
}

void AddRequestIdHeaders(const ServiceModel* service,
                         std::string_view request_id, HttpResponse* response) {
  if (IsS3(service)) {
    response->headers.Set("x-amz-request-id", std::string(request_id));
    response->headers.Set("x-amz-id-2", platform::NewS3HostId());
  } else {
    response->headers.Set("x-amzn-RequestId", std::string(request_id));
  }
}

// Writes the body of an output whose payload is a structure, or whose body
// members form the root element.
std::string EncodeXmlBody(const ServiceModel& service,
                          const Operation& operation, const Shape& output_shape,
                          const RestBodyMembers& body, const Document& output) {
  XmlStyle style;
  style.always_millis = IsS3(&service);
  XmlWriter writer;
  writer.Declaration();
  std::string ns = ResponseNamespace(service);

  if (body.payload != nullptr) {
    const Member& payload = *body.payload;
    const Shape& payload_shape = service.shape(payload.shape);
    std::string_view name =
        payload.location_name != nullptr    ? payload.location_name
        : payload_shape.xml_name != nullptr ? payload_shape.xml_name
                                            : payload.name;
    if (payload.xml_namespace != nullptr) ns = payload.xml_namespace;
    WriteXmlElement(
        writer, service, payload_shape, name, output[payload.name], style, ns,
        payload.xml_namespace_prefix != nullptr ? payload.xml_namespace_prefix
                                                : "");
    return writer.Finish();
  }

  if (IsS3(&service) &&
      std::string_view(operation.name) == "GetBucketLocation") {
    // S3 returns GetBucketLocation's constraint as the root element's text:
    // <LocationConstraint>eu-west-1</LocationConstraint>, empty for
    // us-east-1.
    writer.Open("LocationConstraint");
    writer.Attribute("xmlns", ns);
    auto it = output.find("LocationConstraint");
    if (it != output.end() && it->is_string()) {
      writer.Text(it->get<std::string>());
    }
    writer.Close();
    return writer.Finish();
  }

  std::string_view root;
  if (output_shape.xml_name != nullptr) {
    root = output_shape.xml_name;
  } else if (IsS3(&service)) {
    root = S3ResultRoot(operation.name);
  }
  if (root.empty()) root = output_shape.name;
  WriteXmlElement(writer, service, output_shape, root, output, style, ns);
  return writer.Finish();
}

}  // namespace

Result<Document> DecodeRestXml(const OperationRef& ref,
                               const HttpRequest& request,
                               const UriLabels& labels) {
  const ServiceModel& service = *ref.service;
  Document input = Document::object();
  if (ref.operation->input == kNoShape) return input;
  const Shape& input_shape = service.shape(ref.operation->input);

  Status bound = DecodeRestBindings(service, Protocol::kRestXml, input_shape,
                                    request, labels, input);
  if (!bound.ok()) return BindingError(service, bound.error());

  try {
    Status body = DecodeBody(service, input_shape, request, input);
    if (!body.ok()) return body.error();
  } catch (const MalformedValue& e) {
    return MalformedBody(service, "invalid value '" + e.value() + "' for " +
                                      e.member() + ": " + e.what());
  }
  return input;
}

HttpResponse EncodeRestXml(const OperationRef& ref, const Document& output,
                           const RequestContext& ctx) {
  const ServiceModel& service = *ref.service;
  const Operation& operation = *ref.operation;
  HttpResponse response;
  response.status =
      operation.http_response_code != 0 ? operation.http_response_code : 200;

  if (operation.output != kNoShape) {
    const Shape& output_shape = service.shape(operation.output);
    RestBodyMembers body = EncodeRestBindings(service, Protocol::kRestXml,
                                              output_shape, output, response);

    const Shape* payload_shape =
        body.payload != nullptr ? &service.shape(body.payload->shape) : nullptr;
    bool raw_payload =
        payload_shape != nullptr && (payload_shape->type == ShapeType::kBlob ||
                                     payload_shape->type == ShapeType::kString);
    if (raw_payload) {
      // Streaming and blob payloads (GetObject bodies, bucket policies) go
      // out as they are: from a file range, from memory, or from the
      // document.
      if (ctx.response_file) {
        response.file = *ctx.response_file;
      } else if (ctx.response_payload) {
        response.body = *ctx.response_payload;
      } else if (auto it = output.find(body.payload->name);
                 it != output.end()) {
        response.body =
            it->is_string() ? it->get<std::string>() : BlobBytes(*it);
      }
    } else if (body.payload != nullptr) {
      if (output.contains(body.payload->name)) {
        response.body =
            EncodeXmlBody(service, operation, output_shape, body, output);
      }
    } else if (!body.body.empty()) {
      response.body =
          EncodeXmlBody(service, operation, output_shape, body, output);
    }
    if (!response.body.empty() && !response.headers.Has("Content-Type") &&
        !raw_payload) {
      response.headers.Set("Content-Type", "application/xml");
    }
  }

  if (ctx.response_status) response.status = *ctx.response_status;
  AddRequestIdHeaders(&service, ctx.request_id, &response);
  for (const auto& [name, value] : ctx.response_headers) {
    response.headers.Set(name, value);
  }
  return response;
}

HttpResponse EncodeRestXmlError(const ServiceModel* service,
                                const AwsError& error,
                                std::string_view request_id) {
  std::string code = error.code;
  int status = error.http_status;
  bool sender_fault = error.sender_fault;
  if (service != nullptr) {
    const Shape* shape = service->FindShape(error.code);
    if (shape != nullptr && (shape->flags & kShapeException) != 0) {
      if (shape->error_code != nullptr) code = shape->error_code;
      // The tables default the status of exceptions without one to 400, so
      // a status the handler chose takes precedence over that default.
      if (status == 400 && shape->error_http_status != 0) {
        status = shape->error_http_status;
      }
      sender_fault = (shape->flags & kShapeSenderFault) != 0;
    }
  }

  HttpResponse response;
  response.status = status;
  XmlWriter writer;
  writer.Declaration();
  if (IsS3(service)) {
    writer.Open("Error");
    writer.Element("Code", code);
    writer.Element("Message", error.message);
    for (const auto& [name, value] : error.fields) writer.Element(name, value);
    writer.Element("RequestId", request_id);
    std::string host_id = platform::NewS3HostId();
    writer.Element("HostId", host_id);
    response.headers.Set("x-amz-request-id", std::string(request_id));
    response.headers.Set("x-amz-id-2", host_id);
    response.headers.Set("Content-Type", "application/xml");
  } else {
    writer.Open("ErrorResponse");
    writer.Attribute("xmlns", ResponseNamespace(*service));
    writer.Open("Error");
    writer.Element("Type", sender_fault ? "Sender" : "Receiver");
    writer.Element("Code", code);
    writer.Element("Message", error.message);
    for (const auto& [name, value] : error.fields) writer.Element(name, value);
    writer.Close();
    writer.Element("RequestId", request_id);
    response.headers.Set("x-amzn-RequestId", std::string(request_id));
    response.headers.Set("Content-Type", "text/xml");
  }
  response.body = writer.Finish();
  for (const auto& [name, value] : error.headers) {
    response.headers.Set(name, value);
  }
  return response;
}

}  // namespace brume::aws::codec
