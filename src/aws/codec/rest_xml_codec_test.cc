#include <gtest/gtest.h>

#include <pugixml.hpp>
#include <string>

#include "aws/codec/protocols.h"
#include "aws/model.h"

namespace brume::aws::codec {
namespace {

constexpr std::string_view kS3Namespace =
    "http://s3.amazonaws.com/doc/2006-03-01/";

OperationRef Ref(std::string_view service_id, std::string_view operation) {
  OperationRef ref;
  ref.service = FindServiceModel(service_id);
  EXPECT_NE(ref.service, nullptr) << service_id;
  if (ref.service != nullptr)
    ref.operation = ref.service->FindOperation(operation);
  EXPECT_NE(ref.operation, nullptr) << operation;
  ref.protocol = Protocol::kRestXml;
  return ref;
}

// Move-assigned strings avoid a false -Wrestrict warning of GCC 12 on
// assignments from string literals.
HttpRequest Request(std::string method, std::string query, std::string body) {
  HttpRequest request;
  request.method = std::move(method);
  request.query = std::move(query);
  request.body.data = std::move(body);
  request.body.size = request.body.data.size();
  return request;
}

RequestContext Context() {
  RequestContext ctx;
  ctx.request_id = std::string("4442587FB7D0A2F9");
  return ctx;
}

pugi::xml_node ParseXml(pugi::xml_document& document, const std::string& xml) {
  pugi::xml_parse_result result = document.load_string(xml.c_str());
  EXPECT_TRUE(result) << result.description() << "\n" << xml;
  return document.document_element();
}

TEST(RestXmlDecode, S3PutBucketTagging) {
  OperationRef ref = Ref("s3", "PutBucketTagging");
  HttpRequest request = Request(
      "PUT", "tagging",
      "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<TagSet><Tag><Key>env</Key><Value>prod</Value></Tag>"
      "<Tag><Key>team</Key><Value>a &amp; b</Value></Tag></TagSet></Tagging>");
  request.headers.Add("Content-MD5", "rSzJ6WOPk5GGhHVVBY3E1A==");

  Result<Document> input = DecodeRestXml(ref, request, {{"Bucket", "photos"}});
  ASSERT_TRUE(input.ok()) << input.error().message;
  const Document& doc = input.value();
  EXPECT_EQ(doc["Bucket"], "photos");
  EXPECT_EQ(doc["ContentMD5"], "rSzJ6WOPk5GGhHVVBY3E1A==");
  const Document& tags = doc["Tagging"]["TagSet"];
  ASSERT_EQ(tags.size(), 2u);
  EXPECT_EQ(tags[0]["Key"], "env");
  EXPECT_EQ(tags[0]["Value"], "prod");
  EXPECT_EQ(tags[1]["Key"], "team");
  EXPECT_EQ(tags[1]["Value"], "a & b");
}

TEST(RestXmlDecode, S3CompleteMultipartUpload) {
  OperationRef ref = Ref("s3", "CompleteMultipartUpload");
  HttpRequest request = Request(
      "POST", "uploadId=VXBsb2FkIElE",
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<CompleteMultipartUpload "
      "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Part><PartNumber>1</"
      "PartNumber><ETag>\"a54357aff0632cce46d942af68356b38\"</ETag></Part>"
      "<Part><PartNumber>2</"
      "PartNumber><ETag>\"0c78aef83f66abc1fa1e8477f296d394\"</ETag>"
      "<ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part>"
      "</CompleteMultipartUpload>");

  Result<Document> input = DecodeRestXml(
      ref, request, {{"Bucket", "b"}, {"Key+", "dir/object.bin"}});
  ASSERT_TRUE(input.ok()) << input.error().message;
  const Document& doc = input.value();
  EXPECT_EQ(doc["Bucket"], "b");
  EXPECT_EQ(doc["Key"], "dir/object.bin");
  EXPECT_EQ(doc["UploadId"], "VXBsb2FkIElE");
  const Document& parts = doc["MultipartUpload"]["Parts"];
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0]["PartNumber"], 1);
  EXPECT_EQ(parts[0]["ETag"], "\"a54357aff0632cce46d942af68356b38\"");
  EXPECT_EQ(parts[1]["PartNumber"], 2);
  EXPECT_EQ(parts[1]["ChecksumCRC32"], "AAAAAA==");
}

