#include "services/s3/object_common.h"

#include <unistd.h>

#include <cmath>
#include <ctime>

#include <fmt/format.h>

#include "platform/crypto.h"
#include "platform/strings.h"
#include "services/s3/acl.h"
#include "services/s3/errors.h"

namespace brume::s3 {
namespace {

constexpr platform::ChecksumAlgorithm kSupportedAlgorithms[] = {
    platform::ChecksumAlgorithm::kCrc32,
    platform::ChecksumAlgorithm::kCrc32c,
    platform::ChecksumAlgorithm::kCrc64Nvme,
    platform::ChecksumAlgorithm::kSha1,
    platform::ChecksumAlgorithm::kSha256,
};

void AddUnique(std::vector<platform::ChecksumAlgorithm>& list,
               platform::ChecksumAlgorithm algorithm) {
  for (platform::ChecksumAlgorithm existing : list) {
    if (existing == algorithm) return;
  }
  list.push_back(algorithm);
}

// Removes "aws-chunked" from a Content-Encoding list: it describes the
// transfer framing, and S3 does not store it.
std::string StripAwsChunked(std::string_view encodings) {
  std::string kept;
  size_t start = 0;
  while (start <= encodings.size()) {
    size_t comma = encodings.find(',', start);
    if (comma == std::string_view::npos) comma = encodings.size();
    std::string_view item =
        platform::Trim(encodings.substr(start, comma - start));
    start = comma + 1;
    if (item.empty() || platform::EqualsIgnoreCase(item, "aws-chunked")) {
      continue;
    }
    if (!kept.empty()) kept += ", ";
    kept += item;
  }
  return kept;
}

// Retain-until date of a bucket's default retention rule, from now.
std::optional<double> DefaultRetainUntil(const Document& rule, double now) {
  const Document& retention = rule["DefaultRetention"];
  if (retention.contains("Days")) {
    return now + retention["Days"].get<double>() * 86400.0;
  }
  if (retention.contains("Years")) {
    return now + retention["Years"].get<double>() * 365.0 * 86400.0;
  }
  return std::nullopt;
}

}  // namespace

Result<BodyFile> TakeRequestBody(S3State& state, const RequestContext& ctx) {
  BodyFile body;
  if (ctx.http != nullptr && ctx.http->body.spooled) {
    body.path = ctx.http->body.file_path;
    body.size = ctx.http->body.size;
    return body;
  }
  state.store().EnsureBlobDir();
  body.path = state.store().BlobPath(state.store().NewBlobId() + ".upload");
  std::string_view data =
      ctx.http != nullptr ? std::string_view(ctx.http->body.data) : "";
  Status written = WriteWholeFile(body.path, data);
  if (!written.ok()) return written.error();
  body.size = data.size();
  return body;
}

Result<ChecksumPlan> PlanChecksums(
    const Document& input, const RequestContext& ctx,
    std::optional<platform::ChecksumAlgorithm> default_algorithm) {
  ChecksumPlan plan;
  for (platform::ChecksumAlgorithm algorithm : kSupportedAlgorithms) {
    std::string value =
        InputString(input, platform::ChecksumMemberName(algorithm));
    if (value.empty() && ctx.http != nullptr) {
      std::optional<std::string_view> trailer =
          ctx.http->body.trailers.Get(platform::ChecksumHeaderName(algorithm));
      if (trailer.has_value()) value = std::string(platform::Trim(*trailer));
    }
    if (value.empty()) continue;
    if (!platform::DecodeChecksumBase64(algorithm, value).has_value()) {
      return BadDigest(fmt::format(
          "The {} you specified did not match the calculated checksum.",
          platform::ChecksumAlgorithmName(algorithm)));
    }
    plan.expected.emplace_back(algorithm, value);
    AddUnique(plan.compute, algorithm);
  }
  if (plan.expected.size() > 1) {
    return InvalidRequest(
        "Expecting a single x-amz-checksum- header. Multiple checksum Types "
        "are not allowed.");
  }

  std::string requested = InputString(input, "ChecksumAlgorithm");
  std::optional<platform::ChecksumAlgorithm> requested_algorithm;
  if (!requested.empty()) {
    requested_algorithm = platform::ParseChecksumAlgorithm(requested);
    // NOTE: SHA512, MD5 and the XXHASH algorithms of newer models are not
    // computed; such uploads keep the default checksum instead.
    if (requested_algorithm == platform::ChecksumAlgorithm::kMd5) {
      requested_algorithm.reset();
    }
  }
  if (!plan.expected.empty()) {
    plan.stored = plan.expected.front().first;
    if (requested_algorithm.has_value() &&
        *requested_algorithm != *plan.stored) {
      return InvalidRequest(fmt::format(
          "Value for x-amz-sdk-checksum-algorithm header is invalid."));
    }
  } else if (requested_algorithm.has_value()) {
    plan.stored = requested_algorithm;
  } else {
    plan.stored = default_algorithm;
  }
  if (plan.stored.has_value()) AddUnique(plan.compute, *plan.stored);

  std::string content_md5 = InputString(input, "ContentMD5");
  if (!content_md5.empty()) {
    std::string raw;
    if (!platform::Base64Decode(content_md5, &raw) || raw.size() != 16) {
      return InvalidDigest();
    }
    plan.content_md5 = raw;
  }
  return plan;
}

Status VerifyChecksums(const ChecksumPlan& plan, const FileDigests& digests) {
  if (plan.content_md5.has_value() && *plan.content_md5 != digests.md5) {
    return BadDigest(
        "The Content-MD5 you specified did not match what we received.");
  }
  for (const auto& [algorithm, expected] : plan.expected) {
    const std::string* actual = digests.Find(algorithm);
    if (actual == nullptr ||
        platform::Base64Encode(*actual) != expected) {
      return BadDigest(fmt::format(
          "The {} you specified did not match the calculated checksum.",
          platform::ChecksumAlgorithmName(algorithm)));
    }
  }
  return Status();
}

Status ApplyWriteAttributes(S3State& state, const RequestContext& ctx,
                            const Document& input, const Document& bucket,
                            Document& version) {
  for (const char* member : kContentMembers) {
    std::string value = InputString(input, member);
    if (std::string_view(member) == "ContentEncoding") {
      value = StripAwsChunked(value);
    }
    if (!value.empty()) version[member] = value;
  }
  if (!version.contains("ContentType")) {
    version["ContentType"] = "binary/octet-stream";
  }

  // S3 stores user metadata keys in lower case.
  Document metadata = Document::object();
  if (input.contains("Metadata") && input["Metadata"].is_object()) {
    for (auto& [name, value] : input["Metadata"].items()) {
      metadata[platform::ToLower(name)] = value;
    }
  }
  version["Metadata"] = std::move(metadata);

  std::string storage_class = InputString(input, "StorageClass");
  if (!storage_class.empty() && storage_class != "STANDARD") {
    version["StorageClass"] = storage_class;
  }

  std::string tagging = InputString(input, "Tagging");
  if (!tagging.empty()) {
    Result<Document> tag_set = ParseTaggingHeader(tagging);
    if (!tag_set.ok()) return tag_set.error();
    version["Tags"] = std::move(tag_set.value());
  }

  Result<std::optional<Document>> acl = AclFromInput(input, ctx.account_id);
  if (!acl.ok()) return acl.error();
  if (acl.value().has_value()) version["Acl"] = std::move(*acl.value());

  // Encryption: the request's SSE headers, else the bucket default, else
  // SSE-S3, which S3 applies to every new object.
  std::string sse = InputString(input, "ServerSideEncryption");
  std::string kms_key = InputString(input, "SSEKMSKeyId");
  std::optional<bool> bucket_key;
  if (input.contains("BucketKeyEnabled")) {
    bucket_key = input["BucketKeyEnabled"].get<bool>();
  }
  std::string customer_algorithm = InputString(input, "SSECustomerAlgorithm");
  if (!sse.empty() && sse != "AES256" && sse != "aws:kms" &&
      sse != "aws:kms:dsse") {
    return InvalidArgument("The encryption method specified is not supported",
                           "x-amz-server-side-encryption", sse);
  }
  if (!sse.empty() && !customer_algorithm.empty()) {
    return InvalidArgument(
        "Server Side Encryption with Customer provided key is incompatible "
        "with the encryption method specified",
        "x-amz-server-side-encryption", sse);
  }
  if (!kms_key.empty() && !sse.starts_with("aws:kms")) {
    return InvalidArgument(
        "Server Side Encryption with AWS Key Management Service is not "
        "supported for this encryption method",
        "x-amz-server-side-encryption-aws-kms-key-id", kms_key);
  }
  if (!customer_algorithm.empty()) {
    std::string key;
    std::string key_md5 = InputString(input, "SSECustomerKeyMD5");
    if (customer_algorithm != "AES256" ||
        !platform::Base64Decode(InputString(input, "SSECustomerKey"), &key) ||
        key.size() != 32) {
      return InvalidArgument(
          "The secret key was invalid for the specified algorithm.",
          "x-amz-server-side-encryption-customer-key", "");
    }
    if (!key_md5.empty() &&
        key_md5 != platform::Base64Encode(platform::Md5(key))) {
      return InvalidArgument(
          "The calculated MD5 hash of the key did not match the hash that "
          "was provided.",
          "x-amz-server-side-encryption-customer-key-MD5", key_md5);
    }
  }
  if (sse.empty() && !customer_algorithm.empty()) {
    version["SSECustomerAlgorithm"] = InputString(input, "SSECustomerAlgorithm");
    version["SSECustomerKeyMD5"] = InputString(input, "SSECustomerKeyMD5");
  } else {
    if (sse.empty()) {
      const Document* rules = nullptr;
      if (bucket.contains("Config") &&
          bucket["Config"].contains("Encryption")) {
        rules = &bucket["Config"]["Encryption"];
      }
      if (rules != nullptr && rules->contains("Rules") &&
          !(*rules)["Rules"].empty()) {
        const Document& rule = (*rules)["Rules"][0];
        const Document& by_default =
            rule.value("ApplyServerSideEncryptionByDefault", Document::object());
        sse = by_default.value("SSEAlgorithm", "AES256");
        if (kms_key.empty()) kms_key = by_default.value("KMSMasterKeyID", "");
        if (!bucket_key.has_value() && rule.contains("BucketKeyEnabled")) {
          bucket_key = rule["BucketKeyEnabled"].get<bool>();
        }
      } else {
        sse = "AES256";
      }
    }
    version["ServerSideEncryption"] = sse;
    if (sse.starts_with("aws:kms")) {
      if (kms_key.empty()) {
        // TODO: use the KMS service's aws/s3 managed key once KMS exists.
        kms_key = fmt::format("arn:aws:kms:{}:{}:alias/aws/s3",
                              bucket.value("Region", ctx.region), ctx.account_id);
      }
      version["SSEKMSKeyId"] = kms_key;
      if (bucket_key.has_value()) version["BucketKeyEnabled"] = *bucket_key;
    }
  }

  // Object lock: explicit headers, else the bucket's default retention.
  std::string lock_mode = InputString(input, "ObjectLockMode");
  std::string legal_hold = InputString(input, "ObjectLockLegalHoldStatus");
  bool has_until = input.contains("ObjectLockRetainUntilDate");
  bool lock_enabled = bucket.value("ObjectLockEnabled", false);
  if ((!lock_mode.empty() || has_until || !legal_hold.empty()) &&
      !lock_enabled) {
    return InvalidRequest("Bucket is missing Object Lock Configuration");
  }
  if (!lock_mode.empty() != has_until) {
    return InvalidArgument(
        "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must "
        "both be supplied");
  }
  if (!lock_mode.empty()) {
    double until = input["ObjectLockRetainUntilDate"].get<double>();
    if (until <= state.Now()) {
      return InvalidArgument("The retain until date must be in the future!");
    }
    version["Retention"] = {{"Mode", lock_mode}, {"RetainUntilDate", until}};
  } else if (lock_enabled && bucket.contains("Config") &&
             bucket["Config"].contains("ObjectLock")) {
    const Document& config = bucket["Config"]["ObjectLock"];
    if (config.contains("Rule") && config["Rule"].contains("DefaultRetention")) {
      const Document& rule = config["Rule"];
      std::optional<double> until = DefaultRetainUntil(rule, state.Now());
      if (until.has_value()) {
        version["Retention"] = {
            {"Mode", rule["DefaultRetention"].value("Mode", "GOVERNANCE")},
            {"RetainUntilDate", *until}};
      }
    }
  }
  if (!legal_hold.empty()) version["LegalHold"] = legal_hold;
  return Status();
}

Status CheckWritePreconditions(const Document& input, const Document* current,
                               std::string_view key) {
  std::string if_none_match = InputString(input, "IfNoneMatch");
  if (!if_none_match.empty() && current != nullptr &&
      EtagListMatches(if_none_match, InputString(*current, "ETag"))) {
    return PreconditionFailed("If-None-Match");
  }
  std::string if_match = InputString(input, "IfMatch");
  if (!if_match.empty()) {
    if (current == nullptr) return NoSuchKey(key);
    if (!EtagListMatches(if_match, InputString(*current, "ETag"))) {
      return PreconditionFailed("If-Match");
    }
  }
  return Status();
}

const Document* CurrentVersion(const std::optional<Document>& row) {
  if (!row.has_value() || !row->contains("Versions") ||
      (*row)["Versions"].empty()) {
    return nullptr;
  }
  const Document& latest = (*row)["Versions"][0];
  if (latest.value("DeleteMarker", false)) return nullptr;
  return &latest;
}

void CopyEncryptionMembers(const Document& record, Document& output) {
  static const char* kEncryptionMembers[] = {
      "ServerSideEncryption", "SSEKMSKeyId", "BucketKeyEnabled",
      "SSECustomerAlgorithm", "SSECustomerKeyMD5"};
  for (const char* member : kEncryptionMembers) {
    if (record.contains(member)) output[member] = record[member];
  }
}

std::string FormatHttpDate(int64_t epoch_seconds) {
  std::time_t time = static_cast<std::time_t>(epoch_seconds);
  std::tm parts{};
  gmtime_r(&time, &parts);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &parts);
  return buffer;
}

Status ValidateKey(std::string_view key) {
  if (key.size() > kMaxKeyBytes) return KeyTooLong(key.size());
  if (key.empty()) return InvalidArgument("Invalid key: the key is empty");
  return Status();
}

}  // namespace brume::s3
