#pragma once

// Authorization of S3 requests, following "How Amazon S3 authorizes a
// request". An explicit Deny in the bucket policy wins. Otherwise the bucket
// owner, the object owner, an Allow in the bucket policy or an ACL grant
// lets the request through, and anything else is AccessDenied. Object Ownership
// (BucketOwnerEnforced disables ACLs) and the bucket's public access block
// (IgnorePublicAcls, RestrictPublicBuckets) shape that evaluation.

#include <optional>
#include <string>
#include <string_view>

#include "services/common/context.h"
#include "services/common/document.h"
#include "services/common/error.h"
#include "services/common/service.h"
#include "services/s3/state.h"

namespace brume::s3 {

inline constexpr std::string_view kAllUsersGroup =
    "http://acs.amazonaws.com/groups/global/AllUsers";
inline constexpr std::string_view kAuthenticatedUsersGroup =
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

// Checks that the requester of `ctx` may run `operation` with `input`.
// Requests on buckets that do not exist pass, so the handler returns
// NoSuchBucket as S3 does.
Status AuthorizeRequest(S3State& state, const RequestContext& ctx,
                        std::string_view operation, const Document& input);

// True for a request without a signature.
bool IsAnonymous(const RequestContext& ctx);

// The bucket's ObjectOwnership setting, or "" when it has none (objects
// then belong to their writer, as with ObjectWriter).
std::string ObjectOwnership(const Document& bucket);

// The bucket's public access block flag `name` (e.g. "BlockPublicAcls"),
// false when no configuration is stored.
bool PublicAccessBlockFlag(const Document& bucket, std::string_view name);

// True when an ACL ({"Grants": [...]}) grants anything to AllUsers or
// AuthenticatedUsers.
bool IsPublicAcl(const Document& acl);

}  // namespace brume::s3

namespace brume::s3 {

// Makes the signer of a POST form upload the requester of `ctx`: its
// access key, account (from the credentials store, else the key's default
// account) and root ARN.
// NOTE: the form's signature is not verified, so the signer is trusted.
void AdoptFormSigner(S3State& state, RequestContext& ctx,
                     std::string_view access_key_id);

// Checks the ACL a request sets (x-amz-acl, x-amz-grant-* or an
// AccessControlPolicy payload) against the bucket's Object Ownership and
// public access block, and checks its grantees exist. Requests that set no
// ACL pass.
Status CheckAclRequest(S3State& state, const RequestContext& ctx,
                       std::string_view operation, const Document& input);

// Checks that every grantee of an ACL names an account brume has seen
// (InvalidArgument otherwise) and that no grantee is an e-mail address,
// which brume cannot resolve (UnresolvableGrantByEmailAddress).
Status CheckGrantees(S3State& state, const Document& acl);

// Account that owns an object written by the request: the bucket owner when
// Object Ownership is BucketOwnerEnforced, or BucketOwnerPreferred with the
// bucket-owner-full-control canned ACL; the writer otherwise.
std::string ObjectOwnerFor(const Document& bucket, const RequestContext& ctx,
                           const Document& input);

// GetBucketPolicyStatus: IsPublic for a public bucket policy or a public
// bucket ACL.
Reply GetBucketPolicyStatus(S3State& state, RequestContext& ctx,
                            Document& input);

}  // namespace brume::s3

namespace brume::s3 {

// Records that `account_id` exists, so ACL grants may name its canonical
// user id.
void NoteAccount(std::string_view account_id);
// The account whose canonical user id is `canonical_id`, among the accounts
// noted so far.
std::optional<std::string> KnownAccountForCanonicalId(
    std::string_view canonical_id);

}  // namespace brume::s3

namespace brume::s3 {

// PutBucketPolicy validation: a well-formed policy for this bucket
// (MalformedPolicy otherwise) that BlockPublicPolicy does not forbid
// (AccessDenied).
Status ValidateBucketPolicy(Document& config, Document& bucket);

// PutBucketOwnershipControls validation: one rule with a known
// ObjectOwnership; BucketOwnerEnforced only while the bucket ACL grants
// nothing beyond the owner's full control.
Status ValidateOwnershipControls(Document& config, Document& bucket);

}  // namespace brume::s3
