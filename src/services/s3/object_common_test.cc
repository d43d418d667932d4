// Unit tests of the SSE-C rules in object_common.cc and of the lifecycle
// expiration header in lifecycle.cc.

#include <gtest/gtest.h>

#include "platform/crypto.h"
#include "platform/strings.h"
#include "services/s3/lifecycle.h"
#include "services/s3/object_common.h"

namespace brume::s3 {
namespace {

const std::string kKey(32, 'k');
const std::string kOtherKey(32, 'o');

Document CustomerKeyInput(const std::string& key) {
  return {{"SSECustomerAlgorithm", "AES256"},
          {"SSECustomerKey", platform::Base64Encode(key)},
          {"SSECustomerKeyMD5", platform::Base64Encode(platform::Md5(key))}};
}

TEST(CustomerKeyTest, NoHeadersIsNoKey) {
  Result<std::optional<CustomerKey>> parsed =
      ParseCustomerKey(Document::object(), "", CustomerKeyUse::kWrite);
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed.value().has_value());
}

TEST(CustomerKeyTest, ValidKeyKeepsOnlyItsMd5) {
  Result<std::optional<CustomerKey>> parsed =
      ParseCustomerKey(CustomerKeyInput(kKey), "", CustomerKeyUse::kWrite);
  ASSERT_TRUE(parsed.ok());
  ASSERT_TRUE(parsed.value().has_value());
  EXPECT_EQ(parsed.value()->algorithm, "AES256");
  EXPECT_EQ(parsed.value()->key_md5, platform::Base64Encode(platform::Md5(kKey)));
}

TEST(CustomerKeyTest, WriteErrors) {
  struct Case {
    const char* name;
    Document input;
    const char* code;
    const char* message_start;
  };
  Document no_md5 = CustomerKeyInput(kKey);
  no_md5.erase("SSECustomerKeyMD5");
  Document no_key = CustomerKeyInput(kKey);
  no_key.erase("SSECustomerKey");
  Document no_algorithm = CustomerKeyInput(kKey);
  no_algorithm.erase("SSECustomerAlgorithm");
  Document wrong_algorithm = CustomerKeyInput(kKey);
  wrong_algorithm["SSECustomerAlgorithm"] = "AES128";
  Document wrong_md5 = CustomerKeyInput(kKey);
  wrong_md5["SSECustomerKeyMD5"] = "AAAAAAAAAAAAAAAAAAAAAA==";
  const Case cases[] = {
      {"no md5", no_md5, "InvalidArgument",
       "Requests specifying Server Side Encryption with Customer provided keys "
       "must provide the client calculated MD5"},
      {"no key", no_key, "InvalidArgument",
       "Requests specifying Server Side Encryption with Customer provided keys "
       "must provide an appropriate secret key"},
      {"no algorithm", no_algorithm, "InvalidArgument",
       "Requests specifying Server Side Encryption with Customer provided keys "
       "must provide a valid encryption algorithm"},
      {"wrong algorithm", wrong_algorithm, "InvalidEncryptionAlgorithmError",
       "The Encryption request you specified is not valid"},
      {"wrong md5", wrong_md5, "InvalidArgument",
       "The calculated MD5 hash of the key did not match"},
      {"short key", CustomerKeyInput("short"), "InvalidArgument",
       "The secret key was invalid for the specified algorithm"},
  };
  for (const Case& test_case : cases) {
    Result<std::optional<CustomerKey>> parsed =
        ParseCustomerKey(test_case.input, "", CustomerKeyUse::kWrite);
    ASSERT_FALSE(parsed.ok()) << test_case.name;
    EXPECT_EQ(parsed.error().code, test_case.code) << test_case.name;
    EXPECT_EQ(parsed.error().http_status, 400) << test_case.name;
    EXPECT_TRUE(parsed.error().message.starts_with(test_case.message_start))
        << test_case.name << ": " << parsed.error().message;
  }
}

TEST(CustomerKeyTest, ReadsMayOmitMd5) {
  Document input = CustomerKeyInput(kKey);
  input.erase("SSECustomerKeyMD5");
  Result<std::optional<CustomerKey>> parsed =
      ParseCustomerKey(input, "", CustomerKeyUse::kRead);
  ASSERT_TRUE(parsed.ok());
  ASSERT_TRUE(parsed.value().has_value());
  EXPECT_EQ(parsed.value()->key_md5, platform::Base64Encode(platform::Md5(kKey)));
}

TEST(CustomerKeyTest, CopySourcePrefix) {
  Document input = {
      {"CopySourceSSECustomerAlgorithm", "AES256"},
      {"CopySourceSSECustomerKey", platform::Base64Encode(kKey)},
      {"CopySourceSSECustomerKeyMD5", platform::Base64Encode(platform::Md5(kKey))}};
  Result<std::optional<CustomerKey>> parsed =
      ParseCustomerKey(input, "CopySource", CustomerKeyUse::kRead);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed.value().has_value());
  Result<std::optional<CustomerKey>> destination =
      ParseCustomerKey(input, "", CustomerKeyUse::kWrite);
  ASSERT_TRUE(destination.ok());
  EXPECT_FALSE(destination.value().has_value());
}

