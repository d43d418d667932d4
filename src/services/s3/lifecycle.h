#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "services/s3/state.h"

namespace brume::s3 {

// Applies every enabled lifecycle rule of every bucket at the clock's
// current time. The S3 service runs it on the timer service.
void RunLifecycle(S3State& state);

// Returns the x-amz-expiration header S3 sends with PutObject, GetObject,
// HeadObject, CopyObject and CompleteMultipartUpload responses:
// `expiry-date="<RFC 1123 date>", rule-id="<id>"` for the enabled rule that
// expires the current version `version` of `key` first, or nullopt when no
// rule expires it.
std::optional<std::string> ExpirationHeader(const Document& bucket,
                                            std::string_view key,
                                            const Document& version);

}  // namespace brume::s3
