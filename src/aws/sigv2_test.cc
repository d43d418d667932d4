#include "aws/sigv2.h"

#include <gtest/gtest.h>

#include <string>

namespace brume::aws {
namespace {

// The credentials of the examples in the S3 guide "Signing and
// authenticating REST requests".
constexpr std::string_view kAccessKey = "AKIAIOSFODNN7EXAMPLE";
constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

HttpRequest Request(std::string method, std::string host, std::string target) {
  HttpRequest request;
  request.method = std::move(method);
  request.target = target;
  size_t question = target.find('?');
  request.path = target.substr(0, question);
  if (question != std::string::npos) request.query = target.substr(question + 1);
  request.headers.Add("Host", std::move(host));
  return request;
}

std::string HeaderAuth(std::string_view signature) {
  return "AWS " + std::string(kAccessKey) + ":" + std::string(signature);
}

// Parses the request's credential and verifies it with the example secret.
Status Verify(const HttpRequest& request) {
  auto parsed = ParseSigV2(request);
  if (!parsed) return AwsError{"NoCredential", "no SigV2 credential", 400};
  if (!parsed->ok()) return parsed->error();
  return VerifySigV2(request, parsed->value(), kSecret);
}

std::string FieldOf(const AwsError& error, std::string_view name) {
  for (const auto& [key, value] : error.fields) {
    if (key == name) return value;
  }
  return "";
}

// Guide example "Object GET", with the Host in the form the S3 endpoints
// use (bucket.s3.region.amazonaws.com).
TEST(SigV2Test, GuideObjectGet) {
  HttpRequest request = Request(
      "GET", "awsexamplebucket1.s3.us-west-1.amazonaws.com", "/photos/puppy.jpg");
  request.headers.Add("Date", "Tue, 27 Mar 2007 19:36:42 +0000");
  request.headers.Add("Authorization", HeaderAuth("qgk2+6Sv9/oM7G3qLEjTH1a1l1g="));
  EXPECT_EQ(BuildSigV2StringToSign(request, SigV2Auth{}),
            "GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n"
            "/awsexamplebucket1/photos/puppy.jpg");
  EXPECT_TRUE(Verify(request).ok());
}

TEST(SigV2Test, GuideObjectPut) {
  HttpRequest request = Request(
      "PUT", "awsexamplebucket1.s3.us-west-1.amazonaws.com", "/photos/puppy.jpg");
  request.headers.Add("Content-Type", "image/jpeg");
  request.headers.Add("Content-Length", "94328");
  request.headers.Add("Date", "Tue, 27 Mar 2007 21:15:45 +0000");
  request.headers.Add("Authorization", HeaderAuth("iqRzw+ileNPu1fhspnRs8nOjjIA="));
  EXPECT_EQ(BuildSigV2StringToSign(request, SigV2Auth{}),
            "PUT\n\nimage/jpeg\nTue, 27 Mar 2007 21:15:45 +0000\n"
            "/awsexamplebucket1/photos/puppy.jpg");
  EXPECT_TRUE(Verify(request).ok());
}

TEST(SigV2Test, GuideListLeavesOutQuery) {
  HttpRequest request =
      Request("GET", "awsexamplebucket1.s3.us-west-1.amazonaws.com",
              "/?prefix=photos&max-keys=50&marker=puppy");
  request.headers.Add("User-Agent", "Mozilla/5.0");
  request.headers.Add("Date", "Tue, 27 Mar 2007 19:42:41 +0000");
  request.headers.Add("Authorization", HeaderAuth("m0WP8eCtspQl5Ahe6L1SozdX9YA="));
  EXPECT_EQ(CanonicalizedResource(request), "/awsexamplebucket1/");
  EXPECT_TRUE(Verify(request).ok());
}

TEST(SigV2Test, GuideFetchKeepsSubResource) {
  HttpRequest request = Request(
      "GET", "awsexamplebucket1.s3.us-west-1.amazonaws.com", "/?acl");
  request.headers.Add("Date", "Tue, 27 Mar 2007 19:44:46 +0000");
  request.headers.Add("Authorization", HeaderAuth("82ZHiFIjc+WbcwFKGUVEQspPn+0="));
  EXPECT_EQ(CanonicalizedResource(request), "/awsexamplebucket1/?acl");
  EXPECT_TRUE(Verify(request).ok());
}

// The guide's "Delete" example signs the x-amz-date value on the Date line,
// which contradicts its own rule ("use the empty string for the Date" and
// sign x-amz-date among the x-amz-* headers). brume follows the rule.
TEST(SigV2Test, AmzDateEmptiesDateLine) {
  HttpRequest request = Request("DELETE", "s3.us-west-1.amazonaws.com",
                                "/awsexamplebucket1/photos/puppy.jpg");
  request.headers.Add("User-Agent", "dotnet");
  request.headers.Add("Date", "Tue, 27 Mar 2007 21:20:27 +0000");
  request.headers.Add("x-amz-date", "Tue, 27 Mar 2007 21:20:26 +0000");
  request.headers.Add("Authorization", HeaderAuth("Ri1hpB1zpS9pGqR7y8kuNFCl4sE="));
  EXPECT_EQ(BuildSigV2StringToSign(request, SigV2Auth{}),
            "DELETE\n\n\n\nx-amz-date:Tue, 27 Mar 2007 21:20:26 +0000\n"
            "/awsexamplebucket1/photos/puppy.jpg");
  EXPECT_TRUE(Verify(request).ok());
}

// Guide example "Upload", path-style because brume has no CNAME buckets.
TEST(SigV2Test, GuideUploadCanonicalizesAmzHeaders) {
  HttpRequest request =
      Request("PUT", "s3.us-west-1.amazonaws.com",
              "/static.awsexamplebucket1.net/db-backup.dat.gz");
  request.headers.Add("User-Agent", "curl/7.15.5");
  request.headers.Add("Date", "Tue, 27 Mar 2007 21:06:08 +0000");
  request.headers.Add("x-amz-acl", "public-read");
  request.headers.Add("content-type", "application/x-download");
  request.headers.Add("Content-MD5", "4gJE4saaMU4BqNR0kLY+lw==");
  request.headers.Add("X-Amz-Meta-ReviewedBy", "joe@awsexamplebucket1.net");
  request.headers.Add("X-Amz-Meta-ReviewedBy", "jane@awsexamplebucket1.net");
  request.headers.Add("X-Amz-Meta-FileChecksum", "0x02661779");
  request.headers.Add("X-Amz-Meta-ChecksumAlgorithm", "crc32");
  request.headers.Add("Content-Disposition", "attachment; filename=database.dat");
  request.headers.Add("Content-Encoding", "gzip");
  request.headers.Add("Content-Length", "5913339");
  request.headers.Add("Authorization", HeaderAuth("dKZcB+bz2EPXgSdXZp9ozGeOM4I="));
  EXPECT_EQ(CanonicalizedAmzHeaders(request, false),
            "x-amz-acl:public-read\n"
            "x-amz-meta-checksumalgorithm:crc32\n"
            "x-amz-meta-filechecksum:0x02661779\n"
            "x-amz-meta-reviewedby:joe@awsexamplebucket1.net,"
            "jane@awsexamplebucket1.net\n");
  EXPECT_TRUE(Verify(request).ok());
}

TEST(SigV2Test, GuideListAllMyBuckets) {
  HttpRequest request = Request("GET", "s3.us-west-1.amazonaws.com", "/");
  request.headers.Add("Date", "Wed, 28 Mar 2007 01:29:59 +0000");
  request.headers.Add("Authorization", HeaderAuth("qGdzdERIC03wnaRNKh6OqZehG9s="));
  EXPECT_EQ(CanonicalizedResource(request), "/");
  EXPECT_TRUE(Verify(request).ok());
}

TEST(SigV2Test, GuideUnicodeKeysSignedAsSent) {
  HttpRequest request = Request("GET", "s3.us-west-1.amazonaws.com",
                                "/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re");
  request.headers.Add("Date", "Wed, 28 Mar 2007 01:49:49 +0000");
  request.headers.Add("Authorization", HeaderAuth("DNEZGsoieTZ92F3bUfSPQcbGmlM="));
  EXPECT_EQ(CanonicalizedResource(request),
            "/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re");
  EXPECT_TRUE(Verify(request).ok());
}

// The guide's query-string example: the string to sign is the guide's, and
// the signature is HMAC-SHA1 of it under the example secret (the guide's own
// value does not match its string).
TEST(SigV2Test, PresignedUsesExpiresAsDate) {
  HttpRequest request = Request(
      "GET", "awsexamplebucket1.s3.us-west-1.amazonaws.com",
      "/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&"
      "Signature=1No4mq5ETf02z8aet9voy6gui6E%3D&Expires=1175139620");
  auto parsed = ParseSigV2(request);
  ASSERT_TRUE(parsed.has_value());
  ASSERT_TRUE(parsed->ok());
  const SigV2Auth& auth = parsed->value();
  EXPECT_TRUE(auth.presigned);
  EXPECT_EQ(auth.access_key_id, kAccessKey);
  EXPECT_EQ(auth.signature, "1No4mq5ETf02z8aet9voy6gui6E=");
  EXPECT_EQ(auth.expires_seconds, 1175139620);
  EXPECT_EQ(BuildSigV2StringToSign(request, auth),
            "GET\n\n\n1175139620\n/awsexamplebucket1/photos/puppy.jpg");
  EXPECT_TRUE(VerifySigV2(request, auth, kSecret).ok());
}

TEST(SigV2Test, PresignedQueryHeadersCount) {
  HttpRequest request = Request(
      "PUT", "localhost:4566",
      "/bucket/key?AWSAccessKeyId=AK&Signature=x&Expires=10&"
      "x-amz-acl=public-read&content-type=text%2Fplain");
  SigV2Auth auth;
  auth.presigned = true;
  auth.expires = "10";
  EXPECT_EQ(BuildSigV2StringToSign(request, auth),
            "PUT\n\ntext/plain\n10\nx-amz-acl:public-read\n/bucket/key");
}

TEST(SigV2Test, SubResourcesSortedAndDecoded) {
  HttpRequest request = Request(
      "GET", "localhost:4566",
      "/bkt/x?versionId=v%2B1&response-content-type=text%2Fplain&prefix=a&uploads");
  EXPECT_EQ(CanonicalizedResource(request),
            "/bkt/x?response-content-type=text/plain&uploads&versionId=v+1");
}

TEST(SigV2Test, VirtualHostedBucketWithoutPath) {
  HttpRequest request = Request("GET", "bkt.localhost:4566", "/");
  EXPECT_EQ(CanonicalizedResource(request), "/bkt/");
}

TEST(SigV2Test, FoldedAmzHeaderValuesUnfold) {
  HttpRequest request = Request("GET", "localhost", "/b/k");
  request.headers.Add("X-Amz-Meta-Note", "  one\r\n   two  ");
  EXPECT_EQ(CanonicalizedAmzHeaders(request, false), "x-amz-meta-note:one two\n");
}

TEST(SigV2Test, SignThenVerifyRoundTrip) {
  HttpRequest request = Request("PUT", "localhost:4566", "/bkt/k?tagging");
  request.headers.Add("x-amz-meta-a", "1");
  request.headers.Add("Content-Type", "text/plain");
  SignSigV2(request, kAccessKey, kSecret, 1700000000000);
  ASSERT_TRUE(request.headers.Has("Date"));
  EXPECT_TRUE(Verify(request).ok());
}

// botocore signs "/bucket/" for the path-style URL "/bucket".
TEST(SigV2Test, BucketPathWithSlashVerifies) {
  HttpRequest request = Request("PUT", "127.0.0.1:4566", "/bkt");
  request.headers.Add("Date", "Fri, 04 Dec 2026 19:04:11 GMT");
  std::string signature = ComputeSigV2Signature(
      kSecret, "PUT\n\n\nFri, 04 Dec 2026 19:04:11 GMT\n/bkt/");
  request.headers.Add("Authorization", HeaderAuth(signature));
  EXPECT_TRUE(Verify(request).ok());
}

TEST(SigV2Test, WrongSecretFailsWithS3Fields) {
  HttpRequest request = Request("GET", "localhost:4566", "/bkt/k");
  SignSigV2(request, kAccessKey, "another-secret", 1700000000000);
  Status status = Verify(request);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, "SignatureDoesNotMatch");
  EXPECT_EQ(status.error().http_status, 403);
  const std::string string_to_sign = FieldOf(status.error(), "StringToSign");
  EXPECT_EQ(string_to_sign, "GET\n\n\nTue, 14 Nov 2023 22:13:20 GMT\n/bkt/k");
  EXPECT_EQ(FieldOf(status.error(), "AWSAccessKeyId"), kAccessKey);
  EXPECT_FALSE(FieldOf(status.error(), "SignatureProvided").empty());
  EXPECT_TRUE(FieldOf(status.error(), "StringToSignBytes").starts_with("47 45 54 0a"));
}

TEST(SigV2Test, HeaderWithoutColonIsInvalidArgument) {
  HttpRequest request = Request("PUT", "localhost", "/b/k");
  request.headers.Add("Authorization", "AWS HAHAHA");
  auto parsed = ParseSigV2(request);
  ASSERT_TRUE(parsed.has_value());
  ASSERT_FALSE(parsed->ok());
  EXPECT_EQ(parsed->error().code, "InvalidArgument");
  EXPECT_EQ(parsed->error().http_status, 400);
  EXPECT_EQ(FieldOf(parsed->error(), "ArgumentValue"), "AWS HAHAHA");
}

TEST(SigV2Test, SchemeAloneNeedsOneSpace) {
  HttpRequest request = Request("PUT", "localhost", "/b/k");
  request.headers.Add("Authorization", "AWS");
  auto parsed = ParseSigV2(request);
  ASSERT_TRUE(parsed.has_value());
  ASSERT_FALSE(parsed->ok());
  EXPECT_EQ(parsed->error().code, "InvalidArgument");
  EXPECT_NE(parsed->error().message.find("one and only one ' ' (space)"),
            std::string::npos);
}

TEST(SigV2Test, SigV4HeaderIsNotSigV2) {
  HttpRequest request = Request("GET", "localhost", "/");
  request.headers.Add("Authorization",
                      "AWS4-HMAC-SHA256 Credential=a/b/c/s3/aws4_request");
  EXPECT_FALSE(HasSigV2Credential(request));
  EXPECT_FALSE(ParseSigV2(request).has_value());
}

TEST(SigV2Test, AccessKeyWithoutSignatureIsNoCredential) {
  HttpRequest request = Request("GET", "localhost", "/b/k?AWSAccessKeyId=AK");
  EXPECT_FALSE(HasSigV2Credential(request));
}

TEST(SigV2Test, QueryWithoutExpiresIsAccessDenied) {
  HttpRequest request =
      Request("GET", "localhost", "/b/k?AWSAccessKeyId=AK&Signature=abc");
  auto parsed = ParseSigV2(request);
  ASSERT_TRUE(parsed.has_value());
  ASSERT_FALSE(parsed->ok());
  EXPECT_EQ(parsed->error().code, "AccessDenied");
  EXPECT_EQ(parsed->error().http_status, 403);
}

TEST(SigV2Test, NonNumericExpiresIsAccessDenied) {
  HttpRequest request = Request(
      "GET", "localhost", "/b/k?AWSAccessKeyId=AK&Signature=abc&Expires=soon");
  auto parsed = ParseSigV2(request);
  ASSERT_TRUE(parsed.has_value());
  ASSERT_FALSE(parsed->ok());
  EXPECT_EQ(parsed->error().message,
            "Invalid date (should be seconds since epoch): soon");
}

TEST(SigV2Test, HeaderAndQueryTogetherRejected) {
  HttpRequest request = Request(
      "GET", "localhost", "/b/k?AWSAccessKeyId=AK&Signature=abc&Expires=1");
  request.headers.Add("Authorization", "AWS AK:sig");
  auto parsed = ParseSigV2(request);
  ASSERT_TRUE(parsed.has_value());
  ASSERT_FALSE(parsed->ok());
  EXPECT_EQ(parsed->error().code, "InvalidArgument");
}

TEST(SigV2Test, ExpiredPresignedUrl) {
  SigV2Auth auth;
  auth.presigned = true;
  auth.expires_seconds = 1700000000;
  HttpRequest request = Request("GET", "localhost", "/b/k");
  EXPECT_TRUE(CheckSigV2Time(request, auth, 1700000000000, true).ok());
  Status expired = CheckSigV2Time(request, auth, 1700000001000, true);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, "AccessDenied");
  EXPECT_EQ(expired.error().message, "Request has expired");
  EXPECT_EQ(FieldOf(expired.error(), "Expires"), "2023-11-14T22:13:20Z");
  EXPECT_EQ(FieldOf(expired.error(), "ServerTime"), "2023-11-14T22:13:21Z");
}

