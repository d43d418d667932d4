#pragma once

// Reading the identity tokens that AssumeRoleWithWebIdentity (OpenID Connect
// JWTs) and AssumeRoleWithSAML (SAML 2.0 responses) present.
//
// NOTE: brume does not verify token signatures. It cannot fetch an identity
// provider's keys offline and has no IAM identity providers to hold them, so
// any well-formed token is accepted. Expiry is still enforced.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "services/common/error.h"

namespace brume::sts {

// Claims of an OpenID Connect ID token that STS returns.
struct WebIdentityClaims {
  std::string issuer;    // "iss"
  std::string subject;   // "sub"
  std::string audience;  // "aud", or its first entry when it is a list
  std::optional<int64_t> expires_at;  // "exp", seconds since the epoch
};

// Decodes the payload of a JWT ("header.payload.signature", base64url).
// Fails with InvalidIdentityTokenException when the token is not a JWT or
// lacks "sub", and with ExpiredTokenException when "exp" is before
// `now_seconds`.
Result<WebIdentityClaims> ParseWebIdentityToken(std::string_view token,
                                                int64_t now_seconds);

// Fields of a SAML 2.0 response that STS reads or returns.
struct SamlAssertion {
  std::string issuer;
  std::string subject;         // Subject/NameID text
  std::string subject_format;  // NameID Format attribute
  std::string audience;        // SubjectConfirmationData Recipient
  std::string role_session_name;
  std::optional<int64_t> session_duration;  // SessionDuration attribute
  // Values of the Role attribute: "role-arn,provider-arn" pairs.
  std::vector<std::string> roles;
  std::optional<int64_t> not_on_or_after;  // seconds since the epoch
};

// Decodes a base64 SAML response and reads its assertion. Fails with
// InvalidIdentityTokenException when it is not base64 XML or lacks an
// issuer, subject or RoleSessionName attribute, and with
// ExpiredTokenException when NotOnOrAfter is before `now_seconds`.
Result<SamlAssertion> ParseSamlAssertion(std::string_view base64_response,
                                         int64_t now_seconds);

// SubjectType as STS returns it: the NameID format without the
// "urn:oasis:names:tc:SAML:2.0:nameid-format:" prefix ("transient",
// "persistent"), or the whole format when it has another prefix.
std::string SamlSubjectType(std::string_view format);

// NameQualifier as STS computes it: base64 of the SHA-1 of the issuer, the
// account id, "/" and the SAML provider's name.
std::string SamlNameQualifier(std::string_view issuer,
                              std::string_view account_id,
                              std::string_view provider_name);

}  // namespace brume::sts
