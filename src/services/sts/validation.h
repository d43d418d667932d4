#pragma once

// Input checks that STS makes beyond what the model validation of the codec
// covers (the codec skips regular-expression patterns), with the error codes
// and messages STS returns.

#include <optional>
#include <string>
#include <string_view>

#include "services/common/document.h"
#include "services/common/error.h"

namespace brume::sts {

// A ValidationError (HTTP 400, Sender), the code STS and other query
// services use for invalid parameters.
AwsError StsValidationError(std::string message);

// Parts of an IAM ARN such as "arn:aws:iam::123456789012:role/path/name".
struct IamArn {
  std::string partition;
  std::string account_id;
  std::string resource_type;  // "role", "saml-provider", ...
  std::string name;           // last path segment of the resource
};

// Parses an IAM ARN whose resource is `<resource_type>/[path/]<name>`, with
// an empty region and a 12-digit account id. Returns nullopt otherwise.
std::optional<IamArn> ParseIamArn(std::string_view arn,
                                  std::string_view resource_type);

// Checks `value` against a pattern of the STS model. `member` is the
// lower-camel member name AWS prints ("roleSessionName"). Supported patterns:
// the ones named below, which are all STS uses on string inputs.
enum class CharacterClass {
  kSessionName,   // [\w+=,.@-]*  (RoleSessionName, SourceIdentity, Name)
  kExternalId,    // [\w+=,.@:\/-]*
  kSerialNumber,  // [\w+=/:,.@-]*
  kDigits,        // [\d]*  (TokenCode)
};
Status CheckPattern(std::string_view member, std::string_view value,
                    CharacterClass character_class);

// Checks the optional string member `name` of `input` against a pattern;
// absent members pass.
Status CheckOptionalPattern(const Document& input, std::string_view name,
                            std::string_view member,
                            CharacterClass character_class);

// Range of DurationSeconds for one operation.
struct DurationRange {
  int64_t min_seconds;
  int64_t max_seconds;
  int64_t default_seconds;
};

inline constexpr DurationRange kRoleDuration{900, 43200, 3600};
inline constexpr DurationRange kSessionTokenDuration{900, 129600, 43200};
inline constexpr DurationRange kFederationTokenDuration{900, 129600, 43200};
inline constexpr DurationRange kRootDuration{0, 900, 900};

// Returns DurationSeconds of `input`, or the default of `range` when absent,
// or the ValidationError AWS returns when it is out of range.
Result<int64_t> ResolveDuration(const Document& input,
                                const DurationRange& range);

// Checks the session policy, PolicyArns and Tags of an issuing request and
// returns PackedPolicySize, or nullopt when the request passes no policy and
// no tags. Fails with MalformedPolicyDocument for a policy that is not a JSON
// object, PackedPolicyTooLarge past the packed limit, and
// InvalidParameterValue for transitive tag keys that name no tag.
Result<std::optional<int64_t>> CheckSessionPolicy(const Document& input);

}  // namespace brume::sts