TEST(RestXmlDecode, S3PutObjectKeepsStreamingBody) {
  OperationRef ref = Ref("s3", "PutObject");
  HttpRequest request = Request("PUT", "", "<not-xml>raw object bytes");
  request.headers.Add("Content-Length", "26");
  request.headers.Add("Content-Type", "text/plain");
  request.headers.Add("x-amz-meta-Color", "blue");
  request.headers.Add("x-amz-meta-size", "L");

  Result<Document> input =
      DecodeRestXml(ref, request, {{"Bucket", "b"}, {"Key+", "k.txt"}});
  ASSERT_TRUE(input.ok()) << input.error().message;
  const Document& doc = input.value();
  EXPECT_FALSE(doc.contains("Body"));
  EXPECT_EQ(doc["ContentLength"], 26);
  EXPECT_EQ(doc["ContentType"], "text/plain");
  EXPECT_EQ(doc["Metadata"]["color"], "blue");
  EXPECT_EQ(doc["Metadata"]["size"], "L");
}

TEST(RestXmlDecode, S3StringPayloadIsKept) {
  OperationRef ref = Ref("s3", "PutBucketPolicy");
  std::string policy = R"({"Version":"2012-10-17","Statement":[]})";
  Result<Document> input =
      DecodeRestXml(ref, Request("PUT", "policy", policy), {{"Bucket", "b"}});
  ASSERT_TRUE(input.ok()) << input.error().message;
  EXPECT_EQ(input.value()["Policy"], policy);
}

TEST(RestXmlDecode, S3MalformedXml) {
  OperationRef ref = Ref("s3", "PutBucketTagging");
  for (const char* body :
       {"<Tagging><TagSet><Tag><Key>k</Key></TagSet></Tagging>", "not xml",
        "<Tagging><TagSet>"}) {
    Result<Document> input =
        DecodeRestXml(ref, Request("PUT", "tagging", body), {{"Bucket", "b"}});
    ASSERT_FALSE(input.ok()) << body;
    EXPECT_EQ(input.error().code, "MalformedXML") << body;
    EXPECT_EQ(input.error().http_status, 400) << body;
    EXPECT_EQ(input.error().message,
              "The XML you provided was not well-formed or did not validate "
              "against our published schema");
  }
}

TEST(RestXmlDecode, S3BadNumberIsMalformedXml) {
  OperationRef ref = Ref("s3", "CompleteMultipartUpload");
  Result<Document> input = DecodeRestXml(
      ref,
      Request("POST", "uploadId=u",
              "<CompleteMultipartUpload><Part><PartNumber>one</PartNumber>"
              "</Part></CompleteMultipartUpload>"),
      {{"Bucket", "b"}, {"Key+", "k"}});
  ASSERT_FALSE(input.ok());
  EXPECT_EQ(input.error().code, "MalformedXML");
}

TEST(RestXmlDecode, EntitiesAreNotExpanded) {
  OperationRef ref = Ref("s3", "PutBucketTagging");
  HttpRequest request = Request(
      "PUT", "tagging",
      "<?xml version=\"1.0\"?>"
      "<!DOCTYPE Tagging [<!ENTITY secret SYSTEM \"file:///etc/passwd\">"
      "<!ENTITY word \"expanded\">]>"
      "<Tagging><TagSet><Tag><Key>&secret;</Key><Value>&word;</Value></Tag>"
      "</TagSet></Tagging>");
  Result<Document> input = DecodeRestXml(ref, request, {{"Bucket", "b"}});
  ASSERT_TRUE(input.ok()) << input.error().message;
  const Document& tag = input.value()["Tagging"]["TagSet"][0];
  EXPECT_EQ(tag["Key"], "&secret;");
  EXPECT_EQ(tag["Value"], "&word;");
}

