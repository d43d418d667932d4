#pragma once

// The STS service class, shared by the files that implement its handlers:
// sts_service.cc (identity and token operations) and assume_role.cc (the
// AssumeRole family).

#include <cstdint>
#include <optional>
#include <string>

#include "services/common/environment.h"
#include "services/common/service.h"
#include "services/sts/session_store.h"

namespace brume::sts {

// The identity that signed a request.
struct Caller {
  std::string account_id;
  std::string arn;
  std::string user_id;
  // Set when the caller signed with credentials STS issued.
  std::optional<Session> session;

  // True for the account's root user (long-term keys without an identity,
  // or GetSessionToken credentials of the root user).
  bool is_root() const { return arn.ends_with(":root"); }
};

class StsService : public Service {
 public:
  explicit StsService(const ServiceEnvironment& env);

  std::string_view id() const override { return "sts"; }
  void Reset() override;

 private:
  // sts_service.cc
  Reply GetCallerIdentity(RequestContext& ctx, Document& input);
  Reply GetAccessKeyInfo(RequestContext& ctx, Document& input);
  Reply DecodeAuthorizationMessage(RequestContext& ctx, Document& input);
  Reply GetSessionToken(RequestContext& ctx, Document& input);
  Reply GetFederationToken(RequestContext& ctx, Document& input);

  // assume_role.cc
  Reply AssumeRole(RequestContext& ctx, Document& input);
  Reply AssumeRoleWithWebIdentity(RequestContext& ctx, Document& input);
  Reply AssumeRoleWithSAML(RequestContext& ctx, Document& input);
  Reply AssumeRoot(RequestContext& ctx, Document& input);

  Caller ResolveCaller(const RequestContext& ctx) const;
  int64_t NowMillis(const RequestContext& ctx) const;
  // Issues credentials for an assumed role and builds the output members
  // every AssumeRole variant returns (Credentials, AssumedRoleUser).
  Result<Document> IssueRoleSession(const std::string& role_arn,
                                    const std::string& role_name,
                                    const std::string& partition,
                                    const std::string& account_id,
                                    const std::string& session_name,
                                    int64_t duration_seconds,
                                    const std::string& source_identity,
                                    const RequestContext& ctx);

  ServiceEnvironment env_;
  SessionStore sessions_;
};

// The output member Credentials of an issued session.
Document CredentialsDocument(const platform::Credential& credential);

// Role id for a role ARN: "AROA" and 17 characters of base32 derived from a
// SHA-256 of the ARN, so one role keeps one id across calls and restarts.
std::string RoleIdFor(std::string_view role_arn);

}  // namespace brume::sts
