#pragma once

// Internal event delivery between services. A service that receives events
// (SQS queues today; SNS topics, Lambda functions and EventBridge buses
// when they exist) registers a sink for the service part of its ARNs. A
// sender hands an event to a target ARN without knowing which service
// owns it, so no service includes another service's internals.

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "platform/status.h"

namespace brume::platform {

struct Event {
  std::string target_arn;      // e.g. arn:aws:sqs:us-east-1:123456789012:q
  std::string source_service;  // sender's service principal, "s3.amazonaws.com"
  std::string source_arn;      // resource that produced it, for aws:SourceArn
  std::string source_account;  // its owner, for aws:SourceAccount
  std::string body;
};

class EventDelivery {
 public:
  struct Sink {
    // Returns Ok when the target exists and its resource policy lets the
    // event's source send to it; NotFound or InvalidArgument (with the
    // reason) otherwise. Nothing is delivered.
    std::function<Status(const Event&)> check;
    // Delivers the event; fails as `check` would, or on a storage error.
    std::function<Status(const Event&)> deliver;
  };

  // Registers the sink of targets whose ARN service part is `arn_service`
  // ("sqs"). A later registration for the same service replaces the
  // earlier one.
  void RegisterSink(std::string arn_service, Sink sink);
  void UnregisterSink(std::string_view arn_service);

  Status Check(const Event& event) const;
  Status Deliver(const Event& event) const;

 private:
  // Returns the sink for the target's service, or nullptr.
  const Sink* FindSink(const Event& event, std::string* service) const;

  mutable std::mutex mutex_;
  std::map<std::string, Sink, std::less<>> sinks_;
};

// The service part of an ARN ("sqs" of "arn:aws:sqs:..."), or "" when `arn`
// is not an ARN.
std::string_view ArnService(std::string_view arn);

}  // namespace brume::platform