TEST(RestXmlDecode, S3AclGranteeAttribute) {
  OperationRef ref = Ref("s3", "PutBucketAcl");
  HttpRequest request = Request(
      "PUT", "acl",
      "<AccessControlPolicy xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Owner><ID>owner-id</ID></Owner><AccessControlList><Grant>"
      "<Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
      "xsi:type=\"CanonicalUser\"><ID>grantee-id</ID></Grantee>"
      "<Permission>FULL_CONTROL</Permission></Grant></AccessControlList>"
      "</AccessControlPolicy>");
  Result<Document> input = DecodeRestXml(ref, request, {{"Bucket", "b"}});
  ASSERT_TRUE(input.ok()) << input.error().message;
  const Document& policy = input.value()["AccessControlPolicy"];
  EXPECT_EQ(policy["Owner"]["ID"], "owner-id");
  ASSERT_EQ(policy["Grants"].size(), 1u);
  EXPECT_EQ(policy["Grants"][0]["Grantee"]["Type"], "CanonicalUser");
  EXPECT_EQ(policy["Grants"][0]["Grantee"]["ID"], "grantee-id");
  EXPECT_EQ(policy["Grants"][0]["Permission"], "FULL_CONTROL");
}

TEST(RestXmlDecode, Route53ChangeResourceRecordSets) {
  OperationRef ref = Ref("route53", "ChangeResourceRecordSets");
  HttpRequest request = Request(
      "POST", "",
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
      "<ChangeResourceRecordSetsRequest "
      "xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">"
      "<ChangeBatch><Comment>add www</Comment><Changes><Change>"
      "<Action>UPSERT</Action><ResourceRecordSet><Name>www.example.com</Name>"
      "<Type>A</Type><TTL>300</TTL><ResourceRecords>"
      "<ResourceRecord><Value>192.0.2.1</Value></ResourceRecord>"
      "<ResourceRecord><Value>192.0.2.2</Value></ResourceRecord>"
      "</ResourceRecords></ResourceRecordSet></Change></Changes></ChangeBatch>"
      "</ChangeResourceRecordSetsRequest>");

  Result<Document> input =
      DecodeRestXml(ref, request, {{"Id", "Z1D633PJN98FT9"}});
  ASSERT_TRUE(input.ok()) << input.error().message;
  const Document& doc = input.value();
  EXPECT_EQ(doc["HostedZoneId"], "Z1D633PJN98FT9");
  EXPECT_EQ(doc["ChangeBatch"]["Comment"], "add www");
  const Document& change = doc["ChangeBatch"]["Changes"][0];
  EXPECT_EQ(change["Action"], "UPSERT");
  const Document& set = change["ResourceRecordSet"];
  EXPECT_EQ(set["Name"], "www.example.com");
  EXPECT_EQ(set["TTL"], 300);
  ASSERT_EQ(set["ResourceRecords"].size(), 2u);
  EXPECT_EQ(set["ResourceRecords"][1]["Value"], "192.0.2.2");
}

TEST(RestXmlDecode, Route53MalformedIsInvalidInput) {
  OperationRef ref = Ref("route53", "ChangeResourceRecordSets");
  Result<Document> input = DecodeRestXml(
      ref, Request("POST", "", "<ChangeResourceRecordSetsRequest>"),
      {{"Id", "Z1"}});
  ASSERT_FALSE(input.ok());
  EXPECT_EQ(input.error().code, "InvalidInput");
  EXPECT_EQ(input.error().http_status, 400);
}

