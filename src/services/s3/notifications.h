#pragma once

// S3 event notifications: the PutBucketNotificationConfiguration checks,
// and the event records S3 sends to the configured destinations through
// platform::EventDelivery (SQS queues today; SNS topics, Lambda functions
// and EventBridge once brume runs those services).

#include <cstdint>
#include <optional>
#include <string>

#include "services/common/context.h"
#include "services/common/document.h"
#include "services/common/service.h"
#include "services/s3/state.h"

namespace brume::s3 {

Reply PutBucketNotificationConfiguration(S3State& state, RequestContext& ctx,
                                         Document& input);

// One object event, named as in the record's eventName without the "s3:"
// prefix, e.g. "ObjectCreated:Put" or "ObjectRemoved:DeleteMarkerCreated".
struct ObjectEvent {
  std::string name;
  std::string key;
  std::optional<uint64_t> size;  // created events only
  std::string etag;              // with or without quotes
  std::string version_id;        // "" or "null" when the bucket is unversioned
};

// The event of a delete: ObjectRemoved:Delete, or
// ObjectRemoved:DeleteMarkerCreated when it added a delete marker.
ObjectEvent DeleteEvent(std::string key, const DeleteOutcome& outcome);

// Sends `event` to every destination of `bucket`'s notification
// configuration whose events and key filter match. `ctx` is the request
// that caused it, or nullptr for events of S3 itself (lifecycle). Failed
// deliveries are logged, never returned: the request that caused the
// event has already succeeded. It takes only the destinations' locks.
void PublishObjectEvent(S3State& state, const RequestContext* ctx,
                        const Document& bucket, const ObjectEvent& event);

}  // namespace brume::s3
