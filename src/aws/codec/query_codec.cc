// The query and ec2 protocols: input as form parameters
// ("Entries.member.1.Id=a"), output and errors as XML.

#include <charconv>
#include <map>
#include <set>
#include <string>

#include "aws/codec/protocols.h"
#include "aws/codec/xml_binding.h"
#include "aws/codec/xml_writer.h"
#include "platform/strings.h"

namespace brume::aws::codec {
namespace {

using Params = std::map<std::string, std::string, std::less<>>;

// Collects form parameters from the query string and, for form-encoded
// bodies, from the body; body values win over query-string values.
Params CollectParams(const HttpRequest& request) {
  Params params;
  for (auto& [name, value] : platform::ParseQueryString(request.query)) {
    params[std::move(name)] = std::move(value);
  }
  std::string_view content_type =
      request.headers.Get("Content-Type").value_or("");
  bool form_body = content_type.empty() ||
                   platform::StartsWithIgnoreCase(
                       content_type, "application/x-www-form-urlencoded");
  if (form_body && !request.body.spooled && !request.body.data.empty()) {
    for (auto& [name, value] : platform::ParseQueryString(request.body.data)) {
      params[std::move(name)] = std::move(value);
    }
  }
  return params;
}

// Reads an input document from form parameters by the query rules, or by
// the ec2 rules when `ec2` is set (names from queryName or the capitalised
// locationName, every list flattened as "Name.N").
class QueryDecoder {
 public:
  QueryDecoder(const ServiceModel& service, bool ec2, const Params& params)
      : service_(service), ec2_(ec2), params_(params) {}

  Document ReadStructure(const Shape& shape, const std::string& prefix) const {
    Document result = Document::object();
    for (uint32_t i = 0; i < shape.members_count; ++i) {
      const Member& member = service_.member(shape.members_begin + i);
      std::string key = WireName(member, member.name);
      if (!prefix.empty()) key = prefix + "." + key;
      Document value;
      if (ReadMember(member, key, &value))
        result[member.name] = std::move(value);
    }
    return result;
  }

 private:
  // The parameter name of a member: ec2 uses queryName, then the
  // locationName with its first letter upper-cased; query uses locationName.
  std::string WireName(const Member& member, const char* fallback) const {
    const char* location_name = MemberLocationName(service_, member);
    if (ec2_) {
      if (member.query_name != nullptr) return member.query_name;
      if (location_name != nullptr) {
        std::string name = location_name;
        if (!name.empty() && name[0] >= 'a' && name[0] <= 'z') {
          name[0] = static_cast<char>(name[0] - 'a' + 'A');
        }
        return name;
      }
      return fallback;
    }
    return location_name != nullptr ? location_name : fallback;
  }

  bool HasChildren(const std::string& prefix) const {
    std::string start = prefix + ".";
    auto it = params_.lower_bound(start);
    return it != params_.end() && it->first.starts_with(start);
  }

  // The sorted list indexes N of parameters named "prefix.N" or
  // "prefix.N.rest".
  std::set<int> Indexes(const std::string& prefix) const {
    std::set<int> indexes;
    std::string start = prefix + ".";
    for (auto it = params_.lower_bound(start);
         it != params_.end() && it->first.starts_with(start); ++it) {
      std::string_view rest = std::string_view(it->first).substr(start.size());
      size_t dot = rest.find('.');
      std::string_view digits = rest.substr(0, dot);
      int index = 0;
      auto [end, error] =
          std::from_chars(digits.data(), digits.data() + digits.size(), index);
      if (error == std::errc() && end == digits.data() + digits.size() &&
          index > 0) {
        indexes.insert(index);
      }
    }
    return indexes;
  }

