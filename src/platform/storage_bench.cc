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

void Report(const char* engine, const char* phase, size_t operations,
            Clock::duration elapsed) {
  double seconds = std::chrono::duration<double>(elapsed).count();
  std::printf("%-8s %-22s %9zu ops %8.3f s %12.0f ops/s\n", engine, phase,
              operations, seconds, operations / seconds);
}

bool Run(Storage& storage, const char* engine, size_t count) {
  const std::string value(100, 'v');

  // Phase 1: one autocommit transaction per Put.
  auto start = Clock::now();
  size_t done = 0;
  for (; done < count && Clock::now() - start < kPhaseTimeLimit; ++done) {
    Status status = storage.Put("bench", KeyOf(done), value);
    if (!status.ok()) {
      std::fprintf(stderr, "Put failed: %s\n", status.message().c_str());
      return false;
    }
  }
  Report(engine, "put (1 per commit)", done, Clock::now() - start);
  const size_t written = done;

  // Phase 2: point reads of the keys just written.
  start = Clock::now();
  done = 0;
  for (; done < written && Clock::now() - start < kPhaseTimeLimit; ++done) {
    if (!storage.Get("bench", KeyOf(done)).ok()) {
      std::fprintf(stderr, "Get of %s failed\n", KeyOf(done).c_str());
      return false;
    }
  }
  Report(engine, "get", done, Clock::now() - start);

  // Phase 3: Write batches of kBatchSize puts, one transaction each.
  start = Clock::now();
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
  Report(engine, "put (100 per commit)", done, Clock::now() - start);
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
