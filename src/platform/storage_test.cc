#include "platform/storage.h"

#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace brume::platform {
namespace {

namespace fs = std::filesystem;

// A fresh directory under $TMPDIR, removed with its contents at the end of
// the test.
class TempDir {
 public:
  TempDir() {
    const char* tmpdir = getenv("TMPDIR");
    std::string pattern = std::string(tmpdir != nullptr ? tmpdir : "/tmp") +
                          "/brume-storage-test-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (mkdtemp(buffer.data()) == nullptr) std::abort();
    path_ = buffer.data();
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::unique_ptr<Storage> OpenOrDie(const std::string& data_dir) {
  StatusOr<std::unique_ptr<Storage>> storage = Storage::OpenSqlite(data_dir);
  EXPECT_TRUE(storage.ok()) << storage.status().message();
  if (!storage.ok()) std::abort();
  return std::move(storage.value());
}

std::vector<std::string> ScanKeys(Storage& storage, std::string_view table,
                                  std::string_view prefix,
                                  std::string_view start_key = {},
                                  size_t limit = 0) {
  std::vector<std::string> keys;
  Status status = storage.Scan(table, prefix, start_key, limit,
                               [&](std::string_view key, std::string_view) {
                                 keys.emplace_back(key);
                                 return true;
                               });
  EXPECT_TRUE(status.ok()) << status.message();
  return keys;
}

// Runs each case on both engines: in memory and in a data directory.
class StorageEngineTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    storage_ = OpenOrDie(GetParam() ? dir_.path() : "");
  }

  TempDir dir_;  // unused by the in-memory engine
  std::unique_ptr<Storage> storage_;
};

INSTANTIATE_TEST_SUITE_P(Engines, StorageEngineTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Disk" : "Memory";
                         });

TEST_P(StorageEngineTest, PutGetRoundTrip) {
  ASSERT_TRUE(storage_->Put("queues", "a", "1").ok());

  StatusOr<std::string> value = storage_->Get("queues", "a");
  ASSERT_TRUE(value.ok()) << value.status().message();
  EXPECT_EQ(value.value(), "1");
}

TEST_P(StorageEngineTest, GetMissingIsNotFound) {
  StatusOr<std::string> value = storage_->Get("queues", "absent");
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.status().code(), Status::Code::kNotFound);
}

TEST_P(StorageEngineTest, PutOverwrites) {
  ASSERT_TRUE(storage_->Put("t", "k", "old").ok());
  ASSERT_TRUE(storage_->Put("t", "k", "new").ok());
  EXPECT_EQ(storage_->Get("t", "k").value(), "new");
  EXPECT_EQ(ScanKeys(*storage_, "t", "").size(), 1u);
}

TEST_P(StorageEngineTest, DeleteRemovesKey) {
  ASSERT_TRUE(storage_->Put("t", "k", "v").ok());
  ASSERT_TRUE(storage_->Delete("t", "k").ok());
  EXPECT_EQ(storage_->Get("t", "k").status().code(), Status::Code::kNotFound);
  // Deleting an absent key succeeds, like a SQL DELETE that matches nothing.
  EXPECT_TRUE(storage_->Delete("t", "k").ok());
}

TEST_P(StorageEngineTest, BinaryAndEmptyValues) {
  const std::string binary_key("\x00\xff\x01", 3);
  const std::string binary_value("\x00\x00\xfe\x7f", 4);
  ASSERT_TRUE(storage_->Put("t", binary_key, binary_value).ok());
  ASSERT_TRUE(storage_->Put("t", "", "empty key").ok());
  ASSERT_TRUE(storage_->Put("t", "empty value", "").ok());

  EXPECT_EQ(storage_->Get("t", binary_key).value(), binary_value);
  EXPECT_EQ(storage_->Get("t", "").value(), "empty key");
  StatusOr<std::string> empty = storage_->Get("t", "empty value");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty.value(), "");
}

TEST_P(StorageEngineTest, TablesAreSeparate) {
  ASSERT_TRUE(storage_->Put("a", "k", "in a").ok());
  ASSERT_TRUE(storage_->Put("b", "k", "in b").ok());
  EXPECT_EQ(storage_->Get("a", "k").value(), "in a");
  EXPECT_EQ(storage_->Get("b", "k").value(), "in b");
  ASSERT_TRUE(storage_->Delete("a", "k").ok());
  EXPECT_TRUE(storage_->Get("b", "k").ok());
  EXPECT_EQ(ScanKeys(*storage_, "a", "").size(), 0u);
}

