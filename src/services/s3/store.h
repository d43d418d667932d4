#pragma once

// Persistent state of S3 over platform::Storage: metadata rows as JSON
// documents, object bodies as immutable blob files under
// storage->blob_dir()/s3.
//
// Tables:
//   s3_buckets  bucket name                 -> bucket record
//   s3_objects  bucket "/" key              -> {"Versions": [newest first]}
//   s3_uploads  bucket "/" upload id        -> multipart upload record
//   s3_parts    upload id "/" part (5 digit) -> part record
// Bucket names never contain '/', so "bucket/" prefixes select one bucket
// and scans return its keys in UTF-8 byte order, the order S3 lists in.
//
// Blob file names are random ids, never derived from keys, so no key can
// name a path outside the blob directory. A blob is written once and never
// modified. Replacing an object writes a new blob and commits the new row
// before the old blob is removed, so readers never see a partial object.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/storage.h"
#include "services/common/document.h"
#include "services/common/error.h"

namespace brume::s3 {

inline constexpr std::string_view kBucketsTable = "s3_buckets";
inline constexpr std::string_view kObjectsTable = "s3_objects";
inline constexpr std::string_view kUploadsTable = "s3_uploads";
inline constexpr std::string_view kPartsTable = "s3_parts";

class Store {
 public:
  explicit Store(platform::Storage* storage);

  // Buckets. Records are JSON objects; see buckets.cc for their members.
  Result<std::optional<Document>> GetBucket(std::string_view name);
  Status PutBucket(std::string_view name, const Document& record);
  Status DeleteBucket(std::string_view name);
  Result<std::vector<Document>> ListBuckets();

  // Object rows: {"Versions": [...]} with the newest version first. Putting
  // a row without versions deletes it.
  Result<std::optional<Document>> GetObjectRow(std::string_view bucket,
                                               std::string_view key);
  Status PutObjectRow(std::string_view bucket, std::string_view key,
                      const Document& row);
  // Visits the object rows of `bucket` whose key starts with `prefix` and is
  // greater than `after` (all keys when empty), in key order, until the
  // visitor returns false.
  using RowVisitor =
      std::function<bool(std::string_view key, const Document& row)>;
  Status ScanObjects(std::string_view bucket, std::string_view prefix,
                     std::string_view after, const RowVisitor& visitor);
  Result<bool> BucketHasObjects(std::string_view bucket);

  // Multipart uploads and their parts.
  Result<std::optional<Document>> GetUpload(std::string_view bucket,
                                            std::string_view upload_id);
  Status PutUpload(std::string_view bucket, std::string_view upload_id,
                   const Document& record);
  Result<std::vector<Document>> ListUploads(std::string_view bucket);
  Result<std::optional<Document>> GetPart(std::string_view upload_id,
                                          int part_number);
  Status PutPart(std::string_view upload_id, int part_number,
                 const Document& record);
  // Parts in ascending part number order.
  Result<std::vector<Document>> ListParts(std::string_view upload_id);
  // Replaces the upload row with `completed` and deletes its part rows in
  // one batch.
  Status FinishUpload(std::string_view bucket, std::string_view upload_id,
                      const std::vector<int>& part_numbers,
                      const Document& completed);
  // Deletes the upload row and its part rows in one batch.
  Status DeleteUpload(std::string_view bucket, std::string_view upload_id,
                      const std::vector<int>& part_numbers);

  // Blob files. NewBlobId returns a fresh random id whose path does not
  // exist yet; BlobPath maps an id to its file.
  std::string NewBlobId();
  std::string BlobPath(std::string_view blob_id) const;
  // Moves `file_path` (on the same file system) to a new blob and returns
  // its id.
  Result<std::string> AdoptFile(const std::string& file_path);
  // Creates a new blob sharing the bytes of `blob_id` (a hard link, or a
  // copy where links fail), for copies of whole objects.
  Result<std::string> CloneBlob(std::string_view blob_id);
  // Removes a blob file; missing files are ignored.
  void RemoveBlob(std::string_view blob_id);
  // Creates the blob directory if a reset removed it.
  void EnsureBlobDir();
  // Removes blob files that no object version or part references: bodies
  // of writes that a crash interrupted before their metadata committed, and
  // replaced blobs whose removal was still pending. Call only while no
  // request is in flight (at startup). Returns the number removed.
  Result<size_t> RemoveOrphanBlobs();

 private:
  platform::Storage* storage_;
  std::string blob_dir_;
};

// Maps a platform storage failure to S3's InternalError.
AwsError StorageError(const platform::Status& status);

}  // namespace brume::s3
