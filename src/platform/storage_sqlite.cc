// SQLite engine of platform::Storage.
//
// All tables live in one SQLite table, kv(tbl, key, value), keyed by
// (tbl, key) WITHOUT ROWID so that rows sit in a B-tree ordered by key.
// Keys and values are bound as BLOBs, which SQLite compares with memcmp, so
// Scan visits keys in byte order.
//
// Durability: with --data-dir the database is DATA_DIR/brume.db in WAL mode
// with synchronous=NORMAL. A commit writes its WAL frames with write(2)
// before it returns, so the kernel page cache has them once Put or Write
// returns, and a SIGKILL of the process loses nothing acknowledged. The WAL
// is not fsynced on each commit, so a power loss or kernel crash may lose the
// last transactions, although the database stays consistent.

#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "platform/storage.h"

namespace brume::platform {
namespace {

namespace fs = std::filesystem;

// One step of the schema history. Steps run in order at open, each in its
// own transaction together with the schema_version update. Append new steps
// and never edit a released one.
struct Migration {
  int version;
  const char* sql;
};

constexpr Migration kMigrations[] = {
    {1,
     "CREATE TABLE kv ("
     "  tbl TEXT NOT NULL,"
     "  key BLOB NOT NULL,"
     "  value BLOB NOT NULL,"
     "  PRIMARY KEY (tbl, key)"
     ") WITHOUT ROWID;"},
};

constexpr int kLatestSchemaVersion =
    kMigrations[std::size(kMigrations) - 1].version;

// Rows fetched per statement during Scan. The lock is released between
// chunks, so a visitor may call back into the storage.
constexpr size_t kScanChunkRows = 256;

// SQLite binds a null pointer as SQL NULL, so empty keys and values are bound
// from this address to stay zero-length BLOBs.
constexpr char kEmpty[1] = {0};

// Maps an SQLite result code to a Status with `message`.
Status StatusFromCode(int rc, std::string message) {
  switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(std::move(message));
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
    case SQLITE_MISUSE:
      return Status::Internal(std::move(message));
    default:
      return Status::IoError(std::move(message));
  }
}

// Returns a Status for a failed call on `db`: "<action>: <SQLite message>".
Status SqliteStatus(sqlite3* db, int rc, std::string_view action) {
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return StatusFromCode(rc, std::string(action) + ": " + detail);
}

// A prepared statement that is reset and cleared when the guard goes out of
// scope, so cached statements never keep a read transaction open.
class StatementGuard {
 public:
  explicit StatementGuard(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~StatementGuard() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  StatementGuard(const StatementGuard&) = delete;
  StatementGuard& operator=(const StatementGuard&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

int BindBlob(sqlite3_stmt* stmt, int index, std::string_view bytes) {
  const char* data = bytes.empty() ? kEmpty : bytes.data();
  return sqlite3_bind_blob64(stmt, index, data, bytes.size(), SQLITE_STATIC);
}

int BindText(sqlite3_stmt* stmt, int index, std::string_view text) {
  const char* data = text.empty() ? kEmpty : text.data();
  return sqlite3_bind_text64(stmt, index, data, text.size(), SQLITE_STATIC,
                             SQLITE_UTF8);
}

std::string_view ColumnBytes(sqlite3_stmt* stmt, int column) {
  const void* data = sqlite3_column_blob(stmt, column);
  int size = sqlite3_column_bytes(stmt, column);
  if (data == nullptr) return {};
  return {static_cast<const char*>(data), static_cast<size_t>(size)};
}

// Returns the smallest byte string greater than every string that starts
// with `prefix`, or nullopt when there is none (empty or all 0xff).
std::optional<std::string> PrefixUpperBound(std::string_view prefix) {
  std::string bound(prefix);
  while (!bound.empty()) {
    unsigned char last = static_cast<unsigned char>(bound.back());
    if (last != 0xff) {
      bound.back() = static_cast<char>(last + 1);
      return bound;
    }
    bound.pop_back();
  }
  return std::nullopt;
}

Status RemoveDirectoryContents(const std::string& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code remove_ec;
    fs::remove_all(it->path(), remove_ec);
    if (remove_ec) {
      return Status::IoError("failed to remove blob file " +
                             it->path().string() + ": " + remove_ec.message());
    }
  }
  if (ec) {
    return Status::IoError("failed to list blob directory " + dir + ": " +
                           ec.message());
  }
  return Status::Ok();
}

class SqliteStorage : public Storage {
 public:
  // `lock_fd` is the descriptor of the data directory lock, or -1 in memory.
  // The storage closes it.
  SqliteStorage(std::string blob_dir, bool persistent, bool owns_blob_dir,
                int lock_fd)
      : blob_dir_(std::move(blob_dir)),
        persistent_(persistent),
        owns_blob_dir_(owns_blob_dir),
        lock_fd_(lock_fd) {}

  ~SqliteStorage() override {
    for (sqlite3_stmt* stmt : statements_) sqlite3_finalize(stmt);
    if (db_ != nullptr) sqlite3_close_v2(db_);
    if (owns_blob_dir_) {
      std::error_code ec;
      fs::remove_all(blob_dir_, ec);
      if (ec) {
        spdlog::warn("failed to remove temporary blob directory {}: {}",
                     blob_dir_, ec.message());
      }
    }
    if (lock_fd_ >= 0) close(lock_fd_);  // releases the flock
  }

  Status Open(const std::string& path) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                SQLITE_OPEN_NOMUTEX;  // mutex_ serialises every call
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
      return SqliteStatus(db_, rc, "failed to open database " + path);
    }
    sqlite3_extended_result_codes(db_, 1);
    // Another process reading the file (an sqlite3 shell, for example)
    // makes writes wait up to this long instead of failing at once.
    sqlite3_busy_timeout(db_, 5000);

    if (persistent_) {
      Status status = EnableWal(path);
      if (!status.ok()) return status;
    }
    Status status = Exec("PRAGMA temp_store = MEMORY;", "set temp_store");
    if (!status.ok()) return status;

    status = Migrate(path);
    if (!status.ok()) return status;
    return PrepareStatements();
  }

