#include <gtest/gtest.h>

#include <cmath>

#include "aws/codec/cbor.h"
#include "aws/codec/protocols.h"

namespace brume::aws::codec {
namespace {

OperationRef CloudWatch(std::string_view operation) {
  OperationRef ref;
  ref.service = FindServiceModel("cloudwatch");
  EXPECT_NE(ref.service, nullptr);
  ref.operation = ref.service->FindOperation(operation);
  EXPECT_NE(ref.operation, nullptr) << operation;
  ref.protocol = Protocol::kRpcV2Cbor;
  return ref;
}

HttpRequest CborRequest(std::string body) {
  HttpRequest request;
  request.method = "POST";
  request.headers.Add("smithy-protocol", "rpc-v2-cbor");
  request.headers.Add("Content-Type", "application/cbor");
  request.body.data = std::move(body);
  request.body.size = request.body.data.size();
  return request;
}

TEST(CborTest, WritesAndReadsEveryMajorType) {
  CborWriter writer;
  writer.BeginMap(7);
  writer.Text("uint");
  writer.Unsigned(1000000);
  writer.Text("neg");
  writer.Integer(-500);
  writer.Text("double");
  writer.Double(1.5);
  writer.Text("bytes");
  writer.Bytes(std::string("\x00\xff", 2));
  writer.Text("list");
  writer.BeginArray(2);
  writer.Bool(true);
  writer.Null();
  writer.Text("time");
  writer.Tag(1);
  writer.Integer(1704164645);
  writer.Text("text");
  writer.Text("h\xc3\xa9llo");

  Result<Document> parsed = ParseCbor(writer.data());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const Document& doc = parsed.value();
  EXPECT_EQ(doc["uint"], 1000000);
  EXPECT_EQ(doc["neg"], -500);
  EXPECT_EQ(doc["double"], 1.5);
  EXPECT_EQ(BlobBytes(doc["bytes"]), std::string("\x00\xff", 2));
  EXPECT_EQ(doc["list"][0], true);
  EXPECT_TRUE(doc["list"][1].is_null());
  EXPECT_EQ(doc["time"], 1704164645);
  EXPECT_EQ(doc["text"], "h\xc3\xa9llo");
}

TEST(CborTest, WritesShortestHeads) {
  CborWriter writer;
  writer.Unsigned(23);
  writer.Unsigned(24);
  writer.Unsigned(256);
  writer.Integer(-1);
  EXPECT_EQ(writer.data(), std::string("\x17\x18\x18\x19\x01\x00\x20", 7));
}

TEST(CborTest, ReadsHalfAndSingleFloats) {
  // 1.0 as half precision, -2.5 as single precision, in an array.
  const std::string bytes("\x82\xf9\x3c\x00\xfa\xc0\x20\x00\x00", 9);
  Result<Document> parsed = ParseCbor(bytes);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.value()[0], 1.0);
  EXPECT_EQ(parsed.value()[1], -2.5);
}

TEST(CborTest, ReadsIndefiniteLengthItems) {
  // {_ "a": [_ 1, 2], "s": (_ "ab", "c")}
  const std::string bytes(
      "\xbf\x61\x61\x9f\x01\x02\xff\x61\x73\x7f\x62\x61\x62\x61\x63\xff\xff",
      17);
  Result<Document> parsed = ParseCbor(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed.value()["a"], Document::array({1, 2}));
  EXPECT_EQ(parsed.value()["s"], "abc");
}

TEST(CborTest, RejectsMalformedInput) {
  const std::string cases[] = {
      std::string("\x62\x61", 2),          // text shorter than its length
      std::string("\xa1\x01\x02", 3),      // integer map key
      std::string("\x01\x02", 2),          // trailing bytes
      std::string("\x1c", 1),              // reserved additional info
      std::string(""),                     // nothing at all
      std::string("\x9b\xff\xff\xff\xff\xff\xff\xff\xff", 9),  // huge array
  };
  for (const std::string& bytes : cases) {
    Result<Document> parsed = ParseCbor(bytes);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().code, "SerializationException");
  }
}

TEST(CborTest, RejectsDeepNesting) {
  std::string bytes(100, '\x81');
  bytes.push_back('\x01');
  EXPECT_FALSE(ParseCbor(bytes).ok());
}

