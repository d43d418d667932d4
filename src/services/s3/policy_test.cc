#include "services/s3/policy.h"

#include <gtest/gtest.h>

#include "services/s3/state.h"

namespace brume::s3 {
namespace {

constexpr const char* kBucket = "photos";

Document Policy(const char* statements) {
  return Document::parse(std::string(R"({"Version":"2012-10-17","Statement":)") +
                         statements + "}");
}

PolicyRequest Request(std::string account, std::string action,
                      std::string resource) {
  PolicyRequest request;
  request.account_id = account;
  if (!account.empty()) {
    request.caller_arn = "arn:aws:iam::" + account + ":root";
  }
  request.action = std::move(action);
  request.resource = std::move(resource);
  return request;
}

TEST(WildcardMatchTest, StarsAndQuestionMarks) {
  EXPECT_TRUE(WildcardMatch("s3:Get*", "s3:GetObject", false));
  EXPECT_TRUE(WildcardMatch("s3:get*", "s3:GetObject", true));
  EXPECT_FALSE(WildcardMatch("s3:get*", "s3:GetObject", false));
  EXPECT_TRUE(WildcardMatch("arn:aws:s3:::b/*/x?", "arn:aws:s3:::b/a/b/xy",
                            false));
  EXPECT_FALSE(WildcardMatch("arn:aws:s3:::b/*/x?", "arn:aws:s3:::b/a/x",
                             false));
  EXPECT_TRUE(WildcardMatch("*", "", false));
  EXPECT_FALSE(WildcardMatch("", "a", false));
}

TEST(EvaluatePolicyTest, AllowMatchesPrincipalActionResource) {
  Document policy = Policy(R"([{"Effect":"Allow",
      "Principal":{"AWS":"222222222222"},"Action":"s3:GetObject",
      "Resource":"arn:aws:s3:::photos/*"}])");
  EXPECT_EQ(EvaluatePolicy(policy, Request("222222222222", "s3:GetObject",
                                           "arn:aws:s3:::photos/a.jpg")),
            PolicyEffect::kAllow);
  EXPECT_EQ(EvaluatePolicy(policy, Request("333333333333", "s3:GetObject",
                                           "arn:aws:s3:::photos/a.jpg")),
            PolicyEffect::kNone);
  EXPECT_EQ(EvaluatePolicy(policy, Request("222222222222", "s3:PutObject",
                                           "arn:aws:s3:::photos/a.jpg")),
            PolicyEffect::kNone);
  EXPECT_EQ(EvaluatePolicy(policy, Request("222222222222", "s3:GetObject",
                                           "arn:aws:s3:::other/a.jpg")),
            PolicyEffect::kNone);
  EXPECT_EQ(EvaluatePolicy(policy, Request("", "s3:GetObject",
                                           "arn:aws:s3:::photos/a.jpg")),
            PolicyEffect::kNone);
}

TEST(EvaluatePolicyTest, ExplicitDenyWins) {
  Document policy = Policy(R"([
      {"Effect":"Allow","Principal":"*","Action":"s3:*",
       "Resource":"arn:aws:s3:::photos/*"},
      {"Effect":"Deny","Principal":"*","Action":"s3:GetObject",
       "Resource":"arn:aws:s3:::photos/private/*"}])");
  EXPECT_EQ(EvaluatePolicy(policy, Request("", "s3:GetObject",
                                           "arn:aws:s3:::photos/public/a")),
            PolicyEffect::kAllow);
  EXPECT_EQ(EvaluatePolicy(policy, Request("", "s3:GetObject",
                                           "arn:aws:s3:::photos/private/a")),
            PolicyEffect::kDeny);
}

TEST(EvaluatePolicyTest, RootArnAndCanonicalUserPrincipals) {
  Document policy = Policy(R"([{"Effect":"Allow",
      "Principal":{"AWS":["arn:aws:iam::222222222222:root"]},
      "Action":"s3:ListBucket","Resource":"arn:aws:s3:::photos"}])");
  EXPECT_EQ(EvaluatePolicy(policy, Request("222222222222", "s3:ListBucket",
                                           "arn:aws:s3:::photos")),
            PolicyEffect::kAllow);

  Document canonical = Document::parse(
      R"({"Statement":[{"Effect":"Allow","Action":"s3:ListBucket",
          "Resource":"arn:aws:s3:::photos"}]})");
  canonical["Statement"][0]["Principal"] = {
      {"CanonicalUser", CanonicalUserId("333333333333")}};
  EXPECT_EQ(EvaluatePolicy(canonical, Request("333333333333", "s3:ListBucket",
                                              "arn:aws:s3:::photos")),
            PolicyEffect::kAllow);
  EXPECT_EQ(EvaluatePolicy(canonical, Request("222222222222", "s3:ListBucket",
                                              "arn:aws:s3:::photos")),
            PolicyEffect::kNone);
}

