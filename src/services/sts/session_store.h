#pragma once

// The temporary credentials STS issued. Each session is written to the
// storage table "sts.credentials" before it is returned, so acknowledged
// credentials survive a restart, and is registered in the CredentialStore
// that request authentication reads.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "platform/credentials.h"
#include "services/common/error.h"

namespace brume::platform {
class Storage;
}  // namespace brume::platform

namespace brume::sts {

// The operation that issued a session. It decides what GetCallerIdentity
// returns and whether the session may call GetSessionToken or
// GetFederationToken.
enum class SessionKind {
  kAssumedRole,     // AssumeRole, AssumeRoleWithWebIdentity, ...WithSAML
  kFederatedUser,   // GetFederationToken
  kSessionToken,    // GetSessionToken: the caller's own identity
  kRoot,            // AssumeRoot
};

struct Session {
  platform::Credential credential;
  SessionKind kind = SessionKind::kAssumedRole;
  std::string source_identity;  // empty when none was set
};

inline constexpr std::string_view kCredentialsTable = "sts.credentials";

class SessionStore {
 public:
  // Either pointer may be null, as in unit tests. Sessions are then kept only
  // in this object.
  SessionStore(platform::Storage* storage,
               platform::CredentialStore* credentials);

  // Reads every stored session and registers it in the CredentialStore.
  // Returns the number of sessions read. Rows that fail to parse are
  // skipped and logged.
  size_t Load();

  // Generates the keys and token of `session` (its credential's
  // access_key_id, secret_access_key and session_token), commits it to
  // storage and registers it. Fails with InternalFailure when storage fails.
  Result<Session> Issue(Session session);

  std::optional<Session> Find(std::string_view access_key_id) const;

  // Drops the sessions held in memory. POST /_brume/reset clears storage and
  // the CredentialStore separately.
  void Clear();

 private:
  platform::Storage* storage_;
  platform::CredentialStore* credentials_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Session> sessions_;
};

// Serialises a session to the JSON text stored in kCredentialsTable, and
// back. Exposed for tests.
std::string SerializeSession(const Session& session);
std::optional<Session> ParseSession(std::string_view text);

}  // namespace brume::sts
