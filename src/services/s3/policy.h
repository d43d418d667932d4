#pragma once

// Bucket policies: validation when a policy is stored, evaluation of one
// request against a stored policy, and AWS's test of whether a policy is
// public. Follows the IAM policy grammar and evaluation logic for resource
// policies: an explicit Deny wins over any Allow, and a request that no
// statement matches is neither allowed nor denied by the policy.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "services/common/document.h"
#include "services/common/error.h"

namespace brume::s3 {

// The facts of one request that a policy statement can test.
struct PolicyRequest {
  std::string action;    // IAM action, e.g. "s3:GetObject"
  std::string resource;  // e.g. "arn:aws:s3:::bucket/key"
  // Requesting account, or "" for an anonymous request.
  std::string account_id;
  std::string caller_arn;  // "" for an anonymous request
  // Condition keys present in the request, lower-cased (IAM condition key
  // names are case-insensitive), each with one or more values.
  std::map<std::string, std::vector<std::string>> context;
};

enum class PolicyEffect { kNone, kAllow, kDeny };

// Evaluates a parsed policy document. Statements whose principal, action,
// resource and conditions all match contribute their effect.
PolicyEffect EvaluatePolicy(const Document& policy,
                            const PolicyRequest& request);

// Parses and validates a bucket policy for `bucket` as PutBucketPolicy
// does; returns the parsed document or MalformedPolicy.
Result<Document> ParseBucketPolicy(std::string_view text,
                                   std::string_view bucket);

// True when the policy grants access to anyone outside fixed principals:
// an Allow statement whose principal is "*" (or NotPrincipal) and whose
// conditions pin no key to a fixed, non-wildcard value.
bool IsPublicPolicy(const Document& policy);

// Matches `text` against a pattern where '*' matches any run of characters
// and '?' any one character, as IAM matches actions (ignoring case) and
// resources (case-sensitive).
bool WildcardMatch(std::string_view pattern, std::string_view text,
                   bool ignore_case);

}  // namespace brume::s3
