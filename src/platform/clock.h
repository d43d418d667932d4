#pragma once

// Injectable time. Every timeout, delay, TTL and schedule reads the clock
// through this interface, so tests can advance time instead of sleeping.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace brume::platform {

class Clock {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;

  int64_t NowMillis() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               Now().time_since_epoch())
        .count();
  }
  double NowSeconds() const { return NowMillis() / 1000.0; }
};

// The system clock plus an offset that tests move forward through
// POST /_brume/clock.
class AdjustableClock : public Clock {
 public:
  TimePoint Now() const override {
    return std::chrono::system_clock::now() +
           std::chrono::milliseconds(offset_ms_.load());
  }
  void Advance(std::chrono::milliseconds by) { offset_ms_ += by.count(); }
  std::chrono::milliseconds offset() const {
    return std::chrono::milliseconds(offset_ms_.load());
  }

 private:
  std::atomic<int64_t> offset_ms_{0};
};

}  // namespace brume::platform
