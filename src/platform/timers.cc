// Timer service: one background thread, a min-heap of due times, and a
// condition variable that sleeps until the earliest due time.
//
// Due times are in clock terms (Clock::Now), and the wait is converted to a
// real-time duration. AdjustableClock runs at the speed of the system clock
// plus an offset that only jumps forward, so a wait is never too long unless
// the offset jumps; Poke() wakes the thread to re-read the clock after a jump.

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "platform/timers.h"

namespace brume::platform {
namespace {

class TimerThread : public Timers {
 public:
  explicit TimerThread(Clock* clock) : clock_(clock) {
    thread_ = std::thread([this] { Run(); });
  }

  // A callback must not destroy the service, because its thread cannot join
  // itself.
  ~TimerThread() override { Stop(); }

  TimerId At(Clock::TimePoint when, std::function<void()> callback) override {
    return Schedule(when, std::chrono::milliseconds(0), std::move(callback));
  }

  TimerId Every(std::chrono::milliseconds interval,
                std::function<void()> callback) override {
    // A zero or negative interval would make the timer due forever.
    interval = std::max(interval, std::chrono::milliseconds(1));
    return Schedule(clock_->Now() + interval, interval, std::move(callback));
  }

  // Does not wait for a callback that is already running.
  void Cancel(TimerId id) override {
    std::lock_guard lock(mutex_);
    timers_.erase(id);
    // The heap entry stays and is dropped when it reaches the top.
  }

  void Poke() override {
    std::lock_guard lock(mutex_);
    wake_.notify_all();
  }

  void Stop() override {
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
      timers_.clear();
      wake_.notify_all();
    }
    // A callback that stops the service cannot join its own thread, so a
    // later Stop or the destructor joins it.
    if (std::this_thread::get_id() == thread_.get_id()) return;
    std::lock_guard join_lock(join_mutex_);
    if (thread_.joinable()) thread_.join();
  }

 private:
  struct Callback {
    explicit Callback(std::function<void()> f) : function(std::move(f)) {}
    std::function<void()> function;
    uint64_t failures = 0;  // read and written only on the timer thread
  };

  struct Timer {
    std::shared_ptr<Callback> callback;
    std::chrono::milliseconds interval;  // zero for one-shot timers
  };

  struct Due {
    Clock::TimePoint when;
    TimerId id;
    // std::priority_queue is a max-heap, so the order is reversed. Ties run
    // in creation order.
    bool operator<(const Due& other) const {
      if (when != other.when) return when > other.when;
      return id > other.id;
    }
  };

  TimerId Schedule(Clock::TimePoint when, std::chrono::milliseconds interval,
                   std::function<void()> callback) {
    std::lock_guard lock(mutex_);
    TimerId id = next_id_++;
    if (stopped_) return id;  // never runs
    timers_.emplace(
        id, Timer{std::make_shared<Callback>(std::move(callback)),
                  interval});
    bool is_earliest = heap_.empty() || when < heap_.top().when;
    heap_.push(Due{when, id});
    if (is_earliest) wake_.notify_all();
    return id;
  }

  void Run() {
    std::unique_lock lock(mutex_);
    while (!stopped_) {
      if (heap_.empty()) {
        wake_.wait(lock);
        continue;
      }
      Due next = heap_.top();
      auto timer = timers_.find(next.id);
      if (timer == timers_.end()) {  // cancelled
        heap_.pop();
        continue;
      }

      Clock::TimePoint now = clock_->Now();
      if (next.when > now) {
        // Poke, a new earlier timer, Stop and spurious wake-ups all end the
        // wait early, and every case loops and re-reads the clock.
        wake_.wait_for(lock, next.when - now);
        continue;
      }

      // Due: reschedule a periodic timer before running it, so Cancel from
      // inside the callback works. After a clock jump, missed runs collapse
      // into one and the next run is one interval from now.
      heap_.pop();
      std::shared_ptr<Callback> callback = timer->second.callback;
      std::chrono::milliseconds interval = timer->second.interval;
      if (interval.count() > 0) {
        Clock::TimePoint again = next.when + interval;
        if (again <= now) again = now + interval;
        heap_.push(Due{again, next.id});
      } else {
        timers_.erase(timer);
      }

      lock.unlock();
      RunCallback(next.id, *callback);
      lock.lock();
    }
  }

  // Runs a callback and logs what it throws. A periodic timer that keeps
  // failing logs its 1st, 10th, 100th, ... failure, with the count.
  static void RunCallback(TimerId id, Callback& callback) {
    std::string error;
    try {
      callback.function();
      return;
    } catch (const std::exception& e) {
      error = e.what();
    } catch (...) {
      error = "a non-standard exception";
    }
    uint64_t failures = ++callback.failures;
    if (IsPowerOfTen(failures)) {
      spdlog::error("timer {} callback failed (failure #{}): {}", id,
                    failures, error);
    }
  }

  static bool IsPowerOfTen(uint64_t n) {
    while (n >= 10 && n % 10 == 0) n /= 10;
    return n == 1;
  }

  Clock* const clock_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::priority_queue<Due> heap_;
  std::unordered_map<TimerId, Timer> timers_;
  TimerId next_id_ = 1;
  bool stopped_ = false;
  std::mutex join_mutex_;  // serialises Stop calls from several threads
  std::thread thread_;     // started once every other member is initialised
};

}  // namespace

std::unique_ptr<Timers> Timers::Create(Clock* clock) {
  return std::make_unique<TimerThread>(clock);
}

}  // namespace brume::platform