TEST(RestXmlEncode, S3ListObjectsV2) {
  OperationRef ref = Ref("s3", "ListObjectsV2");
  Document output = {{"Name", "photos"},
                     {"Prefix", "2006/"},
                     {"Delimiter", "/"},
                     {"MaxKeys", 1000},
                     {"KeyCount", 2},
                     {"IsTruncated", false},
                     {"Contents",
                      {{{"Key", "2006/a.jpg"},
                        {"LastModified", 1255369830},
                        {"ETag", "\"fba9dede5f27731c9771645a39863328\""},
                        {"Size", 434234},
                        {"StorageClass", "STANDARD"}},
                       {{"Key", "2006/b <&>.jpg"},
                        {"LastModified", 1255369830.5},
                        {"ETag", "\"0\""},
                        {"Size", 0},
                        {"StorageClass", "STANDARD"}}}},
                     {"CommonPrefixes",
                      {{{"Prefix", "2006/jan/"}}, {{"Prefix", "2006/feb/"}}}}};
  RequestContext ctx = Context();

  HttpResponse response = EncodeRestXml(ref, output, ctx);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.headers.Get("x-amz-request-id").value_or(""),
            ctx.request_id);
  EXPECT_TRUE(response.headers.Has("x-amz-id-2"));
  EXPECT_EQ(response.headers.Get("Content-Type").value_or(""),
            "application/xml");

  pugi::xml_document document;
  pugi::xml_node root = ParseXml(document, response.body);
  EXPECT_STREQ(root.name(), "ListBucketResult");
  EXPECT_EQ(std::string_view(root.attribute("xmlns").value()), kS3Namespace);
  EXPECT_STREQ(root.child_value("Name"), "photos");
  EXPECT_STREQ(root.child_value("KeyCount"), "2");
  EXPECT_STREQ(root.child_value("IsTruncated"), "false");
  std::vector<std::string> keys;
  for (pugi::xml_node object : root.children("Contents")) {
    keys.push_back(object.child_value("Key"));
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"2006/a.jpg", "2006/b <&>.jpg"}));
  pugi::xml_node first = root.child("Contents");
  EXPECT_STREQ(first.child_value("LastModified"), "2009-10-12T17:50:30.000Z");
  EXPECT_STREQ(first.next_sibling("Contents").child_value("LastModified"),
               "2009-10-12T17:50:30.500Z");
  EXPECT_STREQ(first.child_value("Size"), "434234");
  int prefixes = 0;
  for (pugi::xml_node prefix : root.children("CommonPrefixes")) {
    EXPECT_TRUE(prefix.child("Prefix"));
    ++prefixes;
  }
  EXPECT_EQ(prefixes, 2);
}

TEST(RestXmlEncode, S3GetObjectHeadersAndFile) {
  OperationRef ref = Ref("s3", "GetObject");
  Document output = {{"ContentLength", 11},
                     {"ETag", "\"5eb63bbbe01eeed093cb22bb8f5acdc3\""},
                     {"LastModified", 1704164645},
                     {"ContentType", "text/plain"},
                     {"Metadata", {{"color", "blue"}}},
                     {"AcceptRanges", "bytes"}};
  RequestContext ctx = Context();
  ctx.response_file = FileBody{"/tmp/object", 0, 11};

  HttpResponse response = EncodeRestXml(ref, output, ctx);
  EXPECT_EQ(response.status, 200);
  ASSERT_TRUE(response.file.has_value());
  EXPECT_EQ(response.file->path, "/tmp/object");
  EXPECT_EQ(response.file->length, 11u);
  EXPECT_TRUE(response.body.empty());
  EXPECT_EQ(response.headers.Get("Content-Length").value_or(""), "11");
  EXPECT_EQ(response.headers.Get("ETag").value_or(""),
            "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");
  EXPECT_EQ(response.headers.Get("Last-Modified").value_or(""),
            "Tue, 02 Jan 2024 03:04:05 GMT");
  EXPECT_EQ(response.headers.Get("Content-Type").value_or(""), "text/plain");
  EXPECT_EQ(response.headers.Get("x-amz-meta-color").value_or(""), "blue");
  EXPECT_EQ(response.headers.Get("x-amz-request-id").value_or(""),
            ctx.request_id);
}

TEST(RestXmlEncode, S3PartialContentStatus) {
  OperationRef ref = Ref("s3", "GetObject");
  RequestContext ctx = Context();
  ctx.response_payload = std::string("ell");
  ctx.response_status = 206;
  HttpResponse response = EncodeRestXml(
      ref, {{"ContentRange", "bytes 1-3/11"}, {"ContentLength", 3}}, ctx);
  EXPECT_EQ(response.status, 206);
  EXPECT_EQ(response.body, "ell");
  EXPECT_EQ(response.headers.Get("Content-Range").value_or(""), "bytes 1-3/11");
}

