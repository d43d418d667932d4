#include "aws/codec/rest_bindings.h"

#include <gtest/gtest.h>

namespace brume::aws::codec {
namespace {

const Shape& InputShape(const ServiceModel& service, std::string_view op) {
  return service.shape(service.FindOperation(op)->input);
}

const Shape& OutputShape(const ServiceModel& service, std::string_view op) {
  return service.shape(service.FindOperation(op)->output);
}

TEST(RestBindingsTest, DecodesS3PutObjectLabelsHeadersAndMetadata) {
  const ServiceModel& s3 = *FindServiceModel("s3");
  HttpRequest request;
  request.method = "PUT";
  request.headers.Add("Content-Length", "11");
  request.headers.Add("Content-Type", "text/plain");
  request.headers.Add("X-Amz-Meta-Owner", "alice");
  request.headers.Add("x-amz-meta-build", "42");
  request.headers.Add("x-amz-object-lock-retain-until-date",
                      "2024-01-02T03:04:05Z");
  request.headers.Add("x-amz-object-lock-legal-hold", "ON");

  Document input = Document::object();
  Status status = DecodeRestBindings(
      s3, Protocol::kRestXml, InputShape(s3, "PutObject"), request,
      {{"Bucket", "b"}, {"Key+", "dir/a b.txt"}}, input);
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(input["Bucket"], "b");
  EXPECT_EQ(input["Key"], "dir/a b.txt");
  EXPECT_EQ(input["ContentLength"], 11);
  EXPECT_EQ(input["ContentType"], "text/plain");
  EXPECT_EQ(input["ObjectLockRetainUntilDate"], 1704164645.0);
  EXPECT_EQ(input["Metadata"]["owner"], "alice");
  EXPECT_EQ(input["Metadata"]["build"], "42");
  EXPECT_EQ(input["ObjectLockLegalHoldStatus"], "ON");
  EXPECT_FALSE(input.contains("Body"));
}

TEST(RestBindingsTest, SplitsHeaderLists) {
  const ServiceModel& s3 = *FindServiceModel("s3");
  HttpRequest request;
  request.headers.Add("x-amz-object-attributes", "ETag, ObjectSize,Checksum");
  Document input;
  Status status = DecodeRestBindings(
      s3, Protocol::kRestXml, InputShape(s3, "GetObjectAttributes"), request,
      {{"Bucket", "b"}, {"Key", "k"}}, input);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(input["ObjectAttributes"],
            Document::array({"ETag", "ObjectSize", "Checksum"}));
}

TEST(RestBindingsTest, QueryMapTakesUnclaimedParameters) {
  const ServiceModel& apigateway = *FindServiceModel("apigateway");
  HttpRequest request;
  request.query = "extensions=integrations&postman=true";
  request.headers.Add("Accept", "application/json");
  Document input;
  Status status = DecodeRestBindings(
      apigateway, Protocol::kRestJson, InputShape(apigateway, "GetExport"),
      request,
      {{"restapi_id", "a1"}, {"stage_name", "prod"}, {"export_type", "oas30"}},
      input);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(input["restApiId"], "a1");
  EXPECT_EQ(input["stageName"], "prod");
  EXPECT_EQ(input["exportType"], "oas30");
  EXPECT_EQ(input["accepts"], "application/json");
  EXPECT_EQ(input["parameters"]["extensions"], "integrations");
  EXPECT_EQ(input["parameters"]["postman"], "true");
}

TEST(RestBindingsTest, DecodesQueryScalarsWithTypes) {
  const ServiceModel& lambda = *FindServiceModel("lambda");
  HttpRequest request;
  request.query = "MaxItems=10&Marker=abc%3D&FunctionVersion=ALL";
  Document input;
  Status status = DecodeRestBindings(lambda, Protocol::kRestJson,
                                     InputShape(lambda, "ListFunctions"),
                                     request, {}, input);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(input["MaxItems"], 10);
  EXPECT_EQ(input["Marker"], "abc=");
  EXPECT_EQ(input["FunctionVersion"], "ALL");
}

TEST(RestBindingsTest, RejectsUnconvertibleHeader) {
  const ServiceModel& s3 = *FindServiceModel("s3");
  HttpRequest request;
  request.headers.Add("Content-Length", "eleven");
  Document input;
  Status status = DecodeRestBindings(s3, Protocol::kRestXml,
                                     InputShape(s3, "PutObject"), request,
                                     {{"Bucket", "b"}, {"Key", "k"}}, input);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, "SerializationException");
  EXPECT_EQ(status.error().http_status, 400);
}

TEST(RestBindingsTest, EncodesS3HeadObjectHeaders) {
  const ServiceModel& s3 = *FindServiceModel("s3");
  Document output = {{"ContentLength", 11},
                     {"ETag", "\"abc\""},
                     {"LastModified", 1704164645},
                     {"Metadata", {{"owner", "alice"}}},
                     {"DeleteMarker", false}};
  HttpResponse response;
  RestBodyMembers rest = EncodeRestBindings(
      s3, Protocol::kRestXml, OutputShape(s3, "HeadObject"), output, response);
  EXPECT_EQ(response.headers.Get("Content-Length"), "11");
  EXPECT_EQ(response.headers.Get("ETag"), "\"abc\"");
  EXPECT_EQ(response.headers.Get("Last-Modified"),
            "Tue, 02 Jan 2024 03:04:05 GMT");
  EXPECT_EQ(response.headers.Get("x-amz-meta-owner"), "alice");
  EXPECT_EQ(response.headers.Get("x-amz-delete-marker"), "false");
  EXPECT_EQ(rest.payload, nullptr);
  EXPECT_TRUE(rest.body.empty());
}

TEST(RestBindingsTest, ReportsPayloadAndStatusCode) {
  const ServiceModel& lambda = *FindServiceModel("lambda");
  HttpResponse response;
  RestBodyMembers rest = EncodeRestBindings(
      lambda, Protocol::kRestJson, OutputShape(lambda, "Invoke"),
      Document{{"StatusCode", 202}}, response);
  EXPECT_EQ(response.status, 202);
  ASSERT_NE(rest.payload, nullptr);
  EXPECT_STREQ(rest.payload->name, "Payload");
}

TEST(RestBindingsTest, BodyMembersExcludeBoundMembers) {
  const ServiceModel& lambda = *FindServiceModel("lambda");
  RestBodyMembers rest =
      RestBodyMembersOf(lambda, InputShape(lambda, "UpdateFunctionCode"));
  EXPECT_EQ(rest.payload, nullptr);
  bool has_function_name = false;
  bool has_zip_file = false;
  for (uint32_t index : rest.body) {
    std::string_view name = lambda.member(index).name;
    if (name == "FunctionName") has_function_name = true;
    if (name == "ZipFile") has_zip_file = true;
  }
  EXPECT_FALSE(has_function_name);
  EXPECT_TRUE(has_zip_file);
}

}  // namespace
}  // namespace brume::aws::codec
