#include "platform/credentials.h"

#include <algorithm>
#include <utility>

namespace brume::platform {

void CredentialStore::Put(Credential credential) {
  std::lock_guard lock(mutex_);
  std::string key = credential.access_key_id;
  by_access_key_.insert_or_assign(std::move(key), std::move(credential));
}

std::optional<Credential> CredentialStore::Find(
    std::string_view access_key_id) const {
  std::lock_guard lock(mutex_);
  auto it = by_access_key_.find(std::string(access_key_id));
  if (it == by_access_key_.end()) return std::nullopt;
  return it->second;
}

void CredentialStore::Clear() {
  std::lock_guard lock(mutex_);
  by_access_key_.clear();
}

std::string DefaultAccountForAccessKey(std::string_view access_key_id) {
  bool is_account_id =
      access_key_id.size() == 12 &&
      std::all_of(access_key_id.begin(), access_key_id.end(),
                  [](char c) { return c >= '0' && c <= '9'; });
  return is_account_id ? std::string(access_key_id) : "000000000000";
}

}  // namespace brume::platform
