// PutObject, GetObject, HeadObject, DeleteObject, DeleteObjects, CopyObject
// and GetObjectAttributes.

#include <unistd.h>

#include <cmath>
#include <mutex>
#include <set>

#include <fmt/format.h>

#include "platform/strings.h"
#include "services/s3/access.h"
#include "services/s3/errors.h"
#include "services/s3/handlers.h"
#include "services/s3/lifecycle.h"
#include "services/s3/notifications.h"
#include "services/s3/object_common.h"

namespace brume::s3 {
namespace {

// A byte range [first, last] of an object.
struct ByteRange {
  uint64_t first = 0;
  uint64_t last = 0;
};

// Parses a Range header against an object of `size` bytes. Returns nullopt
// (serve the whole object, as S3 does) for syntax S3 ignores, such as
// several ranges, and InvalidRange when no byte of the range exists.
Result<std::optional<ByteRange>> ParseRange(std::string_view header,
                                            uint64_t size) {
  std::string_view spec = platform::Trim(header);
  if (!spec.starts_with("bytes=")) return std::optional<ByteRange>();
  spec.remove_prefix(6);
  if (spec.find(',') != std::string_view::npos) {
    return std::optional<ByteRange>();
  }
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return std::optional<ByteRange>();
  std::string first_text(platform::Trim(spec.substr(0, dash)));
  std::string last_text(platform::Trim(spec.substr(dash + 1)));
  auto all_digits = [](const std::string& text) {
    return !text.empty() &&
           text.find_first_not_of("0123456789") == std::string::npos &&
           text.size() <= 19;
  };

  ByteRange range;
  if (first_text.empty()) {
    // Suffix range: the last N bytes.
    if (!all_digits(last_text)) return std::optional<ByteRange>();
    uint64_t suffix = std::stoull(last_text);
    if (suffix == 0 || size == 0) return InvalidRange(header, size);
    range.first = suffix >= size ? 0 : size - suffix;
    range.last = size - 1;
    return std::optional<ByteRange>(range);
  }
  if (!all_digits(first_text)) return std::optional<ByteRange>();
  range.first = std::stoull(first_text);
  if (last_text.empty()) {
    range.last = size == 0 ? 0 : size - 1;
  } else {
    if (!all_digits(last_text)) return std::optional<ByteRange>();
    range.last = std::stoull(last_text);
    if (range.last < range.first) return std::optional<ByteRange>();
    if (range.last >= size && size > 0) range.last = size - 1;
  }
  if (range.first >= size) return InvalidRange(header, size);
  return std::optional<ByteRange>(range);
}

// Applies If-Match, If-Unmodified-Since, If-None-Match and If-Modified-Since
// in the order and with the precedence S3 documents: a true If-Match
// overrides a false If-Unmodified-Since, and a false If-None-Match
// overrides a true If-Modified-Since.
Status CheckReadPreconditions(const Document& input, const Document& version) {
  std::string etag = InputString(version, "ETag");
  double modified = std::floor(version.value("LastModified", 0.0));

  std::string if_match = InputString(input, "IfMatch");
  if (!if_match.empty()) {
    if (!EtagListMatches(if_match, etag)) return PreconditionFailed("If-Match");
  } else if (input.contains("IfUnmodifiedSince") &&
             input["IfUnmodifiedSince"].is_number()) {
    if (modified > input["IfUnmodifiedSince"].get<double>()) {
      return PreconditionFailed("If-Unmodified-Since");
    }
  }

  std::string if_none_match = InputString(input, "IfNoneMatch");
  if (!if_none_match.empty()) {
    if (EtagListMatches(if_none_match, etag)) return NotModified();
  } else if (input.contains("IfModifiedSince") &&
             input["IfModifiedSince"].is_number()) {
    if (modified <= input["IfModifiedSince"].get<double>()) {
      return NotModified();
    }
  }
  return Status();
}

// Copy-source conditions: every failure is 412, with the same precedence
// as reads.
Status CheckCopySourcePreconditions(const Document& input,
                                    const Document& version) {
  Document read_conditions = Document::object();
  static const std::pair<const char*, const char*> kMapping[] = {
      {"CopySourceIfMatch", "IfMatch"},
      {"CopySourceIfNoneMatch", "IfNoneMatch"},
      {"CopySourceIfModifiedSince", "IfModifiedSince"},
      {"CopySourceIfUnmodifiedSince", "IfUnmodifiedSince"},
  };
  for (const auto& [copy_member, read_member] : kMapping) {
    if (input.contains(copy_member)) {
      read_conditions[read_member] = input[copy_member];
    }
  }
  Status status = CheckReadPreconditions(read_conditions, version);
  if (!status.ok() && status.error().http_status == 304) {
    return PreconditionFailed("x-amz-copy-source-If-None-Match");
  }
  return status;
}

// Adds the headers S3 returns for a delete marker to an error.
AwsError WithDeleteMarkerHeaders(AwsError error, const Document& marker,
                                 bool versioned) {
  error.headers.emplace_back("x-amz-delete-marker", "true");
  if (versioned) {
    error.headers.emplace_back("x-amz-version-id",
                               InputString(marker, "VersionId"));
  }
  if (error.http_status == 405) {
    error.headers.emplace_back(
        "Last-Modified",
        FormatHttpDate(static_cast<int64_t>(marker.value("LastModified", 0.0))));
  }
  return error;
}

// Finds the version a read requests. Returns a copy so that the caller can
// release the state mutex.
Result<Document> ResolveReadVersion(S3State& state, const Document& bucket,
                                    std::string_view key,
                                    std::string_view version_id,
                                    std::string_view method) {
  if (!version_id.empty() && !IsValidVersionId(version_id)) {
    return InvalidArgument("Invalid version id specified", "versionId",
                           version_id);
  }
  Result<std::optional<Document>> row =
      state.store().GetObjectRow(InputString(bucket, "Name"), key);
  if (!row.ok()) return row.error();
  bool versioned = !VersioningStatus(bucket).empty();
  if (!row.value().has_value()) {
    if (!version_id.empty()) return NoSuchVersion(key, version_id);
    return NoSuchKey(key);
  }
  Document& found_row = *row.value();
  if (version_id.empty()) {
    const Document& latest = found_row["Versions"][0];
    if (latest.value("DeleteMarker", false)) {
      return WithDeleteMarkerHeaders(NoSuchKey(key), latest, versioned);
    }
    return latest;
  }
  Document* version = FindVersion(found_row, version_id);
  if (version == nullptr) return NoSuchVersion(key, version_id);
  if (version->value("DeleteMarker", false)) {
    return WithDeleteMarkerHeaders(
        MethodNotAllowed(method, "DeleteMarker"), *version, versioned);
  }
  return *version;
}

// Fills the headers GetObject and HeadObject return for a stored version.
void AddObjectHeaders(const Document& version, const Document& bucket,
                      bool include_tag_count, Document& output) {
  output["AcceptRanges"] = "bytes";
  output["LastModified"] = std::floor(version.value("LastModified", 0.0));
  output["ETag"] = InputString(version, "ETag");
  for (const char* member : kContentMembers) {
    if (version.contains(member)) output[member] = version[member];
  }
  if (version.contains("Metadata") && !version["Metadata"].empty()) {
    output["Metadata"] = version["Metadata"];
  }
  if (!VersioningStatus(bucket).empty()) {
    output["VersionId"] = InputString(version, "VersionId");
  }
  if (version.contains("StorageClass")) {
    output["StorageClass"] = version["StorageClass"];
  }
  CopyEncryptionMembers(version, output);
  if (include_tag_count && version.contains("Tags") &&
      !version["Tags"].empty()) {
    output["TagCount"] = version["Tags"].size();
  }
  if (version.contains("Retention")) {
    output["ObjectLockMode"] = version["Retention"]["Mode"];
    output["ObjectLockRetainUntilDate"] =
        version["Retention"]["RetainUntilDate"];
  }
  if (version.contains("LegalHold")) {
    output["ObjectLockLegalHoldStatus"] = version["LegalHold"];
  }
}

// Applies the response-* query overrides of GetObject.
void ApplyResponseOverrides(const Document& input, Document& output) {
  static const std::pair<const char*, const char*> kOverrides[] = {
      {"ResponseCacheControl", "CacheControl"},
      {"ResponseContentDisposition", "ContentDisposition"},
      {"ResponseContentEncoding", "ContentEncoding"},
      {"ResponseContentLanguage", "ContentLanguage"},
      {"ResponseContentType", "ContentType"},
  };
  for (const auto& [query_member, header_member] : kOverrides) {
    std::string value = InputString(input, query_member);
    if (!value.empty()) output[header_member] = value;
  }
  if (input.contains("ResponseExpires") &&
      input["ResponseExpires"].is_number()) {
    output["Expires"] = FormatHttpDate(
        static_cast<int64_t>(input["ResponseExpires"].get<double>()));
  }
}

// Sets the Expiration output member (x-amz-expiration) when a lifecycle
// rule of the bucket expires `version`.
void AddExpiration(const Document& bucket, std::string_view key,
                   const Document& version, Document& output) {
  std::optional<std::string> expiration =
      ExpirationHeader(bucket, key, version);
  if (expiration.has_value()) output["Expiration"] = *expiration;
}

Reply ReadObject(S3State& state, RequestContext& ctx, Document& input,
                 bool head) {
  std::string bucket_name = InputString(input, "Bucket");
  std::string key = InputString(input, "Key");
  Result<Document> bucket = LoadBucket(state, bucket_name);
  if (!bucket.ok()) return bucket.error();
  // S3 honours the response-* overrides on signed requests only.
  if (ctx.caller_arn.empty()) {
    for (const char* member :
         {"ResponseCacheControl", "ResponseContentDisposition",
          "ResponseContentEncoding", "ResponseContentLanguage",
          "ResponseContentType", "ResponseExpires"}) {
      if (input.contains(member)) {
        return InvalidRequest(
            "Request specific response headers cannot be used for anonymous "
            "GET requests.");
      }
    }
  }

  Result<Document> found = [&]() -> Result<Document> {
    std::lock_guard<std::mutex> lock(state.mutex());
    return ResolveReadVersion(state, bucket.value(), key,
                              InputString(input, "VersionId"),
                              head ? "HEAD" : "GET");
  }();
  if (!found.ok()) return found.error();
  const Document& version = found.value();

  // S3 checks the part number before the encryption parameters.
  uint64_t size = version.value("Size", uint64_t{0});
  Document part_sizes = version.value("PartSizes", Document::array({size}));
  int part_number = input.value("PartNumber", 0);
  if (input.contains("PartNumber") &&
      (part_number < 1 || part_number > static_cast<int>(part_sizes.size()))) {
    if (part_number >= 1 && part_number <= kMaxPartNumber) {
      AwsError error =
          InvalidRequest("The requested partnumber is not satisfiable");
      error.code = "InvalidPart";
      error.fields.emplace_back("PartNumberRequested",
                                std::to_string(part_number));
      error.fields.emplace_back("ActualPartCount",
                                std::to_string(part_sizes.size()));
      return error;
    }
    return InvalidArgument(
        "Part number must be an integer between 1 and 10000, inclusive",
        "partNumber", std::to_string(part_number));
  }
  Status encryption_headers = RejectEncryptionHeadersOnRead(ctx);
  if (!encryption_headers.ok()) return encryption_headers.error();
  Status key_status = CheckReadCustomerKey(input, "", version);
  if (!key_status.ok()) return key_status.error();
  Status conditions = CheckReadPreconditions(input, version);
  if (!conditions.ok()) {
    AwsError error = conditions.error();
    if (error.http_status == 304) {
      error.headers.emplace_back("ETag", InputString(version, "ETag"));
      error.headers.emplace_back(
          "Last-Modified",
          FormatHttpDate(
              static_cast<int64_t>(version.value("LastModified", 0.0))));
    }
    return error;
  }

  Document output = Document::object();
  AddObjectHeaders(version, bucket.value(), /*include_tag_count=*/true, output);

  // Select the bytes: one part, one range, or the whole object.
  std::optional<ByteRange> range;
  if (input.contains("PartNumber")) {
    uint64_t offset = 0;
    for (int i = 0; i + 1 < part_number; ++i) {
      offset += part_sizes[i].get<uint64_t>();
    }
    uint64_t part_size = part_sizes[part_number - 1].get<uint64_t>();
    if (part_size > 0) range = ByteRange{offset, offset + part_size - 1};
    output["PartsCount"] = part_sizes.size();
    // A part read returns that part's checksum, with the object's type.
    if (InputString(input, "ChecksumMode") == "ENABLED") {
      const Document& part_checksums =
          version.value("PartChecksums", Document::array());
      std::optional<platform::ChecksumAlgorithm> algorithm =
          platform::ParseChecksumAlgorithm(
              InputString(version, "ChecksumAlgorithm"));
      if (!version.contains("PartSizes")) {
        AddChecksumMembers(version, output);
      } else if (algorithm.has_value() &&
                 part_number <= static_cast<int>(part_checksums.size())) {
        output[std::string(platform::ChecksumMemberName(*algorithm))] =
            part_checksums[part_number - 1];
        output["ChecksumType"] = version.value("ChecksumType", "FULL_OBJECT");
      }
    }
  } else if (!InputString(input, "Range").empty()) {
    Result<std::optional<ByteRange>> parsed =
        ParseRange(InputString(input, "Range"), size);
    if (!parsed.ok()) return parsed.error();
    range = parsed.value();
  }

  if (range.has_value()) {
    uint64_t length = range->last - range->first + 1;
    output["ContentRange"] =
        fmt::format("bytes {}-{}/{}", range->first, range->last, size);
    output["ContentLength"] = length;
    ctx.response_status = 206;
    if (!head) {
      ctx.response_file = FileBody{
          state.store().BlobPath(InputString(version, "Blob")), range->first,
          length};
    }
  } else {
    output["ContentLength"] = size;
    if (InputString(input, "ChecksumMode") == "ENABLED") {
      AddChecksumMembers(version, output);
    }
    if (!head) {
      ctx.response_file = FileBody{
          state.store().BlobPath(InputString(version, "Blob")), 0, size};
    }
  }
  // Lifecycle expiration applies to the current version only.
  if (InputString(input, "VersionId").empty()) {
    AddExpiration(bucket.value(), key, version, output);
  }
  ApplyResponseOverrides(input, output);
  return output;
}

}  // namespace

Result<std::string> CommitNewVersion(S3State& state, const Document& bucket,
                                     std::string_view key, Document version) {
  std::string bucket_name = InputString(bucket, "Name");
  Result<std::optional<Document>> existing =
      state.store().GetObjectRow(bucket_name, key);
  if (!existing.ok()) return existing.error();
  Document row = existing.value().has_value()
                     ? std::move(*existing.value())
                     : Document{{"Versions", Document::array()}};

  std::vector<std::string> replaced_blobs;
  std::string version_id;
  if (VersioningStatus(bucket) == "Enabled") {
    version_id = NewVersionId();
  } else {
    version_id = "null";
    Document kept = Document::array();
    for (Document& old : row["Versions"]) {
      if (InputString(old, "VersionId") == "null") {
        replaced_blobs.push_back(InputString(old, "Blob"));
      } else {
        kept.push_back(std::move(old));
      }
    }
    row["Versions"] = std::move(kept);
  }
  version["VersionId"] = version_id;
  row["Versions"].insert(row["Versions"].begin(), std::move(version));

  Status stored = state.store().PutObjectRow(bucket_name, key, row);
  if (!stored.ok()) return stored.error();
  state.RemoveBlobsLater(replaced_blobs);
  return version_id;
}

Result<DeleteOutcome> DeleteObjectVersion(S3State& state,
                                          const Document& bucket,
                                          std::string_view key,
                                          std::string_view version_id,
                                          bool bypass_governance,
                                          const std::string& account_id) {
  std::string bucket_name = InputString(bucket, "Name");
  std::string versioning = VersioningStatus(bucket);
  if (!version_id.empty() && !IsValidVersionId(version_id)) {
    return InvalidArgument("Invalid version id specified", "versionId",
                           version_id);
  }
  Result<std::optional<Document>> existing =
      state.store().GetObjectRow(bucket_name, key);
  if (!existing.ok()) return existing.error();
  Document row = existing.value().has_value()
                     ? std::move(*existing.value())
                     : Document{{"Versions", Document::array()}};
  DeleteOutcome outcome;

  if (version_id.empty() && !versioning.empty()) {
    // Versioned delete: add a delete marker (S3 adds one even when the key
    // has no versions). Suspended buckets replace the "null" version.
    std::vector<std::string> replaced_blobs;
    std::string marker_id = versioning == "Enabled" ? NewVersionId() : "null";
    if (marker_id == "null") {
      Document kept = Document::array();
      for (Document& old : row["Versions"]) {
        if (InputString(old, "VersionId") == "null") {
          replaced_blobs.push_back(InputString(old, "Blob"));
        } else {
          kept.push_back(std::move(old));
        }
      }
      row["Versions"] = std::move(kept);
    }
    Document marker = {{"VersionId", marker_id},
                       {"DeleteMarker", true},
                       {"LastModified", state.Now()},
                       {"Owner", account_id}};
    row["Versions"].insert(row["Versions"].begin(), std::move(marker));
    Status stored = state.store().PutObjectRow(bucket_name, key, row);
    if (!stored.ok()) return stored.error();
    state.RemoveBlobsLater(replaced_blobs);
    outcome.version_id = marker_id;
    outcome.delete_marker = true;
    return outcome;
  }

  std::string target = version_id.empty() ? "null" : std::string(version_id);
  Document* version = FindVersion(row, target);
  if (version == nullptr) return outcome;

  // Object lock: a legal hold or an unexpired retention period protects the
  // version; governance mode yields to x-amz-bypass-governance-retention.
  if (version->value("LegalHold", "") == "ON") {
    return AccessDenied("Access Denied because object protected by object lock.");
  }
  if (version->contains("Retention")) {
    const Document& retention = (*version)["Retention"];
    bool unexpired =
        retention.value("RetainUntilDate", 0.0) > state.Now();
    bool governance = retention.value("Mode", "") == "GOVERNANCE";
    if (unexpired && !(governance && bypass_governance)) {
      return AccessDenied(
          "Access Denied because object protected by object lock.");
    }
  }

  outcome.version_id = versioning.empty() ? "" : target;
  outcome.delete_marker = version->value("DeleteMarker", false);
  std::string blob = InputString(*version, "Blob");
  Document kept = Document::array();
  for (Document& old : row["Versions"]) {
    if (InputString(old, "VersionId") != target) kept.push_back(std::move(old));
  }
  row["Versions"] = std::move(kept);
  Status stored = state.store().PutObjectRow(bucket_name, key, row);
  if (!stored.ok()) return stored.error();
  state.RemoveBlobLater(blob);
  return outcome;
}

Reply PutObject(S3State& state, RequestContext& ctx, Document& input) {
  std::string bucket_name = InputString(input, "Bucket");
  std::string key = InputString(input, "Key");
  Result<Document> bucket = LoadBucket(state, bucket_name);
  if (!bucket.ok()) return bucket.error();
  Status valid_key = ValidateKey(key);
  if (!valid_key.ok()) return valid_key.error();

  Result<ChecksumPlan> plan = PlanChecksums(
      input, ctx, platform::ChecksumAlgorithm::kCrc64Nvme);
  if (!plan.ok()) return plan.error();

  Document version = Document::object();
  Status attributes =
      ApplyWriteAttributes(state, ctx, input, bucket.value(), version);
  if (!attributes.ok()) return attributes.error();

  // Hash the body once, then move it into the blob directory.
  Result<BodyFile> body = TakeRequestBody(state, ctx);
  if (!body.ok()) return body.error();
  Result<FileDigests> digests =
      HashFile(body.value().path, 0, body.value().size, plan.value().compute);
  if (!digests.ok()) {
    ::unlink(body.value().path.c_str());
    return digests.error();
  }
  Status verified = VerifyChecksums(plan.value(), digests.value());
  if (!verified.ok()) {
    ::unlink(body.value().path.c_str());
    return verified.error();
  }
  Result<std::string> blob = state.store().AdoptFile(body.value().path);
  if (!blob.ok()) return blob.error();

  version["Blob"] = blob.value();
  version["Size"] = body.value().size;
  version["ETag"] = NewEtag(version, digests.value().md5);
  version["LastModified"] = state.Now();
  version["Owner"] = ObjectOwnerFor(bucket.value(), ctx, input);
  if (plan.value().stored.has_value()) {
    platform::ChecksumAlgorithm algorithm = *plan.value().stored;
    version["ChecksumAlgorithm"] =
        std::string(platform::ChecksumAlgorithmName(algorithm));
    version["Checksum"] =
        platform::Base64Encode(*digests.value().Find(algorithm));
    version["ChecksumType"] = "FULL_OBJECT";
  }

  Result<std::string> version_id = [&]() -> Result<std::string> {
    std::lock_guard<std::mutex> lock(state.mutex());
    Result<std::optional<Document>> row =
        state.store().GetObjectRow(bucket_name, key);
    if (!row.ok()) return row.error();
    Status conditions =
        CheckWritePreconditions(input, CurrentVersion(row.value()), key);
    if (!conditions.ok()) return conditions.error();
    return CommitNewVersion(state, bucket.value(), key, version);
  }();
  if (!version_id.ok()) {
    state.store().RemoveBlob(blob.value());
    return version_id.error();
  }
  state.PurgeRemovedBlobs();

  Document output = {{"ETag", version["ETag"]}};
  if (!VersioningStatus(bucket.value()).empty() &&
      version_id.value() != "null") {
    output["VersionId"] = version_id.value();
  }
  AddChecksumMembers(version, output);
  CopyEncryptionMembers(version, output);
  // Writes echo the encryption context; reads never return it.
  if (version.contains("SSEKMSEncryptionContext")) {
    output["SSEKMSEncryptionContext"] = version["SSEKMSEncryptionContext"];
  }
  AddExpiration(bucket.value(), key, version, output);
  PublishObjectEvent(state, &ctx, bucket.value(),
                     {"ObjectCreated:Put", key, version["Size"].get<uint64_t>(),
                      version["ETag"].get<std::string>(), version_id.value()});
  return output;
}

Reply GetObject(S3State& state, RequestContext& ctx, Document& input) {
  return ReadObject(state, ctx, input, /*head=*/false);
}

Reply HeadObject(S3State& state, RequestContext& ctx, Document& input) {
  return ReadObject(state, ctx, input, /*head=*/true);
}

Reply DeleteObject(S3State& state, RequestContext& ctx, Document& input) {
  std::string bucket_name = InputString(input, "Bucket");
  std::string key = InputString(input, "Key");
  Result<Document> bucket = LoadBucket(state, bucket_name);
  if (!bucket.ok()) return bucket.error();

  bool bypass = input.value("BypassGovernanceRetention", false);
  Result<DeleteOutcome> outcome = [&]() -> Result<DeleteOutcome> {
    std::lock_guard<std::mutex> lock(state.mutex());
    Result<std::optional<Document>> row =
        state.store().GetObjectRow(bucket_name, key);
    if (!row.ok()) return row.error();
    if (!InputString(input, "IfMatch").empty()) {
      const Document* current = CurrentVersion(row.value());
      if (current == nullptr) return NoSuchKey(key);
      if (!EtagListMatches(InputString(input, "IfMatch"),
                           InputString(*current, "ETag"))) {
        return PreconditionFailed("If-Match");
      }
    }
    return DeleteObjectVersion(state, bucket.value(), key,
                               InputString(input, "VersionId"), bypass,
                               ctx.account_id);
  }();
  if (!outcome.ok()) return outcome.error();
  state.PurgeRemovedBlobs();

  Document output = Document::object();
  if (!outcome.value().version_id.empty()) {
    output["VersionId"] = outcome.value().version_id;
  }
  if (outcome.value().delete_marker) output["DeleteMarker"] = true;
  PublishObjectEvent(state, &ctx, bucket.value(), DeleteEvent(key, outcome.value()));
  return output;
}

Reply DeleteObjects(S3State& state, RequestContext& ctx, Document& input) {
  std::string bucket_name = InputString(input, "Bucket");
  Result<Document> bucket = LoadBucket(state, bucket_name);
  if (!bucket.ok()) return bucket.error();
  const Document& request = input.value("Delete", Document::object());
  const Document& objects = request.value("Objects", Document::array());
  if (objects.empty() || objects.size() > 1000) return MalformedXml();
  bool quiet = request.value("Quiet", false);
  bool bypass = input.value("BypassGovernanceRetention", false);

  Document deleted = Document::array();
  Document errors = Document::array();
  std::vector<ObjectEvent> events;
  {
    std::lock_guard<std::mutex> lock(state.mutex());
    for (const Document& object : objects) {
      std::string key = InputString(object, "Key");
      std::string version_id = InputString(object, "VersionId");
      Result<DeleteOutcome> outcome = DeleteObjectVersion(
          state, bucket.value(), key, version_id, bypass, ctx.account_id);
      if (!outcome.ok()) {
        Document error = {{"Key", key},
                          {"Code", outcome.error().code},
                          {"Message", outcome.error().message}};
        if (!version_id.empty()) error["VersionId"] = version_id;
        errors.push_back(std::move(error));
        continue;
      }
      events.push_back(DeleteEvent(key, outcome.value()));
      if (quiet) continue;
      Document entry = {{"Key", key}};
      if (!version_id.empty()) entry["VersionId"] = version_id;
      if (outcome.value().delete_marker) {
        entry["DeleteMarker"] = true;
        entry["DeleteMarkerVersionId"] = outcome.value().version_id;
      }
      deleted.push_back(std::move(entry));
    }
  }
  state.PurgeRemovedBlobs();
  for (const ObjectEvent& event : events) {
    PublishObjectEvent(state, &ctx, bucket.value(), event);
  }

  Document output = Document::object();
  if (!deleted.empty()) output["Deleted"] = std::move(deleted);
  if (!errors.empty()) output["Errors"] = std::move(errors);
  return output;
}

namespace {

struct CopySource {
  std::string bucket;
  std::string key;
  std::string version_id;
};

// Parses x-amz-copy-source: "bucket/key" or "/bucket/key", percent-encoded,
// with an optional "?versionId=...".
Result<CopySource> ParseCopySource(std::string_view header) {
  std::string_view text = header;
  CopySource source;
  size_t question = text.find('?');
  if (question != std::string_view::npos) {
    for (auto& [name, value] :
         platform::ParseQueryString(text.substr(question + 1))) {
      if (name == "versionId") source.version_id = value;
    }
    text = text.substr(0, question);
  }
  std::string decoded = platform::PercentDecode(text);
  if (!decoded.empty() && decoded.front() == '/') decoded.erase(0, 1);
  size_t slash = decoded.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == decoded.size()) {
    return InvalidArgument("Invalid copy source object key",
                           "x-amz-copy-source", header);
  }
  source.bucket = decoded.substr(0, slash);
  source.key = decoded.substr(slash + 1);
  return source;
}

}  // namespace

