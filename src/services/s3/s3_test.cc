// Handler-level tests of the S3 service over an in-memory SQLite storage.

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "platform/checksum.h"
#include "platform/clock.h"
#include "platform/crypto.h"
#include "platform/storage.h"
#include "platform/strings.h"
#include "services/s3/handlers.h"
#include "services/s3/lifecycle.h"

namespace brume::s3 {
namespace {

class S3Test : public ::testing::Test {
 protected:
  void SetUp() override {
    auto storage = platform::Storage::OpenSqlite("");
    ASSERT_TRUE(storage.ok()) << storage.status().message();
    storage_ = std::move(storage.value());
    env_.storage = storage_.get();
    env_.clock = &clock_;
    state_ = std::make_unique<S3State>(env_);
  }

  RequestContext Context(std::string body = "") {
    http_ = std::make_unique<HttpRequest>();
    http_->method = "PUT";
    http_->body.data = std::move(body);
    http_->body.size = http_->body.data.size();
    RequestContext ctx;
    ctx.account_id = "000000000000";
    ctx.region = "us-east-1";
    ctx.request_id = "TESTREQUEST";
    ctx.endpoint = "http://localhost:4566";
    ctx.http = http_.get();
    return ctx;
  }

  Reply Call(Reply (*handler)(S3State&, RequestContext&, Document&),
             Document input, std::string body = "") {
    RequestContext ctx = Context(std::move(body));
    last_ctx_ = ctx;
    Reply reply = handler(*state_, ctx, input);
    last_ctx_ = ctx;
    return reply;
  }

  void MakeBucket(const std::string& name) {
    Reply reply = Call(&CreateBucket, {{"Bucket", name}});
    ASSERT_TRUE(reply.is_document()) << reply.error().code;
  }

  Document Put(const std::string& bucket, const std::string& key,
               const std::string& body, Document extra = Document::object()) {
    extra["Bucket"] = bucket;
    extra["Key"] = key;
    Reply reply = Call(&PutObject, extra, body);
    EXPECT_TRUE(reply.is_document())
        << (reply.is_error() ? reply.error().code : "");
    return reply.is_document() ? reply.document() : Document();
  }

  // Reads the bytes GetObject's response file range holds.
  std::string ReadBody() {
    if (!last_ctx_.response_file.has_value()) return "";
    std::ifstream file(last_ctx_.response_file->path, std::ios::binary);
    std::stringstream contents;
    contents << file.rdbuf();
    return contents.str().substr(last_ctx_.response_file->offset,
                                 last_ctx_.response_file->length);
  }

