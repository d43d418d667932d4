// Multipart uploads: CreateMultipartUpload, UploadPart, UploadPartCopy,
// CompleteMultipartUpload, AbortMultipartUpload, ListParts and
// ListMultipartUploads.

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>

#include <fmt/format.h>

#include "platform/ids.h"
#include "platform/strings.h"
#include "services/s3/access.h"
#include "services/s3/errors.h"
#include "services/s3/handlers.h"
#include "services/s3/lifecycle.h"
#include "services/s3/object_common.h"
#include "services/s3/notifications.h"

namespace brume::s3 {
namespace {

using platform::ChecksumAlgorithm;

AwsError InvalidPartNumber(int64_t part_number) {
  return InvalidArgument(
      "Part number must be an integer between 1 and 10000, inclusive",
      "partNumber", std::to_string(part_number));
}

AwsError InvalidPart(std::string_view upload_id, int part_number,
                     std::string_view etag) {
  AwsError error;
  error.code = "InvalidPart";
  error.message =
      "One or more of the specified parts could not be found.  The part may "
      "not have been uploaded, or the specified entity tag may not match the "
      "part's entity tag.";
  error.http_status = 400;
  error.fields.emplace_back("UploadId", std::string(upload_id));
  error.fields.emplace_back("PartNumber", std::to_string(part_number));
  error.fields.emplace_back("ETag", std::string(etag));
  return error;
}

std::string HexDecode(std::string_view hex) {
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(
        std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return bytes;
}

std::string StripQuotes(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return std::string(etag);
}

// Loads an upload of `bucket` and checks that it belongs to `key`.
Result<Document> LoadUpload(S3State& state, std::string_view bucket,
                            std::string_view key, std::string_view upload_id) {
  Result<std::optional<Document>> upload =
      state.store().GetUpload(bucket, upload_id);
  if (!upload.ok()) return upload.error();
  if (!upload.value().has_value() ||
      InputString(*upload.value(), "Key") != key ||
      upload.value()->value("Completed", false)) {
    return NoSuchUpload(upload_id);
  }
  return std::move(*upload.value());
}

// Returns the response of an upload that was already completed, because S3
// returns the same result to a repeated CompleteMultipartUpload.
std::optional<Document> CompletedOutput(S3State& state, std::string_view bucket,
                                        std::string_view key,
                                        std::string_view upload_id) {
  Result<std::optional<Document>> upload =
      state.store().GetUpload(bucket, upload_id);
  if (!upload.ok() || !upload.value().has_value()) return std::nullopt;
  const Document& record = *upload.value();
  if (!record.value("Completed", false) || InputString(record, "Key") != key) {
    return std::nullopt;
  }
  return record["Output"];
}

// The algorithm an upload's parts are checked with: the upload's own, or
// CRC64NVME, from which S3 derives the default full-object checksum.
ChecksumAlgorithm PartAlgorithm(const Document& upload) {
  std::optional<ChecksumAlgorithm> algorithm =
      platform::ParseChecksumAlgorithm(InputString(upload, "ChecksumAlgorithm"));
  return algorithm.value_or(ChecksumAlgorithm::kCrc64Nvme);
}

// Stores a part whose body is the blob `blob_id`, replacing an earlier part
// with the same number.
Status StorePart(S3State& state, const Document& input, Document part) {
  std::string bucket = InputString(input, "Bucket");
  std::string key = InputString(input, "Key");
  std::string upload_id = InputString(input, "UploadId");
  int part_number = input["PartNumber"].get<int>();
  std::lock_guard<std::mutex> lock(state.mutex());
  Result<Document> upload = LoadUpload(state, bucket, key, upload_id);
  if (!upload.ok()) return upload.error();
  Result<std::optional<Document>> previous =
      state.store().GetPart(upload_id, part_number);
  if (!previous.ok()) return previous.error();
  Status stored = state.store().PutPart(upload_id, part_number, part);
  if (!stored.ok()) return stored;
  if (previous.value().has_value()) {
    state.RemoveBlobLater(InputString(*previous.value(), "Blob"));
  }
  return Status();
}

// Output checksum members of a part: only when the upload names an
// algorithm or the client sent one.
void AddPartChecksum(const Document& upload, const Document& part,
                     bool client_sent, Document& output) {
  if (upload.contains("ChecksumAlgorithm") || client_sent) {
    Document record = part;
    record.erase("ChecksumType");
    AddChecksumMembers(record, output);
  }
}

}  // namespace

Reply CreateMultipartUpload(S3State& state, RequestContext& ctx,
                            Document& input) {
  std::string bucket_name = InputString(input, "Bucket");
  std::string key = InputString(input, "Key");
  Result<Document> bucket = LoadBucket(state, bucket_name);
  if (!bucket.ok()) return bucket.error();
  Status valid_key = ValidateKey(key);
  if (!valid_key.ok()) return valid_key.error();

  // Checksum algorithm and type: COMPOSITE by default, FULL_OBJECT for
  // CRC64NVME, and FULL_OBJECT only for the CRC algorithms.
  std::string algorithm_name = InputString(input, "ChecksumAlgorithm");
  std::string type = InputString(input, "ChecksumType");
  std::optional<ChecksumAlgorithm> algorithm;
  if (!algorithm_name.empty()) {
    algorithm = platform::ParseChecksumAlgorithm(algorithm_name);
    if (!algorithm.has_value()) {
      return InvalidRequest(
          "Checksum algorithm provided is unsupported. Please try again with "
          "any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256, "
          "SHA512, MD5, XXHASH64, XXHASH3, XXHASH128]");
    }
  }
  if (!type.empty() && !algorithm.has_value()) {
    return InvalidRequest(
        "The x-amz-checksum-type header can only be used with the "
        "x-amz-checksum-algorithm header.");
  }
  if (algorithm.has_value()) {
    if (type.empty()) {
      type = *algorithm == ChecksumAlgorithm::kCrc64Nvme ? "FULL_OBJECT"
                                                         : "COMPOSITE";
    }
    if (type == "FULL_OBJECT" && !platform::IsCrcAlgorithm(*algorithm)) {
      return InvalidRequest(fmt::format(
          "The FULL_OBJECT checksum type cannot be used with the {} checksum "
          "algorithm.",
          platform::ToLower(platform::ChecksumAlgorithmName(*algorithm))));
    }
    if (type == "COMPOSITE" && *algorithm == ChecksumAlgorithm::kCrc64Nvme) {
      return InvalidRequest(
          "The COMPOSITE checksum type cannot be used with the crc64nvme "
          "checksum algorithm.");
    }
  }

  Document attributes = Document::object();
  Status applied =
      ApplyWriteAttributes(state, ctx, input, bucket.value(), attributes);
  if (!applied.ok()) return applied.error();

  std::string upload_id = platform::RandomAlnum(64);
  Document upload = {{"UploadId", upload_id},
                     {"Key", key},
                     {"Initiated", state.Now()},
                     {"Owner", ObjectOwnerFor(bucket.value(), ctx, input)},
                     {"Attributes", attributes}};
  if (algorithm.has_value()) {
    upload["ChecksumAlgorithm"] =
        std::string(platform::ChecksumAlgorithmName(*algorithm));
    upload["ChecksumType"] = type;
  }
  {
    std::lock_guard<std::mutex> lock(state.mutex());
    Status stored = state.store().PutUpload(bucket_name, upload_id, upload);
    if (!stored.ok()) return stored.error();
  }

  Document output = {{"Bucket", bucket_name}, {"Key", key},
                     {"UploadId", upload_id}};
  if (algorithm.has_value()) {
    output["ChecksumAlgorithm"] = upload["ChecksumAlgorithm"];
    output["ChecksumType"] = type;
  }
  CopyEncryptionMembers(attributes, output);
  if (attributes.contains("SSEKMSEncryptionContext")) {
    output["SSEKMSEncryptionContext"] = attributes["SSEKMSEncryptionContext"];
  }
  return output;
}

Reply UploadPart(S3State& state, RequestContext& ctx, Document& input) {
  std::string bucket_name = InputString(input, "Bucket");
  std::string key = InputString(input, "Key");
  std::string upload_id = InputString(input, "UploadId");
  int64_t part_number = input.value("PartNumber", int64_t{0});
  if (part_number < 1 || part_number > kMaxPartNumber) {
    return InvalidPartNumber(part_number);
  }
  Result<Document> bucket = LoadBucket(state, bucket_name);
  if (!bucket.ok()) return bucket.error();
  Result<Document> upload = [&]() {
    std::lock_guard<std::mutex> lock(state.mutex());
    return LoadUpload(state, bucket_name, key, upload_id);
  }();
  if (!upload.ok()) return upload.error();
  Status key_status = CheckUploadCustomerKey(
      input, upload.value()["Attributes"], /*required=*/true);
  if (!key_status.ok()) return key_status.error();

  ChecksumAlgorithm part_algorithm = PartAlgorithm(upload.value());
  Result<ChecksumPlan> plan = PlanChecksums(input, ctx, part_algorithm);
  if (!plan.ok()) return plan.error();
  bool client_sent = !plan.value().expected.empty();
  if (upload.value().contains("ChecksumAlgorithm") && client_sent &&
      plan.value().expected.front().first != part_algorithm) {
    return InvalidRequest(fmt::format(
        "Checksum Type mismatch occurred, expected checksum Type: {}, actual "
        "checksum Type: {}",
        platform::ToLower(platform::ChecksumAlgorithmName(part_algorithm)),
        platform::ToLower(platform::ChecksumAlgorithmName(
            plan.value().expected.front().first))));
  }
  std::vector<ChecksumAlgorithm> compute = plan.value().compute;
  if (std::find(compute.begin(), compute.end(), part_algorithm) ==
      compute.end()) {
    compute.push_back(part_algorithm);
  }

  Result<BodyFile> body = TakeRequestBody(state, ctx);
  if (!body.ok()) return body.error();
  Result<FileDigests> digests =
      HashFile(body.value().path, 0, body.value().size, compute);
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

  Document part = {
      {"PartNumber", part_number},
      {"ETag", NewEtag(upload.value()["Attributes"], digests.value().md5)},
      {"Size", body.value().size},
      {"Blob", blob.value()},
      {"LastModified", state.Now()},
      {"ChecksumAlgorithm",
       std::string(platform::ChecksumAlgorithmName(part_algorithm))},
      {"Checksum",
       platform::Base64Encode(*digests.value().Find(part_algorithm))},
  };
  Status stored = StorePart(state, input, part);
  if (!stored.ok()) {
    state.store().RemoveBlob(blob.value());
    return stored.error();
  }
  state.PurgeRemovedBlobs();

  Document output = {{"ETag", part["ETag"]}};
  AddPartChecksum(upload.value(), part, client_sent, output);
  CopyEncryptionMembers(upload.value()["Attributes"], output);
  return output;
}

Reply UploadPartCopy(S3State& state, RequestContext& ctx, Document& input) {
  (void)ctx;
  std::string bucket_name = InputString(input, "Bucket");
  std::string key = InputString(input, "Key");
  std::string upload_id = InputString(input, "UploadId");
  int64_t part_number = input.value("PartNumber", int64_t{0});
  if (part_number < 1 || part_number > kMaxPartNumber) {
    return InvalidPartNumber(part_number);
  }
  Result<Document> bucket = LoadBucket(state, bucket_name);
  if (!bucket.ok()) return bucket.error();
  Result<Document> upload = [&]() {
    std::lock_guard<std::mutex> lock(state.mutex());
    return LoadUpload(state, bucket_name, key, upload_id);
  }();
  if (!upload.ok()) return upload.error();
  Status key_status = CheckUploadCustomerKey(
      input, upload.value()["Attributes"], /*required=*/true);
  if (!key_status.ok()) return key_status.error();

  std::string source_version_id;
  bool source_versioned = false;
  Result<Document> source =
      LoadCopySource(state, input, &source_version_id, &source_versioned);
  if (!source.ok()) return source.error();
  uint64_t source_size = source.value().value("Size", uint64_t{0});

  // x-amz-copy-source-range must be "bytes=first-last" inside the source.
  uint64_t first = 0;
  uint64_t length = source_size;
  std::string range = InputString(input, "CopySourceRange");
  if (!range.empty()) {
    unsigned long long range_first = 0;
    unsigned long long range_last = 0;
    char trailing = 0;
    if (std::sscanf(range.c_str(), "bytes=%llu-%llu%c", &range_first,
                    &range_last, &trailing) != 2 ||
        range_last < range_first) {
      return InvalidArgument(
          "The x-amz-copy-source-range value must be of the form "
          "bytes=first-last where first and last are the zero-based offsets "
          "of the first and last bytes to copy",
          "x-amz-copy-source-range", range);
    }
    if (range_last >= source_size) {
      return InvalidRange(range, source_size);
    }
    first = range_first;
    length = range_last - range_first + 1;
  }

  ChecksumAlgorithm part_algorithm = PartAlgorithm(upload.value());
  state.store().EnsureBlobDir();
  std::string blob_id = state.store().NewBlobId();
  std::string blob_path = state.store().BlobPath(blob_id);
  Status copied = CopyFileRange(
      state.store().BlobPath(InputString(source.value(), "Blob")), first,
      length, blob_path);
  if (!copied.ok()) {
    state.store().RemoveBlob(blob_id);
    return copied.error();
  }
  Result<FileDigests> digests = HashFile(blob_path, 0, length, {part_algorithm});
  if (!digests.ok()) {
    state.store().RemoveBlob(blob_id);
    return digests.error();
  }

  Document part = {
      {"PartNumber", part_number},
      {"ETag", NewEtag(upload.value()["Attributes"], digests.value().md5)},
      {"Size", length},
      {"Blob", blob_id},
      {"LastModified", state.Now()},
      {"ChecksumAlgorithm",
       std::string(platform::ChecksumAlgorithmName(part_algorithm))},
      {"Checksum",
       platform::Base64Encode(*digests.value().Find(part_algorithm))},
  };
  Status stored = StorePart(state, input, part);
  if (!stored.ok()) {
    state.store().RemoveBlob(blob_id);
    return stored.error();
  }
  state.PurgeRemovedBlobs();

  Document result = {{"ETag", part["ETag"]},
                     {"LastModified", part["LastModified"]}};
  AddPartChecksum(upload.value(), part, false, result);
  Document output = {{"CopyPartResult", std::move(result)}};
  if (source_versioned) output["CopySourceVersionId"] = source_version_id;
  CopyEncryptionMembers(upload.value()["Attributes"], output);
  return output;
}

Reply CompleteMultipartUpload(S3State& state, RequestContext& ctx,
                              Document& input) {
  std::string bucket_name = InputString(input, "Bucket");
  std::string key = InputString(input, "Key");
  std::string upload_id = InputString(input, "UploadId");
  Result<Document> bucket = LoadBucket(state, bucket_name);
  if (!bucket.ok()) return bucket.error();

  std::optional<Document> repeated;
  Result<Document> upload = [&]() {
    std::lock_guard<std::mutex> lock(state.mutex());
    repeated = CompletedOutput(state, bucket_name, key, upload_id);
    return LoadUpload(state, bucket_name, key, upload_id);
  }();
  if (repeated.has_value()) return *repeated;
  if (!upload.ok()) return upload.error();
  // S3 needs the SSE-C key on Complete only for uploads created with a
  // checksum algorithm; a key that is sent must still be the right one.
  Status key_status = CheckUploadCustomerKey(
      input, upload.value()["Attributes"],
      /*required=*/upload.value().contains("ChecksumAlgorithm"));
  if (!key_status.ok()) return key_status.error();
  Result<std::vector<Document>> stored_parts =
      state.store().ListParts(upload_id);
  if (!stored_parts.ok()) return stored_parts.error();
  std::map<int, const Document*> parts_by_number;
  for (const Document& part : stored_parts.value()) {
    parts_by_number[part.value("PartNumber", 0)] = &part;
  }

  // Validate the requested part list: ascending numbers, existing parts with
  // matching ETags, and every part but the last at least 5 MiB.
  const Document& requested =
      input.value("MultipartUpload", Document::object())
          .value("Parts", Document::array());
  if (requested.empty()) return MalformedXml();
  std::vector<const Document*> chosen;
  int previous_number = 0;
  for (const Document& entry : requested) {
    int number = entry.value("PartNumber", 0);
    if (number <= previous_number) {
      AwsError error;
      error.code = "InvalidPartOrder";
      error.message =
          "The list of parts was not in ascending order. Parts must be "
          "ordered by part number.";
      error.http_status = 400;
      error.fields.emplace_back("UploadId", upload_id);
      return error;
    }
    previous_number = number;
    auto found = parts_by_number.find(number);
    std::string etag = InputString(entry, "ETag");
    if (found == parts_by_number.end() ||
        StripQuotes(etag) != StripQuotes(InputString(*found->second, "ETag"))) {
      return InvalidPart(upload_id, number, etag);
    }
    std::string member(platform::ChecksumMemberName(
        PartAlgorithm(upload.value())));
    std::string sent_checksum = InputString(entry, member);
    if (!sent_checksum.empty() &&
        sent_checksum != InputString(*found->second, "Checksum")) {
      return InvalidPart(upload_id, number, etag);
    }
    chosen.push_back(found->second);
  }
  uint64_t total_size = 0;
  for (size_t i = 0; i < chosen.size(); ++i) {
    uint64_t size = chosen[i]->value("Size", uint64_t{0});
    total_size += size;
    if (i + 1 < chosen.size() && size < kMinPartSize) {
      AwsError error;
      error.code = "EntityTooSmall";
      error.message =
          "Your proposed upload is smaller than the minimum allowed size";
      error.http_status = 400;
      error.fields.emplace_back("ProposedSize", std::to_string(size));
      error.fields.emplace_back("MinSizeAllowed", std::to_string(kMinPartSize));
      error.fields.emplace_back("PartNumber",
                                std::to_string(chosen[i]->value("PartNumber", 0)));
      error.fields.emplace_back("ETag", InputString(*chosen[i], "ETag"));
      return error;
    }
  }
  if (input.contains("MpuObjectSize") &&
      input["MpuObjectSize"].get<uint64_t>() != total_size) {
    return InvalidRequest(fmt::format(
        "The provided 'x-amz-mp-object-size' header value {} does not match "
        "what was computed: {}",
        input["MpuObjectSize"].get<uint64_t>(), total_size));
  }

  // ETag and checksum of the whole object.
  std::vector<std::string> part_md5s;
  std::vector<std::string> part_raw_checksums;
  std::vector<platform::PartChecksum> part_checksums;
  Document part_sizes = Document::array();
  ChecksumAlgorithm algorithm = PartAlgorithm(upload.value());
  for (const Document* part : chosen) {
    part_md5s.push_back(HexDecode(StripQuotes(InputString(*part, "ETag"))));
    std::string raw;
    platform::Base64Decode(InputString(*part, "Checksum"), &raw);
    part_raw_checksums.push_back(raw);
    part_checksums.push_back({raw, part->value("Size", uint64_t{0})});
    part_sizes.push_back(part->value("Size", uint64_t{0}));
  }
  std::string type = upload.value().value("ChecksumType", "FULL_OBJECT");
  std::string sent_type = InputString(input, "ChecksumType");
  if (!sent_type.empty() && upload.value().contains("ChecksumType") &&
      sent_type != type) {
    return InvalidRequest(fmt::format(
        "The upload was created using the {} checksum mode. The complete "
        "request must use the same checksum mode.",
        type));
  }
  std::string checksum;
  if (type == "COMPOSITE") {
    checksum = platform::CompositeChecksumBase64(algorithm, part_raw_checksums);
  } else {
    std::optional<std::string> combined =
        platform::CombineFullObjectChecksum(algorithm, part_checksums);
    if (!combined.has_value()) {
      return InternalError("Failed to combine the part checksums");
    }
    checksum = platform::Base64Encode(*combined);
  }
  std::string sent_checksum =
      InputString(input, platform::ChecksumMemberName(algorithm));
  if (!sent_checksum.empty() && sent_checksum != checksum) {
    return BadDigest(fmt::format(
        "The {} you specified did not match the calculated checksum.",
        platform::ChecksumAlgorithmName(algorithm)));
  }

  // Concatenate the parts into a new blob.
  state.store().EnsureBlobDir();
  std::string blob_id = state.store().NewBlobId();
  std::string blob_path = state.store().BlobPath(blob_id);
  int fd = ::open(blob_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                  0644);
  if (fd < 0) return InternalError("Failed to create the object data file");
  for (const Document* part : chosen) {
    Status appended = AppendFileRange(
        state.store().BlobPath(InputString(*part, "Blob")), 0,
        part->value("Size", uint64_t{0}), fd);
    if (!appended.ok()) {
      ::close(fd);
      state.store().RemoveBlob(blob_id);
      return appended.error();
    }
  }
  ::close(fd);

  Document version = upload.value()["Attributes"];
  version["Blob"] = blob_id;
  version["Size"] = total_size;
  version["ETag"] = QuoteEtag(platform::MultipartEtag(part_md5s));
  version["LastModified"] = state.Now();
  version["Owner"] = InputString(upload.value(), "Owner");
  version["PartSizes"] = part_sizes;
  // Part checksums, for GetObjectAttributes.
  Document stored_part_checksums = Document::array();
  for (const Document* part : chosen) {
    stored_part_checksums.push_back(InputString(*part, "Checksum"));
  }
  version["PartChecksums"] = std::move(stored_part_checksums);
  version["ChecksumAlgorithm"] =
      std::string(platform::ChecksumAlgorithmName(algorithm));
  version["Checksum"] = checksum;
  version["ChecksumType"] = type;

  Document output = {
      {"Location", fmt::format("{}/{}/{}", ctx.endpoint, bucket_name,
                               platform::PercentEncode(key, true))},
      {"Bucket", bucket_name},
      {"Key", key},
      {"ETag", version["ETag"]}};
  if (upload.value().contains("ChecksumAlgorithm")) {
    AddChecksumMembers(version, output);
  }
  std::optional<std::string> expiration =
      ExpirationHeader(bucket.value(), key, version);
  if (expiration.has_value()) output["Expiration"] = *expiration;
  // CompleteMultipartUpload echoes SSE-S3 and SSE-KMS, but not SSE-C.
  for (const char* member :
       {"ServerSideEncryption", "SSEKMSKeyId", "BucketKeyEnabled"}) {
    if (version.contains(member)) output[member] = version[member];
  }

  Result<std::string> version_id = [&]() -> Result<std::string> {
    std::lock_guard<std::mutex> lock(state.mutex());
    Result<Document> still_open =
        LoadUpload(state, bucket_name, key, upload_id);
    if (!still_open.ok()) return still_open.error();
    Result<std::optional<Document>> row =
        state.store().GetObjectRow(bucket_name, key);
    if (!row.ok()) return row.error();
    Status conditions =
        CheckWritePreconditions(input, CurrentVersion(row.value()), key);
    if (!conditions.ok()) return conditions.error();
    Result<std::string> committed =
        CommitNewVersion(state, bucket.value(), key, version);
    if (!committed.ok()) return committed;
    if (!VersioningStatus(bucket.value()).empty() &&
        committed.value() != "null") {
      output["VersionId"] = committed.value();
    }
    // NOTE: completed-upload records stay until the bucket is deleted, but
    // S3 drops them after a while.
    Document completed = {{"UploadId", upload_id},
                          {"Key", key},
                          {"Completed", true},
                          {"Output", output}};
    std::vector<int> numbers;
    for (const Document& part : stored_parts.value()) {
      numbers.push_back(part.value("PartNumber", 0));
      state.RemoveBlobLater(InputString(part, "Blob"));
    }
    Status finished =
        state.store().FinishUpload(bucket_name, upload_id, numbers, completed);
    if (!finished.ok()) return finished.error();
    return committed;
  }();
  if (!version_id.ok()) {
    state.store().RemoveBlob(blob_id);
    return version_id.error();
  }
  state.PurgeRemovedBlobs();
  PublishObjectEvent(state, &ctx, bucket.value(),
                     {"ObjectCreated:CompleteMultipartUpload", key,
                      version["Size"].get<uint64_t>(),
                      version["ETag"].get<std::string>(), version_id.value()});
  return output;
}

Reply AbortMultipartUpload(S3State& state, RequestContext& ctx,
                           Document& input) {
  (void)ctx;
  std::string bucket_name = InputString(input, "Bucket");
  std::string key = InputString(input, "Key");
  std::string upload_id = InputString(input, "UploadId");
  Result<Document> bucket = LoadBucket(state, bucket_name);
  if (!bucket.ok()) return bucket.error();
  {
    std::lock_guard<std::mutex> lock(state.mutex());
    Result<Document> upload = LoadUpload(state, bucket_name, key, upload_id);
    if (!upload.ok()) return upload.error();
    Result<std::vector<Document>> parts = state.store().ListParts(upload_id);
    if (!parts.ok()) return parts.error();
    std::vector<int> numbers;
    for (const Document& part : parts.value()) {
      numbers.push_back(part.value("PartNumber", 0));
      state.RemoveBlobLater(InputString(part, "Blob"));
    }
    Status deleted = state.store().DeleteUpload(bucket_name, upload_id, numbers);
    if (!deleted.ok()) return deleted.error();
  }
  state.PurgeRemovedBlobs();
  return Document::object();
}

Reply ListParts(S3State& state, RequestContext& ctx, Document& input) {
  (void)ctx;
  std::string bucket_name = InputString(input, "Bucket");
  std::string key = InputString(input, "Key");
  std::string upload_id = InputString(input, "UploadId");
  Result<Document> bucket = LoadBucket(state, bucket_name);
  if (!bucket.ok()) return bucket.error();
  Result<Document> upload = LoadUpload(state, bucket_name, key, upload_id);
  if (!upload.ok()) return upload.error();
  Result<std::vector<Document>> parts = state.store().ListParts(upload_id);
  if (!parts.ok()) return parts.error();

  int64_t marker = input.value("PartNumberMarker", int64_t{0});
  int64_t max_parts = std::min<int64_t>(input.value("MaxParts", int64_t{1000}), 1000);
  Document list = Document::array();
  bool truncated = false;
  int64_t last_number = 0;
  for (const Document& part : parts.value()) {
    int64_t number = part.value("PartNumber", int64_t{0});
    if (number <= marker) continue;
    if (static_cast<int64_t>(list.size()) >= max_parts) {
      truncated = true;
      break;
    }
    Document entry = {{"PartNumber", number},
                      {"LastModified", part["LastModified"]},
                      {"ETag", part["ETag"]},
                      {"Size", part["Size"]}};
    AddPartChecksum(upload.value(), part, false, entry);
    list.push_back(std::move(entry));
    last_number = number;
  }

  const Document& attributes = upload.value()["Attributes"];
  Document owner = OwnerDocument(InputString(upload.value(), "Owner"));
  Document output = {{"Bucket", bucket_name},
                     {"Key", key},
                     {"UploadId", upload_id},
                     {"PartNumberMarker", marker},
                     {"MaxParts", max_parts},
                     {"IsTruncated", truncated},
                     {"Initiator", owner},
                     {"Owner", owner},
                     {"StorageClass",
                      attributes.value("StorageClass", "STANDARD")}};
  if (truncated) output["NextPartNumberMarker"] = last_number;
  if (!list.empty()) output["Parts"] = std::move(list);
  if (upload.value().contains("ChecksumAlgorithm")) {
    output["ChecksumAlgorithm"] = upload.value()["ChecksumAlgorithm"];
    output["ChecksumType"] = upload.value()["ChecksumType"];
  }
  return output;
}

Reply ListMultipartUploads(S3State& state, RequestContext& ctx,
                           Document& input) {
  (void)ctx;
  std::string bucket_name = InputString(input, "Bucket");
  Result<Document> bucket = LoadBucket(state, bucket_name);
  if (!bucket.ok()) return bucket.error();
  Result<std::vector<Document>> uploads = state.store().ListUploads(bucket_name);
  if (!uploads.ok()) return uploads.error();

  // S3 lists uploads by key, then by initiation time.
  std::vector<Document>& sorted = uploads.value();
  std::sort(sorted.begin(), sorted.end(),
            [](const Document& a, const Document& b) {
              std::string key_a = InputString(a, "Key");
              std::string key_b = InputString(b, "Key");
              if (key_a != key_b) return key_a < key_b;
              return a.value("Initiated", 0.0) < b.value("Initiated", 0.0);
            });

  std::string prefix = InputString(input, "Prefix");
  std::string delimiter = InputString(input, "Delimiter");
  std::string key_marker = InputString(input, "KeyMarker");
  std::string upload_marker = InputString(input, "UploadIdMarker");
  int64_t max_uploads =
      std::min<int64_t>(input.value("MaxUploads", int64_t{1000}), 1000);
  bool url = InputString(input, "EncodingType") == "url";
  auto encode = [&](std::string_view text) {
    return url ? platform::PercentEncode(text, true) : std::string(text);
  };

  Document list = Document::array();
  Document prefixes = Document::array();
  std::string last_prefix;
  bool truncated = false;
  bool passed_upload_marker = upload_marker.empty();
  std::string next_key;
  std::string next_upload;
  int64_t count = 0;
  for (const Document& upload : sorted) {
    if (upload.value("Completed", false)) continue;
    std::string key = InputString(upload, "Key");
    std::string upload_id = InputString(upload, "UploadId");
    if (!key.starts_with(prefix)) continue;
    if (!key_marker.empty()) {
      if (key < key_marker) continue;
      if (key == key_marker) {
        if (upload_marker.empty()) continue;
        if (!passed_upload_marker) {
          if (upload_id == upload_marker) passed_upload_marker = true;
          continue;
        }
      }
    }
    if (!delimiter.empty()) {
      size_t at = key.find(delimiter, prefix.size());
      if (at != std::string::npos) {
        std::string common = key.substr(0, at + delimiter.size());
        if (common == last_prefix) continue;
        if (count == max_uploads) {
          truncated = true;
          break;
        }
        last_prefix = common;
        prefixes.push_back({{"Prefix", encode(common)}});
        next_key = common;
        next_upload.clear();
        ++count;
        continue;
      }
    }
    if (count == max_uploads) {
      truncated = true;
      break;
    }
    Document owner = OwnerDocument(InputString(upload, "Owner"));
    Document entry = {{"UploadId", upload_id},
                      {"Key", encode(key)},
                      {"Initiated", upload["Initiated"]},
                      {"StorageClass",
                       upload["Attributes"].value("StorageClass", "STANDARD")},
                      {"Owner", owner},
                      {"Initiator", owner}};
    if (upload.contains("ChecksumAlgorithm")) {
      entry["ChecksumAlgorithm"] = upload["ChecksumAlgorithm"];
      entry["ChecksumType"] = upload["ChecksumType"];
    }
    list.push_back(std::move(entry));
    next_key = key;
    next_upload = upload_id;
    ++count;
  }

  Document output = {{"Bucket", bucket_name},
                     {"KeyMarker", encode(key_marker)},
                     {"UploadIdMarker", upload_marker},
                     {"Prefix", encode(prefix)},
                     {"MaxUploads", max_uploads},
                     {"IsTruncated", truncated}};
  if (!delimiter.empty()) output["Delimiter"] = encode(delimiter);
  if (url) output["EncodingType"] = "url";
  if (truncated) {
    output["NextKeyMarker"] = encode(next_key);
    output["NextUploadIdMarker"] = next_upload;
  }
  if (!list.empty()) output["Uploads"] = std::move(list);
  if (!prefixes.empty()) output["CommonPrefixes"] = std::move(prefixes);
  return output;
}

}  // namespace brume::s3