Result<Document> LoadCopySource(S3State& state, const Document& input,
                                std::string* source_version_id,
                                bool* source_versioned) {
  Result<CopySource> source = ParseCopySource(InputString(input, "CopySource"));
  if (!source.ok()) return source.error();
  Result<Document> source_bucket = LoadBucket(state, source.value().bucket);
  if (!source_bucket.ok()) return source_bucket.error();

  Result<Document> version = [&]() -> Result<Document> {
    std::lock_guard<std::mutex> lock(state.mutex());
    return ResolveReadVersion(state, source_bucket.value(), source.value().key,
                              source.value().version_id, "GET");
  }();
  if (!version.ok()) {
    if (version.error().http_status == 405) {
      return InvalidRequest(
          "The source of a copy request may not specifically refer to a "
          "delete marker by version id.");
    }
    return version.error();
  }
  Status key_status =
      CheckReadCustomerKey(input, "CopySource", version.value());
  if (!key_status.ok()) return key_status.error();
  Status conditions = CheckCopySourcePreconditions(input, version.value());
  if (!conditions.ok()) return conditions.error();
  *source_version_id = InputString(version.value(), "VersionId");
  *source_versioned = !VersioningStatus(source_bucket.value()).empty();
  version.value()["SourceBucket"] = source.value().bucket;
  version.value()["SourceKey"] = source.value().key;
  return version;
}

