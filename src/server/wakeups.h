#pragma once

// platform::Wakeups for handlers that returned WaitAndRetry: the waiting
// request parks on an Asio timer that a Notify on its key cancels, so no
// thread blocks during a long poll.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <utility>  // boost 1.74 asio/awaitable.hpp needs std::exchange

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "platform/wakeups.h"

namespace brume::server {

class TimerWakeups : public platform::Wakeups {
 public:
  void Notify(std::string_view key) override;

  // Sequence number of the latest Notify on any key. The server reads it
  // before calling a handler and passes it to Wait, so a Notify that raced
  // the handler's reply is not missed.
  uint64_t Sequence() const { return sequence_.load(); }

  // Waits until `key` is notified after `since`, `deadline` passes, or
  // CancelAll is called.
  boost::asio::awaitable<void> Wait(std::string key,
                                    std::chrono::steady_clock::time_point deadline,
                                    uint64_t since);

  // Wakes every waiter (shutdown).
  void CancelAll();

 private:
  struct Waiter {
    explicit Waiter(boost::asio::any_io_executor executor) : timer(executor) {}
    boost::asio::steady_timer timer;
  };

  std::mutex mutex_;
  std::atomic<uint64_t> sequence_{0};
  std::unordered_map<std::string, uint64_t> last_notified_;
  std::unordered_multimap<std::string, std::shared_ptr<Waiter>> waiters_;
  bool cancelled_ = false;
};

}  // namespace brume::server