  Status Put(std::string_view table, std::string_view key,
             std::string_view value) override {
    std::lock_guard lock(mutex_);
    return PutLocked(table, key, value);
  }

  StatusOr<std::string> Get(std::string_view table,
                            std::string_view key) override {
    std::lock_guard lock(mutex_);
    StatementGuard guard(get_);
    BindText(get_, 1, table);
    BindBlob(get_, 2, key);
    int rc = sqlite3_step(get_);
    if (rc == SQLITE_ROW) return std::string(ColumnBytes(get_, 0));
    if (rc == SQLITE_DONE) {
      return Status::NotFound("no key in table " + std::string(table));
    }
    return SqliteStatus(db_, rc, "failed to read from table " +
                                     std::string(table));
  }

  Status Delete(std::string_view table, std::string_view key) override {
    std::lock_guard lock(mutex_);
    return DeleteLocked(table, key);
  }

  Status Write(const WriteBatch& batch) override {
    if (batch.empty()) return Status::Ok();
    std::lock_guard lock(mutex_);
    Status status = Step(begin_, "failed to begin transaction");
    if (!status.ok()) return status;
    for (const WriteBatch::Op& op : batch.ops()) {
      status = op.is_delete ? DeleteLocked(op.table, op.key)
                            : PutLocked(op.table, op.key, op.value);
      if (!status.ok()) {
        Rollback();
        return status;
      }
    }
    status = Step(commit_, "failed to commit transaction");
    if (!status.ok()) Rollback();
    return status;
  }