  bool ReadMember(const Member& member, const std::string& key,
                  Document* out) const {
    const Shape& shape = service_.shape(member.shape);
    switch (shape.type) {
      case ShapeType::kStructure:
      case ShapeType::kUnion:
        if (!HasChildren(key)) return false;
        *out = ReadStructure(shape, key);
        return true;
      case ShapeType::kList:
        return ReadList(member, shape, key, out);
      case ShapeType::kMap:
        return ReadMap(member, shape, key, out);
      default: {
        auto it = params_.find(key);
        if (it == params_.end()) return false;
        *out = ParseScalar(shape, it->second, key);
        return true;
      }
    }
  }

  bool ReadList(const Member& member, const Shape& shape,
                const std::string& key, Document* out) const {
    const Member& item = service_.member(shape.members_begin);
    std::string list_prefix = key;
    if (ec2_) {
      // ec2 lists are always "Name.N".
    } else if ((member.flags & kMemberFlattened) != 0 ||
               (shape.flags & kShapeFlattened) != 0) {
      // A flattened list's items take the list member's locationName in
      // place of the member's own name: "Attribute.1" for "Attributes".
      const char* item_name = MemberLocationName(service_, item);
      if (item_name != nullptr) {
        size_t dot = key.rfind('.');
        list_prefix = (dot == std::string::npos ? "" : key.substr(0, dot + 1)) +
                      item_name;
      }
    } else {
      list_prefix = key + "." + WireName(item, "member");
    }

    std::set<int> indexes = Indexes(list_prefix);
    if (indexes.empty()) {
      // Clients send "Name=" for an empty list.
      auto it = params_.find(key);
      if (it != params_.end() && it->second.empty()) {
        *out = Document::array();
        return true;
      }
      return false;
    }
    Document items = Document::array();
    for (int index : indexes) {
      Document value;
      if (ReadMember(item, list_prefix + "." + std::to_string(index), &value)) {
        items.push_back(std::move(value));
      }
    }
    *out = std::move(items);
    return true;
  }

  bool ReadMap(const Member& member, const Shape& shape, const std::string& key,
               Document* out) const {
    const Member& key_member = service_.member(shape.members_begin);
    const Member& value_member = service_.member(shape.members_begin + 1);
    bool flattened = (member.flags & kMemberFlattened) != 0 ||
                     (shape.flags & kShapeFlattened) != 0;
    std::string entry_prefix = flattened ? key : key + ".entry";
    std::string key_name = WireName(key_member, "key");
    std::string value_name = WireName(value_member, "value");

    std::set<int> indexes = Indexes(entry_prefix);
    if (indexes.empty()) return false;
    Document map = Document::object();
    for (int index : indexes) {
      std::string entry = entry_prefix + "." + std::to_string(index);
      auto key_it = params_.find(entry + "." + key_name);
      if (key_it == params_.end()) continue;
      Document value;
      if (ReadMember(value_member, entry + "." + value_name, &value)) {
        map[key_it->second] = std::move(value);
      }
    }
    *out = std::move(map);
    return true;
  }

