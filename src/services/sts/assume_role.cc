// The AssumeRole family: AssumeRole, AssumeRoleWithWebIdentity,
// AssumeRoleWithSAML and AssumeRoot.

#include <algorithm>
#include <array>
#include <string_view>

#include "platform/crypto.h"
#include "platform/ids.h"
#include "services/sts/federation.h"
#include "services/sts/sts_handlers.h"
#include "services/sts/validation.h"

namespace brume::sts {
namespace {

// A role session reached by role chaining (AssumeRole called with
// assumed-role credentials) lasts at most one hour.
constexpr int64_t kRoleChainingMaxSeconds = 3600;

// Task policies AssumeRoot accepts, under arn:aws:iam::aws:policy/root-task/.
constexpr std::array<std::string_view, 5> kRootTaskPolicies = {
    "IAMAuditRootUserCredentials", "IAMCreateRootUserPassword",
    "IAMDeleteRootUserCredentials", "S3UnlockBucketPolicy",
    "SQSUnlockQueuePolicy"};

// Returned by the web identity and SAML variants for a RoleArn or
// PrincipalArn of the wrong form.
AwsError InvalidRequestArn() {
  return StsValidationError("Request ARN is invalid");
}

Status CheckSessionName(std::string_view name) {
  // The codec checks the length (2..64) from the model; the pattern is left
  // to the service.
  return CheckPattern("roleSessionName", name, CharacterClass::kSessionName);
}

void SetIfPresent(Document& output, const char* name,
                  const std::string& value) {
  if (!value.empty()) output[name] = value;
}

}  // namespace

std::string RoleIdFor(std::string_view role_arn) {
  static constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string digest = platform::Sha256(role_arn);
  std::string id = "AROA";
  for (size_t i = 0; i < 17; ++i) {
    id.push_back(kBase32[static_cast<unsigned char>(digest[i]) % 32]);
  }
  return id;
}

Result<Document> StsService::IssueRoleSession(
    const std::string& role_arn, const std::string& role_name,
    const std::string& partition, const std::string& account_id,
    const std::string& session_name, int64_t duration_seconds,
    const std::string& source_identity, const RequestContext& ctx) {
  Session session;
  session.kind = SessionKind::kAssumedRole;
  session.source_identity = source_identity;
  session.credential.account_id = account_id;
  session.credential.arn = "arn:" + partition + ":sts::" + account_id +
                           ":assumed-role/" + role_name + "/" + session_name;
  session.credential.user_id = RoleIdFor(role_arn) + ":" + session_name;
  session.credential.expiration_ms = NowMillis(ctx) + duration_seconds * 1000;
  Result<Session> issued = sessions_.Issue(std::move(session));
  if (!issued.ok()) return std::move(issued).error();

  const platform::Credential& credential = issued.value().credential;
  return Document{
      {"Credentials", CredentialsDocument(credential)},
      {"AssumedRoleUser",
       {{"AssumedRoleId", credential.user_id}, {"Arn", credential.arn}}},
  };
}

Reply StsService::AssumeRole(RequestContext& ctx, Document& input) {
  std::string role_arn = input.value("RoleArn", "");
  std::string session_name = input.value("RoleSessionName", "");

  std::optional<IamArn> role = ParseIamArn(role_arn, "role");
  if (!role) return StsValidationError(role_arn + " is invalid");
  if (Status s = CheckSessionName(session_name); !s.ok()) return s.error();
  if (Status s = CheckOptionalPattern(input, "SourceIdentity",
                                      "sourceIdentity",
                                      CharacterClass::kSessionName);
      !s.ok()) {
    return s.error();
  }
  if (Status s = CheckOptionalPattern(input, "ExternalId", "externalId",
                                      CharacterClass::kExternalId);
      !s.ok()) {
    return s.error();
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

  Result<int64_t> duration = ResolveDuration(input, kRoleDuration);
  if (!duration.ok()) return duration.error();
  Caller caller = ResolveCaller(ctx);
  bool chained =
      caller.session && caller.session->kind == SessionKind::kAssumedRole;
  if (chained && duration.value() > kRoleChainingMaxSeconds) {
    return StsValidationError(
        "The requested DurationSeconds exceeds the 1 hour session limit for "
        "roles assumed by role chaining.");
  }
  // TODO: brume has no IAM roles yet, so trust policies and
  // MaxSessionDuration are not checked. Any role ARN of the right form can be
  // assumed for up to 12 hours.
  Result<std::optional<int64_t>> packed = CheckSessionPolicy(input);
  if (!packed.ok()) return packed.error();

  // A source identity, once set, passes on to chained role sessions.
  std::string source_identity = input.value("SourceIdentity", "");
  if (source_identity.empty() && caller.session) {
    source_identity = caller.session->source_identity;
  }

  Result<Document> output =
      IssueRoleSession(role_arn, role->name, role->partition, role->account_id,
                       session_name, duration.value(), source_identity, ctx);
  if (!output.ok()) return output.error();
  if (packed.value()) output.value()["PackedPolicySize"] = *packed.value();
  SetIfPresent(output.value(), "SourceIdentity", source_identity);
  return output.value();
}

Reply StsService::AssumeRoleWithWebIdentity(RequestContext& ctx,
                                            Document& input) {
  std::string role_arn = input.value("RoleArn", "");
  std::string session_name = input.value("RoleSessionName", "");
  std::optional<IamArn> role = ParseIamArn(role_arn, "role");
  if (!role) return InvalidRequestArn();
  if (Status s = CheckSessionName(session_name); !s.ok()) return s.error();
  Result<int64_t> duration = ResolveDuration(input, kRoleDuration);
  if (!duration.ok()) return duration.error();
  Result<std::optional<int64_t>> packed = CheckSessionPolicy(input);
  if (!packed.ok()) return packed.error();

  // TODO: OAuth 2.0 access tokens of www.amazon.com and graph.facebook.com
  // (ProviderId set, token not a JWT) are rejected like malformed JWTs.
  Result<WebIdentityClaims> claims = ParseWebIdentityToken(
      input.value("WebIdentityToken", ""), NowMillis(ctx) / 1000);
  if (!claims.ok()) return claims.error();

  Result<Document> output =
      IssueRoleSession(role_arn, role->name, role->partition, role->account_id,
                       session_name, duration.value(), "", ctx);
  if (!output.ok()) return output.error();
  Document& out = output.value();
  out["SubjectFromWebIdentityToken"] = claims.value().subject;
  // Provider is the ProviderId of OAuth 2.0 requests, else the token's
  // issuer.
  std::string provider = input.value("ProviderId", claims.value().issuer);
  SetIfPresent(out, "Provider", provider);
  SetIfPresent(out, "Audience", claims.value().audience);
  if (packed.value()) out["PackedPolicySize"] = *packed.value();
  return out;
}

Reply StsService::AssumeRoleWithSAML(RequestContext& ctx, Document& input) {
  std::string role_arn = input.value("RoleArn", "");
  std::string principal_arn = input.value("PrincipalArn", "");
  std::optional<IamArn> role = ParseIamArn(role_arn, "role");
  std::optional<IamArn> provider = ParseIamArn(principal_arn, "saml-provider");
  if (!role || !provider) return InvalidRequestArn();
  Result<std::optional<int64_t>> packed = CheckSessionPolicy(input);
  if (!packed.ok()) return packed.error();

  Result<SamlAssertion> assertion = ParseSamlAssertion(
      input.value("SAMLAssertion", ""), NowMillis(ctx) / 1000);
  if (!assertion.ok()) return assertion.error();
  const SamlAssertion& saml = assertion.value();

  // The assertion's Role attribute lists "role-arn,provider-arn" pairs (in
  // either order) that the user may assume.
  if (!saml.roles.empty()) {
    bool allowed = false;
    for (const std::string& pair : saml.roles) {
      allowed = allowed || (pair == role_arn + "," + principal_arn ||
                            pair == principal_arn + "," + role_arn);
    }
    if (!allowed) {
      AwsError error;
      error.code = "AccessDenied";
      error.message = "Not authorized to perform sts:AssumeRoleWithSAML";
      error.http_status = 403;
      return error;
    }
  }

  const std::string& session_name = saml.role_session_name;
  if (session_name.size() < 2 || session_name.size() > 64) {
    return StsValidationError(
        "1 validation error detected: Value '" + session_name +
        "' at 'roleSessionName' failed to satisfy constraint: Member must "
        "have length " +
        (session_name.size() < 2 ? "greater than or equal to 2"
                                 : "less than or equal to 64"));
  }
  if (Status s = CheckSessionName(session_name); !s.ok()) return s.error();

  // DurationSeconds wins over the assertion's SessionDuration attribute,
  // which is clamped to the range DurationSeconds allows.
  DurationRange range = kRoleDuration;
  if (saml.session_duration) {
    range.default_seconds = std::clamp(*saml.session_duration,
                                       range.min_seconds, range.max_seconds);
  }
  Result<int64_t> duration = ResolveDuration(input, range);
  if (!duration.ok()) return duration.error();

  Result<Document> output =
      IssueRoleSession(role_arn, role->name, role->partition, role->account_id,
                       session_name, duration.value(), "", ctx);
  if (!output.ok()) return output.error();
  Document& out = output.value();
  out["Subject"] = saml.subject;
  SetIfPresent(out, "SubjectType", SamlSubjectType(saml.subject_format));
  out["Issuer"] = saml.issuer;
  SetIfPresent(out, "Audience", saml.audience);
  out["NameQualifier"] =
      SamlNameQualifier(saml.issuer, provider->account_id, provider->name);
  if (packed.value()) out["PackedPolicySize"] = *packed.value();
  return out;
}

Reply StsService::AssumeRoot(RequestContext& ctx, Document& input) {
  // TargetPrincipal is a member account id, or an ARN in that account.
  std::string target = input.value("TargetPrincipal", "");
  std::string account_id = target;
  if (target.starts_with("arn:")) {
    size_t start = 0;
    for (int i = 0; i < 4 && start != std::string::npos; ++i) {
      start = target.find(':', start);
      if (start != std::string::npos) ++start;
    }
    size_t end = start == std::string::npos ? start : target.find(':', start);
    account_id = end == std::string::npos ? "" : target.substr(start, end - start);
  }
  bool valid_account =
      account_id.size() == 12 &&
      std::all_of(account_id.begin(), account_id.end(),
                  [](char c) { return c >= '0' && c <= '9'; });
  if (!valid_account) {
    // NOTE: the wording is brume's because AWS documents the error but not
    // its message.
    return StsValidationError("TargetPrincipal " + target +
                              " is not an account id or an ARN in a member "
                              "account.");
  }

  std::string policy_arn;
  if (auto it = input.find("TaskPolicyArn"); it != input.end()) {
    policy_arn = it->value("arn", "");
  }
  std::string partition(platform::PartitionOf(ctx.region));
  std::string prefix = "arn:" + partition + ":iam::aws:policy/root-task/";
  bool known_policy =
      policy_arn.starts_with(prefix) &&
      std::find(kRootTaskPolicies.begin(), kRootTaskPolicies.end(),
                std::string_view(policy_arn).substr(prefix.size())) !=
          kRootTaskPolicies.end();
  if (!known_policy) {
    // NOTE: the wording is brume's, as above.
    return StsValidationError("TaskPolicyArn " + policy_arn +
                              " is not a root task policy under " + prefix);
  }

  Result<int64_t> duration = ResolveDuration(input, kRootDuration);
  if (!duration.ok()) return duration.error();

  Session session;
  session.kind = SessionKind::kRoot;
  session.credential.account_id = account_id;
  session.credential.arn = "arn:" + partition + ":iam::" + account_id + ":root";
  session.credential.user_id = account_id;
  session.credential.expiration_ms =
      NowMillis(ctx) + duration.value() * 1000;
  Result<Session> issued = sessions_.Issue(std::move(session));
  if (!issued.ok()) return issued.error();
  return Document{
      {"Credentials", CredentialsDocument(issued.value().credential)}};
}

}  // namespace brume::sts