  Status Scan(std::string_view table, std::string_view prefix,
              std::string_view start_key, size_t limit,
              const Visitor& visitor) override {
    std::optional<std::string> upper = PrefixUpperBound(prefix);
    std::string lower(start_key > prefix ? start_key : prefix);
    size_t visited = 0;

    // Each chunk is read under the lock into memory and then visited
    // without it. Rows written between chunks may or may not be seen.
    std::vector<std::pair<std::string, std::string>> rows;
    while (true) {
      size_t want = kScanChunkRows;
      if (limit != 0) want = std::min(want, limit - visited);
      rows.clear();
      Status status = ReadChunk(table, lower, upper, want, &rows);
      if (!status.ok()) return status;

      for (const auto& [key, value] : rows) {
        ++visited;
        if (!visitor(key, value)) return Status::Ok();
      }
      if (rows.size() < want) return Status::Ok();
      if (limit != 0 && visited >= limit) return Status::Ok();
      // The smallest key after the last one seen is that key plus a NUL.
      lower = rows.back().first;
      lower.push_back('\0');
    }
  }

  Status Clear() override {
    {
      std::lock_guard lock(mutex_);
      Status status = Step(clear_, "failed to clear tables");
      if (!status.ok()) return status;
    }
    return RemoveDirectoryContents(blob_dir_);
  }

  const std::string& blob_dir() const override { return blob_dir_; }
  bool persistent() const override { return persistent_; }

 private:
  // Runs `sql`; a failure reads "failed to <action>: <SQLite message>".
  Status Exec(const char* sql, std::string_view action) {
    char* error = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &error);
    if (rc == SQLITE_OK) return Status::Ok();
    std::string message = "failed to " + std::string(action) + ": " +
                          (error != nullptr ? error : sqlite3_errstr(rc));
    sqlite3_free(error);
    return StatusFromCode(rc, std::move(message));
  }

