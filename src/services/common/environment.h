#pragma once

// Shared facilities handed to each service when brume starts.

#include <string>

namespace brume {

namespace platform {
class Clock;
class Storage;
class Wakeups;
class Timers;
class CredentialStore;
class EventDelivery;
}  // namespace platform

struct ServiceEnvironment {
  platform::Storage* storage = nullptr;
  platform::Clock* clock = nullptr;
  platform::Wakeups* wakeups = nullptr;
  platform::Timers* timers = nullptr;
  platform::CredentialStore* credentials = nullptr;
  // Hands events to other services (S3 notifications to SQS queues).
  platform::EventDelivery* events = nullptr;
  // S3 buckets created without x-amz-object-ownership keep ACLs enabled
  // and get no public access block, as before April 2023.
  bool s3_legacy_bucket_defaults = false;
};

}  // namespace brume
