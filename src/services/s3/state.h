#pragma once

// State shared by the S3 handlers, and helpers several resource groups use.

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/checksum.h"
#include "services/common/context.h"
#include "services/common/document.h"
#include "services/common/environment.h"
#include "services/common/error.h"
#include "services/s3/store.h"

namespace brume::s3 {

// Object keys longer than this many UTF-8 bytes fail with KeyTooLongError.
inline constexpr size_t kMaxKeyBytes = 1024;
// Every part of a multipart upload except the last must be this large.
inline constexpr uint64_t kMinPartSize = 5 * 1024 * 1024;
inline constexpr int kMaxPartNumber = 10000;
// User-defined metadata (x-amz-meta-* names and values) is limited to 2 KB.
inline constexpr size_t kMaxMetadataBytes = 2048;

class S3State {
 public:
  explicit S3State(const ServiceEnvironment& env);

  const ServiceEnvironment& env() const { return env_; }
  Store& store() { return store_; }
  // Serialises read-modify-write cycles on metadata rows. Handlers hash and
  // copy bodies before taking it.
  std::mutex& mutex() { return mutex_; }

  // Current time of the injectable clock in epoch seconds, millisecond
  // precision.
  double Now() const;

  // Schedules a blob for removal once no response can still be about to
  // open it: a GetObject handler returns a path that the server opens after
  // the handler returns, so replaced blobs live on for kBlobGracePeriod.
  void RemoveBlobLater(std::string blob_id);
  void RemoveBlobsLater(const std::vector<std::string>& blob_ids);
  // Removes the blobs whose grace period ended; `all` removes every pending
  // one (reset).
  void PurgeRemovedBlobs(bool all = false);

 private:
  static constexpr std::chrono::seconds kBlobGracePeriod{30};

  ServiceEnvironment env_;
  Store store_;
  std::mutex mutex_;
  std::mutex pending_mutex_;
  std::deque<std::pair<std::chrono::steady_clock::time_point, std::string>>
      pending_removals_;
};

// Looks up a bucket record, or returns NoSuchBucket.
Result<Document> LoadBucket(S3State& state, std::string_view bucket);

// Returns the string member `name` of `input`, or "" when absent.
std::string InputString(const Document& input, std::string_view name);

// The 64-hex-digit canonical user id S3 shows for an account.
std::string CanonicalUserId(std::string_view account_id);
// Owner element ({"ID": ..., "DisplayName": ...}) for an account.
Document OwnerDocument(std::string_view account_id);

// "Enabled", "Suspended" or "" (never enabled).
std::string VersioningStatus(const Document& bucket);

// A new version id: 32 URL-safe characters, as S3 issues.
std::string NewVersionId();
// True for "null" and for ids NewVersionId could have issued.
bool IsValidVersionId(std::string_view version_id);

// Version lookup in an object row ({"Versions": [newest first]}). Returns
// nullptr when absent.
Document* FindVersion(Document& row, std::string_view version_id);

// Entity tag helpers. ETags are stored with their quotes, as S3 returns
// them.
std::string QuoteEtag(std::string_view hex);
// True when the comma-separated If-Match/If-None-Match list names `etag`
// or is "*".
bool EtagListMatches(std::string_view header_list, std::string_view etag);

// The Checksum* output members of a stored version or part record
// ({"ChecksumAlgorithm", "Checksum", "ChecksumType"}), added to `output`.
void AddChecksumMembers(const Document& record, Document& output);

// Parses an x-amz-tagging style query string into a TagSet, validating it
// as S3 does for object tags.
Result<Document> ParseTaggingHeader(std::string_view header);
// Sorts a TagSet by key, the order S3 returns tags in.
void SortTagSet(Document& tag_set);
// Validates a TagSet for objects (max_tags 10) or buckets (max_tags 50).
Status ValidateTagSet(const Document& tag_set, size_t max_tags);

// Removes a version (`version_id`, or the latest when empty) or adds a
// delete marker, following the bucket's versioning state; the caller holds
// the state mutex. Honours object lock retention and legal holds.
struct DeleteOutcome {
  std::string version_id;  // version removed or delete marker added
  bool delete_marker = false;
};
Result<DeleteOutcome> DeleteObjectVersion(S3State& state,
                                          const Document& bucket,
                                          std::string_view key,
                                          std::string_view version_id,
                                          bool bypass_governance,
                                          const std::string& account_id);

// Stores `version` as the newest version of `key`, following the bucket's
// versioning state: a new version id when versioning is enabled, otherwise
// the "null" version, which replaces any earlier "null" version. The caller
// holds the state mutex. Returns the version id assigned.
Result<std::string> CommitNewVersion(S3State& state, const Document& bucket,
                                     std::string_view key, Document version);

}  // namespace brume::s3