Reply CopyObject(S3State& state, RequestContext& ctx, Document& input) {
  std::string bucket_name = InputString(input, "Bucket");
  std::string key = InputString(input, "Key");
  Result<Document> bucket = LoadBucket(state, bucket_name);
  if (!bucket.ok()) return bucket.error();
  Status valid_key = ValidateKey(key);
  if (!valid_key.ok()) return valid_key.error();

  std::string source_version_id;
  bool source_versioned = false;
  Result<Document> source =
      LoadCopySource(state, input, &source_version_id, &source_versioned);
  if (!source.ok()) return source.error();
  const Document& source_version = source.value();

  bool replace_metadata = InputString(input, "MetadataDirective") == "REPLACE";
  bool replace_tags = InputString(input, "TaggingDirective") == "REPLACE";
  bool same_object = InputString(source_version, "SourceBucket") ==
                         bucket_name &&
                     InputString(source_version, "SourceKey") == key;
  if (same_object && !replace_metadata &&
      InputString(input, "StorageClass").empty() &&
      InputString(input, "WebsiteRedirectLocation").empty() &&
      !input.contains("ServerSideEncryption") &&
      !input.contains("SSECustomerAlgorithm") &&
      !input.contains("SSEKMSKeyId") &&
      // S3 allows an in-place copy when the bucket has default encryption
      // configured, since the copy then takes on that configuration.
      !(bucket.value().contains("Config") &&
        bucket.value()["Config"].contains("Encryption"))) {
    return InvalidRequest(
        "This copy request is illegal because it is trying to copy an object "
        "to itself without changing the object's metadata, storage class, "
        "website redirect location or encryption attributes.");
  }

  // Attributes: the request's when REPLACE, the source's when COPY (content
  // headers and metadata travel together, as in S3).
  Document attributes_input = input;
  if (!replace_metadata) {
    for (const char* member : kContentMembers) {
      attributes_input.erase(member);
      if (source_version.contains(member)) {
        attributes_input[member] = source_version[member];
      }
    }
    attributes_input["Metadata"] =
        source_version.value("Metadata", Document::object());
  }
  attributes_input.erase("Tagging");
  Document version = Document::object();
  Status attributes =
      ApplyWriteAttributes(state, ctx, attributes_input, bucket.value(), version);
  if (!attributes.ok()) return attributes.error();
  if (replace_tags) {
    std::string tagging = InputString(input, "Tagging");
    if (!tagging.empty()) {
      Result<Document> tag_set = ParseTaggingHeader(tagging);
      if (!tag_set.ok()) return tag_set.error();
      version["Tags"] = std::move(tag_set.value());
    }
  } else if (source_version.contains("Tags")) {
    version["Tags"] = source_version["Tags"];
  }

  Result<std::string> blob =
      state.store().CloneBlob(InputString(source_version, "Blob"));
  if (!blob.ok()) return blob.error();
  uint64_t size = source_version.value("Size", uint64_t{0});
  version["Blob"] = blob.value();
  version["Size"] = size;
  version["LastModified"] = state.Now();
  version["Owner"] = ObjectOwnerFor(bucket.value(), ctx, input);
  version["ETag"] = source_version["ETag"];
  // The copy's ETag follows its own encryption: random under SSE-C and
  // SSE-KMS, and the MD5 of the data when the source's was random.
  if (!EtagIsMd5(version)) {
    version["ETag"] = NewEtag(version, InputString(source_version, "ETag"));
  } else if (!EtagIsMd5(source_version) &&
             !source_version.contains("PartSizes")) {
    Result<FileDigests> digests =
        HashFile(state.store().BlobPath(blob.value()), 0, size, {});
    if (!digests.ok()) {
      state.store().RemoveBlob(blob.value());
      return digests.error();
    }
    version["ETag"] = QuoteEtag(platform::HexEncode(digests.value().md5));
  }
  if (source_version.contains("PartSizes")) {
    version["PartSizes"] = source_version["PartSizes"];
  }

  // Checksum: recompute when the request names another algorithm, or when
  // the source has a composite checksum that cannot describe a copy.
  std::string requested = InputString(input, "ChecksumAlgorithm");
  std::string source_algorithm = InputString(source_version, "ChecksumAlgorithm");
  bool composite = InputString(source_version, "ChecksumType") == "COMPOSITE";
  if ((!requested.empty() && requested != source_algorithm) || composite ||
      source_algorithm.empty()) {
    std::string algorithm_name =
        !requested.empty()
            ? requested
            : (!source_algorithm.empty() ? source_algorithm : "CRC64NVME");
    std::optional<platform::ChecksumAlgorithm> algorithm =
        platform::ParseChecksumAlgorithm(algorithm_name);
    if (algorithm.has_value()) {
      Result<FileDigests> digests = HashFile(
          state.store().BlobPath(blob.value()), 0, size, {*algorithm});
      if (!digests.ok()) {
        state.store().RemoveBlob(blob.value());
        return digests.error();
      }
      version["ChecksumAlgorithm"] =
          std::string(platform::ChecksumAlgorithmName(*algorithm));
      version["Checksum"] =
          platform::Base64Encode(*digests.value().Find(*algorithm));
      version["ChecksumType"] = "FULL_OBJECT";
    }
  } else {
    version["ChecksumAlgorithm"] = source_algorithm;
    version["Checksum"] = source_version["Checksum"];
    version["ChecksumType"] = source_version.value("ChecksumType", "FULL_OBJECT");
  }

  Result<std::string> version_id = [&]() -> Result<std::string> {
    std::lock_guard<std::mutex> lock(state.mutex());
    return CommitNewVersion(state, bucket.value(), key, version);
  }();
  if (!version_id.ok()) {
    state.store().RemoveBlob(blob.value());
    return version_id.error();
  }
  state.PurgeRemovedBlobs();

  Document result = {{"ETag", version["ETag"]},
                     {"LastModified", version["LastModified"]}};
  AddChecksumMembers(version, result);
  result.erase("ChecksumType");
  Document output = {{"CopyObjectResult", std::move(result)}};
  if (!VersioningStatus(bucket.value()).empty() &&
      version_id.value() != "null") {
    output["VersionId"] = version_id.value();
  }
  if (source_versioned) output["CopySourceVersionId"] = source_version_id;
  CopyEncryptionMembers(version, output);
  if (version.contains("SSEKMSEncryptionContext")) {
    output["SSEKMSEncryptionContext"] = version["SSEKMSEncryptionContext"];
  }
  AddExpiration(bucket.value(), key, version, output);
  PublishObjectEvent(state, &ctx, bucket.value(),
                     {"ObjectCreated:Copy", key, version["Size"].get<uint64_t>(),
                      version["ETag"].get<std::string>(), version_id.value()});
  return output;
}