TEST(EvaluatePolicyTest, NotPrincipalNotActionNotResource) {
  Document policy = Policy(R"([{"Effect":"Deny",
      "NotPrincipal":{"AWS":"111111111111"},"NotAction":"s3:GetObject",
      "NotResource":"arn:aws:s3:::photos/public/*"}])");
  EXPECT_EQ(EvaluatePolicy(policy, Request("222222222222", "s3:PutObject",
                                           "arn:aws:s3:::photos/x")),
            PolicyEffect::kDeny);
  EXPECT_EQ(EvaluatePolicy(policy, Request("111111111111", "s3:PutObject",
                                           "arn:aws:s3:::photos/x")),
            PolicyEffect::kNone);
  EXPECT_EQ(EvaluatePolicy(policy, Request("222222222222", "s3:GetObject",
                                           "arn:aws:s3:::photos/x")),
            PolicyEffect::kNone);
  EXPECT_EQ(EvaluatePolicy(policy, Request("222222222222", "s3:PutObject",
                                           "arn:aws:s3:::photos/public/x")),
            PolicyEffect::kNone);
}

TEST(EvaluatePolicyTest, StringConditions) {
  Document policy = Policy(R"([{"Effect":"Allow","Principal":"*",
      "Action":"s3:ListBucket","Resource":"arn:aws:s3:::photos",
      "Condition":{"StringLike":{"s3:prefix":["public/*","shared/*"]},
                   "StringNotEquals":{"s3:delimiter":"#"}}}])");
  PolicyRequest request =
      Request("", "s3:ListBucket", "arn:aws:s3:::photos");
  EXPECT_EQ(EvaluatePolicy(policy, request), PolicyEffect::kNone);
  request.context["s3:prefix"] = {"shared/a"};
  EXPECT_EQ(EvaluatePolicy(policy, request), PolicyEffect::kAllow);
  request.context["s3:delimiter"] = {"#"};
  EXPECT_EQ(EvaluatePolicy(policy, request), PolicyEffect::kNone);
  request.context["s3:delimiter"] = {"/"};
  request.context["s3:prefix"] = {"private/a"};
  EXPECT_EQ(EvaluatePolicy(policy, request), PolicyEffect::kNone);
}

TEST(EvaluatePolicyTest, NumericBoolNullAndIfExists) {
  Document policy = Policy(R"([{"Effect":"Deny","Principal":"*",
      "Action":"s3:*","Resource":"arn:aws:s3:::photos/*",
      "Condition":{"Bool":{"aws:SecureTransport":"false"}}},
      {"Effect":"Allow","Principal":"*","Action":"s3:ListBucket",
      "Resource":"arn:aws:s3:::photos",
      "Condition":{"NumericLessThanEquals":{"s3:max-keys":"10"},
                   "Null":{"s3:prefix":"true"},
                   "StringEqualsIfExists":{"s3:delimiter":"/"}}}])");
  PolicyRequest list = Request("", "s3:ListBucket", "arn:aws:s3:::photos");
  list.context["s3:max-keys"] = {"5"};
  EXPECT_EQ(EvaluatePolicy(policy, list), PolicyEffect::kAllow);
  list.context["s3:max-keys"] = {"50"};
  EXPECT_EQ(EvaluatePolicy(policy, list), PolicyEffect::kNone);
  list.context["s3:max-keys"] = {"5"};
  list.context["s3:prefix"] = {"a"};
  EXPECT_EQ(EvaluatePolicy(policy, list), PolicyEffect::kNone);
  list.context.erase("s3:prefix");
  list.context["s3:delimiter"] = {"|"};
  EXPECT_EQ(EvaluatePolicy(policy, list), PolicyEffect::kNone);

  PolicyRequest get = Request("", "s3:GetObject", "arn:aws:s3:::photos/a");
  get.context["aws:securetransport"] = {"false"};
  EXPECT_EQ(EvaluatePolicy(policy, get), PolicyEffect::kDeny);
  get.context["aws:securetransport"] = {"true"};
  EXPECT_EQ(EvaluatePolicy(policy, get), PolicyEffect::kNone);
}

