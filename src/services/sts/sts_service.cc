#include "services/sts/sts_service.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "platform/clock.h"
#include "platform/credentials.h"
#include "platform/ids.h"
#include "platform/strings.h"
#include "services/sts/sts_handlers.h"
#include "services/sts/validation.h"

namespace brume::sts {
namespace {

// Sessions of the root user last at most one hour: a longer DurationSeconds
// for GetSessionToken or GetFederationToken silently becomes one hour.
constexpr int64_t kRootSessionMaxSeconds = 3600;

AwsError AccessDenied(std::string message) {
  AwsError error;
  error.code = "AccessDenied";
  error.message = std::move(message);
  error.http_status = 403;
  return error;
}

}  // namespace

Document CredentialsDocument(const platform::Credential& credential) {
  return {
      {"AccessKeyId", credential.access_key_id},
      {"SecretAccessKey", credential.secret_access_key},
      {"SessionToken", credential.session_token},
      {"Expiration", credential.expiration_ms / 1000},
  };
}

StsService::StsService(const ServiceEnvironment& env)
    : env_(env), sessions_(env.storage, env.credentials) {
  size_t loaded = sessions_.Load();
  if (loaded > 0) spdlog::info("sts: reloaded {} issued credentials", loaded);

  auto bind = [this](Reply (StsService::*handler)(RequestContext&, Document&)) {
    return [this, handler](RequestContext& ctx, Document& input) {
      return (this->*handler)(ctx, input);
    };
  };
  Register("AssumeRole", bind(&StsService::AssumeRole));
  Register("AssumeRoleWithSAML", bind(&StsService::AssumeRoleWithSAML));
  Register("AssumeRoleWithWebIdentity",
           bind(&StsService::AssumeRoleWithWebIdentity));
  Register("AssumeRoot", bind(&StsService::AssumeRoot));
  Register("DecodeAuthorizationMessage",
           bind(&StsService::DecodeAuthorizationMessage));
  Register("GetAccessKeyInfo", bind(&StsService::GetAccessKeyInfo));
  Register("GetCallerIdentity", bind(&StsService::GetCallerIdentity));
  Register("GetFederationToken", bind(&StsService::GetFederationToken));
  Register("GetSessionToken", bind(&StsService::GetSessionToken));
  // TODO: GetDelegatedAccessToken (trade-in tokens) and GetWebIdentityToken
  // are not implemented, so the dispatcher returns NotImplemented for them.
  // GetWebIdentityToken needs IAM's EnableOutboundWebIdentityFederation and
  // an issuer URL that serves the OIDC discovery documents and signing keys.
}

void StsService::Reset() {
  // The server clears storage and the CredentialStore itself.
  sessions_.Clear();
}

int64_t StsService::NowMillis(const RequestContext& ctx) const {
  if (ctx.clock != nullptr) return ctx.clock->NowMillis();
  if (env_.clock != nullptr) return env_.clock->NowMillis();
  return platform::AdjustableClock().NowMillis();
}

Caller StsService::ResolveCaller(const RequestContext& ctx) const {
  Caller caller;
  if (std::optional<Session> session = sessions_.Find(ctx.access_key_id)) {
    caller.account_id = session->credential.account_id;
    caller.arn = session->credential.arn;
    caller.user_id = session->credential.user_id;
    caller.session = std::move(session);
    return caller;
  }

  std::optional<platform::Credential> credential;
  if (env_.credentials != nullptr && !ctx.access_key_id.empty()) {
    credential = env_.credentials->Find(ctx.access_key_id);
  }
  if (credential && !credential->account_id.empty()) {
    caller.account_id = credential->account_id;
  } else if (!ctx.account_id.empty()) {
    caller.account_id = ctx.account_id;
  } else {
    caller.account_id = platform::DefaultAccountForAccessKey(ctx.access_key_id);
  }

  if (credential && !credential->arn.empty()) {
    caller.arn = credential->arn;
    caller.user_id = credential->user_id;
  } else {
    // Long-term keys without an IAM identity belong to the account's root
    // user, whose user id is the account id.
    caller.arn = "arn:" + std::string(platform::PartitionOf(ctx.region)) +
                 ":iam::" + caller.account_id + ":root";
    caller.user_id = caller.account_id;
  }
  return caller;
}

Reply StsService::GetCallerIdentity(RequestContext& ctx, Document&) {
  Caller caller = ResolveCaller(ctx);
  return Document{
      {"UserId", caller.user_id},
      {"Account", caller.account_id},
      {"Arn", caller.arn},
  };
}

Reply StsService::GetAccessKeyInfo(RequestContext&, Document& input) {
  std::string access_key_id = input.value("AccessKeyId", "");
  std::string account_id;
  if (std::optional<Session> session = sessions_.Find(access_key_id)) {
    account_id = session->credential.account_id;
  } else if (env_.credentials != nullptr) {
    if (auto credential = env_.credentials->Find(access_key_id)) {
      account_id = credential->account_id;
    }
  }
  // AWS decodes the account from any well-formed key id, known or not.
  if (account_id.empty()) {
    account_id = platform::DefaultAccountForAccessKey(access_key_id);
  }
  return Document{{"Account", account_id}};
}

Reply StsService::DecodeAuthorizationMessage(RequestContext&,
                                             Document& input) {
  // brume encodes authorization-failure messages as base64 of a JSON
  // document, so decoding reverses that. Anything else is rejected.
  std::string encoded = input.value("EncodedMessage", "");
  std::string decoded;
  Document message;
  if (platform::Base64Decode(platform::Trim(encoded), &decoded)) {
    message = Document::parse(decoded, nullptr, /*allow_exceptions=*/false);
  }
  if (decoded.empty() || message.is_discarded() || !message.is_object()) {
    AwsError error;
    error.code = "InvalidAuthorizationMessageException";
    // NOTE: the wording is brume's because AWS does not document the message
    // of this error.
    error.message =
        "The encoded authorization message is invalid: it is not base64 of a "
        "JSON document that brume issued.";
    return error;
  }
  return Document{{"DecodedMessage", message.dump()}};
}

Reply StsService::GetSessionToken(RequestContext& ctx, Document& input) {
  Caller caller = ResolveCaller(ctx);
  if (caller.session) {
    return AccessDenied("Cannot call GetSessionToken with session credentials");
  }
  if (Status s = CheckOptionalPattern(input, "SerialNumber", "serialNumber",
                                      CharacterClass::kSerialNumber);
      !s.ok()) {
    return s.error();
  }
  if (Status s = CheckOptionalPattern(input, "TokenCode", "tokenCode",
                                      CharacterClass::kDigits);
      !s.ok()) {
    return s.error();
  }
  // TODO: MFA devices do not exist in brume, so SerialNumber and TokenCode
  // are checked for format only.
  Result<int64_t> duration = ResolveDuration(input, kSessionTokenDuration);
  if (!duration.ok()) return duration.error();
  int64_t seconds = duration.value();
  if (caller.is_root()) seconds = std::min(seconds, kRootSessionMaxSeconds);

  Session session;
  session.kind = SessionKind::kSessionToken;
  session.credential.account_id = caller.account_id;
  session.credential.arn = caller.arn;
  session.credential.user_id = caller.user_id;
  session.credential.expiration_ms = NowMillis(ctx) + seconds * 1000;
  Result<Session> issued = sessions_.Issue(std::move(session));
  if (!issued.ok()) return issued.error();
  return Document{{"Credentials", CredentialsDocument(issued.value().credential)}};
}

Reply StsService::GetFederationToken(RequestContext& ctx, Document& input) {
  Caller caller = ResolveCaller(ctx);
  if (caller.session) {
    return AccessDenied(
        "Cannot call GetFederationToken with session credentials");
  }
  std::string name = input.value("Name", "");
  if (Status s = CheckPattern("name", name, CharacterClass::kSessionName);
      !s.ok()) {
    return s.error();
  }
  Result<int64_t> duration = ResolveDuration(input, kFederationTokenDuration);
  if (!duration.ok()) return duration.error();
  int64_t seconds = duration.value();
  if (caller.is_root()) seconds = std::min(seconds, kRootSessionMaxSeconds);
  Result<std::optional<int64_t>> packed = CheckSessionPolicy(input);
  if (!packed.ok()) return packed.error();

  std::string partition(platform::PartitionOf(ctx.region));
  Session session;
  session.kind = SessionKind::kFederatedUser;
  session.credential.account_id = caller.account_id;
  session.credential.arn = "arn:" + partition + ":sts::" + caller.account_id +
                           ":federated-user/" + name;
  session.credential.user_id = caller.account_id + ":" + name;
  session.credential.expiration_ms = NowMillis(ctx) + seconds * 1000;
  Result<Session> issued = sessions_.Issue(std::move(session));
  if (!issued.ok()) return issued.error();

  const platform::Credential& credential = issued.value().credential;
  Document output = {
      {"Credentials", CredentialsDocument(credential)},
      {"FederatedUser",
       {{"FederatedUserId", credential.user_id}, {"Arn", credential.arn}}},
  };
  if (packed.value()) output["PackedPolicySize"] = *packed.value();
  return output;
}

std::unique_ptr<Service> CreateStsService(const ServiceEnvironment& env) {
  return std::make_unique<StsService>(env);
}

}  // namespace brume::sts
