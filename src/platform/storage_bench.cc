// Micro-benchmark of the SQLite storage engine, run by hand:
//
//   ninja -C BUILD storage_bench && BUILD/src/platform/storage_bench [COUNT]
//
// Measures single-key Put, Get and 100-key batched Write rates for small
// values (16-byte keys, 100-byte values), in memory and in a data directory
// under $TMPDIR that is removed afterwards. COUNT (default 100000) bounds
// each phase, and each phase also stops after 20 seconds.

#include <stdlib.h>

#include <chrono>
#include <ctime>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "platform/storage.h"

namespace {

using brume::platform::Status;
using brume::platform::Storage;
using brume::platform::WriteBatch;
using Clock = std::chrono::steady_clock;

constexpr auto kPhaseTimeLimit = std::chrono::seconds(20);
constexpr size_t kBatchSize = 100;

std::string KeyOf(size_t i) { return fmt::format("key{:013d}", i); }

// Process CPU time in seconds. On a shared machine the wall-clock rate
// depends on the load, so the report also gives operations per CPU second.
double CpuSeconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

struct Phase {
  Clock::time_point wall_start = Clock::now();
  double cpu_start = CpuSeconds();
};

void Report(const char* engine, const char* phase_name, size_t operations,
            const Phase& phase) {
  double wall = std::chrono::duration<double>(Clock::now() - phase.wall_start)
                    .count();
  double cpu = CpuSeconds() - phase.cpu_start;
  std::printf("%-8s %-22s %9zu ops %7.3f s wall %10.0f ops/s %10.0f ops/cpu-s\n",
              engine, phase_name, operations, wall, operations / wall,
              operations / cpu);
}

bool Run(Storage& storage, const char* engine, size_t count) {
  const std::string value(100, 'v');

  // Phase 1: one autocommit transaction per Put.
  Phase phase;
  auto start = phase.wall_start;
  size_t done = 0;
  for (; done < count && Clock::now() - start < kPhaseTimeLimit; ++done) {
    Status status = storage.Put("bench", KeyOf(done), value);
    if (!status.ok()) {
      std::fprintf(stderr, "Put failed: %s\n", status.message().c_str());
      return false;
    }
  }
  Report(engine, "put (1 per commit)", done, phase);
  const size_t written = done;

  // Phase 2: point reads of the keys just written.
  phase = Phase();
  start = phase.wall_start;
  done = 0;
  for (; done < written && Clock::now() - start < kPhaseTimeLimit; ++done) {
    if (!storage.Get("bench", KeyOf(done)).ok()) {
      std::fprintf(stderr, "Get of %s failed\n", KeyOf(done).c_str());
      return false;
    }
  }
  Report(engine, "get", done, phase);

  // Phase 3: Write batches of kBatchSize puts, one transaction each.
  phase = Phase();
  start = phase.wall_start;
  done = 0;
  while (done < count && Clock::now() - start < kPhaseTimeLimit) {
    WriteBatch batch;
    for (size_t i = 0; i < kBatchSize; ++i) {
      batch.Put("batched", KeyOf(done + i), value);
    }
    Status status = storage.Write(batch);
    if (!status.ok()) {
      std::fprintf(stderr, "Write failed: %s\n", status.message().c_str());
      return false;
    }
    done += kBatchSize;
  }
  Report(engine, "put (100 per commit)", done, phase);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  size_t count = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100000;
  if (count == 0) {
    std::fprintf(stderr, "usage: %s [COUNT]; COUNT must be a positive "
                 "number of operations per phase\n", argv[0]);
    return 2;
  }

  auto memory = Storage::OpenSqlite("");
  if (!memory.ok()) {
    std::fprintf(stderr, "%s\n", memory.status().message().c_str());
    return 1;
  }
  if (!Run(*memory.value(), "memory", count)) return 1;

  const char* tmpdir = getenv("TMPDIR");
  std::string pattern = std::string(tmpdir != nullptr ? tmpdir : "/tmp") +
                        "/brume-bench-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  std::string data_dir = buffer.data();
  bool ok = false;
  {
    auto disk = Storage::OpenSqlite(data_dir);
    if (disk.ok()) {
      ok = Run(*disk.value(), "disk", count);
    } else {
      std::fprintf(stderr, "%s\n", disk.status().message().c_str());
    }
  }
  std::filesystem::remove_all(data_dir);
  return ok ? 0 : 1;
}
