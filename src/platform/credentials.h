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
  void Clear();

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Credential> by_access_key_;
};

// Account id for an access key that no credential names: a 12-digit key is
// the account id itself, anything else maps to "000000000000".
std::string DefaultAccountForAccessKey(std::string_view access_key_id);

}  // namespace brume::platform
