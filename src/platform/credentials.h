#pragma once

// Credentials brume accepts: the configured long-term keys (test/test by
// default) and the temporary keys STS issued. STS registers, SigV4
// verification and identity resolution look up.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "platform/status.h"

namespace brume::platform {

struct Credential {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
  std::string account_id;
  std::string arn;            // identity ARN, e.g. an assumed-role ARN
  std::string user_id;        // e.g. "AROA...:session-name"
  int64_t expiration_ms = 0;  // 0: never expires
};

class CredentialStore {
 public:
  void Put(Credential credential);
  std::optional<Credential> Find(std::string_view access_key_id) const;
  // Account ids of every stored credential, sorted and without repeats.
  std::vector<std::string> Accounts() const;
  void Clear();

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Credential> by_access_key_;
};

// Account id for an access key that no credential names: a 12-digit key is
// the account id itself, anything else maps to "000000000000".
std::string DefaultAccountForAccessKey(std::string_view access_key_id);

// Parses the text of an AWS shared credentials file (~/.aws/credentials):
// INI sections "[name]" or "[profile name]" with the keys aws_access_key_id,
// aws_secret_access_key, optional aws_session_token and optional
// aws_account_id (12 digits; DefaultAccountForAccessKey when absent). Other
// keys are ignored. Each profile becomes a long-term credential whose ARN is
// the account root. Fails with InvalidArgument naming `source` and the line
// of the first malformed line or incomplete profile.
StatusOr<std::vector<Credential>> ParseCredentialsFile(std::string_view text,
                                                      std::string_view source);

}  // namespace brume::platform