TEST_P(StorageEngineTest, ScanIsInByteOrder) {
  // Bytes above 0x7f sort after ASCII, as memcmp orders unsigned bytes.
  const std::vector<std::string> keys = {
      std::string("\xc3\xa9", 2), "b", "a", "ab", std::string("a\x00", 2),
      "A"};
  for (const std::string& key : keys) {
    ASSERT_TRUE(storage_->Put("t", key, "v").ok());
  }
  std::vector<std::string> expected = {"A", "a", std::string("a\x00", 2),
                                       "ab", "b", std::string("\xc3\xa9", 2)};
  EXPECT_EQ(ScanKeys(*storage_, "t", ""), expected);
}

TEST_P(StorageEngineTest, ScanPrefixStartAndLimit) {
  for (const char* key : {"q/1", "q/2", "q/3", "q/4", "r/1", "p/9", "q"}) {
    ASSERT_TRUE(storage_->Put("t", key, std::string("v") + key).ok());
  }

  std::vector<std::string> all_q = {"q", "q/1", "q/2", "q/3", "q/4"};
  EXPECT_EQ(ScanKeys(*storage_, "t", "q"), all_q);

  std::vector<std::string> from_q2 = {"q/2", "q/3", "q/4"};
  EXPECT_EQ(ScanKeys(*storage_, "t", "q/", "q/2"), from_q2);

  // A start key before the prefix starts at the prefix.
  std::vector<std::string> from_a = {"q/1", "q/2", "q/3", "q/4"};
  EXPECT_EQ(ScanKeys(*storage_, "t", "q/", "a"), from_a);

  // A start key past every key of the prefix visits nothing.
  EXPECT_TRUE(ScanKeys(*storage_, "t", "q/", "q0").empty());

  std::vector<std::string> limited = {"q/1", "q/2"};
  EXPECT_EQ(ScanKeys(*storage_, "t", "q/", "", 2), limited);
}

TEST_P(StorageEngineTest, ScanPassesValues) {
  ASSERT_TRUE(storage_->Put("t", "k1", "v1").ok());
  ASSERT_TRUE(storage_->Put("t", "k2", "v2").ok());
  std::vector<std::pair<std::string, std::string>> rows;
  ASSERT_TRUE(storage_
                  ->Scan("t", "", "", 0,
                         [&](std::string_view key, std::string_view value) {
                           rows.emplace_back(key, value);
                           return true;
                         })
                  .ok());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].second, "v1");
  EXPECT_EQ(rows[1].second, "v2");
}

TEST_P(StorageEngineTest, ScanPrefixOfMaxBytes) {
  const std::string prefix("\xff\xff", 2);
  ASSERT_TRUE(storage_->Put("t", prefix + "a", "v").ok());
  ASSERT_TRUE(storage_->Put("t", prefix, "v").ok());
  ASSERT_TRUE(storage_->Put("t", std::string("\xff\xfe", 2), "v").ok());
  std::vector<std::string> expected = {prefix, prefix + "a"};
  EXPECT_EQ(ScanKeys(*storage_, "t", prefix), expected);
}

TEST_P(StorageEngineTest, ScanStopsWhenVisitorReturnsFalse) {
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(storage_->Put("t", fmt::format("k{}", i), "v").ok());
  }
  int visited = 0;
  ASSERT_TRUE(storage_
                  ->Scan("t", "", "", 0,
                         [&](std::string_view, std::string_view) {
                           return ++visited < 3;
                         })
                  .ok());
  EXPECT_EQ(visited, 3);
}

TEST_P(StorageEngineTest, ScanSpansChunksAndAllowsWrites) {
  constexpr int kRows = 1000;  // several scan chunks
  for (int i = 0; i < kRows; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "k%05d", i);
    ASSERT_TRUE(storage_->Put("t", key, "v").ok());
  }
  // The visitor writes to the same storage, which must not deadlock.
  int visited = 0;
  std::string previous;
  ASSERT_TRUE(storage_
                  ->Scan("t", "k", "", 0,
                         [&](std::string_view key, std::string_view) {
                           EXPECT_GT(std::string(key), previous);
                           previous = std::string(key);
                           ++visited;
                           return storage_->Put("other", key, "copy").ok();
                         })
                  .ok());
  EXPECT_EQ(visited, kRows);
  EXPECT_EQ(ScanKeys(*storage_, "other", "").size(),
            static_cast<size_t>(kRows));
}

TEST_P(StorageEngineTest, ScanLimitAcrossChunks) {
  for (int i = 0; i < 600; ++i) {
    char key[16];
    std::snprintf(key, sizeof(key), "k%05d", i);
    ASSERT_TRUE(storage_->Put("t", key, "v").ok());
  }
  EXPECT_EQ(ScanKeys(*storage_, "t", "", "", 300).size(), 300u);
  EXPECT_EQ(ScanKeys(*storage_, "t", "", "", 512).size(), 512u);
}