  platform::AdjustableClock clock_;
  std::unique_ptr<platform::Storage> storage_;
  ServiceEnvironment env_;
  std::unique_ptr<S3State> state_;
  std::unique_ptr<HttpRequest> http_;
  RequestContext last_ctx_;
};

TEST_F(S3Test, CreateBucketRejectsInvalidNames) {
  for (const char* name : {"ab", "UPPER", "a..b", "-start", "192.168.1.1",
                           "xn--bucket", "bucket-s3alias"}) {
    Reply reply = Call(&CreateBucket, {{"Bucket", name}});
    ASSERT_TRUE(reply.is_error()) << name;
    EXPECT_EQ(reply.error().code, "InvalidBucketName") << name;
  }
}

TEST_F(S3Test, CreateBucketTwiceInUsEast1Succeeds) {
  MakeBucket("twice");
  Reply again = Call(&CreateBucket, {{"Bucket", "twice"}});
  EXPECT_TRUE(again.is_document());
}

TEST_F(S3Test, CreateBucketRegionMismatchFails) {
  RequestContext ctx = Context();
  ctx.region = "eu-west-1";
  Document input = {{"Bucket", "regional"}};
  Reply reply = CreateBucket(*state_, ctx, input);
  ASSERT_TRUE(reply.is_error());
  EXPECT_EQ(reply.error().code, "IllegalLocationConstraintException");
}

TEST_F(S3Test, PutThenGetReturnsBodyAndEtag) {
  MakeBucket("objects");
  Document put = Put("objects", "a/b c.txt", "hello world",
                     {{"ContentType", "text/plain"},
                      {"Metadata", {{"Color", "blue"}}}});
  EXPECT_EQ(put["ETag"], "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");
  EXPECT_EQ(put["ServerSideEncryption"], "AES256");

  Reply get = Call(&GetObject, {{"Bucket", "objects"}, {"Key", "a/b c.txt"}});
  ASSERT_TRUE(get.is_document());
  EXPECT_EQ(get.document()["ContentLength"], 11);
  EXPECT_EQ(get.document()["ContentType"], "text/plain");
  EXPECT_EQ(get.document()["Metadata"]["color"], "blue");
  EXPECT_EQ(ReadBody(), "hello world");
}

TEST_F(S3Test, GetMissingKeyIsNoSuchKey) {
  MakeBucket("missing");
  Reply get = Call(&GetObject, {{"Bucket", "missing"}, {"Key", "nope"}});
  ASSERT_TRUE(get.is_error());
  EXPECT_EQ(get.error().code, "NoSuchKey");
  EXPECT_EQ(get.error().http_status, 404);
  Reply no_bucket = Call(&GetObject, {{"Bucket", "absent"}, {"Key", "k"}});
  ASSERT_TRUE(no_bucket.is_error());
  EXPECT_EQ(no_bucket.error().code, "NoSuchBucket");
}

TEST_F(S3Test, KeyTooLongIsRejected) {
  MakeBucket("long-keys");
  Reply ok = Call(&PutObject,
                  {{"Bucket", "long-keys"}, {"Key", std::string(1024, 'k')}},
                  "x");
  EXPECT_TRUE(ok.is_document());
  Reply too_long = Call(
      &PutObject, {{"Bucket", "long-keys"}, {"Key", std::string(1025, 'k')}},
      "x");
  ASSERT_TRUE(too_long.is_error());
  EXPECT_EQ(too_long.error().code, "KeyTooLongError");
}

TEST_F(S3Test, RangeForms) {
  MakeBucket("ranges");
  Put("ranges", "r", "0123456789");
  struct Case {
    const char* range;
    const char* body;
    const char* content_range;
  } cases[] = {
      {"bytes=2-4", "234", "bytes 2-4/10"},
      {"bytes=7-", "789", "bytes 7-9/10"},
      {"bytes=-3", "789", "bytes 7-9/10"},
      {"bytes=-30", "0123456789", "bytes 0-9/10"},
      {"bytes=5-100", "56789", "bytes 5-9/10"},
  };
  for (const Case& c : cases) {
    Reply get = Call(&GetObject,
                     {{"Bucket", "ranges"}, {"Key", "r"}, {"Range", c.range}});
    ASSERT_TRUE(get.is_document()) << c.range;
    EXPECT_EQ(ReadBody(), c.body) << c.range;
    EXPECT_EQ(get.document()["ContentRange"], c.content_range) << c.range;
    EXPECT_EQ(last_ctx_.response_status, 206) << c.range;
  }
  Reply unsatisfiable = Call(
      &GetObject, {{"Bucket", "ranges"}, {"Key", "r"}, {"Range", "bytes=10-"}});
  ASSERT_TRUE(unsatisfiable.is_error());
  EXPECT_EQ(unsatisfiable.error().code, "InvalidRange");
  EXPECT_EQ(unsatisfiable.error().http_status, 416);
  Reply ignored = Call(&GetObject, {{"Bucket", "ranges"},
                                    {"Key", "r"},
                                    {"Range", "bytes=1-2,4-5"}});
  ASSERT_TRUE(ignored.is_document());
  EXPECT_EQ(ReadBody(), "0123456789");
}

TEST_F(S3Test, ConditionalReads) {
  MakeBucket("conditional");
  Document put = Put("conditional", "c", "data");
  std::string etag = put["ETag"];
  double modified = clock_.NowSeconds();

  Reply not_modified = Call(
      &GetObject,
      {{"Bucket", "conditional"}, {"Key", "c"}, {"IfNoneMatch", etag}});
  ASSERT_TRUE(not_modified.is_error());
  EXPECT_EQ(not_modified.error().http_status, 304);

  Reply failed = Call(
      &GetObject,
      {{"Bucket", "conditional"}, {"Key", "c"}, {"IfMatch", "\"other\""}});
  ASSERT_TRUE(failed.is_error());
  EXPECT_EQ(failed.error().http_status, 412);

  // A true If-Match overrides a false If-Unmodified-Since.
  Reply match_wins = Call(&GetObject, {{"Bucket", "conditional"},
                                       {"Key", "c"},
                                       {"IfMatch", etag},
                                       {"IfUnmodifiedSince", modified - 3600}});
  EXPECT_TRUE(match_wins.is_document());

  Reply since_future = Call(&GetObject, {{"Bucket", "conditional"},
                                         {"Key", "c"},
                                         {"IfModifiedSince", modified + 3600}});
  ASSERT_TRUE(since_future.is_error());
  EXPECT_EQ(since_future.error().http_status, 304);
}

TEST_F(S3Test, ConditionalWrites) {
  MakeBucket("cas");
  Put("cas", "k", "one");
  Reply exists = Call(&PutObject,
                      {{"Bucket", "cas"}, {"Key", "k"}, {"IfNoneMatch", "*"}},
                      "two");
  ASSERT_TRUE(exists.is_error());
  EXPECT_EQ(exists.error().http_status, 412);
  Reply absent = Call(&PutObject,
                      {{"Bucket", "cas"}, {"Key", "new"}, {"IfNoneMatch", "*"}},
                      "two");
  EXPECT_TRUE(absent.is_document());
}

TEST_F(S3Test, ContentMd5AndChecksumsAreVerified) {
  MakeBucket("digests");
  std::string good_md5 = platform::Base64Encode(platform::Md5("abc"));
  Reply good = Call(&PutObject,
                    {{"Bucket", "digests"}, {"Key", "k"}, {"ContentMD5", good_md5}},
                    "abc");
  EXPECT_TRUE(good.is_document());
  Reply bad = Call(&PutObject,
                   {{"Bucket", "digests"}, {"Key", "k"}, {"ContentMD5", good_md5}},
                   "abd");
  ASSERT_TRUE(bad.is_error());
  EXPECT_EQ(bad.error().code, "BadDigest");

  std::string crc = platform::ComputeChecksumBase64(
      platform::ChecksumAlgorithm::kCrc32, "abc");
  Reply crc_ok = Call(
      &PutObject, {{"Bucket", "digests"}, {"Key", "c"}, {"ChecksumCRC32", crc}},
      "abc");
  ASSERT_TRUE(crc_ok.is_document());
  EXPECT_EQ(crc_ok.document()["ChecksumCRC32"], crc);
  Reply crc_bad = Call(
      &PutObject, {{"Bucket", "digests"}, {"Key", "c"}, {"ChecksumCRC32", crc}},
      "abd");
  ASSERT_TRUE(crc_bad.is_error());
  EXPECT_EQ(crc_bad.error().code, "BadDigest");
}

TEST_F(S3Test, EveryChecksumAlgorithmIsStored) {
  MakeBucket("algorithms");
  const std::pair<const char*, platform::ChecksumAlgorithm> kCases[] = {
      {"ChecksumCRC32C", platform::ChecksumAlgorithm::kCrc32c},
      {"ChecksumCRC64NVME", platform::ChecksumAlgorithm::kCrc64Nvme},
      {"ChecksumSHA1", platform::ChecksumAlgorithm::kSha1},
      {"ChecksumSHA256", platform::ChecksumAlgorithm::kSha256},
  };
  for (const auto& [member, algorithm] : kCases) {
    std::string value = platform::ComputeChecksumBase64(algorithm, "payload");
    Reply put = Call(&PutObject,
                     {{"Bucket", "algorithms"}, {"Key", member}, {member, value}},
                     "payload");
    ASSERT_TRUE(put.is_document()) << member;
    EXPECT_EQ(put.document()[member], value) << member;
    Reply get = Call(&GetObject, {{"Bucket", "algorithms"},
                                  {"Key", member},
                                  {"ChecksumMode", "ENABLED"}});
    ASSERT_TRUE(get.is_document()) << member;
    EXPECT_EQ(get.document()[member], value) << member;
  }
}

TEST_F(S3Test, ListObjectsV2WithDelimiterAndPages) {
  MakeBucket("listing");
  for (const char* key : {"a/1", "a/2", "b", "c/x/1", "d"}) {
    Put("listing", key, "x");
  }
  Reply first = Call(&ListObjectsV2, {{"Bucket", "listing"},
                                      {"Delimiter", "/"},
                                      {"MaxKeys", 2}});
  ASSERT_TRUE(first.is_document());
  Document page = first.document();
  EXPECT_EQ(page["KeyCount"], 2);
  EXPECT_TRUE(page["IsTruncated"].get<bool>());
  ASSERT_EQ(page["CommonPrefixes"].size(), 1u);
  EXPECT_EQ(page["CommonPrefixes"][0]["Prefix"], "a/");
  EXPECT_EQ(page["Contents"][0]["Key"], "b");

  Reply second = Call(&ListObjectsV2,
                      {{"Bucket", "listing"},
                       {"Delimiter", "/"},
                       {"MaxKeys", 2},
                       {"ContinuationToken", page["NextContinuationToken"]}});
  ASSERT_TRUE(second.is_document());
  Document next = second.document();
  EXPECT_FALSE(next["IsTruncated"].get<bool>());
  ASSERT_EQ(next["CommonPrefixes"].size(), 1u);
  EXPECT_EQ(next["CommonPrefixes"][0]["Prefix"], "c/");
  ASSERT_EQ(next["Contents"].size(), 1u);
  EXPECT_EQ(next["Contents"][0]["Key"], "d");
}

TEST_F(S3Test, ListObjectsV1MarkerAndUrlEncoding) {
  MakeBucket("listing-v1");
  Put("listing-v1", "a b", "x");
  Put("listing-v1", "c+d", "x");
  Reply listed = Call(&ListObjects, {{"Bucket", "listing-v1"},
                                     {"Marker", "a b"},
                                     {"EncodingType", "url"}});
  ASSERT_TRUE(listed.is_document());
  ASSERT_EQ(listed.document()["Contents"].size(), 1u);
  EXPECT_EQ(listed.document()["Contents"][0]["Key"], "c%2Bd");
  EXPECT_EQ(listed.document()["Marker"], "a%20b");
}

TEST_F(S3Test, VersioningKeepsVersionsAndDeleteMarkers) {
  MakeBucket("versions");
  Reply enabled = Call(&PutBucketVersioning,
                       {{"Bucket", "versions"},
                        {"VersioningConfiguration", {{"Status", "Enabled"}}}});
  ASSERT_TRUE(enabled.is_document());
  std::string v1 = Put("versions", "k", "one")["VersionId"];
  std::string v2 = Put("versions", "k", "two")["VersionId"];
  EXPECT_NE(v1, v2);

  Reply deleted = Call(&DeleteObject, {{"Bucket", "versions"}, {"Key", "k"}});
  ASSERT_TRUE(deleted.is_document());
  EXPECT_TRUE(deleted.document()["DeleteMarker"].get<bool>());
  std::string marker = deleted.document()["VersionId"];

  Reply latest = Call(&GetObject, {{"Bucket", "versions"}, {"Key", "k"}});
  ASSERT_TRUE(latest.is_error());
  EXPECT_EQ(latest.error().code, "NoSuchKey");

  Reply old = Call(&GetObject,
                   {{"Bucket", "versions"}, {"Key", "k"}, {"VersionId", v1}});
  ASSERT_TRUE(old.is_document());
  EXPECT_EQ(ReadBody(), "one");

  Reply on_marker = Call(
      &GetObject, {{"Bucket", "versions"}, {"Key", "k"}, {"VersionId", marker}});
  ASSERT_TRUE(on_marker.is_error());
  EXPECT_EQ(on_marker.error().http_status, 405);

  Reply listed = Call(&ListObjectVersions, {{"Bucket", "versions"}});
  ASSERT_TRUE(listed.is_document());
  EXPECT_EQ(listed.document()["Versions"].size(), 2u);
  EXPECT_EQ(listed.document()["DeleteMarkers"].size(), 1u);

  // Removing the delete marker makes v2 current again.
  Reply undelete = Call(&DeleteObject, {{"Bucket", "versions"},
                                        {"Key", "k"},
                                        {"VersionId", marker}});
  ASSERT_TRUE(undelete.is_document());
  Reply current = Call(&GetObject, {{"Bucket", "versions"}, {"Key", "k"}});
  ASSERT_TRUE(current.is_document());
  EXPECT_EQ(ReadBody(), "two");
}

TEST_F(S3Test, MultipartUploadCompletes) {
  MakeBucket("multipart");
  Reply created = Call(&CreateMultipartUpload,
                       {{"Bucket", "multipart"}, {"Key", "big"}});
  ASSERT_TRUE(created.is_document());
  std::string upload_id = created.document()["UploadId"];

  std::string part1(kMinPartSize, 'a');
  std::string part2 = "tail";
  Document base = {{"Bucket", "multipart"}, {"Key", "big"}, {"UploadId", upload_id}};
  Document input1 = base;
  input1["PartNumber"] = 1;
  Reply up1 = Call(&UploadPart, input1, part1);
  ASSERT_TRUE(up1.is_document());
  Document input2 = base;
  input2["PartNumber"] = 2;
  Reply up2 = Call(&UploadPart, input2, part2);
  ASSERT_TRUE(up2.is_document());

  Document wrong_order = base;
  wrong_order["MultipartUpload"] = {
      {"Parts", {{{"PartNumber", 2}, {"ETag", up2.document()["ETag"]}},
                 {{"PartNumber", 1}, {"ETag", up1.document()["ETag"]}}}}};
  Reply rejected = Call(&CompleteMultipartUpload, wrong_order);
  ASSERT_TRUE(rejected.is_error());
  EXPECT_EQ(rejected.error().code, "InvalidPartOrder");

  Document complete = base;
  complete["MultipartUpload"] = {
      {"Parts", {{{"PartNumber", 1}, {"ETag", up1.document()["ETag"]}},
                 {{"PartNumber", 2}, {"ETag", up2.document()["ETag"]}}}}};
  Reply done = Call(&CompleteMultipartUpload, complete);
  ASSERT_TRUE(done.is_document()) << done.error().code;
  std::string expected_etag =
      "\"" + platform::MultipartEtag({platform::Md5(part1), platform::Md5(part2)}) +
      "\"";
  EXPECT_EQ(done.document()["ETag"], expected_etag);

  Reply get = Call(&GetObject,
                   {{"Bucket", "multipart"}, {"Key", "big"}, {"PartNumber", 2}});
  ASSERT_TRUE(get.is_document());
  EXPECT_EQ(ReadBody(), "tail");
  EXPECT_EQ(get.document()["PartsCount"], 2);

  Reply gone = Call(&ListParts, base);
  ASSERT_TRUE(gone.is_error());
  EXPECT_EQ(gone.error().code, "NoSuchUpload");
}

TEST_F(S3Test, MultipartRejectsSmallParts) {
  MakeBucket("small-parts");
  Reply created = Call(&CreateMultipartUpload,
                       {{"Bucket", "small-parts"}, {"Key", "k"}});
  std::string upload_id = created.document()["UploadId"];
  Document base = {{"Bucket", "small-parts"}, {"Key", "k"}, {"UploadId", upload_id}};
  Document parts = Document::array();
  for (int number = 1; number <= 2; ++number) {
    Document input = base;
    input["PartNumber"] = number;
    Reply up = Call(&UploadPart, input, "tiny");
    parts.push_back({{"PartNumber", number}, {"ETag", up.document()["ETag"]}});
  }
  Document complete = base;
  complete["MultipartUpload"] = {{"Parts", parts}};
  Reply rejected = Call(&CompleteMultipartUpload, complete);
  ASSERT_TRUE(rejected.is_error());
  EXPECT_EQ(rejected.error().code, "EntityTooSmall");
}

TEST_F(S3Test, CopyObjectReplacesMetadata) {
  MakeBucket("copies");
  Put("copies", "src", "payload", {{"Metadata", {{"a", "1"}}}});
  Reply self = Call(&CopyObject, {{"Bucket", "copies"},
                                  {"Key", "src"},
                                  {"CopySource", "copies/src"}});
  ASSERT_TRUE(self.is_error());
  EXPECT_EQ(self.error().code, "InvalidRequest");

  Reply copied = Call(&CopyObject, {{"Bucket", "copies"},
                                    {"Key", "dst"},
                                    {"CopySource", "/copies/src"},
                                    {"MetadataDirective", "REPLACE"},
                                    {"Metadata", {{"b", "2"}}}});
  ASSERT_TRUE(copied.is_document()) << copied.error().code;
  Reply head = Call(&HeadObject, {{"Bucket", "copies"}, {"Key", "dst"}});
  ASSERT_TRUE(head.is_document());
  EXPECT_EQ(head.document()["Metadata"], Document({{"b", "2"}}));
  EXPECT_EQ(head.document()["ContentLength"], 7);
}

TEST_F(S3Test, DeleteObjectsReportsEachKey) {
  MakeBucket("bulk");
  Put("bulk", "one", "1");
  Reply deleted = Call(
      &DeleteObjects,
      {{"Bucket", "bulk"},
       {"Delete",
        {{"Objects",
          {{{"Key", "one"}}, {{"Key", "two"}, {"VersionId", "not-valid"}}}}}}});
  ASSERT_TRUE(deleted.is_document());
  ASSERT_EQ(deleted.document()["Deleted"].size(), 1u);
  ASSERT_EQ(deleted.document()["Errors"].size(), 1u);
  EXPECT_EQ(deleted.document()["Errors"][0]["Code"], "InvalidArgument");
}

TEST_F(S3Test, DeleteBucketRequiresEmpty) {
  MakeBucket("full");
  Put("full", "k", "v");
  Reply refused = Call(&DeleteBucket, {{"Bucket", "full"}});
  ASSERT_TRUE(refused.is_error());
  EXPECT_EQ(refused.error().code, "BucketNotEmpty");
  Call(&DeleteObject, {{"Bucket", "full"}, {"Key", "k"}});
  Reply removed = Call(&DeleteBucket, {{"Bucket", "full"}});
  EXPECT_TRUE(removed.is_document());
}

TEST_F(S3Test, LifecycleExpiresObjectsAfterDays) {
  MakeBucket("expiring");
  Document lifecycle_input = {
      {"Bucket", "expiring"},
       {"LifecycleConfiguration",
        {{"Rules",
          {{{"ID", "logs"},
            {"Status", "Enabled"},
            {"Filter", {{"Prefix", "logs/"}}},
            {"Expiration", {{"Days", 1}}}}}}}}};
  Put("expiring", "logs/a", "x");
  Put("expiring", "keep", "x");

  // Store the configuration through the registered handler.
  std::map<std::string, Handler> handlers;
  RegisterBucketConfigHandlers(*state_, [&](std::string name, Handler handler) {
    handlers.emplace(std::move(name), std::move(handler));
  });
  RequestContext ctx = Context();
  Reply stored = handlers["PutBucketLifecycleConfiguration"](ctx, lifecycle_input);
  ASSERT_TRUE(stored.is_document());

  RunLifecycle(*state_);
  EXPECT_TRUE(Call(&HeadObject, {{"Bucket", "expiring"}, {"Key", "logs/a"}})
                  .is_document());

  clock_.Advance(std::chrono::hours(49));
  RunLifecycle(*state_);
  Reply expired = Call(&HeadObject, {{"Bucket", "expiring"}, {"Key", "logs/a"}});
  ASSERT_TRUE(expired.is_error());
  EXPECT_EQ(expired.error().code, "NoSuchKey");
  EXPECT_TRUE(
      Call(&HeadObject, {{"Bucket", "expiring"}, {"Key", "keep"}}).is_document());
}

TEST_F(S3Test, ObjectLockBlocksDelete) {
  Reply created = Call(&CreateBucket, {{"Bucket", "locked"},
                                       {"ObjectLockEnabledForBucket", true}});
  ASSERT_TRUE(created.is_document());
  std::string version = Put("locked", "k", "v",
                            {{"ObjectLockMode", "COMPLIANCE"},
                             {"ObjectLockRetainUntilDate",
                              clock_.NowSeconds() + 3600}})["VersionId"];
  Reply refused = Call(&DeleteObject, {{"Bucket", "locked"},
                                       {"Key", "k"},
                                       {"VersionId", version}});
  ASSERT_TRUE(refused.is_error());
  EXPECT_EQ(refused.error().code, "AccessDenied");
  clock_.Advance(std::chrono::hours(2));
  Reply allowed = Call(&DeleteObject, {{"Bucket", "locked"},
                                       {"Key", "k"},
                                       {"VersionId", version}});
  EXPECT_TRUE(allowed.is_document());
}

}  // namespace
}  // namespace brume::s3
