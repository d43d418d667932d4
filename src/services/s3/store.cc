#include "services/s3/store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <unordered_set>

#include <fmt/format.h>

#include "platform/ids.h"
#include "services/s3/blob_io.h"
#include "services/s3/errors.h"

namespace brume::s3 {
namespace {

std::string ObjectRowKey(std::string_view bucket, std::string_view key) {
  std::string row_key;
  row_key.reserve(bucket.size() + 1 + key.size());
  row_key.append(bucket).append("/").append(key);
  return row_key;
}

std::string PartRowKey(std::string_view upload_id, int part_number) {
  return fmt::format("{}/{:05d}", upload_id, part_number);
}

Result<std::optional<Document>> GetJson(platform::Storage* storage,
                                        std::string_view table,
                                        std::string_view key) {
  platform::StatusOr<std::string> value = storage->Get(table, key);
  if (!value.ok()) {
    if (value.status().code() == platform::Status::Code::kNotFound) {
      return std::optional<Document>();
    }
    return StorageError(value.status());
  }
  Document parsed = Document::parse(value.value(), nullptr, false);
  if (parsed.is_discarded()) {
    return InternalError(fmt::format(
        "S3 metadata row {} in table {} is not valid JSON", key, table));
  }
  return std::optional<Document>(std::move(parsed));
}

Status PutJson(platform::Storage* storage, std::string_view table,
               std::string_view key, const Document& value) {
  platform::Status status = storage->Put(table, key, value.dump());
  if (!status.ok()) return StorageError(status);
  return Status();
}

}  // namespace

AwsError StorageError(const platform::Status& status) {
  return InternalError("We encountered an internal error. Please try again. (" +
                       status.message() + ")");
}

Store::Store(platform::Storage* storage)
    : storage_(storage), blob_dir_(storage->blob_dir() + "/s3") {
  EnsureBlobDir();
}

Result<std::optional<Document>> Store::GetBucket(std::string_view name) {
  return GetJson(storage_, kBucketsTable, name);
}

Status Store::PutBucket(std::string_view name, const Document& record) {
  return PutJson(storage_, kBucketsTable, name, record);
}

Status Store::DeleteBucket(std::string_view name) {
  platform::Status status = storage_->Delete(kBucketsTable, name);
  if (!status.ok()) return StorageError(status);
  return Status();
}

Result<std::vector<Document>> Store::ListBuckets() {
  std::vector<Document> buckets;
  platform::Status status = storage_->Scan(
      kBucketsTable, "", "", 0, [&](std::string_view, std::string_view value) {
        Document parsed = Document::parse(value, nullptr, false);
        if (!parsed.is_discarded()) buckets.push_back(std::move(parsed));
        return true;
      });
  if (!status.ok()) return StorageError(status);
  return buckets;
}

Result<std::optional<Document>> Store::GetObjectRow(std::string_view bucket,
                                                    std::string_view key) {
  return GetJson(storage_, kObjectsTable, ObjectRowKey(bucket, key));
}

Status Store::PutObjectRow(std::string_view bucket, std::string_view key,
                           const Document& row) {
  std::string row_key = ObjectRowKey(bucket, key);
  const Document* versions =
      row.contains("Versions") ? &row["Versions"] : nullptr;
  if (versions == nullptr || versions->empty()) {
    platform::Status status = storage_->Delete(kObjectsTable, row_key);
    if (!status.ok()) return StorageError(status);
    return Status();
  }
  return PutJson(storage_, kObjectsTable, row_key, row);
}

Status Store::ScanObjects(std::string_view bucket, std::string_view prefix,
                          std::string_view after, const RowVisitor& visitor) {
  std::string scan_prefix = ObjectRowKey(bucket, prefix);
  std::string start_key = after.empty() ? scan_prefix : ObjectRowKey(bucket, after);
  size_t key_offset = bucket.size() + 1;
  platform::Status status = storage_->Scan(
      kObjectsTable, scan_prefix, start_key, 0,
      [&](std::string_view row_key, std::string_view value) {
        std::string_view key = row_key.substr(key_offset);
        if (!after.empty() && key == after) return true;
        Document parsed = Document::parse(value, nullptr, false);
        if (parsed.is_discarded()) return true;
        return visitor(key, parsed);
      });
  if (!status.ok()) return StorageError(status);
  return Status();
}

Result<bool> Store::BucketHasObjects(std::string_view bucket) {
  bool found = false;
  platform::Status status = storage_->Scan(
      kObjectsTable, ObjectRowKey(bucket, ""), "", 1,
      [&](std::string_view, std::string_view) {
        found = true;
        return false;
      });
  if (!status.ok()) return StorageError(status);
  return found;
}

Result<std::optional<Document>> Store::GetUpload(std::string_view bucket,
                                                 std::string_view upload_id) {
  return GetJson(storage_, kUploadsTable, ObjectRowKey(bucket, upload_id));
}

Status Store::PutUpload(std::string_view bucket, std::string_view upload_id,
                        const Document& record) {
  return PutJson(storage_, kUploadsTable, ObjectRowKey(bucket, upload_id),
                 record);
}

Result<std::vector<Document>> Store::ListUploads(std::string_view bucket) {
  std::vector<Document> uploads;
  platform::Status status = storage_->Scan(
      kUploadsTable, ObjectRowKey(bucket, ""), "", 0,
      [&](std::string_view, std::string_view value) {
        Document parsed = Document::parse(value, nullptr, false);
        if (!parsed.is_discarded()) uploads.push_back(std::move(parsed));
        return true;
      });
  if (!status.ok()) return StorageError(status);
  return uploads;
}

Result<std::optional<Document>> Store::GetPart(std::string_view upload_id,
                                               int part_number) {
  return GetJson(storage_, kPartsTable, PartRowKey(upload_id, part_number));
}

Status Store::PutPart(std::string_view upload_id, int part_number,
                      const Document& record) {
  return PutJson(storage_, kPartsTable, PartRowKey(upload_id, part_number),
                 record);
}

Result<std::vector<Document>> Store::ListParts(std::string_view upload_id) {
  std::vector<Document> parts;
  std::string prefix = std::string(upload_id) + "/";
  platform::Status status = storage_->Scan(
      kPartsTable, prefix, "", 0, [&](std::string_view, std::string_view value) {
        Document parsed = Document::parse(value, nullptr, false);
        if (!parsed.is_discarded()) parts.push_back(std::move(parsed));
        return true;
      });
  if (!status.ok()) return StorageError(status);
  return parts;
}

Status Store::FinishUpload(std::string_view bucket, std::string_view upload_id,
                           const std::vector<int>& part_numbers,
                           const Document& completed) {
  platform::WriteBatch batch;
  batch.Put(std::string(kUploadsTable), ObjectRowKey(bucket, upload_id),
            completed.dump());
  for (int part_number : part_numbers) {
    batch.Delete(std::string(kPartsTable), PartRowKey(upload_id, part_number));
  }
  platform::Status status = storage_->Write(batch);
  if (!status.ok()) return StorageError(status);
  return Status();
}

Status Store::DeleteUpload(std::string_view bucket, std::string_view upload_id,
                           const std::vector<int>& part_numbers) {
  platform::WriteBatch batch;
  batch.Delete(std::string(kUploadsTable), ObjectRowKey(bucket, upload_id));
  for (int part_number : part_numbers) {
    batch.Delete(std::string(kPartsTable), PartRowKey(upload_id, part_number));
  }
  platform::Status status = storage_->Write(batch);
  if (!status.ok()) return StorageError(status);
  return Status();
}

std::string Store::NewBlobId() { return platform::RandomAlnum(32); }

std::string Store::BlobPath(std::string_view blob_id) const {
  return blob_dir_ + "/" + std::string(blob_id);
}

void Store::EnsureBlobDir() {
  std::error_code error;
  std::filesystem::create_directories(blob_dir_, error);
}

Result<std::string> Store::AdoptFile(const std::string& file_path) {
  std::string blob_id = NewBlobId();
  std::string target = BlobPath(blob_id);
  if (std::rename(file_path.c_str(), target.c_str()) != 0) {
    EnsureBlobDir();
    if (std::rename(file_path.c_str(), target.c_str()) != 0) {
      return InternalError(fmt::format("Failed to store the object body: {}",
                                       std::strerror(errno)));
    }
  }
  return blob_id;
}

Result<std::string> Store::CloneBlob(std::string_view blob_id) {
  std::string source = BlobPath(blob_id);
  std::string clone_id = NewBlobId();
  std::string target = BlobPath(clone_id);
  if (::link(source.c_str(), target.c_str()) == 0) return clone_id;
  Status copied = CopyFileRange(source, 0, FileSize(source), target);
  if (!copied.ok()) return copied.error();
  return clone_id;
}

Result<size_t> Store::RemoveOrphanBlobs() {
  std::unordered_set<std::string> referenced;
  auto collect = [&](std::string_view, std::string_view value) {
    Document parsed = Document::parse(value, nullptr, false);
    if (parsed.is_discarded()) return true;
    if (parsed.contains("Versions")) {
      for (const Document& version : parsed["Versions"]) {
        if (version.contains("Blob")) {
          referenced.insert(version["Blob"].get<std::string>());
        }
      }
    } else if (parsed.contains("Blob")) {
      referenced.insert(parsed["Blob"].get<std::string>());
    }
    return true;
  };
  platform::Status status = storage_->Scan(kObjectsTable, "", "", 0, collect);
  if (!status.ok()) return StorageError(status);
  status = storage_->Scan(kPartsTable, "", "", 0, collect);
  if (!status.ok()) return StorageError(status);

  size_t removed = 0;
  std::error_code error;
  for (const auto& entry :
       std::filesystem::directory_iterator(blob_dir_, error)) {
    std::string name = entry.path().filename().string();
    if (referenced.count(name) == 0) {
      std::filesystem::remove(entry.path(), error);
      ++removed;
    }
  }
  return removed;
}

void Store::RemoveBlob(std::string_view blob_id) {
  if (blob_id.empty()) return;
  ::unlink(BlobPath(blob_id).c_str());
}

}  // namespace brume::s3
