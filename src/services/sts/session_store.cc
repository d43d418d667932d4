#include "services/sts/session_store.h"

#include <spdlog/spdlog.h>

#include "platform/ids.h"
#include "platform/storage.h"
#include "services/common/document.h"

namespace brume::sts {
namespace {

// Temporary access key ids are "ASIA" followed by 16 upper-case
// alphanumerics, as AWS issues them.
constexpr std::string_view kTemporaryKeyPrefix = "ASIA";
constexpr size_t kTemporaryKeyTailLength = 16;
constexpr size_t kSecretKeyLength = 40;
// Session tokens are opaque to clients. brume's have the prefix and roughly
// the length of the tokens regional STS endpoints return, and a random body.
constexpr std::string_view kSessionTokenPrefix = "IQoJb3JpZ2luX2Vj";
constexpr size_t kSessionTokenBodyLength = 400;

std::string_view KindName(SessionKind kind) {
  switch (kind) {
    case SessionKind::kAssumedRole:
      return "assumed-role";
    case SessionKind::kFederatedUser:
      return "federated-user";
    case SessionKind::kSessionToken:
      return "session-token";
    case SessionKind::kRoot:
      return "root";
  }
  return "assumed-role";
}

std::optional<SessionKind> ParseKind(std::string_view name) {
  for (SessionKind kind :
       {SessionKind::kAssumedRole, SessionKind::kFederatedUser,
        SessionKind::kSessionToken, SessionKind::kRoot}) {
    if (KindName(kind) == name) return kind;
  }
  return std::nullopt;
}

}  // namespace

std::string SerializeSession(const Session& session) {
  const platform::Credential& credential = session.credential;
  Document row = {
      {"access_key_id", credential.access_key_id},
      {"secret_access_key", credential.secret_access_key},
      {"session_token", credential.session_token},
      {"account_id", credential.account_id},
      {"arn", credential.arn},
      {"user_id", credential.user_id},
      {"expiration_ms", credential.expiration_ms},
      {"kind", KindName(session.kind)},
  };
  if (!session.source_identity.empty()) {
    row["source_identity"] = session.source_identity;
  }
  return row.dump();
}

std::optional<Session> ParseSession(std::string_view text) {
  Document row = Document::parse(text, nullptr, /*allow_exceptions=*/false);
  if (row.is_discarded() || !row.is_object()) return std::nullopt;
  try {
    Session session;
    platform::Credential& credential = session.credential;
    credential.access_key_id = row.at("access_key_id").get<std::string>();
    credential.secret_access_key =
        row.at("secret_access_key").get<std::string>();
    credential.session_token = row.at("session_token").get<std::string>();
    credential.account_id = row.at("account_id").get<std::string>();
    credential.arn = row.at("arn").get<std::string>();
    credential.user_id = row.at("user_id").get<std::string>();
    credential.expiration_ms = row.at("expiration_ms").get<int64_t>();
    std::optional<SessionKind> kind =
        ParseKind(row.at("kind").get<std::string>());
    if (!kind) return std::nullopt;
    session.kind = *kind;
    session.source_identity = row.value("source_identity", "");
    return session;
  } catch (const Document::exception&) {
    return std::nullopt;
  }
}

SessionStore::SessionStore(platform::Storage* storage,
                           platform::CredentialStore* credentials)
    : storage_(storage), credentials_(credentials) {}

size_t SessionStore::Load() {
  if (storage_ == nullptr) return 0;
  size_t loaded = 0;
  size_t skipped = 0;
  platform::Status status = storage_->Scan(
      kCredentialsTable, "", "", 0,
      [&](std::string_view key, std::string_view value) {
        std::optional<Session> session = ParseSession(value);
        if (!session || session->credential.access_key_id != key) {
          ++skipped;
          return true;
        }
        if (credentials_ != nullptr) credentials_->Put(session->credential);
        std::lock_guard lock(mutex_);
        sessions_[session->credential.access_key_id] = std::move(*session);
        ++loaded;
        return true;
      });
  if (!status.ok()) {
    spdlog::error("sts: reading table {} failed: {}", kCredentialsTable,
                  status.message());
  }
  if (skipped > 0) {
    spdlog::warn("sts: skipped {} unreadable rows of table {}", skipped,
                 kCredentialsTable);
  }
  // TODO: drop sessions that expired long ago instead of loading them all;
  // until then the table grows with every issued credential.
  return loaded;
}

Result<Session> SessionStore::Issue(Session session) {
  platform::Credential& credential = session.credential;
  credential.access_key_id = std::string(kTemporaryKeyPrefix) +
                             platform::RandomUpperAlnum(kTemporaryKeyTailLength);
  credential.secret_access_key = platform::RandomSecret(kSecretKeyLength);
  credential.session_token = std::string(kSessionTokenPrefix) +
                             platform::RandomSecret(kSessionTokenBodyLength);

  if (storage_ != nullptr) {
    platform::Status status = storage_->Put(
        kCredentialsTable, credential.access_key_id, SerializeSession(session));
    if (!status.ok()) {
      spdlog::error("sts: storing credentials {} failed: {}",
                    credential.access_key_id, status.message());
      return InternalFailure("Storing the issued credentials failed.");
    }
  }
  if (credentials_ != nullptr) credentials_->Put(credential);
  std::lock_guard lock(mutex_);
  sessions_[credential.access_key_id] = session;
  return session;
}

std::optional<Session> SessionStore::Find(
    std::string_view access_key_id) const {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(std::string(access_key_id));
  if (it == sessions_.end()) return std::nullopt;
  return it->second;
}

void SessionStore::Clear() {
  std::lock_guard lock(mutex_);
  sessions_.clear();
}

}  // namespace brume::sts