Reply GetObjectAttributes(S3State& state, RequestContext& ctx,
                          Document& input) {
  (void)ctx;
  std::string bucket_name = InputString(input, "Bucket");
  std::string key = InputString(input, "Key");
  Result<Document> bucket = LoadBucket(state, bucket_name);
  if (!bucket.ok()) return bucket.error();
  Result<Document> found = [&]() -> Result<Document> {
    std::lock_guard<std::mutex> lock(state.mutex());
    return ResolveReadVersion(state, bucket.value(), key,
                              InputString(input, "VersionId"), "GET");
  }();
  if (!found.ok()) return found.error();
  const Document& version = found.value();
  Status key_status = CheckReadCustomerKey(input, "", version);
  if (!key_status.ok()) return key_status.error();

  std::set<std::string> wanted;
  for (const Document& attribute :
       input.value("ObjectAttributes", Document::array())) {
    if (attribute.is_string()) wanted.insert(attribute.get<std::string>());
  }
  Document output = {{"LastModified", std::floor(version.value("LastModified", 0.0))}};
  if (!VersioningStatus(bucket.value()).empty()) {
    output["VersionId"] = InputString(version, "VersionId");
  }
  if (wanted.count("ETag")) {
    // GetObjectAttributes returns the ETag without quotes.
    std::string etag = InputString(version, "ETag");
    if (etag.size() >= 2 && etag.front() == '"') {
      etag = etag.substr(1, etag.size() - 2);
    }
    output["ETag"] = etag;
  }
  if (wanted.count("Checksum")) {
    Document checksum = Document::object();
    AddChecksumMembers(version, checksum);
    if (!checksum.empty()) output["Checksum"] = std::move(checksum);
  }
  if (wanted.count("ObjectParts") && version.contains("PartSizes")) {
    const Document& sizes = version["PartSizes"];
    Document checksums = version.value("PartChecksums", Document::array());
    std::optional<platform::ChecksumAlgorithm> algorithm =
        platform::ParseChecksumAlgorithm(InputString(version, "ChecksumAlgorithm"));
    int64_t marker = input.value("PartNumberMarker", int64_t{0});
    int64_t max_parts = input.value("MaxParts", int64_t{1000});
    Document parts = Document::array();
    bool truncated = false;
    int64_t last_number = marker;
    for (size_t i = 0; i < sizes.size(); ++i) {
      int64_t number = static_cast<int64_t>(i) + 1;
      if (number <= marker) continue;
      if (static_cast<int64_t>(parts.size()) >= max_parts) {
        truncated = true;
        break;
      }
      Document part = {{"PartNumber", number}, {"Size", sizes[i]}};
      if (algorithm.has_value() && i < checksums.size()) {
        part[std::string(platform::ChecksumMemberName(*algorithm))] =
            checksums[i];
      }
      parts.push_back(std::move(part));
      last_number = number;
    }
    Document object_parts = {{"TotalPartsCount", sizes.size()},
                             {"PartNumberMarker", marker},
                             {"NextPartNumberMarker", last_number},
                             {"MaxParts", max_parts},
                             {"IsTruncated", truncated},
                             {"Parts", std::move(parts)}};
    output["ObjectParts"] = std::move(object_parts);
  }
  if (wanted.count("StorageClass")) {
    output["StorageClass"] = version.value("StorageClass", "STANDARD");
  }
  if (wanted.count("ObjectSize")) {
    output["ObjectSize"] = version.value("Size", uint64_t{0});
  }
  return output;
}

}  // namespace brume::s3
