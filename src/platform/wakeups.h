#pragma once

#include <string_view>

namespace brume::platform {

// Wakes handlers that returned WaitAndRetry on a key (SQS long polls wait on
// their queue's key and a send signals it).
class Wakeups {
 public:
  virtual ~Wakeups() = default;
  virtual void Notify(std::string_view key) = 0;
};

}  // namespace brume::platform
