#include "platform/resource_policy.h"

#include <gtest/gtest.h>

namespace brume::platform {
namespace {

constexpr char kQueueArn[] = "arn:aws:sqs:us-east-1:111122223333:events";

PolicyRequest FromS3(std::string source_arn, std::string source_account) {
  PolicyRequest request;
  request.service_principal = "s3.amazonaws.com";
  request.action = "sqs:SendMessage";
  request.resource = kQueueArn;
  request.context["aws:SourceArn"] = {std::move(source_arn)};
  request.context["aws:SourceAccount"] = {std::move(source_account)};
  return request;
}

PolicyDecision Decide(std::string_view policy, const PolicyRequest& request) {
  StatusOr<PolicyDecision> decision = EvaluateResourcePolicy(policy, request);
  EXPECT_TRUE(decision.ok()) << decision.status().message();
  return decision.ok() ? decision.value() : PolicyDecision::kImplicitDeny;
}

TEST(WildcardMatchTest, StarsAndQuestionMarks) {
  EXPECT_TRUE(WildcardMatch("arn:aws:s3:::*", "arn:aws:s3:::bucket"));
  EXPECT_TRUE(WildcardMatch("a*b*c", "aXXbYYc"));
  EXPECT_TRUE(WildcardMatch("a?c", "abc"));
  EXPECT_FALSE(WildcardMatch("a?c", "ac"));
  EXPECT_FALSE(WildcardMatch("sqs:Send*", "SQS:SENDMESSAGE"));
  EXPECT_TRUE(WildcardMatch("sqs:Send*", "SQS:SENDMESSAGE", /*ignore_case=*/true));
  EXPECT_TRUE(WildcardMatch("*", ""));
}

TEST(ResourcePolicyTest, ServicePrincipalWithSourceArnCondition) {
  const char* policy = R"({
    "Version": "2012-10-17",
    "Statement": [{
      "Effect": "Allow",
      "Principal": {"Service": "s3.amazonaws.com"},
      "Action": "SQS:SendMessage",
      "Resource": "arn:aws:sqs:us-east-1:111122223333:events",
      "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::uploads-*"},
                    "StringEquals": {"aws:SourceAccount": "111122223333"}}
    }]})";
  EXPECT_EQ(Decide(policy, FromS3("arn:aws:s3:::uploads-1", "111122223333")),
            PolicyDecision::kAllow);
  EXPECT_EQ(Decide(policy, FromS3("arn:aws:s3:::other", "111122223333")),
            PolicyDecision::kImplicitDeny);
  EXPECT_EQ(Decide(policy, FromS3("arn:aws:s3:::uploads-1", "999999999999")),
            PolicyDecision::kImplicitDeny);
}

TEST(ResourcePolicyTest, ExplicitDenyWins) {
  const char* policy = R"({"Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": "*"},
    {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sqs:SendMessage",
     "Resource": "*",
     "Condition": {"StringNotEquals": {"aws:SourceAccount": "111122223333"}}}]})";
  EXPECT_EQ(Decide(policy, FromS3("arn:aws:s3:::b", "111122223333")),
            PolicyDecision::kAllow);
  EXPECT_EQ(Decide(policy, FromS3("arn:aws:s3:::b", "444455556666")),
            PolicyDecision::kExplicitDeny);
}

TEST(ResourcePolicyTest, AccountPrincipalsAndNotAction) {
  const char* policy = R"({"Statement": {
    "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::444455556666:root"]},
    "NotAction": "sqs:DeleteQueue", "Resource": "arn:aws:sqs:*"}})";
  PolicyRequest request;
  request.account_id = "444455556666";
  request.action = "sqs:SendMessage";
  request.resource = kQueueArn;
  EXPECT_EQ(Decide(policy, request), PolicyDecision::kAllow);
  request.action = "sqs:DeleteQueue";
  EXPECT_EQ(Decide(policy, request), PolicyDecision::kImplicitDeny);
  request.action = "sqs:SendMessage";
  request.account_id = "111122223333";
  EXPECT_EQ(Decide(policy, request), PolicyDecision::kImplicitDeny);
  // A service principal is not an AWS principal.
  EXPECT_EQ(Decide(policy, FromS3("arn:aws:s3:::b", "444455556666")),
            PolicyDecision::kImplicitDeny);
}

TEST(ResourcePolicyTest, IfExistsNullAndSetQualifiers) {
  PolicyRequest request = FromS3("arn:aws:s3:::b", "111122223333");
  const char* if_exists = R"({"Statement": {"Effect": "Allow", "Principal": "*",
    "Action": "*", "Resource": "*",
    "Condition": {"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-123"}}}})";
  EXPECT_EQ(Decide(if_exists, request), PolicyDecision::kAllow);
  const char* null_check = R"({"Statement": {"Effect": "Allow", "Principal": "*",
    "Action": "*", "Resource": "*",
    "Condition": {"Null": {"aws:SourceArn": "false"}}}})";
  EXPECT_EQ(Decide(null_check, request), PolicyDecision::kAllow);
  request.context.erase("aws:SourceArn");
  EXPECT_EQ(Decide(null_check, request), PolicyDecision::kImplicitDeny);
  request.context["aws:TagKeys"] = {"a", "b"};
  const char* all_values = R"({"Statement": {"Effect": "Allow", "Principal": "*",
    "Action": "*", "Resource": "*",
    "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b", "c"]}}}})";
  EXPECT_EQ(Decide(all_values, request), PolicyDecision::kAllow);
  request.context["aws:TagKeys"] = {"a", "z"};
  EXPECT_EQ(Decide(all_values, request), PolicyDecision::kImplicitDeny);
}

TEST(ResourcePolicyTest, MalformedPoliciesAreErrors) {
  PolicyRequest request = FromS3("arn:aws:s3:::b", "111122223333");
  EXPECT_FALSE(EvaluateResourcePolicy("not json", request).ok());
  EXPECT_FALSE(EvaluateResourcePolicy(R"({"Version": "2012-10-17"})", request).ok());
  EXPECT_FALSE(EvaluateResourcePolicy(
                   R"({"Statement": [{"Effect": "Maybe", "Principal": "*",
                       "Action": "*", "Resource": "*"}]})",
                   request)
                   .ok());
  EXPECT_FALSE(EvaluateResourcePolicy(
                   R"({"Statement": [{"Effect": "Allow", "Principal": "*",
                       "Action": "*", "Resource": "*",
                       "Condition": {"DateGreaterThanLater": {"k": "v"}}}]})",
                   request)
                   .ok());
}

}  // namespace
}  // namespace brume::platform