TEST(CustomerKeyTest, ReadChecksAgainstStoredVersion) {
  Document encrypted = {
      {"SSECustomerAlgorithm", "AES256"},
      {"SSECustomerKeyMD5", platform::Base64Encode(platform::Md5(kKey))}};
  Document plain = Document::object();

  EXPECT_TRUE(CheckReadCustomerKey(CustomerKeyInput(kKey), "", encrypted).ok());
  EXPECT_TRUE(CheckReadCustomerKey(Document::object(), "", plain).ok());

  Status missing = CheckReadCustomerKey(Document::object(), "", encrypted);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "InvalidRequest");

  Status wrong = CheckReadCustomerKey(CustomerKeyInput(kOtherKey), "", encrypted);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, "AccessDenied");
  EXPECT_EQ(wrong.error().http_status, 403);

  // A read key of another length is the wrong key, not an invalid one.
  Status short_key = CheckReadCustomerKey(CustomerKeyInput("short"), "", encrypted);
  ASSERT_FALSE(short_key.ok());
  EXPECT_EQ(short_key.error().http_status, 403);

  Status not_applicable = CheckReadCustomerKey(CustomerKeyInput(kKey), "", plain);
  ASSERT_FALSE(not_applicable.ok());
  EXPECT_EQ(not_applicable.error().message,
            "The encryption parameters are not applicable to this object.");
}

TEST(CustomerKeyTest, UploadPartsRepeatTheKey) {
  Document attributes = {
      {"SSECustomerAlgorithm", "AES256"},
      {"SSECustomerKeyMD5", platform::Base64Encode(platform::Md5(kKey))}};
  EXPECT_TRUE(CheckUploadCustomerKey(CustomerKeyInput(kKey), attributes, true).ok());
  EXPECT_TRUE(CheckUploadCustomerKey(Document::object(), attributes, false).ok());

  Status missing = CheckUploadCustomerKey(Document::object(), attributes, true);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "InvalidRequest");

  Status other = CheckUploadCustomerKey(CustomerKeyInput(kOtherKey), attributes,
                                        /*required=*/false);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().message,
            "The provided encryption parameters did not match the ones used "
            "originally.");

  Status unexpected = CheckUploadCustomerKey(CustomerKeyInput(kKey),
                                             Document::object(), true);
  ASSERT_FALSE(unexpected.ok());
  EXPECT_EQ(unexpected.error().code, "InvalidRequest");
}

Document BucketWithRules(Document rules) {
  return {{"Name", "bucket"},
          {"Config", {{"Lifecycle", {{"Rules", std::move(rules)}}}}}};
}

TEST(ExpirationHeaderTest, DaysRoundUpToMidnight) {
  // 2026-12-04T18:27:00Z plus one day rounds up to 2026-12-06T00:00:00Z.
  Document bucket = BucketWithRules(Document::array(
      {{{"ID", "rule1"}, {"Status", "Enabled"}, {"Prefix", "days/"},
        {"Expiration", {{"Days", 1}}}}}));
  Document version = {{"LastModified", 1796408820.0}, {"Size", 3}};
  std::optional<std::string> header =
      ExpirationHeader(bucket, "days/foo", version);
  ASSERT_TRUE(header.has_value());
  EXPECT_EQ(*header,
            "expiry-date=\"Sun, 06 Dec 2026 00:00:00 GMT\", rule-id=\"rule1\"");
  EXPECT_FALSE(ExpirationHeader(bucket, "other/foo", version).has_value());
}

TEST(ExpirationHeaderTest, EarliestMatchingRuleWins) {
  Document bucket = BucketWithRules(Document::array(
      {{{"ID", "late"}, {"Status", "Enabled"}, {"Filter", {{"Prefix", ""}}},
        {"Expiration", {{"Days", 30}}}},
       {{"ID", "early"}, {"Status", "Enabled"}, {"Filter", {{"Prefix", ""}}},
        {"Expiration", {{"Days", 2}}}},
       {{"ID", "off"}, {"Status", "Disabled"}, {"Filter", {{"Prefix", ""}}},
        {"Expiration", {{"Days", 1}}}}}));
  Document version = {{"LastModified", 1796408820.0}};
  std::optional<std::string> header = ExpirationHeader(bucket, "k", version);
  ASSERT_TRUE(header.has_value());
  EXPECT_TRUE(header->ends_with("rule-id=\"early\"")) << *header;
}

TEST(ExpirationHeaderTest, TagFilterNeedsTheTag) {
  Document bucket = BucketWithRules(Document::array(
      {{{"ID", "tagged"}, {"Status", "Enabled"},
        {"Filter", {{"Tag", {{"Key", "temp"}, {"Value", "yes"}}}}},
        {"Expiration", {{"Days", 1}}}}}));
  Document untagged = {{"LastModified", 1796408820.0}};
  EXPECT_FALSE(ExpirationHeader(bucket, "k", untagged).has_value());
  Document tagged = untagged;
  tagged["Tags"] = Document::array({{{"Key", "temp"}, {"Value", "yes"}}});
  EXPECT_TRUE(ExpirationHeader(bucket, "k", tagged).has_value());
}

}  // namespace
}  // namespace brume::s3