TEST(SigV2Test, RequestTimeRules) {
  const int64_t now_ms = 1700000000000;  // Tue, 14 Nov 2023 22:13:20 GMT
  struct Case {
    const char* header;
    const char* value;  // nullptr: header absent
    const char* code;   // "" when accepted
  };
  const Case cases[] = {
      {"Date", "Tue, 14 Nov 2023 22:13:20 GMT", ""},
      {"Date", "Tue, 14 Nov 2023 22:30:00 GMT", "RequestTimeTooSkewed"},
      {"Date", nullptr, "AccessDenied"},
      {"x-amz-date", "Bad Date", "AccessDenied"},
      {"x-amz-date", "", "AccessDenied"},
      {"x-amz-date", "Tue, 07 Jul 2010 21:53:04 GMT", "RequestTimeTooSkewed"},
      {"x-amz-date", "Tue, 07 Jul 9999 21:53:04 GMT", "RequestTimeTooSkewed"},
      {"x-amz-date", "Tue, 07 Jul 1950 21:53:04 GMT", "AccessDenied"},
  };
  for (const Case& test : cases) {
    SCOPED_TRACE(std::string(test.header) + ": " +
                 (test.value ? test.value : "(absent)"));
    HttpRequest request = Request("PUT", "localhost", "/b/k");
    if (test.value) request.headers.Add(test.header, test.value);
    Status status = CheckSigV2Time(request, SigV2Auth{}, now_ms, true);
    if (std::string_view(test.code).empty()) {
      EXPECT_TRUE(status.ok());
      continue;
    }
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, test.code);
    EXPECT_EQ(status.error().http_status, 403);
  }
}

TEST(SigV2Test, AmzDateWinsOverValidDate) {
  HttpRequest request = Request("PUT", "localhost", "/b/k");
  request.headers.Add("Date", "Tue, 14 Nov 2023 22:13:20 GMT");
  request.headers.Add("x-amz-date", "Bad Date");
  Status status = CheckSigV2Time(request, SigV2Auth{}, 1700000000000, true);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, "AccessDenied");
}

TEST(SigV2Test, SkewFieldsNameDateAsSent) {
  HttpRequest request = Request("PUT", "localhost", "/b/k");
  request.headers.Add("Date", "Tue, 07 Jul 2010 21:53:04 GMT");
  Status status = CheckSigV2Time(request, SigV2Auth{}, 1700000000000, true);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(FieldOf(status.error(), "RequestTime"),
            "Tue, 07 Jul 2010 21:53:04 GMT");
  EXPECT_EQ(FieldOf(status.error(), "ServerTime"), "2023-11-14T22:13:20Z");
  EXPECT_EQ(FieldOf(status.error(), "MaxAllowedSkewMilliseconds"), "900000");
  EXPECT_TRUE(CheckSigV2Time(request, SigV2Auth{}, 1700000000000, false).ok());
}

}  // namespace
}  // namespace brume::aws
