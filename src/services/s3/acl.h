#pragma once

// Access control lists: canned ACLs, x-amz-grant-* headers and
// AccessControlPolicy documents, stored as {"Owner": ..., "Grants": [...]}.
// access.cc enforces them.

#include <optional>
#include <string_view>

#include "services/common/document.h"
#include "services/common/error.h"

namespace brume::s3 {

// The ACL S3 gives new buckets and objects: FULL_CONTROL for the owner.
Document DefaultAcl(std::string_view owner_account);

// Builds the ACL a request sets through its ACL (x-amz-acl) member, its
// Grant* members or its AccessControlPolicy payload. Returns nullopt when
// the request names none. Mixing a canned ACL with grants is an error, as
// in S3. `bucket_owner` receives the grant of the bucket-owner-read and
// bucket-owner-full-control canned ACLs when it is not the owner.
Result<std::optional<Document>> AclFromInput(const Document& input,
                                             std::string_view owner_account,
                                             std::string_view bucket_owner = {});

}  // namespace brume::s3
