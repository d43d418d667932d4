#include "platform/resource_policy.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "platform/strings.h"

namespace brume::platform {
namespace {

using Json = nlohmann::json;

// Policies nest five levels at most (Statement, Condition, operator, key,
// values); anything much deeper is malformed.
constexpr size_t kMaxPolicyNesting = 16;

char Fold(char c, bool ignore_case) {
  return ignore_case ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                     : c;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = Fold(c, true);
  return out;
}

// A policy element that may be a single string or a list of strings.
std::vector<std::string> Strings(const Json& value) {
  std::vector<std::string> out;
  if (value.is_string()) {
    out.push_back(value.get<std::string>());
  } else if (value.is_array()) {
    for (const Json& item : value) {
      if (item.is_string()) out.push_back(item.get<std::string>());
      else if (item.is_boolean() || item.is_number()) out.push_back(item.dump());
    }
  } else if (value.is_boolean() || value.is_number()) {
    out.push_back(value.dump());
  }
  return out;
}

bool AnyMatches(const Json& patterns, std::string_view text, bool ignore_case) {
  for (const std::string& pattern : Strings(patterns)) {
    if (WildcardMatch(pattern, text, ignore_case)) return true;
  }
  return false;
}

bool AwsPrincipalMatches(const std::string& entry, const PolicyRequest& request) {
  if (entry == "*") return true;
  if (request.account_id.empty()) return false;
  if (entry == request.account_id) return true;
  if (entry == "arn:aws:iam::" + request.account_id + ":root") return true;
  return !request.principal_arn.empty() && entry == request.principal_arn;
}

bool PrincipalMatches(const Json& principal, const PolicyRequest& request) {
  if (principal.is_string()) return principal.get<std::string>() == "*";
  if (!principal.is_object()) return false;
  for (auto it = principal.begin(); it != principal.end(); ++it) {
    for (const std::string& entry : Strings(it.value())) {
      if (it.key() == "AWS" && AwsPrincipalMatches(entry, request)) return true;
      if (it.key() == "Service" && !request.service_principal.empty() &&
          entry == request.service_principal) {
        return true;
      }
    }
  }
  return false;
}

const std::vector<std::string>* ContextValues(const PolicyRequest& request,
                                              std::string_view key) {
  std::string wanted = Lower(key);
  for (const auto& [name, values] : request.context) {
    if (Lower(name) == wanted) return &values;
  }
  return nullptr;
}

bool CompareOne(std::string_view op, std::string_view expected,
                std::string_view actual) {
  if (op == "StringEquals" || op == "ArnEquals") return expected == actual;
  if (op == "StringEqualsIgnoreCase") return Lower(expected) == Lower(actual);
  if (op == "StringLike" || op == "ArnLike") {
    return WildcardMatch(expected, actual);
  }
  if (op == "Bool") return Lower(expected) == Lower(actual);
  if (op.substr(0, 7) == "Numeric") {
    char* end = nullptr;
    std::string expected_text(expected), actual_text(actual);
    double want = std::strtod(expected_text.c_str(), &end);
    double have = std::strtod(actual_text.c_str(), &end);
    std::string_view cmp = op.substr(7);
    if (cmp == "Equals") return have == want;
    if (cmp == "LessThan") return have < want;
    if (cmp == "LessThanEquals") return have <= want;
    if (cmp == "GreaterThan") return have > want;
    if (cmp == "GreaterThanEquals") return have >= want;
  }
  return false;
}

// One operator block entry: `op` applied to a key's policy values and the
// request's values for the key.
StatusOr<bool> ConditionHolds(std::string op, std::string_view key,
                              const Json& policy_values,
                              const PolicyRequest& request) {
  enum class Set { kSingle, kAnyValue, kAllValues } set = Set::kSingle;
  if (op.rfind("ForAnyValue:", 0) == 0) {
    set = Set::kAnyValue;
    op = op.substr(12);
  } else if (op.rfind("ForAllValues:", 0) == 0) {
    set = Set::kAllValues;
    op = op.substr(13);
  }
  bool if_exists = op.size() > 8 && op.compare(op.size() - 8, 8, "IfExists") == 0;
  if (if_exists) op.resize(op.size() - 8);

  std::vector<std::string> expected = Strings(policy_values);
  const std::vector<std::string>* actual = ContextValues(request, key);
  if (op == "Null") {
    bool want_null = !expected.empty() && Lower(expected[0]) == "true";
    return want_null == (actual == nullptr || actual->empty());
  }
  bool negated = false;
  std::string base = op;
  for (std::string_view negated_op :
       {"StringNotEqualsIgnoreCase", "StringNotEquals", "StringNotLike",
        "ArnNotEquals", "ArnNotLike", "NumericNotEquals"}) {
    if (op == negated_op) {
      negated = true;
      base = std::string(op);
      base.erase(base.find("Not"), 3);
      break;
    }
  }
  static const char* kKnown[] = {
      "StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals",
      "ArnLike", "Bool", "NumericEquals", "NumericLessThan",
      "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals"};
  if (std::find(std::begin(kKnown), std::end(kKnown), base) == std::end(kKnown)) {
    return Status::InvalidArgument("unsupported condition operator '" + op + "'");
  }

  if (actual == nullptr || actual->empty()) {
    // A missing key never matches, so negated operators hold.
    return if_exists || set == Set::kAllValues || negated;
  }

  auto value_matches = [&](const std::string& value) {
    bool any = std::any_of(expected.begin(), expected.end(), [&](const std::string& e) {
      return CompareOne(base, e, value);
    });
    return negated ? !any : any;
  };
  if (set == Set::kAllValues) {
    return std::all_of(actual->begin(), actual->end(), value_matches);
  }
  return std::any_of(actual->begin(), actual->end(), value_matches);
}

StatusOr<bool> ConditionsHold(const Json& condition, const PolicyRequest& request) {
  if (!condition.is_object()) {
    return Status::InvalidArgument("Condition must be an object");
  }
  for (auto op = condition.begin(); op != condition.end(); ++op) {
    if (!op.value().is_object()) {
      return Status::InvalidArgument("Condition operator " + op.key() +
                                     " must map keys to values");
    }
    for (auto key = op.value().begin(); key != op.value().end(); ++key) {
      StatusOr<bool> holds = ConditionHolds(op.key(), key.key(), key.value(), request);
      if (!holds.ok()) return holds.status();
      if (!holds.value()) return false;
    }
  }
  return true;
}

// Whether one statement applies to the request.
StatusOr<bool> StatementApplies(const Json& statement, const PolicyRequest& request) {
  if (statement.contains("Principal")) {
    if (!PrincipalMatches(statement["Principal"], request)) return false;
  } else if (statement.contains("NotPrincipal")) {
    if (PrincipalMatches(statement["NotPrincipal"], request)) return false;
  } else {
    return Status::InvalidArgument("a statement has no Principal");
  }
  if (statement.contains("Action")) {
    if (!AnyMatches(statement["Action"], request.action, true)) return false;
  } else if (statement.contains("NotAction")) {
    if (AnyMatches(statement["NotAction"], request.action, true)) return false;
  } else {
    return Status::InvalidArgument("a statement has no Action");
  }
  if (statement.contains("Resource")) {
    if (!AnyMatches(statement["Resource"], request.resource, false)) return false;
  } else if (statement.contains("NotResource")) {
    if (AnyMatches(statement["NotResource"], request.resource, false)) return false;
  }
  if (statement.contains("Condition")) {
    return ConditionsHold(statement["Condition"], request);
  }
  return true;
}

StatusOr<PolicyDecision> EvaluateParsedPolicy(std::string_view policy_json,
                                              const PolicyRequest& request) {
  Json policy = Json::parse(policy_json, nullptr, /*allow_exceptions=*/false);
  if (!policy.is_object()) return Status::InvalidArgument("policy is not a JSON object");
  if (!policy.contains("Statement")) {
    return Status::InvalidArgument("policy has no Statement");
  }
  Json statements = policy["Statement"];
  if (statements.is_object()) statements = Json::array({statements});
  if (!statements.is_array()) {
    return Status::InvalidArgument("Statement must be an object or a list");
  }
  PolicyDecision decision = PolicyDecision::kImplicitDeny;
  for (const Json& statement : statements) {
    if (!statement.is_object()) {
      return Status::InvalidArgument("a statement is not an object");
    }
    StatusOr<bool> applies = StatementApplies(statement, request);
    if (!applies.ok()) return applies.status();
    if (!applies.value()) continue;
    std::string effect = statement.value("Effect", "");
    if (effect == "Deny") return PolicyDecision::kExplicitDeny;
    if (effect == "Allow") {
      decision = PolicyDecision::kAllow;
    } else {
      return Status::InvalidArgument("Effect must be Allow or Deny");
    }
  }
  return decision;
}

}  // namespace

bool WildcardMatch(std::string_view pattern, std::string_view text,
                   bool ignore_case) {
  // Iterative glob matching with backtracking to the last '*'.
  size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() &&
        (pattern[p] == '?' ||
         Fold(pattern[p], ignore_case) == Fold(text[t], ignore_case))) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

StatusOr<PolicyDecision> EvaluateResourcePolicy(std::string_view policy_json,
                                                const PolicyRequest& request) {
  if (JsonNestingDepth(policy_json) > kMaxPolicyNesting) {
    return Status::InvalidArgument("policy is nested too deeply");
  }
  try {
    return EvaluateParsedPolicy(policy_json, request);
  } catch (const Json::exception& error) {
    // A member of an unexpected JSON type, e.g. "Effect": 1.
    return Status::InvalidArgument(std::string("policy has an invalid member: ") +
                                   error.what());
  }
}

}  // namespace brume::platform
