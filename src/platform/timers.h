#pragma once

// Timer service on the injectable clock. Callbacks run on one background
// thread; advancing the clock (AdjustableClock::Advance) and then calling
// Poke() runs every callback that became due.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "platform/clock.h"

namespace brume::platform {

class Timers {
 public:
  using TimerId = uint64_t;
  virtual ~Timers() = default;

  static std::unique_ptr<Timers> Create(Clock* clock);

  // Runs `callback` once when the clock reaches `when`.
  virtual TimerId At(Clock::TimePoint when, std::function<void()> callback) = 0;
  // Runs `callback` every `interval` of clock time.
  virtual TimerId Every(std::chrono::milliseconds interval,
                        std::function<void()> callback) = 0;
  virtual void Cancel(TimerId id) = 0;
  // Checks for due timers now; call after moving the clock.
  virtual void Poke() = 0;
  // Stops the background thread; pending timers are dropped.
  virtual void Stop() = 0;
};

}  // namespace brume::platform