TEST(RestXmlEncode, S3HeaderOnlyOutputHasNoBody) {
  OperationRef ref = Ref("s3", "PutObject");
  HttpResponse response = EncodeRestXml(
      ref, {{"ETag", "\"d41d8cd98f00b204e9800998ecf8427e\""}}, Context());
  EXPECT_EQ(response.status, 200);
  EXPECT_TRUE(response.body.empty());
  EXPECT_EQ(response.headers.Get("ETag").value_or(""),
            "\"d41d8cd98f00b204e9800998ecf8427e\"");
}

TEST(RestXmlEncode, S3CompleteMultipartUploadResult) {
  OperationRef ref = Ref("s3", "CompleteMultipartUpload");
  Document output = {{"Location", "http://localhost:4566/b/k"},
                     {"Bucket", "b"},
                     {"Key", "k"},
                     {"ETag", "\"3858f62230ac3c915f300c664312c11f-9\""},
                     {"VersionId", "v1"}};
  HttpResponse response = EncodeRestXml(ref, output, Context());
  pugi::xml_document document;
  pugi::xml_node root = ParseXml(document, response.body);
  EXPECT_STREQ(root.name(), "CompleteMultipartUploadResult");
  EXPECT_STREQ(root.child_value("Bucket"), "b");
  EXPECT_STREQ(root.child_value("ETag"),
               "\"3858f62230ac3c915f300c664312c11f-9\"");
  EXPECT_FALSE(root.child("VersionId"));
  EXPECT_EQ(response.headers.Get("x-amz-version-id").value_or(""), "v1");
}

TEST(RestXmlEncode, S3GetBucketTaggingRoundTrip) {
  OperationRef get = Ref("s3", "GetBucketTagging");
  Document tags = Document::array({{{"Key", "env"}, {"Value", "prod"}},
                                   {{"Key", "owner"}, {"Value", "<me>"}}});
  HttpResponse response = EncodeRestXml(get, {{"TagSet", tags}}, Context());
  pugi::xml_document document;
  pugi::xml_node root = ParseXml(document, response.body);
  EXPECT_STREQ(root.name(), "Tagging");
  EXPECT_STREQ(root.child("TagSet").child("Tag").child_value("Key"), "env");

  // The body a GetBucketTagging returns is a valid PutBucketTagging body.
  OperationRef put = Ref("s3", "PutBucketTagging");
  Result<Document> input = DecodeRestXml(
      put, Request("PUT", "tagging", response.body), {{"Bucket", "b"}});
  ASSERT_TRUE(input.ok()) << input.error().message;
  EXPECT_EQ(input.value()["Tagging"]["TagSet"], tags);
}

TEST(RestXmlEncode, S3GetBucketAclGrantee) {
  OperationRef ref = Ref("s3", "GetBucketAcl");
  Document output = {
      {"Owner", {{"ID", "owner-id"}}},
      {"Grants",
       {{{"Grantee", {{"Type", "CanonicalUser"}, {"ID", "owner-id"}}},
         {"Permission", "FULL_CONTROL"}}}}};
  HttpResponse response = EncodeRestXml(ref, output, Context());
  pugi::xml_document document;
  pugi::xml_node root = ParseXml(document, response.body);
  EXPECT_STREQ(root.name(), "AccessControlPolicy");
  pugi::xml_node grantee =
      root.child("AccessControlList").child("Grant").child("Grantee");
  ASSERT_TRUE(grantee);
  EXPECT_STREQ(grantee.attribute("xmlns:xsi").value(),
               "http://www.w3.org/2001/XMLSchema-instance");
  EXPECT_STREQ(grantee.attribute("xsi:type").value(), "CanonicalUser");
  EXPECT_STREQ(grantee.child_value("ID"), "owner-id");
  EXPECT_FALSE(grantee.child("Type"));
}

