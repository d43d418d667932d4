#include "platform/credentials.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "platform/strings.h"

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

std::vector<std::string> CredentialStore::Accounts() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> accounts;
  for (const auto& [key, credential] : by_access_key_) {
    accounts.push_back(credential.account_id);
  }
  std::sort(accounts.begin(), accounts.end());
  accounts.erase(std::unique(accounts.begin(), accounts.end()), accounts.end());
  return accounts;
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


namespace {

bool IsAccountId(std::string_view value) {
  return value.size() == 12 &&
         std::all_of(value.begin(), value.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

// One profile while it is parsed, with the line of its section header for
// error messages.
struct PendingProfile {
  std::string name;
  size_t line = 0;
  Credential credential;
  bool has_account = false;
};

Status FinishProfile(PendingProfile& profile, std::string_view source,
                     std::vector<Credential>& out) {
  auto missing = [&](std::string_view key) {
    return Status::InvalidArgument(
        fmt::format("{} line {}: profile [{}] has no {}", source, profile.line,
                    profile.name, key));
  };
  Credential& credential = profile.credential;
  if (credential.access_key_id.empty()) return missing("aws_access_key_id");
  if (credential.secret_access_key.empty()) {
    return missing("aws_secret_access_key");
  }
  if (!profile.has_account) {
    credential.account_id = DefaultAccountForAccessKey(credential.access_key_id);
  }
  credential.arn = fmt::format("arn:aws:iam::{}:root", credential.account_id);
  credential.user_id = credential.account_id;
  out.push_back(std::move(credential));
  return Status::Ok();
}

}  // namespace

StatusOr<std::vector<Credential>> ParseCredentialsFile(std::string_view text,
                                                      std::string_view source) {
  std::vector<Credential> credentials;
  std::optional<PendingProfile> profile;
  size_t line_number = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = Trim(text.substr(start, end - start));
    start = end + 1;
    ++line_number;
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;

    if (line.front() == '[') {
      if (line.back() != ']' || line.size() < 3) {
        return Status::InvalidArgument(fmt::format(
            "{} line {}: invalid section header '{}'; expected [name]", source,
            line_number, line));
      }
      if (profile) {
        Status finished = FinishProfile(*profile, source, credentials);
        if (!finished.ok()) return finished;
      }
      std::string_view name = Trim(line.substr(1, line.size() - 2));
      if (name.starts_with("profile ")) name = Trim(name.substr(8));
      profile = PendingProfile{std::string(name), line_number, Credential{},
                               false};
      continue;
    }

    size_t equals = line.find('=');
    if (equals == std::string_view::npos) {
      return Status::InvalidArgument(fmt::format(
          "{} line {}: expected 'key = value' or [profile]", source,
          line_number));
    }
    if (!profile) {
      return Status::InvalidArgument(fmt::format(
          "{} line {}: key outside a [profile] section", source, line_number));
    }
    std::string key = ToLower(Trim(line.substr(0, equals)));
    std::string value(Trim(line.substr(equals + 1)));
    Credential& credential = profile->credential;
    if (key == "aws_access_key_id") {
      credential.access_key_id = value;
    } else if (key == "aws_secret_access_key") {
      credential.secret_access_key = value;
    } else if (key == "aws_session_token") {
      credential.session_token = value;
    } else if (key == "aws_account_id") {
      if (!IsAccountId(value)) {
        return Status::InvalidArgument(fmt::format(
            "{} line {}: aws_account_id '{}' is not a 12-digit account id",
            source, line_number, value));
      }
      credential.account_id = value;
      profile->has_account = true;
    }
  }
  if (profile) {
    Status finished = FinishProfile(*profile, source, credentials);
    if (!finished.ok()) return finished;
  }
  return credentials;
}

}  // namespace brume::platform