  Status EnableWal(const std::string& path) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, "PRAGMA journal_mode = WAL;", -1, &stmt,
                                nullptr);
    if (rc != SQLITE_OK) {
      return SqliteStatus(db_, rc, "failed to enable WAL on " + path);
    }
    rc = sqlite3_step(stmt);
    std::string mode;
    if (rc == SQLITE_ROW) {
      mode = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW) {
      return SqliteStatus(db_, rc, "failed to enable WAL on " + path);
    }
    if (mode != "wal") {
      return Status::IoError("failed to enable WAL on " + path +
                             ": journal mode stays '" + mode + "'");
    }
    Status status =
        Exec("PRAGMA synchronous = NORMAL;", "set synchronous = NORMAL");
    if (!status.ok()) return status;
    // A checkpoint resets the WAL but keeps its file size. This limit
    // truncates the file back to 64 MiB after a burst of writes grew it.
    return Exec("PRAGMA journal_size_limit = 67108864;",
                "set journal_size_limit");
  }

  // Brings the schema to kLatestSchemaVersion, one transaction per step.
  Status Migrate(const std::string& path) {
    Status status = Exec(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);",
        "create table schema_version");
    if (!status.ok()) return status;

    StatusOr<int> current = ReadSchemaVersion();
    if (!current.ok()) return current.status();
    if (current.value() > kLatestSchemaVersion) {
      return Status::InvalidArgument(
          "database " + path + " has schema version " +
          std::to_string(current.value()) + " but this brume supports up to " +
          std::to_string(kLatestSchemaVersion) +
          "; run a newer brume or use another --data-dir");
    }

    for (const Migration& migration : kMigrations) {
      if (migration.version <= current.value()) continue;
      std::string sql = std::string("BEGIN IMMEDIATE;") + migration.sql +
                        "DELETE FROM schema_version;" +
                        "INSERT INTO schema_version (version) VALUES (" +
                        std::to_string(migration.version) + ");COMMIT;";
      status = Exec(sql.c_str(), "apply schema migration " +
                                     std::to_string(migration.version));
      if (!status.ok()) {
        Exec("ROLLBACK;", "roll back");
        return status;
      }
      if (persistent_) {
        spdlog::info("migrated {} to schema version {}", path,
                     migration.version);
      }
    }
    return Status::Ok();
  }

  StatusOr<int> ReadSchemaVersion() {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(
        db_, "SELECT COALESCE(MAX(version), 0) FROM schema_version;", -1,
        &stmt, nullptr);
    if (rc != SQLITE_OK) {
      return SqliteStatus(db_, rc, "failed to read schema version");
    }
    rc = sqlite3_step(stmt);
    int version = rc == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW) {
      return SqliteStatus(db_, rc, "failed to read schema version");
    }
    return version;
  }

  Status Prepare(const char* sql, sqlite3_stmt** stmt) {
    int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt,
                                nullptr);
    if (rc != SQLITE_OK) {
      return SqliteStatus(db_, rc, std::string("failed to prepare ") + sql);
    }
    statements_.push_back(*stmt);
    return Status::Ok();
  }

  Status PrepareStatements() {
    const std::pair<const char*, sqlite3_stmt**> statements[] = {
        {"INSERT OR REPLACE INTO kv (tbl, key, value) VALUES (?1, ?2, ?3);",
         &put_},
        {"SELECT value FROM kv WHERE tbl = ?1 AND key = ?2;", &get_},
        {"DELETE FROM kv WHERE tbl = ?1 AND key = ?2;", &delete_},
        {"SELECT key, value FROM kv WHERE tbl = ?1 AND key >= ?2 "
         "ORDER BY key LIMIT ?3;",
         &scan_open_},
        {"SELECT key, value FROM kv WHERE tbl = ?1 AND key >= ?2 "
         "AND key < ?4 ORDER BY key LIMIT ?3;",
         &scan_bounded_},
        {"BEGIN IMMEDIATE;", &begin_},
        {"COMMIT;", &commit_},
        {"ROLLBACK;", &rollback_},
        {"DELETE FROM kv;", &clear_},
    };
    for (const auto& [sql, stmt] : statements) {
      Status status = Prepare(sql, stmt);
      if (!status.ok()) return status;
    }
    return Status::Ok();
  }

  // Runs a statement that returns no rows. A failure reads
  // "<action><subject>: <SQLite message>"; the parts are joined only then,
  // to keep the success path free of allocations.
  Status Step(sqlite3_stmt* stmt, std::string_view action,
              std::string_view subject = {}) {
    StatementGuard guard(stmt);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) return Status::Ok();
    return SqliteStatus(db_, rc, std::string(action) + std::string(subject));
  }

  void Rollback() {
    if (sqlite3_get_autocommit(db_)) return;  // SQLite already rolled back
    Status status = Step(rollback_, "failed to roll back");
    if (!status.ok()) spdlog::error("{}", status.message());
  }

  Status PutLocked(std::string_view table, std::string_view key,
                   std::string_view value) {
    BindText(put_, 1, table);
    BindBlob(put_, 2, key);
    BindBlob(put_, 3, value);
    return Step(put_, "failed to write to table ", table);
  }

  Status DeleteLocked(std::string_view table, std::string_view key) {
    BindText(delete_, 1, table);
    BindBlob(delete_, 2, key);
    return Step(delete_, "failed to delete from table ", table);
  }

  Status ReadChunk(std::string_view table, const std::string& lower,
                   const std::optional<std::string>& upper, size_t max_rows,
                   std::vector<std::pair<std::string, std::string>>* rows) {
    std::lock_guard lock(mutex_);
    sqlite3_stmt* stmt = upper ? scan_bounded_ : scan_open_;
    StatementGuard guard(stmt);
    BindText(stmt, 1, table);
    BindBlob(stmt, 2, lower);
    sqlite3_bind_int64(stmt, 3, static_cast<sqlite3_int64>(max_rows));
    if (upper) BindBlob(stmt, 4, *upper);

    while (true) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) return Status::Ok();
      if (rc != SQLITE_ROW) {
        return SqliteStatus(db_, rc,
                            "failed to scan table " + std::string(table));
      }
      rows->emplace_back(ColumnBytes(stmt, 0), ColumnBytes(stmt, 1));
    }
  }

  const std::string blob_dir_;
  const bool persistent_;
  const bool owns_blob_dir_;
  const int lock_fd_;

  // One connection for every thread. SQLite serialises writers anyway, and
  // readers wait for the mutex too.
  // TODO: a pool of read connections would let WAL readers run beside the
  // writer when --data-dir is set.
  std::mutex mutex_;
  sqlite3* db_ = nullptr;
  std::vector<sqlite3_stmt*> statements_;  // finalised at close
  sqlite3_stmt* put_ = nullptr;
  sqlite3_stmt* get_ = nullptr;
  sqlite3_stmt* delete_ = nullptr;
  sqlite3_stmt* scan_open_ = nullptr;
  sqlite3_stmt* scan_bounded_ = nullptr;
  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
  sqlite3_stmt* rollback_ = nullptr;
  sqlite3_stmt* clear_ = nullptr;
};