TEST_P(StorageEngineTest, WriteBatchAppliesPutsAndDeletes) {
  ASSERT_TRUE(storage_->Put("t", "gone", "v").ok());

  WriteBatch batch;
  batch.Put("t", "a", "1");
  batch.Put("u", "b", "2");
  batch.Delete("t", "gone");
  batch.Put("t", "a", "3");  // later operations win
  ASSERT_TRUE(storage_->Write(batch).ok());

  EXPECT_EQ(storage_->Get("t", "a").value(), "3");
  EXPECT_EQ(storage_->Get("u", "b").value(), "2");
  EXPECT_EQ(storage_->Get("t", "gone").status().code(),
            Status::Code::kNotFound);
  EXPECT_TRUE(storage_->Write(WriteBatch()).ok());
}

TEST_P(StorageEngineTest, ClearEmptiesTablesAndBlobs) {
  ASSERT_TRUE(storage_->Put("t", "k", "v").ok());
  std::string blob = storage_->blob_dir() + "/object";
  std::ofstream(blob) << "data";
  ASSERT_TRUE(fs::exists(blob));

  ASSERT_TRUE(storage_->Clear().ok());
  EXPECT_EQ(storage_->Get("t", "k").status().code(), Status::Code::kNotFound);
  EXPECT_FALSE(fs::exists(blob));
  EXPECT_TRUE(fs::is_directory(storage_->blob_dir()));

  // The storage stays usable after Clear.
  ASSERT_TRUE(storage_->Put("t", "k", "again").ok());
  EXPECT_EQ(storage_->Get("t", "k").value(), "again");
}

TEST(StorageTest, MemoryBlobDirRemovedAtClose) {
  std::string blob_dir;
  {
    auto storage = OpenOrDie("");
    EXPECT_FALSE(storage->persistent());
    blob_dir = storage->blob_dir();
    ASSERT_TRUE(fs::is_directory(blob_dir));
    std::ofstream(blob_dir + "/object") << "data";
  }
  EXPECT_FALSE(fs::exists(blob_dir));
}

TEST(StorageTest, DataDirSurvivesReopen) {
  TempDir dir;
  {
    auto storage = OpenOrDie(dir.path());
    EXPECT_TRUE(storage->persistent());
    EXPECT_EQ(storage->blob_dir(), dir.path() + "/blobs");
    EXPECT_TRUE(fs::is_directory(storage->blob_dir()));
    ASSERT_TRUE(storage->Put("t", "k", "v").ok());
    WriteBatch batch;
    batch.Put("t", "b", "batched");
    ASSERT_TRUE(storage->Write(batch).ok());
  }
  EXPECT_TRUE(fs::exists(dir.path() + "/brume.db"));

  auto storage = OpenOrDie(dir.path());
  EXPECT_EQ(storage->Get("t", "k").value(), "v");
  EXPECT_EQ(storage->Get("t", "b").value(), "batched");
}

TEST(StorageTest, DataDirOpenedOnlyOnce) {
  TempDir dir;
  auto storage = OpenOrDie(dir.path());
  StatusOr<std::unique_ptr<Storage>> second = Storage::OpenSqlite(dir.path());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Status::Code::kIoError);
  EXPECT_NE(second.status().message().find("in use by another brume"),
            std::string::npos)
      << second.status().message();

  storage.reset();  // releases the lock
  EXPECT_TRUE(Storage::OpenSqlite(dir.path()).ok());
}

TEST(StorageTest, DataDirUsesWal) {
  TempDir dir;
  { auto storage = OpenOrDie(dir.path()); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() + "/brume.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode;", -1, &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)),
               "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST(StorageTest, RejectsNewerSchemaVersion) {
  TempDir dir;
  { auto storage = OpenOrDie(dir.path()); }

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() + "/brume.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE schema_version SET version = 99;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);

  StatusOr<std::unique_ptr<Storage>> storage =
      Storage::OpenSqlite(dir.path());
  ASSERT_FALSE(storage.ok());
  EXPECT_EQ(storage.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(storage.status().message().find("schema version 99"),
            std::string::npos)
      << storage.status().message();
}

TEST(StorageTest, RejectsFileThatIsNotADatabase) {
  TempDir dir;
  std::ofstream(dir.path() + "/brume.db")
      << std::string(4096, 'x');  // not an SQLite header
  StatusOr<std::unique_ptr<Storage>> storage =
      Storage::OpenSqlite(dir.path());
  ASSERT_FALSE(storage.ok());
  EXPECT_EQ(storage.status().code(), Status::Code::kCorruption)
      << storage.status().message();
}

