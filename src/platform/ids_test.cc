#include "platform/ids.h"

#include <regex>
#include <set>
#include <string>

#include <gtest/gtest.h>

namespace brume::platform {
namespace {

bool AllIn(const std::string& text, std::string_view alphabet) {
  return text.find_first_not_of(alphabet) == std::string::npos;
}

TEST(IdsTest, UuidIsLowerCaseVersion4) {
  const std::regex uuid_v4(
      "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  for (int i = 0; i < 200; ++i) {
    std::string uuid = NewUuid();
    EXPECT_TRUE(std::regex_match(uuid, uuid_v4)) << uuid;
  }
}

TEST(IdsTest, UuidsAreUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(NewUuid());
  EXPECT_EQ(seen.size(), 10000u);
}

TEST(IdsTest, S3RequestIdIsUpperHex) {
  std::string id = NewS3RequestId();
  EXPECT_EQ(id.size(), 16u);
  EXPECT_TRUE(AllIn(id, "0123456789ABCDEF")) << id;
}

TEST(IdsTest, S3HostIdIsBase64) {
  std::string id = NewS3HostId();
  EXPECT_EQ(id.size(), 64u);
  EXPECT_TRUE(AllIn(id,
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                    "0123456789+/="))
      << id;
  EXPECT_NE(id, NewS3HostId());
}

TEST(IdsTest, RandomStringsUseTheirAlphabet) {
  std::string upper = RandomUpperAlnum(1000);
  EXPECT_EQ(upper.size(), 1000u);
  EXPECT_TRUE(AllIn(upper, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"));

  std::string alnum = RandomAlnum(1000);
  EXPECT_EQ(alnum.size(), 1000u);
  EXPECT_TRUE(AllIn(alnum,
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                    "0123456789"));
  // 1000 draws from 62 symbols include lower case with near certainty.
  EXPECT_NE(alnum.find_first_of("abcdefghijklmnopqrstuvwxyz"),
            std::string::npos);

  std::string hex = RandomHex(1000);
  EXPECT_EQ(hex.size(), 1000u);
  EXPECT_TRUE(AllIn(hex, "0123456789abcdef"));

  EXPECT_EQ(RandomAlnum(0), "");
}

TEST(IdsTest, RandomBytesHaveRequestedSize) {
  EXPECT_EQ(RandomBytes(0).size(), 0u);
  EXPECT_EQ(RandomBytes(7).size(), 7u);
  EXPECT_EQ(RandomBytes(33).size(), 33u);
  EXPECT_NE(RandomBytes(32), RandomBytes(32));
}

TEST(IdsTest, RandomSecretFormat) {
  std::string secret = RandomSecret(40);
  EXPECT_EQ(secret.size(), 40u);
  EXPECT_TRUE(AllIn(secret,
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                    "0123456789+/"))
      << secret;
  EXPECT_NE(secret, RandomSecret(40));
  EXPECT_EQ(RandomSecret(0), "");
}

TEST(IdsTest, PartitionOfRegions) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"us-east-1", "aws"},          {"eu-west-3", "aws"},
      {"", "aws"},                   {"cn-north-1", "aws-cn"},
      {"us-gov-west-1", "aws-us-gov"}, {"us-iso-east-1", "aws-iso"},
      {"us-isob-east-1", "aws-iso-b"}, {"eu-isoe-west-1", "aws-iso-e"},
      {"us-isof-south-1", "aws-iso-f"}, {"eusc-de-east-1", "aws-eusc"},
  };
  for (const auto& [region, partition] : cases) {
    EXPECT_EQ(PartitionOf(region), partition) << region;
  }
}

TEST(IdsTest, MakeArnUsesPartition) {
  EXPECT_EQ(MakeArn("sqs", "us-east-1", "000000000000", "my-queue"),
            "arn:aws:sqs:us-east-1:000000000000:my-queue");
  EXPECT_EQ(MakeArn("sqs", "cn-north-1", "123456789012", "q"),
            "arn:aws-cn:sqs:cn-north-1:123456789012:q");
  EXPECT_EQ(MakeArn("iam", "", "123456789012", "role/admin"),
            "arn:aws:iam::123456789012:role/admin");
  EXPECT_EQ(MakeArn("s3", "", "", "my-bucket"), "arn:aws:s3:::my-bucket");
}

}  // namespace
}  // namespace brume::platform
