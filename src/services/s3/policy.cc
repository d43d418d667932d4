#include "services/s3/policy.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <set>

#include "platform/strings.h"
#include "services/s3/state.h"

namespace brume::s3 {
namespace {

constexpr size_t kMaxPolicyNesting = 16;
constexpr size_t kMaxPolicyBytes = 20 * 1024;

AwsError MalformedPolicy(std::string message) {
  return AwsError{"MalformedPolicy", std::move(message), 400};
}

// A policy element that may be one string or a list of strings.
std::vector<std::string> StringList(const Document& value) {
  std::vector<std::string> out;
  if (value.is_string()) {
    out.push_back(value.get<std::string>());
  } else if (value.is_array()) {
    for (const Document& item : value) {
      if (item.is_string()) out.push_back(item.get<std::string>());
    }
  }
  return out;
}

// Condition values may be strings, numbers or booleans in JSON; IAM
// compares their text.
std::vector<std::string> ConditionValues(const Document& value) {
  std::vector<std::string> out;
  auto add = [&out](const Document& item) {
    if (item.is_string()) {
      out.push_back(item.get<std::string>());
    } else if (item.is_boolean()) {
      out.push_back(item.get<bool>() ? "true" : "false");
    } else if (item.is_number()) {
      out.push_back(item.dump());
    }
  };
  if (value.is_array()) {
    for (const Document& item : value) add(item);
  } else {
    add(value);
  }
  return out;
}

bool IsAccountId(std::string_view value) {
  return value.size() == 12 &&
         std::all_of(value.begin(), value.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

// Account id of "arn:PARTITION:iam::ACCOUNT:...", or "" for other strings.
std::string IamArnAccount(std::string_view arn) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) return "";
    parts.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  if (parts[0] != "arn" || (parts[2] != "iam" && parts[2] != "sts")) return "";
  return std::string(parts[4]);
}

// --- Principals -----------------------------------------------------------

// True when `principal` is a role ARN (arn:aws:iam::ACCOUNT:role/PATH/NAME)
// and `caller_arn` a session of that role
// (arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION): a role principal grants
// its sessions.
bool RoleCoversSession(std::string_view principal, std::string_view caller_arn) {
  size_t role_at = principal.find(":role/");
  size_t session_at = caller_arn.find(":assumed-role/");
  if (role_at == std::string_view::npos || session_at == std::string_view::npos) {
    return false;
  }
  std::string account = IamArnAccount(principal);
  if (account.empty() || account != IamArnAccount(caller_arn)) return false;
  std::string_view role_name = principal.substr(principal.rfind('/') + 1);
  std::string_view session = caller_arn.substr(session_at + 14);
  return session.substr(0, session.find('/')) == role_name;
}

bool PrincipalValueMatches(std::string_view value,
                           const PolicyRequest& request) {
  if (value == "*") return true;
  if (request.account_id.empty()) return false;  // anonymous
  if (IsAccountId(value)) return value == request.account_id;
  if (value == request.caller_arn) return true;
  // The account root ARN names every identity of the account.
  if (value.ends_with(":root") && value.starts_with("arn:") &&
      IamArnAccount(value) == request.account_id) {
    return true;
  }
  return RoleCoversSession(value, request.caller_arn);
}

bool PrincipalMatches(const Document& principal, const PolicyRequest& request) {
  if (principal.is_string()) {
    return PrincipalValueMatches(principal.get<std::string>(), request);
  }
  if (!principal.is_object()) return false;
  for (const auto& [type, values] : principal.items()) {
    for (const std::string& value : StringList(values)) {
      if (type == "AWS" && PrincipalValueMatches(value, request)) return true;
      if (type == "CanonicalUser" && !request.account_id.empty() &&
          value == CanonicalUserId(request.account_id)) {
        return true;
      }
      // Service and federated principals never sign S3 requests in brume.
    }
  }
  return false;
}

// --- Conditions -----------------------------------------------------------

enum class Comparison {
  kStringEquals,
  kStringEqualsIgnoreCase,
  kStringLike,
  kNumericEquals,
  kNumericLessThan,
  kNumericLessThanEquals,
  kNumericGreaterThan,
  kNumericGreaterThanEquals,
  kDateEquals,
  kDateLessThan,
  kDateLessThanEquals,
  kDateGreaterThan,
  kDateGreaterThanEquals,
  kBool,
  kBinaryEquals,
  kIpAddress,
  kArnLike,
  kNull,
};

// A condition operator split into its parts, e.g.
// "ForAnyValue:StringNotLikeIfExists".
struct Operator {
  Comparison comparison = Comparison::kStringEquals;
  bool negated = false;
  bool if_exists = false;
  enum class Set { kSingle, kAnyValue, kAllValues } set = Set::kSingle;
};

std::optional<Operator> ParseOperator(std::string_view name) {
  Operator op;
  if (name.starts_with("ForAnyValue:")) {
    op.set = Operator::Set::kAnyValue;
    name.remove_prefix(12);
  } else if (name.starts_with("ForAllValues:")) {
    op.set = Operator::Set::kAllValues;
    name.remove_prefix(13);
  }
  if (name != "Null" && name.ends_with("IfExists")) {
    op.if_exists = true;
    name.remove_suffix(8);
  }
  static const std::pair<const char*, std::pair<Comparison, bool>> kNames[] = {
      {"StringEquals", {Comparison::kStringEquals, false}},
      {"StringNotEquals", {Comparison::kStringEquals, true}},
      {"StringEqualsIgnoreCase", {Comparison::kStringEqualsIgnoreCase, false}},
      {"StringNotEqualsIgnoreCase", {Comparison::kStringEqualsIgnoreCase, true}},
      {"StringLike", {Comparison::kStringLike, false}},
      {"StringNotLike", {Comparison::kStringLike, true}},
      {"NumericEquals", {Comparison::kNumericEquals, false}},
      {"NumericNotEquals", {Comparison::kNumericEquals, true}},
      {"NumericLessThan", {Comparison::kNumericLessThan, false}},
      {"NumericLessThanEquals", {Comparison::kNumericLessThanEquals, false}},
      {"NumericGreaterThan", {Comparison::kNumericGreaterThan, false}},
      {"NumericGreaterThanEquals",
       {Comparison::kNumericGreaterThanEquals, false}},
      {"DateEquals", {Comparison::kDateEquals, false}},
      {"DateNotEquals", {Comparison::kDateEquals, true}},
      {"DateLessThan", {Comparison::kDateLessThan, false}},
      {"DateLessThanEquals", {Comparison::kDateLessThanEquals, false}},
      {"DateGreaterThan", {Comparison::kDateGreaterThan, false}},
      {"DateGreaterThanEquals", {Comparison::kDateGreaterThanEquals, false}},
      {"Bool", {Comparison::kBool, false}},
      {"BinaryEquals", {Comparison::kBinaryEquals, false}},
      {"IpAddress", {Comparison::kIpAddress, false}},
      {"NotIpAddress", {Comparison::kIpAddress, true}},
      {"ArnEquals", {Comparison::kArnLike, false}},
      {"ArnNotEquals", {Comparison::kArnLike, true}},
      {"ArnLike", {Comparison::kArnLike, false}},
      {"ArnNotLike", {Comparison::kArnLike, true}},
      {"Null", {Comparison::kNull, false}},
  };
  for (const auto& [candidate, meaning] : kNames) {
    if (name == candidate) {
      op.comparison = meaning.first;
      op.negated = meaning.second;
      return op;
    }
  }
  return std::nullopt;
}

std::optional<double> ParseNumber(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0') return std::nullopt;
  return value;
}

// Matches an IPv4 address against an address or CIDR block.
// TODO: IPv6 addresses and blocks only match when equal as text.
bool IpMatches(const std::string& address, const std::string& block) {
  std::string network = block;
  int prefix_length = 32;
  size_t slash = block.find('/');
  if (slash != std::string::npos) {
    network = block.substr(0, slash);
    std::optional<double> length = ParseNumber(block.substr(slash + 1));
    if (!length || *length < 0 || *length > 32) return false;
    prefix_length = static_cast<int>(*length);
  }
  in_addr request_ip{};
  in_addr network_ip{};
  if (inet_pton(AF_INET, address.c_str(), &request_ip) != 1 ||
      inet_pton(AF_INET, network.c_str(), &network_ip) != 1) {
    return address == block;
  }
  uint32_t mask =
      prefix_length == 0 ? 0 : ~uint32_t{0} << (32 - prefix_length);
  return (ntohl(request_ip.s_addr) & mask) == (ntohl(network_ip.s_addr) & mask);
}

// True when one request value satisfies the non-negated comparison with one
// policy value.
bool Compare(Comparison comparison, const std::string& actual,
             const std::string& expected) {
  switch (comparison) {
    case Comparison::kStringEquals:
    case Comparison::kBinaryEquals:
      return actual == expected;
    case Comparison::kStringEqualsIgnoreCase:
    case Comparison::kBool:
      return platform::ToLower(actual) == platform::ToLower(expected);
    case Comparison::kStringLike:
      return WildcardMatch(expected, actual, /*ignore_case=*/false);
    case Comparison::kArnLike:
      return WildcardMatch(expected, actual, /*ignore_case=*/false);
    case Comparison::kIpAddress:
      return IpMatches(actual, expected);
    case Comparison::kNull:
      return false;  // handled by the caller
    default:
      break;
  }
  // Numbers, and dates as epoch seconds or ISO 8601 text. ISO 8601 times in
  // the same format order as text.
  // TODO: compare ISO 8601 dates of different formats by their instant.
  std::optional<double> a = ParseNumber(actual);
  std::optional<double> b = ParseNumber(expected);
  int order;
  if (a && b) {
    order = *a < *b ? -1 : (*a > *b ? 1 : 0);
  } else if (comparison >= Comparison::kDateEquals) {
    order = actual.compare(expected);
    order = order < 0 ? -1 : (order > 0 ? 1 : 0);
  } else {
    return false;
  }
  switch (comparison) {
    case Comparison::kNumericEquals:
    case Comparison::kDateEquals:
      return order == 0;
    case Comparison::kNumericLessThan:
    case Comparison::kDateLessThan:
      return order < 0;
    case Comparison::kNumericLessThanEquals:
    case Comparison::kDateLessThanEquals:
      return order <= 0;
    case Comparison::kNumericGreaterThan:
    case Comparison::kDateGreaterThan:
      return order > 0;
    case Comparison::kNumericGreaterThanEquals:
    case Comparison::kDateGreaterThanEquals:
      return order >= 0;
    default:
      return false;
  }
}

// True when `actual` satisfies the operator against the policy's values,
// negation included: a negated operator holds when no value matches.
bool ValueSatisfies(const Operator& op, const std::string& actual,
                    const std::vector<std::string>& expected) {
  bool any = std::any_of(expected.begin(), expected.end(),
                         [&](const std::string& value) {
                           return Compare(op.comparison, actual, value);
                         });
  return op.negated ? !any : any;
}

bool ConditionHolds(const Operator& op, const std::string& key,
                    const std::vector<std::string>& expected,
                    const PolicyRequest& request) {
  auto found = request.context.find(platform::ToLower(key));
  bool present = found != request.context.end() && !found->second.empty();

  if (op.comparison == Comparison::kNull) {
    bool want_absent = !expected.empty() &&
                       platform::ToLower(expected.front()) == "true";
    return want_absent ? !present : present;
  }
  if (!present) {
    // A missing key fails a condition unless the operator is negated or
    // ends in IfExists; ForAllValues holds for an empty set.
    if (op.set == Operator::Set::kAllValues) return true;
    if (op.set == Operator::Set::kAnyValue) return false;
    return op.if_exists || op.negated;
  }
  const std::vector<std::string>& actual = found->second;
  auto satisfies = [&](const std::string& value) {
    return ValueSatisfies(op, value, expected);
  };
  if (op.set == Operator::Set::kAllValues) {
    return std::all_of(actual.begin(), actual.end(), satisfies);
  }
  if (op.set == Operator::Set::kAnyValue) {
    return std::any_of(actual.begin(), actual.end(), satisfies);
  }
  return satisfies(actual.front());
}

bool ConditionsHold(const Document& conditions, const PolicyRequest& request) {
  if (!conditions.is_object()) return true;
  for (const auto& [operator_name, block] : conditions.items()) {
    std::optional<Operator> op = ParseOperator(operator_name);
    if (!op || !block.is_object()) return false;
    for (const auto& [key, values] : block.items()) {
      if (!ConditionHolds(*op, key, ConditionValues(values), request)) {
        return false;
      }
    }
  }
  return true;
}

// --- Statements -----------------------------------------------------------

bool AnyMatches(const Document& patterns, std::string_view text,
                bool ignore_case) {
  for (const std::string& pattern : StringList(patterns)) {
    if (WildcardMatch(pattern, text, ignore_case)) return true;
  }
  return false;
}

bool StatementApplies(const Document& statement, const PolicyRequest& request) {
  if (statement.contains("Principal")) {
    if (!PrincipalMatches(statement["Principal"], request)) return false;
  } else if (statement.contains("NotPrincipal")) {
    if (PrincipalMatches(statement["NotPrincipal"], request)) return false;
  } else {
    return false;
  }
  if (statement.contains("Action")) {
    if (!AnyMatches(statement["Action"], request.action, true)) return false;
  } else if (statement.contains("NotAction")) {
    if (AnyMatches(statement["NotAction"], request.action, true)) return false;
  } else {
    return false;
  }
  if (statement.contains("Resource")) {
    if (!AnyMatches(statement["Resource"], request.resource, false)) {
      return false;
    }
  } else if (statement.contains("NotResource")) {
    if (AnyMatches(statement["NotResource"], request.resource, false)) {
      return false;
    }
  } else {
    return false;
  }
  return ConditionsHold(statement.value("Condition", Document::object()),
                        request);
}

std::vector<const Document*> Statements(const Document& policy) {
  std::vector<const Document*> out;
  if (!policy.is_object() || !policy.contains("Statement")) return out;
  const Document& statements = policy["Statement"];
  if (statements.is_object()) {
    out.push_back(&statements);
  } else if (statements.is_array()) {
    for (const Document& statement : statements) out.push_back(&statement);
  }
  return out;
}

// --- Validation -----------------------------------------------------------

// S3 actions a bucket policy may name, from "Actions, resources, and
// condition keys for Amazon S3" in the Service Authorization Reference.
const std::set<std::string>& KnownActions() {
  static const std::set<std::string> actions = [] {
    static const char* kNames[] = {
        "AbortMultipartUpload", "BypassGovernanceRetention", "CreateBucket",
        "DeleteBucket", "DeleteBucketOwnershipControls", "DeleteBucketPolicy",
        "DeleteBucketWebsite", "DeleteObject", "DeleteObjectTagging",
        "DeleteObjectVersion", "DeleteObjectVersionTagging",
        "GetAccelerateConfiguration", "GetAnalyticsConfiguration",
        "GetBucketAcl", "GetBucketCORS", "GetBucketLocation",
        "GetBucketLogging", "GetBucketNotification",
        "GetBucketObjectLockConfiguration", "GetBucketOwnershipControls",
        "GetBucketPolicy", "GetBucketPolicyStatus", "GetBucketPublicAccessBlock",
        "GetBucketRequestPayment", "GetBucketTagging", "GetBucketVersioning",
        "GetBucketWebsite", "GetEncryptionConfiguration",
        "GetIntelligentTieringConfiguration", "GetInventoryConfiguration",
        "GetLifecycleConfiguration", "GetMetricsConfiguration", "GetObject",
        "GetObjectAcl", "GetObjectAttributes", "GetObjectLegalHold",
        "GetObjectRetention", "GetObjectTagging", "GetObjectTorrent",
        "GetObjectVersion", "GetObjectVersionAcl", "GetObjectVersionAttributes",
        "GetObjectVersionForReplication", "GetObjectVersionTagging",
        "GetObjectVersionTorrent", "GetReplicationConfiguration",
        "ListAllMyBuckets", "ListBucket", "ListBucketMultipartUploads",
        "ListBucketVersions", "ListMultipartUploadParts", "ObjectOwnerOverrideToBucketOwner",
        "PutAccelerateConfiguration", "PutAnalyticsConfiguration",
        "PutBucketAcl", "PutBucketCORS", "PutBucketLogging",
        "PutBucketNotification", "PutBucketObjectLockConfiguration",
        "PutBucketOwnershipControls", "PutBucketPolicy",
        "PutBucketPublicAccessBlock", "PutBucketRequestPayment",
        "PutBucketTagging", "PutBucketVersioning", "PutBucketWebsite",
        "PutEncryptionConfiguration", "PutIntelligentTieringConfiguration",
        "PutInventoryConfiguration", "PutLifecycleConfiguration",
        "PutMetricsConfiguration", "PutObject", "PutObjectAcl",
        "PutObjectLegalHold", "PutObjectRetention", "PutObjectTagging",
        "PutObjectVersionAcl", "PutObjectVersionTagging",
        "PutReplicationConfiguration", "ReplicateDelete", "ReplicateObject",
        "ReplicateTags", "RestoreObject",
    };
    std::set<std::string> names;
    for (const char* name : kNames) names.insert(platform::ToLower(name));
    return names;
  }();
  return actions;
}

bool IsValidAction(const std::string& action) {
  if (action == "*") return true;
  std::string lower = platform::ToLower(action);
  if (!lower.starts_with("s3:")) return false;
  std::string name = lower.substr(3);
  if (name.find_first_of("*?") == std::string::npos) {
    return KnownActions().count(name) > 0;
  }
  for (const std::string& known : KnownActions()) {
    if (WildcardMatch(name, known, /*ignore_case=*/true)) return true;
  }
  return false;
}

// A resource must name this bucket or objects in it, possibly through
// wildcards ("arn:aws:s3:::*").
bool IsValidResource(const std::string& resource, std::string_view bucket) {
  if (resource == "*") return true;
  constexpr std::string_view kPrefix = "arn:aws:s3:::";
  if (!resource.starts_with(kPrefix)) return false;
  std::string_view rest = std::string_view(resource).substr(kPrefix.size());
  std::string_view bucket_pattern = rest.substr(0, rest.find('/'));
  if (WildcardMatch(bucket_pattern, bucket, /*ignore_case=*/false)) return true;
  // "arn:aws:s3:::buck*" spans the slash too.
  return WildcardMatch(rest, std::string(bucket) + "/",
                       /*ignore_case=*/false) ||
         WildcardMatch(rest, bucket, /*ignore_case=*/false);
}

// NOTE: AWS rejects principals that name no existing account or identity;
// brume has no IAM directory, so any ARN and any 12-digit id is accepted.
bool IsValidPrincipal(const Document& principal) {
  if (principal.is_string()) return principal.get<std::string>() == "*";
  if (!principal.is_object() || principal.empty()) return false;
  for (const auto& [type, values] : principal.items()) {
    if (type != "AWS" && type != "CanonicalUser" && type != "Service" &&
        type != "Federated") {
      return false;
    }
    std::vector<std::string> list = StringList(values);
    if (list.empty()) return false;
    for (const std::string& value : list) {
      if (type != "AWS") continue;
      if (value != "*" && !IsAccountId(value) && !value.starts_with("arn:")) {
        return false;
      }
      // IAM has no partial wildcards in principals: "*" alone, or none.
      if (value != "*" && value.find_first_of("*?") != std::string::npos) {
        return false;
      }
    }
  }
  return true;
}

// Checks a statement's fields, Effect and principal.
Status ValidateStatementHeader(const Document& statement) {
  if (!statement.is_object()) {
    return MalformedPolicy("Statement is not an object");
  }
  static const std::set<std::string> kFields = {
      "Sid",      "Effect",      "Principal", "NotPrincipal", "Action",
      "NotAction", "Resource",   "NotResource", "Condition"};
  for (const auto& [field, value] : statement.items()) {
    if (!kFields.count(field)) {
      return MalformedPolicy("Unknown field " + field);
    }
  }
  if (!statement.contains("Effect")) {
    return MalformedPolicy("Missing required field Effect");
  }
  std::string effect = statement["Effect"].is_string()
                           ? statement["Effect"].get<std::string>()
                           : "";
  if (effect != "Allow" && effect != "Deny") {
    return MalformedPolicy("Invalid effect: " + effect);
  }
  if (!statement.contains("Principal") && !statement.contains("NotPrincipal")) {
    return MalformedPolicy("Missing required field Principal");
  }
  // IAM supports NotPrincipal only with Deny.
  // NOTE: the message is brume's; AWS's exact wording was not checked.
  if (effect == "Allow" && statement.contains("NotPrincipal")) {
    return MalformedPolicy("NotPrincipal is not supported with Effect Allow");
  }
  const Document& principal = statement.contains("Principal")
                                  ? statement["Principal"]
                                  : statement["NotPrincipal"];
  if (!IsValidPrincipal(principal)) {
    return MalformedPolicy("Invalid principal in policy");
  }
  return Status();
}

// Checks that a statement names known S3 actions and resources of `bucket`.
Status ValidateActionsAndResources(const Document& statement,
                                   std::string_view bucket) {
  const char* action_field = statement.contains("Action") ? "Action"
                             : statement.contains("NotAction") ? "NotAction"
                                                               : nullptr;
  if (action_field == nullptr) {
    return MalformedPolicy("Missing required field Action");
  }
  std::vector<std::string> actions = StringList(statement[action_field]);
  if (actions.empty()) return MalformedPolicy("Policy has invalid action");
  for (const std::string& action : actions) {
    if (!IsValidAction(action)) {
      return MalformedPolicy("Policy has invalid action");
    }
  }
  const char* resource_field = statement.contains("Resource") ? "Resource"
                               : statement.contains("NotResource")
                                   ? "NotResource"
                                   : nullptr;
  if (resource_field == nullptr) {
    return MalformedPolicy("Missing required field Resource");
  }
  std::vector<std::string> resources = StringList(statement[resource_field]);
  if (resources.empty()) return MalformedPolicy("Policy has invalid resource");
  for (const std::string& resource : resources) {
    if (!IsValidResource(resource, bucket)) {
      return MalformedPolicy("Policy has invalid resource");
    }
  }
  return Status();
}

// Checks that a statement's condition operators exist.
Status ValidateConditions(const Document& statement) {
  if (statement.contains("Condition")) {
    const Document& conditions = statement["Condition"];
    if (!conditions.is_object()) {
      return MalformedPolicy("Condition must be an object");
    }
    for (const auto& [operator_name, block] : conditions.items()) {
      if (!ParseOperator(operator_name)) {
        return MalformedPolicy("Invalid Condition type : " + operator_name);
      }
      if (!block.is_object()) {
        return MalformedPolicy("Condition block must be an object");
      }
    }
  }
  return Status();
}

Status ValidateStatement(const Document& statement, std::string_view bucket) {
  Status header = ValidateStatementHeader(statement);
  if (!header.ok()) return header;
  Status targets = ValidateActionsAndResources(statement, bucket);
  if (!targets.ok()) return targets;
  return ValidateConditions(statement);
}

// Condition keys that, with a fixed value, limit a statement to known
// principals or networks, so that the statement is not public.
bool IsFixingConditionKey(const std::string& key) {
  static const std::set<std::string> kKeys = {
      "aws:sourceip",        "aws:sourcearn",       "aws:sourcevpc",
      "aws:sourcevpce",      "aws:sourceowner",     "aws:sourceaccount",
      "aws:principalorgid",  "aws:principalaccount", "aws:principalarn",
      "aws:userid",          "aws:username",        "s3:dataaccesspointarn",
      "s3:dataaccesspointaccount",
  };
  return kKeys.count(platform::ToLower(key)) > 0;
}

bool HasWildcard(std::string_view value) {
  return value.find_first_of("*?") != std::string_view::npos;
}

bool PrincipalIsPublic(const Document& principal) {
  if (principal.is_string()) return principal.get<std::string>() == "*";
  if (!principal.is_object()) return false;
  for (const auto& [type, values] : principal.items()) {
    if (type != "AWS") continue;
    for (const std::string& value : StringList(values)) {
      if (HasWildcard(value)) return true;
    }
  }
  return false;
}

bool ConditionsFixPrincipal(const Document& conditions) {
  if (!conditions.is_object()) return false;
  for (const auto& [operator_name, block] : conditions.items()) {
    std::optional<Operator> op = ParseOperator(operator_name);
    if (!op || op->negated || op->if_exists ||
        op->comparison == Comparison::kNull || !block.is_object()) {
      continue;
    }
    for (const auto& [key, values] : block.items()) {
      if (!IsFixingConditionKey(key)) continue;
      std::vector<std::string> list = ConditionValues(values);
      bool fixed = !list.empty() &&
                   std::none_of(list.begin(), list.end(),
                                [](const std::string& value) {
                                  return HasWildcard(value) ||
                                         value.ends_with("/0");
                                });
      if (fixed) return true;
    }
  }
  return false;
}

}  // namespace

bool WildcardMatch(std::string_view pattern, std::string_view text,
                   bool ignore_case) {
  auto same = [ignore_case](char a, char b) {
    if (!ignore_case) return a == b;
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  };
  // Iterative glob match with backtracking to the last '*'.
  size_t p = 0, t = 0;
  size_t star = std::string_view::npos, star_text = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || same(pattern[p], text[t]))) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_text = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++star_text;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

