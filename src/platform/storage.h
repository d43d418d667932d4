#pragma once

// The storage interface every service persists through: ordered key-value
// tables with atomic batches, plus a directory for blob files. Engines:
// SQLite (in memory, or a WAL-mode file under --data-dir).
//
// Every call that returns ok has committed its write; a response may be
// acknowledged after it.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/status.h"

namespace brume::platform {

// Writes applied together or not at all.
class WriteBatch {
 public:
  void Put(std::string table, std::string key, std::string value) {
    ops_.push_back({std::move(table), std::move(key), std::move(value), false});
  }
  void Delete(std::string table, std::string key) {
    ops_.push_back({std::move(table), std::move(key), {}, true});
  }
  struct Op {
    std::string table;
    std::string key;
    std::string value;
    bool is_delete;
  };
  const std::vector<Op>& ops() const { return ops_; }
  bool empty() const { return ops_.empty(); }

 private:
  std::vector<Op> ops_;
};

class Storage {
 public:
  virtual ~Storage() = default;

  // Opens the SQLite engine: in memory when data_dir is empty, otherwise
  // DATA_DIR/brume.db in WAL mode with blobs under DATA_DIR/blobs.
  static StatusOr<std::unique_ptr<Storage>> OpenSqlite(
      const std::string& data_dir);

  virtual Status Put(std::string_view table, std::string_view key,
                     std::string_view value) = 0;
  // Returns NotFound when the key is absent.
  virtual StatusOr<std::string> Get(std::string_view table,
                                    std::string_view key) = 0;
  virtual Status Delete(std::string_view table, std::string_view key) = 0;
  virtual Status Write(const WriteBatch& batch) = 0;

  // Visits keys >= start_key with the given prefix in byte order until the
  // visitor returns false or `limit` rows were visited (0: no limit).
  // The visitor may call back into the storage. Rows written during the
  // scan may or may not be visited, because rows are read in chunks.
  using Visitor =
      std::function<bool(std::string_view key, std::string_view value)>;
  virtual Status Scan(std::string_view table, std::string_view prefix,
                      std::string_view start_key, size_t limit,
                      const Visitor& visitor) = 0;

  // Deletes every row of every table and every blob (POST /_brume/reset).
  virtual Status Clear() = 0;

  // Directory for blob files of this storage; exists after Open.
  virtual const std::string& blob_dir() const = 0;

  // True when writes survive a restart (a --data-dir was given).
  virtual bool persistent() const = 0;
};

}  // namespace brume::platform