TEST(StorageTest, ConcurrentWritersAndReaders) {
  for (const bool on_disk : {false, true}) {
    TempDir dir;
    auto storage = OpenOrDie(on_disk ? dir.path() : "");
    constexpr int kThreads = 4;
    constexpr int kKeysPerThread = 300;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kKeysPerThread; ++i) {
          std::string key = std::to_string(t) + "/" + std::to_string(i);
          if (!storage->Put("t", key, key).ok()) ++failures;
          StatusOr<std::string> value = storage->Get("t", key);
          if (!value.ok() || value.value() != key) ++failures;
          if (i % 50 == 0) {
            storage->Scan("t", std::to_string(t) + "/", "", 10,
                          [](std::string_view, std::string_view) {
                            return true;
                          });
          }
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(failures.load(), 0) << (on_disk ? "on disk" : "in memory");
    EXPECT_EQ(ScanKeys(*storage, "t", "").size(),
              static_cast<size_t>(kThreads * kKeysPerThread));
  }
}

// Runs in a forked child: writes keys to `data_dir` until killed or until the
// bounds run out, reporting each committed key index through `ack_fd`.
[[noreturn]] void WriteUntilKilled(const std::string& data_dir, int ack_fd,
                                   uint32_t first_key) {
  StatusOr<std::unique_ptr<Storage>> opened = Storage::OpenSqlite(data_dir);
  if (!opened.ok()) _exit(2);
  Storage& storage = *opened.value();
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (uint32_t i = first_key; i < first_key + 1'000'000; ++i) {
    if (std::chrono::steady_clock::now() > deadline) break;
    std::string key = "key" + std::to_string(i);
    Status status;
    if (i % 4 == 0) {
      // Every fourth key goes through a batch with a second row.
      WriteBatch batch;
      batch.Put("acked", key, "value" + std::to_string(i));
      batch.Put("acked_pair", key, "pair");
      status = storage.Write(batch);
    } else {
      status = storage.Put("acked", key, "value" + std::to_string(i));
    }
    if (!status.ok()) _exit(3);
    if (write(ack_fd, &i, sizeof(i)) != sizeof(i)) _exit(4);
  }
  _exit(0);
}

TEST(StorageTest, AcknowledgedWritesSurviveSigkill) {
  TempDir dir;
  std::mt19937 random(std::random_device{}());
  uint32_t next_key = 0;

  for (int round = 0; round < 3; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(fds[0]);
      WriteUntilKilled(dir.path(), fds[1], next_key);
    }
    close(fds[1]);

    // Read acknowledgements until a random time after the first one, so the
    // kill lands mid-stream even on a slow machine, then drain the pipe.
    // Every index in the pipe was written after its commit returned.
    std::vector<uint32_t> acked;
    uint32_t index;
    std::uniform_int_distribution<int> delay_ms(20, 300);
    std::optional<std::chrono::steady_clock::time_point> kill_at;
    while (true) {
      int timeout_ms = 10'000;
      if (kill_at) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            *kill_at - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        timeout_ms = static_cast<int>(left.count());
      }
      pollfd poll_fd{fds[0], POLLIN, 0};
      if (poll(&poll_fd, 1, timeout_ms) <= 0) break;
      if (read(fds[0], &index, sizeof(index)) != sizeof(index)) break;
      acked.push_back(index);
      if (!kill_at) {
        kill_at = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(delay_ms(random));
      }
    }
    ASSERT_EQ(kill(child, SIGKILL), 0);
    while (read(fds[0], &index, sizeof(index)) == sizeof(index)) {
      acked.push_back(index);
    }
    close(fds[0]);
    int wait_status = 0;
    ASSERT_EQ(waitpid(child, &wait_status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(wait_status))
        << "child exited with " << WEXITSTATUS(wait_status);
    ASSERT_FALSE(acked.empty()) << "child acknowledged no write in round "
                                << round;

    auto storage = OpenOrDie(dir.path());
    size_t missing = 0;
    for (uint32_t i : acked) {
      std::string key = "key" + std::to_string(i);
      StatusOr<std::string> value = storage->Get("acked", key);
      if (!value.ok() || value.value() != "value" + std::to_string(i)) {
        ++missing;
      }
      if (i % 4 == 0 && !storage->Get("acked_pair", key).ok()) ++missing;
    }
    EXPECT_EQ(missing, 0u) << "round " << round << ", " << acked.size()
                           << " acknowledged keys";
    next_key = acked.back() + 1;
  }
}

}  // namespace
}  // namespace brume::platform
