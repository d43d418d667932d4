#include "server/wakeups.h"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace brume::server {

namespace asio = boost::asio;

void TimerWakeups::Notify(std::string_view key) {
  std::lock_guard lock(mutex_);
  uint64_t sequence = ++sequence_;
  std::string name(key);
  last_notified_[name] = sequence;
  auto [begin, end] = waiters_.equal_range(name);
  for (auto it = begin; it != end; ++it) {
    std::shared_ptr<Waiter> waiter = it->second;
    // Timers are not thread-safe: cancel on the waiter's own executor.
    asio::post(waiter->timer.get_executor(),
               [waiter] { waiter->timer.cancel(); });
  }
}

asio::awaitable<void> TimerWakeups::Wait(
    std::string key, std::chrono::steady_clock::time_point deadline,
    uint64_t since) {
  auto waiter =
      std::make_shared<Waiter>(co_await asio::this_coro::executor);
  waiter->timer.expires_at(deadline);
  {
    std::lock_guard lock(mutex_);
    if (cancelled_) co_return;
    auto last = last_notified_.find(key);
    if (last != last_notified_.end() && last->second > since) co_return;
    waiters_.emplace(key, waiter);
  }
  boost::system::error_code ignored;
  co_await waiter->timer.async_wait(
      asio::redirect_error(asio::use_awaitable, ignored));
  std::lock_guard lock(mutex_);
  auto [begin, end] = waiters_.equal_range(key);
  for (auto it = begin; it != end; ++it) {
    if (it->second == waiter) {
      waiters_.erase(it);
      break;
    }
  }
}

void TimerWakeups::CancelAll() {
  std::lock_guard lock(mutex_);
  cancelled_ = true;
  for (auto& [key, waiter] : waiters_) {
    std::shared_ptr<Waiter> held = waiter;
    asio::post(held->timer.get_executor(), [held] { held->timer.cancel(); });
  }
}

}  // namespace brume::server