PolicyEffect EvaluatePolicy(const Document& policy,
                            const PolicyRequest& request) {
  PolicyEffect effect = PolicyEffect::kNone;
  for (const Document* statement : Statements(policy)) {
    if (!StatementApplies(*statement, request)) continue;
    if (statement->value("Effect", "") == "Deny") return PolicyEffect::kDeny;
    if (statement->value("Effect", "") == "Allow") effect = PolicyEffect::kAllow;
  }
  return effect;
}

Result<Document> ParseBucketPolicy(std::string_view text,
                                   std::string_view bucket) {
  // A policy nests five levels. Deeper documents are rejected unparsed,
  // because nlohmann::json copies and dumps recurse once per level.
  if (platform::JsonNestingDepth(text) > kMaxPolicyNesting) {
    return MalformedPolicy("Policy nests deeper than 16 levels");
  }
  Document policy = Document::parse(text, nullptr, false);
  if (policy.is_discarded() || !policy.is_object()) {
    return MalformedPolicy(
        "Policies must be valid JSON and the first byte must be '{'");
  }
  // Bucket policies are limited to 20 KB, counted without whitespace.
  // NOTE: the code and message are MinIO's for this limit; AWS's own are
  // not verified.
  if (policy.dump().size() > kMaxPolicyBytes) {
    return AwsError{"PolicyTooLarge",
                    "Policy exceeds the maximum allowed document size.", 400};
  }
  for (const auto& [field, value] : policy.items()) {
    if (field != "Version" && field != "Id" && field != "Statement") {
      return MalformedPolicy("Unknown field " + field);
    }
  }
  if (policy.contains("Version")) {
    const Document& version = policy["Version"];
    if (!version.is_string() || (version != "2012-10-17" &&
                                 version != "2008-10-17")) {
      return MalformedPolicy("Invalid policy version");
    }
  }
  if (!policy.contains("Statement")) {
    return MalformedPolicy("Missing required field Statement");
  }
  const Document& statements = policy["Statement"];
  if (!statements.is_object() && !statements.is_array()) {
    return MalformedPolicy("Statement must be an object or a list");
  }
  if (statements.is_array() && statements.empty()) {
    return MalformedPolicy("Could not parse the policy: Statement is empty!");
  }
  for (const Document* statement : Statements(policy)) {
    Status valid = ValidateStatement(*statement, bucket);
    if (!valid.ok()) return valid.error();
  }
  return policy;
}

bool IsPublicPolicy(const Document& policy) {
  for (const Document* statement : Statements(policy)) {
    if (statement->value("Effect", "") != "Allow") continue;
    bool public_principal =
        statement->contains("NotPrincipal") ||
        (statement->contains("Principal") &&
         PrincipalIsPublic((*statement)["Principal"]));
    if (!public_principal) continue;
    if (!ConditionsFixPrincipal(
            statement->value("Condition", Document::object()))) {
      return true;
    }
  }
  return false;
}

}  // namespace brume::s3
