#include "aws/router.h"

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace brume::aws {
namespace {

HttpRequest MakeRequest(std::string method, std::string target) {
  HttpRequest request;
  request.method = std::move(method);
  request.target = std::move(target);
  size_t question = request.target.find('?');
  request.path = request.target.substr(0, question);
  if (question != std::string::npos) request.query = request.target.substr(question + 1);
  request.headers.Add("Host", "localhost:4566");
  return request;
}

SigV4Auth ScopeFor(std::string service) {
  SigV4Auth auth;
  auth.access_key_id = "test";
  auth.region = "us-east-1";
  auth.service = std::move(service);
  return auth;
}

class RouterTest : public ::testing::Test {
 protected:
  Router router_{AllServiceModels()};

  Route RouteS3(const std::string& method, const std::string& target,
                std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttpRequest request = MakeRequest(method, target);
    for (auto& [name, value] : headers) request.headers.Add(name, value);
    SigV4Auth auth = ScopeFor("s3");
    return router_.RouteHeaders(request, &auth);
  }

  std::string S3Operation(const std::string& method, const std::string& target,
                          std::vector<std::pair<std::string, std::string>> headers = {}) {
    Route route = RouteS3(method, target, std::move(headers));
    if (route.kind != Route::Kind::kOperation || !route.ref.operation) return "<none>";
    return route.ref.operation->name;
  }
};

TEST_F(RouterTest, JsonTargetFindsOperation) {
  HttpRequest request = MakeRequest("POST", "/");
  request.headers.Add("X-Amz-Target", "DynamoDB_20120810.PutItem");
  Route route = router_.RouteHeaders(request, nullptr);
  ASSERT_EQ(route.kind, Route::Kind::kOperation);
  EXPECT_STREQ(route.ref.service->id, "dynamodb");
  EXPECT_STREQ(route.ref.operation->name, "PutItem");
  EXPECT_EQ(route.ref.protocol, Protocol::kJson);
}

TEST_F(RouterTest, UnknownTargetIsAnError) {
  HttpRequest request = MakeRequest("POST", "/");
  request.headers.Add("X-Amz-Target", "DynamoDB_20120810.NoSuchThing");
  Route route = router_.RouteHeaders(request, nullptr);
  ASSERT_EQ(route.kind, Route::Kind::kError);
  EXPECT_EQ(route.error->code, "UnknownOperationException");
  EXPECT_STREQ(route.ref.service->id, "dynamodb");
}

TEST_F(RouterTest, QueryActionInQueryString) {
  HttpRequest request = MakeRequest("GET", "/?Action=GetCallerIdentity&Version=2011-06-15");
  Route route = router_.RouteHeaders(request, nullptr);
  ASSERT_EQ(route.kind, Route::Kind::kOperation);
  EXPECT_STREQ(route.ref.service->id, "sts");
  EXPECT_EQ(route.ref.protocol, Protocol::kQuery);
}

TEST_F(RouterTest, QueryActionOfSeveralServices) {
  // SNS and RDS both have ListTagsForResource, so without a credential
  // scope or a service Host the action names no single service.
  HttpRequest request = MakeRequest("GET", "/?Action=ListTagsForResource");
  Route route = router_.RouteHeaders(request, nullptr);
  ASSERT_EQ(route.kind, Route::Kind::kError);
  EXPECT_EQ(route.error->code, "InvalidAction");
  EXPECT_NE(route.error->message.find("could not tell which service"),
            std::string::npos);
}

TEST_F(RouterTest, QueryFormBodyNeedsBody) {
  HttpRequest request = MakeRequest("POST", "/");
  request.headers.Add("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  SigV4Auth auth = ScopeFor("sts");
  Route route = router_.RouteHeaders(request, &auth);
  ASSERT_EQ(route.kind, Route::Kind::kNeedBody);
  request.body.data = "Action=AssumeRole&Version=2011-06-15&RoleArn=x";
  route = router_.RouteQueryBody(request, &auth);
  ASSERT_EQ(route.kind, Route::Kind::kOperation);
  EXPECT_STREQ(route.ref.operation->name, "AssumeRole");
}

TEST_F(RouterTest, SqsQueryUsesQueryProtocol) {
  HttpRequest request = MakeRequest("POST", "/");
  request.headers.Add("Content-Type", "application/x-www-form-urlencoded");
  request.body.data = "Action=ListQueues&Version=2012-11-05";
  SigV4Auth auth = ScopeFor("sqs");
  Route route = router_.RouteQueryBody(request, &auth);
  ASSERT_EQ(route.kind, Route::Kind::kOperation);
  EXPECT_STREQ(route.ref.service->id, "sqs");
  EXPECT_EQ(route.ref.protocol, Protocol::kQuery);
}

TEST_F(RouterTest, InvalidQueryAction) {
  HttpRequest request = MakeRequest("POST", "/");
  request.body.data = "Action=Nope";
  SigV4Auth auth = ScopeFor("sts");
  Route route = router_.RouteQueryBody(request, &auth);
  ASSERT_EQ(route.kind, Route::Kind::kError);
  EXPECT_EQ(route.error->code, "InvalidAction");
}

TEST_F(RouterTest, S3OperationsSharingAUri) {
  EXPECT_EQ(S3Operation("PUT", "/b/k"), "PutObject");
  EXPECT_EQ(S3Operation("PUT", "/b/k?partNumber=1&uploadId=u"), "UploadPart");
  EXPECT_EQ(S3Operation("PUT", "/b/k", {{"x-amz-copy-source", "/a/b"}}), "CopyObject");
  EXPECT_EQ(S3Operation("PUT", "/b/k?partNumber=1&uploadId=u",
                        {{"x-amz-copy-source", "/a/b"}}),
            "UploadPartCopy");
  EXPECT_EQ(S3Operation("GET", "/b/k"), "GetObject");
  EXPECT_EQ(S3Operation("GET", "/b/k?uploadId=u"), "ListParts");
  EXPECT_EQ(S3Operation("DELETE", "/b/k?uploadId=u"), "AbortMultipartUpload");
  EXPECT_EQ(S3Operation("DELETE", "/b/k"), "DeleteObject");
  EXPECT_EQ(S3Operation("GET", "/b"), "ListObjects");
  EXPECT_EQ(S3Operation("GET", "/b/"), "ListObjects");
  EXPECT_EQ(S3Operation("GET", "/b?list-type=2&prefix=a"), "ListObjectsV2");
  EXPECT_EQ(S3Operation("GET", "/"), "ListBuckets");
  EXPECT_EQ(S3Operation("PUT", "/b"), "CreateBucket");
  EXPECT_EQ(S3Operation("GET", "/b?lifecycle"), "GetBucketLifecycleConfiguration");
  EXPECT_EQ(S3Operation("PUT", "/b?notification"), "PutBucketNotificationConfiguration");
  EXPECT_EQ(S3Operation("POST", "/b?delete"), "DeleteObjects");
  EXPECT_EQ(S3Operation("POST", "/b/k?uploads"), "CreateMultipartUpload");
  EXPECT_EQ(S3Operation("POST", "/b/k?uploadId=u"), "CompleteMultipartUpload");
  EXPECT_EQ(S3Operation("GET", "/b?analytics&id=x"), "GetBucketAnalyticsConfiguration");
  EXPECT_EQ(S3Operation("GET", "/b?analytics"), "ListBucketAnalyticsConfigurations");
  EXPECT_EQ(S3Operation("PUT", "/b/k?x-id=PutObject"), "PutObject");
}

TEST_F(RouterTest, S3KeysKeepSlashesAndEncoding) {
  Route route = RouteS3("GET", "/b//a/..%2Fb%20c/");
  ASSERT_EQ(route.kind, Route::Kind::kOperation);
  ASSERT_EQ(route.labels.size(), 2u);
  EXPECT_EQ(route.labels[0].second, "b");
  EXPECT_EQ(route.labels[1].first, "Key");
  EXPECT_EQ(route.labels[1].second, "/a/../b c/");
}

TEST_F(RouterTest, S3PutObjectSpoolsBody) {
  EXPECT_TRUE(RouteS3("PUT", "/b/k").spool_body);
  EXPECT_TRUE(RouteS3("PUT", "/b/k?partNumber=1&uploadId=u").spool_body);
  EXPECT_FALSE(RouteS3("PUT", "/b").spool_body);
}

TEST_F(RouterTest, S3VirtualHostedStyle) {
  HttpRequest request = MakeRequest("GET", "/dir/file.txt");
  request.headers.Set("Host", "my-bucket.s3.localhost:4566");
  SigV4Auth auth = ScopeFor("s3");
  Route route = router_.RouteHeaders(request, &auth);
  ASSERT_EQ(route.kind, Route::Kind::kOperation);
  EXPECT_STREQ(route.ref.operation->name, "GetObject");
  EXPECT_EQ(route.labels[0].second, "my-bucket");
  EXPECT_EQ(route.labels[1].second, "dir/file.txt");
}

TEST_F(RouterTest, S3UnsignedDefaultsToS3) {
  HttpRequest request = MakeRequest("GET", "/bucket/key");
  Route route = router_.RouteHeaders(request, nullptr);
  ASSERT_EQ(route.kind, Route::Kind::kOperation);
  EXPECT_STREQ(route.ref.service->id, "s3");
}

TEST_F(RouterTest, S3PseudoOperations) {
  Route options = RouteS3("OPTIONS", "/b/k");
  EXPECT_EQ(options.pseudo_operation, kS3OptionsPreflight);
  Route post = RouteS3("POST", "/b", {{"Content-Type", "multipart/form-data; boundary=x"}});
  EXPECT_EQ(post.pseudo_operation, kS3PostObject);
  EXPECT_TRUE(post.spool_body);
}

TEST_F(RouterTest, RestJsonByScope) {
  HttpRequest request = MakeRequest("GET", "/2015-03-31/functions/");
  SigV4Auth auth = ScopeFor("lambda");
  Route route = router_.RouteHeaders(request, &auth);
  ASSERT_EQ(route.kind, Route::Kind::kOperation);
  EXPECT_STREQ(route.ref.operation->name, "ListFunctions");
  EXPECT_EQ(route.ref.protocol, Protocol::kRestJson);

  request = MakeRequest("POST", "/2015-03-31/functions/my-fn/invocations");
  route = router_.RouteHeaders(request, &auth);
  ASSERT_EQ(route.kind, Route::Kind::kOperation);
  EXPECT_STREQ(route.ref.operation->name, "Invoke");
  EXPECT_EQ(route.labels[0].second, "my-fn");
}

TEST_F(RouterTest, HostNamesTheService) {
  HttpRequest request = MakeRequest("POST", "/");
  request.headers.Set("Host", "sqs.us-east-1.amazonaws.com");
  request.body.data = "Action=ListQueues";
  Route route = router_.RouteQueryBody(request, nullptr);
  ASSERT_EQ(route.kind, Route::Kind::kOperation);
  EXPECT_STREQ(route.ref.service->id, "sqs");
}

TEST_F(RouterTest, ConcurrentFirstRequests) {
  // REST patterns are built on first use, so threads that route at once
  // must all see the finished table.
  std::vector<std::string> names(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < names.size(); ++i) {
    threads.emplace_back([this, &names, i] {
      names[i] = S3Operation("PUT", "/b/k?partNumber=1&uploadId=u");
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& name : names) EXPECT_EQ(name, "UploadPart");
}

TEST(VirtualHostedBucketTest, Forms) {
  EXPECT_EQ(VirtualHostedBucket("b.localhost:4566"), "b");
  EXPECT_EQ(VirtualHostedBucket("b.s3.localhost"), "b");
  EXPECT_EQ(VirtualHostedBucket("my.dotted.bucket.s3.amazonaws.com"), "my.dotted.bucket");
  EXPECT_EQ(VirtualHostedBucket("b.s3.us-west-2.amazonaws.com"), "b");
  EXPECT_EQ(VirtualHostedBucket("b.s3-us-west-2.amazonaws.com"), "b");
  EXPECT_EQ(VirtualHostedBucket("localhost:4566"), std::nullopt);
  EXPECT_EQ(VirtualHostedBucket("127.0.0.1:4566"), std::nullopt);
  EXPECT_EQ(VirtualHostedBucket("s3.amazonaws.com"), std::nullopt);
  EXPECT_EQ(VirtualHostedBucket("sqs.us-east-1.amazonaws.com"), std::nullopt);
}

}  // namespace
}  // namespace brume::aws