  const ServiceModel& service_;
  bool ec2_;
  const Params& params_;
};

// The xmlns of responses: the model's xmlNamespace, else the
// https://<prefix>.amazonaws.com/doc/<version>/ form AWS uses. ec2 models
// spell it without the trailing slash that EC2 responses carry.
std::string ResponseNamespace(const ServiceModel* service) {
  if (service == nullptr) return {};
  std::string ns;
  if (service->xml_namespace != nullptr) {
    ns = service->xml_namespace;
  } else {
    ns = std::string("https://") + service->endpoint_prefix +
         ".amazonaws.com/doc/" + service->api_version + "/";
  }
  if (!ns.empty() && ns.back() != '/') ns += '/';
  return ns;
}

void AddCommonHeaders(HttpResponse* response, std::string_view request_id,
                      bool ec2) {
  response->headers.Set("Content-Type",
                        ec2 ? "text/xml;charset=UTF-8" : "text/xml");
  response->headers.Set("x-amzn-RequestId", std::string(request_id));
}

}  // namespace

Result<Document> DecodeQuery(const OperationRef& ref,
                             const HttpRequest& request) {
  bool ec2 = ref.protocol == Protocol::kEc2;
  if (ref.operation->input == kNoShape) return Document::object();
  Params params = CollectParams(request);
  QueryDecoder decoder(*ref.service, ec2, params);
  try {
    return decoder.ReadStructure(ref.service->shape(ref.operation->input), "");
  } catch (const MalformedValue& e) {
    // STS rejects a DurationSeconds that is not a number with MalformedInput,
    // and EC2 rejects bad parameter values with InvalidParameterValue.
    // NOTE: the message wording is ours because AWS does not document it.
    AwsError error;
    error.code = ec2 ? "InvalidParameterValue" : "MalformedInput";
    error.message = "Invalid value '" + e.value() + "' for parameter " +
                    e.member() + ": " + e.what();
    error.http_status = 400;
    return error;
  }
}

HttpResponse EncodeQuery(const OperationRef& ref, const Document& output,
                         const RequestContext& ctx) {
  const ServiceModel& service = *ref.service;
  const Operation& operation = *ref.operation;
  bool ec2 = ref.protocol == Protocol::kEc2;
  XmlStyle style;

  XmlWriter writer;
  if (ec2) writer.Declaration();
  writer.Open(std::string(operation.name) + "Response");
  writer.Attribute("xmlns", ResponseNamespace(&service));
  if (ec2) {
    // EC2 puts the request id first and the output members beside it.
    writer.Element("requestId", ctx.request_id);
    if (operation.output != kNoShape) {
      WriteXmlStructureMembers(writer, service, service.shape(operation.output),
                               output, style);
    } else {
      writer.Element("return", "true");
    }
  } else {
    if (operation.output != kNoShape) {
      std::string wrapper = operation.result_wrapper != nullptr
                                ? operation.result_wrapper
                                : std::string(operation.name) + "Result";
      writer.Open(wrapper);
      WriteXmlStructureMembers(writer, service, service.shape(operation.output),
                               output, style);
      writer.Close();
    }
    writer.Open("ResponseMetadata");
    writer.Element("RequestId", ctx.request_id);
    writer.Close();
  }

  HttpResponse response;
  response.status = ctx.response_status.value_or(
      operation.http_response_code != 0 ? operation.http_response_code : 200);
  response.body = writer.Finish();
  AddCommonHeaders(&response, ctx.request_id, ec2);
  for (const auto& [name, value] : ctx.response_headers) {
    response.headers.Add(name, value);
  }
  return response;
}

HttpResponse EncodeQueryError(const ServiceModel* service, Protocol protocol,
                              const AwsError& error,
                              std::string_view request_id) {
  bool ec2 = protocol == Protocol::kEc2;
  std::string code = error.code;
  int status = error.http_status;
  bool sender_fault = error.sender_fault;
  // A modelled error travels under its error.code (SQS's
  // "AWS.SimpleQueueService.NonExistentQueue" for QueueDoesNotExist) and
  // the model's HTTP status.
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

  XmlWriter writer;
  if (ec2) {
    writer.Declaration();
    writer.Open("Response");
    writer.Open("Errors");
    writer.Open("Error");
    writer.Element("Code", code);
    writer.Element("Message", error.message);
    for (const auto& [name, value] : error.fields) writer.Element(name, value);
    writer.Close();
    writer.Close();
    writer.Element("RequestID", request_id);
  } else {
    writer.Open("ErrorResponse");
    std::string ns = ResponseNamespace(service);
    if (!ns.empty()) writer.Attribute("xmlns", ns);
    writer.Open("Error");
    writer.Element("Type", sender_fault ? "Sender" : "Receiver");
    writer.Element("Code", code);
    writer.Element("Message", error.message);
    for (const auto& [name, value] : error.fields) writer.Element(name, value);
    writer.Close();
    writer.Element("RequestId", request_id);
  }

  HttpResponse response;
  response.status = status;
  response.body = writer.Finish();
  AddCommonHeaders(&response, request_id, ec2);
  for (const auto& [name, value] : error.headers) {
    response.headers.Add(name, value);
  }
  return response;
}

}  // namespace brume::aws::codec
