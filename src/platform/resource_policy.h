#pragma once

// Evaluation of IAM resource-based policies (an SQS queue policy, an SNS
// topic policy) for one request, following the AWS policy evaluation
// logic: an explicit Deny wins, then an Allow, otherwise the request is
// implicitly denied.
//
// Supported: Effect; Principal and NotPrincipal ("*", AWS account ids and
// ARNs, Service principals); Action and NotAction; Resource and
// NotResource, with * and ? wildcards; Condition with the String*, Arn*,
// Numeric*, Bool and Null operators, the IfExists suffix and the
// ForAnyValue/ForAllValues set qualifiers.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "platform/status.h"

namespace brume::platform {

struct PolicyRequest {
  // The caller: a service principal ("s3.amazonaws.com"), or an account
  // and the ARN of its identity. Both empty for an anonymous caller.
  std::string service_principal;
  std::string account_id;
  std::string principal_arn;
  std::string action;    // "sqs:SendMessage"
  std::string resource;  // ARN of the resource the policy is attached to
  // Condition keys and their values, e.g. "aws:SourceArn" -> {arn}. Keys
  // compare case-insensitively, as IAM's do.
  std::map<std::string, std::vector<std::string>> context;
};

enum class PolicyDecision { kImplicitDeny, kAllow, kExplicitDeny };

// Evaluates `policy_json`. A document that is not a JSON policy returns
// InvalidArgument with the reason.
StatusOr<PolicyDecision> EvaluateResourcePolicy(std::string_view policy_json,
                                                const PolicyRequest& request);

// True when `text` matches `pattern`, where * matches any run of characters
// and ? any one character.
bool WildcardMatch(std::string_view pattern, std::string_view text,
                   bool ignore_case = false);

}  // namespace brume::platform