TEST(EvaluatePolicyTest, IpAddressAndSetOperators) {
  Document policy = Policy(R"([{"Effect":"Allow","Principal":"*",
      "Action":"s3:PutObject","Resource":"arn:aws:s3:::photos/*",
      "Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"},
        "ForAllValues:StringEquals":{"s3:RequestObjectTagKeys":["a","b"]}}}])");
  PolicyRequest request =
      Request("", "s3:PutObject", "arn:aws:s3:::photos/x");
  request.context["aws:sourceip"] = {"127.0.0.1"};
  EXPECT_EQ(EvaluatePolicy(policy, request), PolicyEffect::kAllow);
  request.context["s3:requestobjecttagkeys"] = {"a", "c"};
  EXPECT_EQ(EvaluatePolicy(policy, request), PolicyEffect::kNone);
  request.context["s3:requestobjecttagkeys"] = {"b"};
  request.context["aws:sourceip"] = {"10.1.2.3"};
  EXPECT_EQ(EvaluatePolicy(policy, request), PolicyEffect::kNone);
}

TEST(ParseBucketPolicyTest, AcceptsValidPolicy) {
  Result<Document> parsed = ParseBucketPolicy(
      R"({"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Allow",
          "Principal":{"AWS":["111111111111","arn:aws:iam::2:root"]},
          "Action":["s3:GetObject","s3:List*"],
          "Resource":["arn:aws:s3:::photos","arn:aws:s3:::photos/*"],
          "Condition":{"StringLike":{"s3:prefix":"a/*"}}}]})",
      kBucket);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
}

TEST(ParseBucketPolicyTest, RejectsMalformedPolicies) {
  struct Case {
    const char* policy;
    const char* message;
  };
  const Case cases[] = {
      {"not json", "Policies must be valid JSON and the first byte must be '{'"},
      {R"({"Version":"2012-10-17"})", "Missing required field Statement"},
      {R"({"Statement":[{"Effect":"Allow","Principal":"*",
          "Action":"s3:GetObjekt","Resource":"arn:aws:s3:::photos/*"}]})",
       "Policy has invalid action"},
      {R"({"Statement":[{"Effect":"Allow","Principal":"*",
          "Action":"s3:GetObject","Resource":"arn:aws:s3:::other/*"}]})",
       "Policy has invalid resource"},
      {R"({"Statement":[{"Effect":"Allow","Principal":{"AWS":"bob"},
          "Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}]})",
       "Invalid principal in policy"},
      {R"({"Statement":[{"Effect":"Permit","Principal":"*",
          "Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}]})",
       "Invalid effect: Permit"},
      {R"({"Statement":[{"Effect":"Allow","Action":"s3:GetObject",
          "Resource":"arn:aws:s3:::photos/*"}]})",
       "Missing required field Principal"},
      {R"({"Statement":[{"Effect":"Allow","Principal":"*",
          "Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*",
          "Condition":{"StringSortOf":{"s3:prefix":"a"}}}]})",
       "Invalid Condition type : StringSortOf"},
  };
  for (const Case& c : cases) {
    Result<Document> parsed = ParseBucketPolicy(c.policy, kBucket);
    ASSERT_FALSE(parsed.ok()) << c.policy;
    EXPECT_EQ(parsed.error().code, "MalformedPolicy");
    EXPECT_EQ(parsed.error().message, c.message);
  }
}

TEST(IsPublicPolicyTest, WildcardPrincipalWithoutFixingCondition) {
  EXPECT_TRUE(IsPublicPolicy(Policy(R"([{"Effect":"Allow","Principal":"*",
      "Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}])")));
  EXPECT_TRUE(IsPublicPolicy(Policy(R"([{"Effect":"Allow",
      "Principal":{"AWS":"*"},"Action":"s3:ListBucket",
      "Resource":"arn:aws:s3:::photos",
      "Condition":{"StringLike":{"s3:prefix":"a/*"}}}])")));
  EXPECT_FALSE(IsPublicPolicy(Policy(R"([{"Effect":"Allow",
      "Principal":{"AWS":"*"},"Action":"s3:ListBucket",
      "Resource":"arn:aws:s3:::photos",
      "Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/32"}}}])")));
  EXPECT_FALSE(IsPublicPolicy(Policy(R"([{"Effect":"Allow",
      "Principal":{"AWS":"arn:aws:iam::111111111111:root"},
      "Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}])")));
  EXPECT_FALSE(IsPublicPolicy(Policy(R"([{"Effect":"Deny","Principal":"*",
      "Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/*"}])")));
}

}  // namespace
}  // namespace brume::s3
