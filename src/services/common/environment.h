#pragma once

// Shared facilities handed to each service when brume starts.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

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
  // --verify-signatures, for signatures that services check themselves
  // (S3 POST form policies).
  bool verify_signatures = false;
  // Returns the secret access key of an access key id brume accepts, or
  // nothing when the key is unknown.
  std::function<std::optional<std::string>(std::string_view access_key_id)>
      secret_for_access_key;
  // S3 buckets created without x-amz-object-ownership keep ACLs enabled
  // and get no public access block, as before April 2023.
  bool s3_legacy_bucket_defaults = false;
};

}  // namespace brume
