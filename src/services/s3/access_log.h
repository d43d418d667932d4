#pragma once

// S3 server access logging: requests to a bucket with logging enabled
// (PutBucketLogging) are recorded in AWS's server access log format and
// delivered as log objects to the target bucket on the timer service.
//
// Like S3, delivery is best effort: records buffered in memory when brume
// stops are lost.

#include <string_view>

#include "services/common/context.h"
#include "services/common/document.h"
#include "services/common/service.h"
#include "services/s3/state.h"

namespace brume::s3 {

// Buffers one log record for the request's bucket when that bucket has
// logging enabled. Call after the handler, with its reply.
void RecordAccessLog(S3State& state, const RequestContext& ctx,
                     std::string_view operation, const Document& input,
                     Reply& reply);

// Updates the cached logging configuration of a bucket after a successful
// PutBucketLogging; `bucket` is the bucket record as stored.
void NoteBucketLogging(S3State& state, const Document& bucket);

// Writes every buffered record into log objects in the target buckets.
void FlushAccessLogs(S3State& state);

// Drops the records and cached configurations of `state` (reset and
// service shutdown).
void ForgetAccessLogs(const S3State& state);

}  // namespace brume::s3