// Takes an exclusive flock on DATA_DIR/brume.lock and returns its descriptor.
// SQLite's own locks keep the file consistent, but two brume processes on one
// directory would each serve from stale in-memory indexes. The kernel drops
// the lock when the process exits, SIGKILL included.
StatusOr<int> LockDataDir(const std::string& data_dir) {
  std::string path = (fs::path(data_dir) / "brume.lock").string();
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::IoError("failed to open lock file " + path + ": " +
                           std::strerror(errno));
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int error = errno;
    close(fd);
    if (error == EWOULDBLOCK) {
      return Status::IoError("data directory " + data_dir +
                             " is in use by another brume process; stop it "
                             "or pass another --data-dir");
    }
    return Status::IoError("failed to lock " + path + ": " +
                           std::strerror(error));
  }
  return fd;
}

// Creates a private directory for the blobs of an in-memory storage.
StatusOr<std::string> MakeTemporaryBlobDir() {
  const char* tmpdir = getenv("TMPDIR");
  std::string pattern = (tmpdir != nullptr && *tmpdir != '\0')
                            ? std::string(tmpdir)
                            : std::string("/tmp");
  pattern += "/brume-blobs-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) {
    return Status::IoError("failed to create a temporary blob directory " +
                           pattern + ": " + std::strerror(errno));
  }
  return std::string(buffer.data());
}

}  // namespace

StatusOr<std::unique_ptr<Storage>> Storage::OpenSqlite(
    const std::string& data_dir) {
  if (data_dir.empty()) {
    StatusOr<std::string> blob_dir = MakeTemporaryBlobDir();
    if (!blob_dir.ok()) return blob_dir.status();
    auto storage = std::make_unique<SqliteStorage>(
        std::move(blob_dir.value()), /*persistent=*/false,
        /*owns_blob_dir=*/true, /*lock_fd=*/-1);
    Status status = storage->Open(":memory:");
    if (!status.ok()) return status;
    return std::unique_ptr<Storage>(std::move(storage));
  }

  std::string blob_dir = (fs::path(data_dir) / "blobs").string();
  std::error_code ec;
  fs::create_directories(blob_dir, ec);
  if (ec) {
    return Status::IoError("failed to create data directory " + blob_dir +
                           ": " + ec.message());
  }
  StatusOr<int> lock_fd = LockDataDir(data_dir);
  if (!lock_fd.ok()) return lock_fd.status();
  auto storage = std::make_unique<SqliteStorage>(
      blob_dir, /*persistent=*/true, /*owns_blob_dir=*/false,
      lock_fd.value());
  Status status = storage->Open((fs::path(data_dir) / "brume.db").string());
  if (!status.ok()) return status;
  return std::unique_ptr<Storage>(std::move(storage));
}

}  // namespace brume::platform
