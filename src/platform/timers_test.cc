#include "platform/timers.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include "platform/log.h"

namespace brume::platform {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// Polls `done` for up to five seconds of real time. Callbacks run on the
// timer thread, so a due timer needs a moment to be seen.
bool WaitUntil(const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(1));
  }
  return done();
}

// Gives the timer thread time to run anything that is wrongly due.
void Settle() { std::this_thread::sleep_for(milliseconds(50)); }

TEST(TimersTest, PastDueRunsAtOnce) {
  AdjustableClock clock;
  auto timers = Timers::Create(&clock);
  std::atomic<int> runs{0};
  timers->At(clock.Now() - seconds(1), [&] { ++runs; });
  EXPECT_TRUE(WaitUntil([&] { return runs == 1; }));
  timers->Stop();
}

TEST(TimersTest, FutureRunsAfterClockAdvance) {
  AdjustableClock clock;
  auto timers = Timers::Create(&clock);
  std::atomic<int> runs{0};
  timers->At(clock.Now() + hours(1), [&] { ++runs; });

  Settle();
  EXPECT_EQ(runs, 0);

  clock.Advance(minutes(30));
  timers->Poke();
  Settle();
  EXPECT_EQ(runs, 0);

  clock.Advance(minutes(31));
  timers->Poke();
  EXPECT_TRUE(WaitUntil([&] { return runs == 1; }));
  Settle();
  EXPECT_EQ(runs, 1);  // one-shot
  timers->Stop();
}

TEST(TimersTest, RunsInDueOrder) {
  AdjustableClock clock;
  auto timers = Timers::Create(&clock);
  std::mutex mutex;
  std::vector<int> order;
  auto record = [&](int n) {
    return [&, n] {
      std::lock_guard lock(mutex);
      order.push_back(n);
    };
  };
  auto now = clock.Now();
  timers->At(now + seconds(30), record(3));
  timers->At(now + seconds(10), record(1));
  timers->At(now + seconds(20), record(2));
  timers->At(now + hours(2), record(4));

  clock.Advance(minutes(1));
  timers->Poke();
  EXPECT_TRUE(WaitUntil([&] {
    std::lock_guard lock(mutex);
    return order.size() == 3;
  }));
  Settle();
  std::lock_guard lock(mutex);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  timers->Stop();
}

TEST(TimersTest, EveryRepeatsPerInterval) {
  AdjustableClock clock;
  auto timers = Timers::Create(&clock);
  std::atomic<int> runs{0};
  timers->Every(minutes(1), [&] { ++runs; });

  Settle();
  EXPECT_EQ(runs, 0);
  for (int expected = 1; expected <= 3; ++expected) {
    clock.Advance(minutes(1));
    timers->Poke();
    EXPECT_TRUE(WaitUntil([&] { return runs == expected; }))
        << "after " << expected << " intervals: " << runs;
  }
  timers->Stop();
}

TEST(TimersTest, EveryCollapsesMissedRuns) {
  AdjustableClock clock;
  auto timers = Timers::Create(&clock);
  std::atomic<int> runs{0};
  timers->Every(minutes(1), [&] { ++runs; });

  clock.Advance(hours(1));
  timers->Poke();
  EXPECT_TRUE(WaitUntil([&] { return runs >= 1; }));
  Settle();
  EXPECT_EQ(runs, 1);
  timers->Stop();
}

TEST(TimersTest, EveryRunsInRealTime) {
  AdjustableClock clock;
  auto timers = Timers::Create(&clock);
  std::atomic<int> runs{0};
  timers->Every(milliseconds(5), [&] { ++runs; });
  EXPECT_TRUE(WaitUntil([&] { return runs >= 3; }));
  timers->Stop();
}

TEST(TimersTest, CancelPreventsRun) {
  AdjustableClock clock;
  auto timers = Timers::Create(&clock);
  std::atomic<int> cancelled_runs{0};
  std::atomic<int> kept_runs{0};
  Timers::TimerId id =
      timers->At(clock.Now() + seconds(10), [&] { ++cancelled_runs; });
  timers->At(clock.Now() + seconds(10), [&] { ++kept_runs; });
  timers->Cancel(id);

  clock.Advance(seconds(11));
  timers->Poke();
  EXPECT_TRUE(WaitUntil([&] { return kept_runs == 1; }));
  EXPECT_EQ(cancelled_runs, 0);
  timers->Stop();
}

TEST(TimersTest, CancelFromOwnCallback) {
  AdjustableClock clock;
  auto timers = Timers::Create(&clock);
  std::atomic<int> runs{0};
  std::atomic<Timers::TimerId> id{0};
  id = timers->Every(seconds(1), [&] {
    if (++runs == 2) timers->Cancel(id);
  });
  for (int i = 0; i < 4; ++i) {
    clock.Advance(seconds(1));
    timers->Poke();
    WaitUntil([&] { return runs >= std::min(i + 1, 2); });
  }
  Settle();
  EXPECT_EQ(runs, 2);
  timers->Stop();
}

TEST(TimersTest, CallbackExceptionKeepsThread) {
  AdjustableClock clock;
  auto timers = Timers::Create(&clock);
  std::atomic<int> runs{0};
  timers->At(clock.Now(), [] { throw std::runtime_error("boom"); });
  timers->At(clock.Now() + milliseconds(1), [&] { ++runs; });
  EXPECT_TRUE(WaitUntil([&] { return runs == 1; }));
  timers->Stop();
}

TEST(TimersTest, RepeatedFailuresLogSparsely) {
  std::ostringstream output;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(output);
  ASSERT_TRUE(ConfigureLogging("info", "text", sink).ok());

  AdjustableClock clock;
  auto timers = Timers::Create(&clock);
  std::atomic<int> runs{0};
  timers->Every(milliseconds(1), [&] {
    ++runs;
    throw std::runtime_error("boom");
  });
  EXPECT_TRUE(WaitUntil([&] { return runs >= 12; }));
  timers->Stop();
  ConfigureLogging("info", "text");

  std::string log = output.str();
  EXPECT_NE(log.find("(failure #1): boom"), std::string::npos) << log;
  EXPECT_NE(log.find("(failure #10): boom"), std::string::npos) << log;
  EXPECT_EQ(log.find("(failure #2)"), std::string::npos) << log;
  EXPECT_EQ(log.find("(failure #11)"), std::string::npos) << log;
}

TEST(TimersTest, StopDropsPendingTimers) {
  AdjustableClock clock;
  auto timers = Timers::Create(&clock);
  std::atomic<int> runs{0};
  timers->At(clock.Now() + seconds(10), [&] { ++runs; });
  timers->Stop();
  timers->At(clock.Now(), [&] { ++runs; });  // after Stop: never runs

  clock.Advance(minutes(1));
  timers->Poke();
  Settle();
  EXPECT_EQ(runs, 0);
  timers->Stop();  // a second Stop is harmless
}

TEST(TimersTest, StopFromCallback) {
  AdjustableClock clock;
  auto timers = Timers::Create(&clock);
  std::atomic<bool> ran{false};
  timers->At(clock.Now(), [&] {
    timers->Stop();
    ran = true;
  });
  EXPECT_TRUE(WaitUntil([&] { return ran.load(); }));
  timers.reset();  // joins the thread that stopped itself
}

}  // namespace
}  // namespace brume::platform