TEST(CborCodecTest, DecodesCloudWatchPutMetricData) {
  CborWriter writer;
  writer.BeginMap(2);
  writer.Text("Namespace");
  writer.Text("App");
  writer.Text("MetricData");
  writer.BeginArray(1);
  writer.BeginMap(5);
  writer.Text("MetricName");
  writer.Text("Latency");
  writer.Text("Timestamp");
  writer.Tag(1);
  writer.Double(1704164645.25);
  writer.Text("Value");
  writer.Double(12.5);
  writer.Text("Unit");
  writer.Text("Milliseconds");
  writer.Text("Dimensions");
  writer.BeginArray(1);
  writer.BeginMap(2);
  writer.Text("Name");
  writer.Text("host");
  writer.Text("Value");
  writer.Text("a");

  Result<Document> input =
      DecodeCbor(CloudWatch("PutMetricData"), CborRequest(writer.Take()));
  ASSERT_TRUE(input.ok()) << input.error().message;
  const Document& datum = input.value()["MetricData"][0];
  EXPECT_EQ(input.value()["Namespace"], "App");
  EXPECT_EQ(datum["MetricName"], "Latency");
  EXPECT_EQ(datum["Timestamp"], 1704164645.25);
  EXPECT_EQ(datum["Value"], 12.5);
  EXPECT_EQ(datum["Unit"], "Milliseconds");
  EXPECT_EQ(datum["Dimensions"][0]["Name"], "host");
}

TEST(CborCodecTest, EmptyBodyIsEmptyInput) {
  Result<Document> input = DecodeCbor(CloudWatch("ListDashboards"),
                                      CborRequest(""));
  ASSERT_TRUE(input.ok());
  EXPECT_EQ(input.value(), Document::object());
}

TEST(CborCodecTest, TextForDoubleIsSerializationException) {
  CborWriter writer;
  writer.BeginMap(2);
  writer.Text("Namespace");
  writer.Text("App");
  writer.Text("MetricData");
  writer.BeginArray(1);
  writer.BeginMap(2);
  writer.Text("MetricName");
  writer.Text("m");
  writer.Text("Value");
  writer.Text("high");
  Result<Document> input =
      DecodeCbor(CloudWatch("PutMetricData"), CborRequest(writer.Take()));
  ASSERT_FALSE(input.ok());
  EXPECT_EQ(input.error().code, "SerializationException");
  EXPECT_EQ(input.error().message,
            "STRING_VALUE can not be converted to a Double");
}

TEST(CborCodecTest, EncodesCloudWatchGetMetricData) {
  Document output = {
      {"MetricDataResults",
       Document::array({{{"Id", "m1"},
                         {"Label", "Latency"},
                         {"Timestamps", Document::array({1704164645, 1.5})},
                         {"Values", Document::array({12.5, 3})},
                         {"StatusCode", "Complete"}}})}};
  RequestContext ctx;
  ctx.request_id = "req-9";
  HttpResponse response =
      EncodeCbor(CloudWatch("GetMetricData"), output, ctx);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.headers.Get("smithy-protocol"), "rpc-v2-cbor");
  EXPECT_EQ(response.headers.Get("Content-Type"), "application/cbor");
  EXPECT_EQ(response.headers.Get("x-amzn-RequestId"), "req-9");

  // Timestamps are tag 1 followed by the integer 1704164645.
  EXPECT_NE(response.body.find(std::string("\xc1\x1a\x65\x93\x7d\x25", 6)),
            std::string::npos);

  Result<Document> parsed = ParseCbor(response.body);
  ASSERT_TRUE(parsed.ok());
  const Document& result = parsed.value()["MetricDataResults"][0];
  EXPECT_EQ(result["Id"], "m1");
  EXPECT_EQ(result["Timestamps"][0], 1704164645);
  EXPECT_EQ(result["Timestamps"][1], 1.5);
  EXPECT_EQ(result["Values"][0], 12.5);
  EXPECT_EQ(result["Values"][1], 3.0);
  EXPECT_TRUE(result["Values"][1].is_number_float());
  EXPECT_EQ(result["StatusCode"], "Complete");
}

TEST(CborCodecTest, ErrorBodyAndHeaders) {
  const ServiceModel* cloudwatch = FindServiceModel("cloudwatch");
  AwsError error;
  error.code = "ResourceNotFound";
  error.message = "dashboard d not found";
  error.http_status = 404;
  HttpResponse response = EncodeCborError(cloudwatch, error, "req-3");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.headers.Get("smithy-protocol"), "rpc-v2-cbor");
  EXPECT_EQ(response.headers.Get("Content-Type"), "application/cbor");
  EXPECT_EQ(response.headers.Get("x-amzn-RequestId"), "req-3");
  EXPECT_EQ(response.headers.Get("x-amzn-query-error"), "ResourceNotFound;Sender");

  Result<Document> body = ParseCbor(response.body);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body.value()["__type"], "com.amazonaws.cloudwatch#ResourceNotFound");
  EXPECT_EQ(body.value()["message"], "dashboard d not found");
}

}  // namespace
}  // namespace brume::aws::codec