TEST(RestXmlEncode, S3GetBucketLocation) {
  OperationRef ref = Ref("s3", "GetBucketLocation");
  HttpResponse response =
      EncodeRestXml(ref, {{"LocationConstraint", "eu-west-1"}}, Context());
  pugi::xml_document document;
  pugi::xml_node root = ParseXml(document, response.body);
  EXPECT_STREQ(root.name(), "LocationConstraint");
  EXPECT_STREQ(root.child_value(), "eu-west-1");

  HttpResponse us_east = EncodeRestXml(ref, Document::object(), Context());
  pugi::xml_node empty_root = ParseXml(document, us_east.body);
  EXPECT_STREQ(empty_root.name(), "LocationConstraint");
  EXPECT_STREQ(empty_root.child_value(), "");
}

TEST(RestXmlEncode, Route53ChangeInfo) {
  OperationRef ref = Ref("route53", "ChangeResourceRecordSets");
  Document output = {{"ChangeInfo",
                      {{"Id", "/change/C2682N5HXP0BZ4"},
                       {"Status", "PENDING"},
                       {"SubmittedAt", 1291140000}}}};
  RequestContext ctx = Context();
  HttpResponse response = EncodeRestXml(ref, output, ctx);
  EXPECT_EQ(response.headers.Get("x-amzn-RequestId").value_or(""),
            ctx.request_id);
  pugi::xml_document document;
  pugi::xml_node root = ParseXml(document, response.body);
  EXPECT_STREQ(root.name(), "ChangeResourceRecordSetsResponse");
  EXPECT_STREQ(root.attribute("xmlns").value(),
               "https://route53.amazonaws.com/doc/2013-04-01/");
  pugi::xml_node info = root.child("ChangeInfo");
  EXPECT_STREQ(info.child_value("Id"), "/change/C2682N5HXP0BZ4");
  EXPECT_STREQ(info.child_value("SubmittedAt"), "2010-11-30T18:00:00Z");
}

TEST(RestXmlError, S3NoSuchKey) {
  const ServiceModel* s3 = FindServiceModel("s3");
  AwsError error("NoSuchKey", "The specified key does not exist.");
  error.fields.emplace_back("Key", "missing.txt");

  HttpResponse response = EncodeRestXmlError(s3, error, "4442587FB7D0A2F9");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.headers.Get("x-amz-request-id").value_or(""),
            "4442587FB7D0A2F9");
  EXPECT_EQ(
      response.body.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 0), 0u);
  pugi::xml_document document;
  pugi::xml_node root = ParseXml(document, response.body);
  EXPECT_STREQ(root.name(), "Error");
  EXPECT_STREQ(root.child_value("Code"), "NoSuchKey");
  EXPECT_STREQ(root.child_value("Message"),
               "The specified key does not exist.");
  EXPECT_STREQ(root.child_value("Key"), "missing.txt");
  EXPECT_STREQ(root.child_value("RequestId"), "4442587FB7D0A2F9");
  EXPECT_EQ(response.headers.Get("x-amz-id-2").value_or(""),
            root.child_value("HostId"));
  EXPECT_FALSE(std::string(root.child_value("HostId")).empty());
}

TEST(RestXmlError, S3HandlerStatusKept) {
  const ServiceModel* s3 = FindServiceModel("s3");
  AwsError error(
      "PreconditionFailed",
      "At least one of the pre-conditions you specified did not hold", 412);
  HttpResponse response = EncodeRestXmlError(s3, error, "r");
  EXPECT_EQ(response.status, 412);
}

TEST(RestXmlError, Route53Envelope) {
  const ServiceModel* route53 = FindServiceModel("route53");
  AwsError error("NoSuchHostedZone", "No hosted zone found with ID: Z1");
  HttpResponse response = EncodeRestXmlError(route53, error, "req-9");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.headers.Get("x-amzn-RequestId").value_or(""), "req-9");
  pugi::xml_document document;
  pugi::xml_node root = ParseXml(document, response.body);
  EXPECT_STREQ(root.name(), "ErrorResponse");
  EXPECT_STREQ(root.attribute("xmlns").value(),
               "https://route53.amazonaws.com/doc/2013-04-01/");
  EXPECT_STREQ(root.child("Error").child_value("Type"), "Sender");
  EXPECT_STREQ(root.child("Error").child_value("Code"), "NoSuchHostedZone");
  EXPECT_STREQ(root.child_value("RequestId"), "req-9");
}

}  // namespace
}  // namespace brume::aws::codec
