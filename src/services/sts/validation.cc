#include "services/sts/validation.h"

#include <zlib.h>

#include <cctype>
#include <cmath>
#include <set>
#include <vector>

#include "platform/strings.h"

namespace brume::sts {
namespace {

// Compressed bytes that session policies and tags may take before STS
// rejects them with PackedPolicyTooLarge.
// NOTE: AWS does not publish its packing format or limit. brume deflates the
// policy, policy ARNs and tags and takes 2048 bytes as the limit, so
// PackedPolicySize is an estimate of what AWS would return.
constexpr size_t kPackedPolicyLimitBytes = 2048;

bool IsWordCharacter(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

bool MatchesClass(char c, CharacterClass character_class) {
  switch (character_class) {
    case CharacterClass::kSessionName:
      return IsWordCharacter(c) || std::string_view("+=,.@-").find(c) !=
                                       std::string_view::npos;
    case CharacterClass::kExternalId:
      return IsWordCharacter(c) || std::string_view("+=,.@:/-").find(c) !=
                                       std::string_view::npos;
    case CharacterClass::kSerialNumber:
      return IsWordCharacter(c) || std::string_view("+=/:,.@-").find(c) !=
                                       std::string_view::npos;
    case CharacterClass::kDigits:
      return std::isdigit(static_cast<unsigned char>(c)) != 0;
  }
  return false;
}

// The pattern as the STS model spells it, for error messages.
std::string_view PatternText(CharacterClass character_class) {
  switch (character_class) {
    case CharacterClass::kSessionName:
      return "[\\w+=,.@-]*";
    case CharacterClass::kExternalId:
      return "[\\w+=,.@:\\/-]*";
    case CharacterClass::kSerialNumber:
      return "[\\w+=/:,.@-]*";
    case CharacterClass::kDigits:
      return "[\\d]*";
  }
  return "";
}

size_t DeflatedSize(const std::string& text) {
  uLongf size = compressBound(text.size());
  std::string out(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                reinterpret_cast<const Bytef*>(text.data()), text.size(),
                Z_BEST_COMPRESSION) != Z_OK) {
    return text.size();
  }
  return size;
}

AwsError MalformedPolicy(std::string message) {
  AwsError error;
  error.code = "MalformedPolicyDocumentException";
  error.message = std::move(message);
  return error;
}

}  // namespace

AwsError StsValidationError(std::string message) {
  AwsError error;
  error.code = "ValidationError";
  error.message = std::move(message);
  error.http_status = 400;
  return error;
}

std::optional<IamArn> ParseIamArn(std::string_view arn,
                                  std::string_view resource_type) {
  // arn:<partition>:iam::<account>:<resource_type>/[path/]<name>
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) return std::nullopt;
    parts.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  std::string_view resource = arn.substr(start);
  if (parts[0] != "arn" || !parts[1].starts_with("aws") || parts[2] != "iam" ||
      !parts[3].empty() || parts[4].size() != 12) {
    return std::nullopt;
  }
  for (char c : parts[4]) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  if (!resource.starts_with(resource_type) ||
      resource.substr(resource_type.size(), 1) != "/") {
    return std::nullopt;
  }
  std::string_view name = resource.substr(resource.rfind('/') + 1);
  if (name.empty()) return std::nullopt;
  return IamArn{std::string(parts[1]), std::string(parts[4]),
                std::string(resource_type), std::string(name)};
}

Status CheckPattern(std::string_view member, std::string_view value,
                    CharacterClass character_class) {
  for (char c : value) {
    if (!MatchesClass(c, character_class)) {
      return StsValidationError(
          "1 validation error detected: Value '" + std::string(value) +
          "' at '" + std::string(member) +
          "' failed to satisfy constraint: Member must satisfy regular "
          "expression pattern: " +
          std::string(PatternText(character_class)));
    }
  }
  return {};
}

Status CheckOptionalPattern(const Document& input, std::string_view name,
                            std::string_view member,
                            CharacterClass character_class) {
  auto it = input.find(name);
  if (it == input.end() || !it->is_string()) return {};
  return CheckPattern(member, it->get<std::string>(), character_class);
}

Result<int64_t> ResolveDuration(const Document& input,
                                const DurationRange& range) {
  auto it = input.find("DurationSeconds");
  if (it == input.end() || !it->is_number()) return range.default_seconds;
  int64_t seconds = it->get<int64_t>();
  std::string prefix = "1 validation error detected: Value '" +
                       std::to_string(seconds) +
                       "' at 'durationSeconds' failed to satisfy constraint: "
                       "Member must have value ";
  if (seconds < range.min_seconds) {
    return StsValidationError(prefix + "greater than or equal to " +
                           std::to_string(range.min_seconds));
  }
  if (seconds > range.max_seconds) {
    return StsValidationError(prefix + "less than or equal to " +
                           std::to_string(range.max_seconds));
  }
  return seconds;
}

Result<std::optional<int64_t>> CheckSessionPolicy(const Document& input) {
  std::string packed;
  bool has_session_policy = false;

  auto policy = input.find("Policy");
  if (policy != input.end() && policy->is_string()) {
    has_session_policy = true;
    const std::string& text = policy->get_ref<const std::string&>();
    Document parsed = Document::parse(text, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded() || !parsed.is_object()) {
      // IAM's wording for the same failure (CreatePolicy, CreateRole).
      return MalformedPolicy("This policy contains invalid Json");
    }
    // Whitespace does not count against the packed size.
    packed += parsed.dump();
  }

  auto arns = input.find("PolicyArns");
  if (arns != input.end() && arns->is_array()) {
    for (const Document& descriptor : *arns) {
      has_session_policy = true;
      packed += descriptor.value("arn", "");
    }
  }

  std::set<std::string> tag_keys;
  auto tags = input.find("Tags");
  if (tags != input.end() && tags->is_array()) {
    for (const Document& tag : *tags) {
      has_session_policy = true;
      std::string key = tag.value("Key", "");
      if (!tag_keys.insert(platform::ToLower(key)).second) {
        // NOTE: code and wording are IAM's for duplicate tag keys (TagRole).
        // Whether STS returns the same error is unverified.
        AwsError error = StsValidationError(
            "Duplicate tag keys found. Please note that Tag keys are case "
            "insensitive.");
        error.code = "InvalidParameterValue";
        return error;
      }
      packed += key + "=" + tag.value("Value", "") + ";";
    }
  }

  auto transitive = input.find("TransitiveTagKeys");
  if (transitive != input.end() && transitive->is_array()) {
    for (const Document& key : *transitive) {
      if (!key.is_string() ||
          !tag_keys.contains(platform::ToLower(key.get<std::string>()))) {
        AwsError error = StsValidationError(
            "The specified transitive tag key must be included in the "
            "requested tags.");
        error.code = "InvalidParameterValue";
        return error;
      }
    }
  }

  if (!has_session_policy) return std::optional<int64_t>();
  int64_t percent = static_cast<int64_t>(
      std::ceil(100.0 * DeflatedSize(packed) / kPackedPolicyLimitBytes));
  if (percent > 100) {
    AwsError error;
    error.code = "PackedPolicyTooLargeException";
    error.message = "Packed policy consumes " + std::to_string(percent) +
                    "% of allotted space, please use smaller policy for this "
                    "request.";
    return error;
  }
  return std::optional<int64_t>(percent);
}

}  // namespace brume::sts
