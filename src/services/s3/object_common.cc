#include "services/s3/access.h"
#include "services/s3/object_common.h"

#include <unistd.h>

#include <cctype>
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
    platform::ChecksumAlgorithm::kSha512,
    platform::ChecksumAlgorithm::kMd5,
    platform::ChecksumAlgorithm::kXxhash64,
    platform::ChecksumAlgorithm::kXxhash3,
    platform::ChecksumAlgorithm::kXxhash128,
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

// The default-encryption rule of a bucket (its first rule), or nullptr
// when the bucket has no configuration and S3's SSE-S3 default applies.
const Document* BucketEncryptionRule(const Document& bucket) {
  if (!bucket.contains("Config") || !bucket["Config"].contains("Encryption")) {
    return nullptr;
  }
  const Document& config = bucket["Config"]["Encryption"];
  auto rules = config.find("Rules");
  if (rules == config.end() || !rules->is_array() || rules->empty()) {
    return nullptr;
  }
  return &(*rules)[0];
}

bool BucketBlocksSseC(const Document& bucket) {
  const Document* rule = BucketEncryptionRule(bucket);
  if (rule == nullptr || !rule->contains("BlockedEncryptionTypes")) {
    return false;
  }
  for (const Document& type : (*rule)["BlockedEncryptionTypes"].value(
           "EncryptionType", Document::array())) {
    if (type.is_string() && type.get<std::string>() == "SSE-C") return true;
  }
  return false;
}

bool IsKeyUuid(std::string_view id) {
  if (id.size() != 36) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? id[i] != '-' : !std::isxdigit(static_cast<unsigned char>(id[i]))) {
      return false;
    }
  }
  return true;
}

// S3 reports a KMS key given by its bare id as the key's ARN in the
// bucket's region and account.
std::string KmsKeyArn(std::string_view key_id, std::string_view region,
                      std::string_view account_id) {
  if (!IsKeyUuid(key_id)) return std::string(key_id);
  return fmt::format("arn:aws:kms:{}:{}:key/{}", region, account_id, key_id);
}

// ARN of the AWS managed key aws/s3 that S3 uses for aws:kms without a key
// id. The key id is derived from the account and region so that it stays
// the same across restarts.
// TODO: take the aws/s3 key from the KMS service once brume has one.
std::string ManagedS3KeyArn(std::string_view region,
                            std::string_view account_id) {
  std::string hex = platform::HexEncode(
      platform::Sha256(fmt::format("aws/s3:{}:{}", account_id, region)));
  std::string uuid = fmt::format("{}-{}-4{}-8{}-{}", hex.substr(0, 8),
                                 hex.substr(8, 4), hex.substr(12, 3),
                                 hex.substr(15, 3), hex.substr(18, 12));
  return fmt::format("arn:aws:kms:{}:{}:key/{}", region, account_id, uuid);
}

AwsError SseCArgumentError(std::string message) {
  return InvalidArgument(std::move(message), "x-amz-server-side-encryption",
                         "null");
}

// Sets the encryption members of a new version: SSE-C from the request, or
// the request's SSE-S3 or SSE-KMS, else the bucket's default, else SSE-S3,
// which S3 applies to every new object since January 2023.
// NOTE: brume stores object data unencrypted whatever the mode; it keeps
// and enforces the encryption attributes only.
Status ApplyEncryption(const RequestContext& ctx, const Document& input,
                       const Document& bucket, Document& version) {
  bool sse_sent = input.contains("ServerSideEncryption");
  std::string sse = InputString(input, "ServerSideEncryption");
  std::string kms_key = InputString(input, "SSEKMSKeyId");
  std::optional<bool> bucket_key;
  if (input.contains("BucketKeyEnabled") &&
      input["BucketKeyEnabled"].is_boolean()) {
    bucket_key = input["BucketKeyEnabled"].get<bool>();
  }
  bool customer_sent = input.contains("SSECustomerAlgorithm") ||
                       input.contains("SSECustomerKey") ||
                       input.contains("SSECustomerKeyMD5");

  if (sse_sent && sse != "AES256" && sse != "aws:kms" &&
      sse != "aws:kms:dsse") {
    return InvalidArgument("The encryption method specified is not supported",
                           "x-amz-server-side-encryption", sse);
  }
  if (sse_sent && customer_sent) {
    return InvalidArgument(
        "Server Side Encryption with Customer provided key is incompatible "
        "with the encryption method specified",
        "x-amz-server-side-encryption", sse);
  }
  if (!kms_key.empty() && !sse.starts_with("aws:kms")) {
    return InvalidArgument(
        "Server Side Encryption with AWS KMS managed key requires HTTP header "
        "x-amz-server-side-encryption : aws:kms",
        "x-amz-server-side-encryption-aws-kms-key-id", kms_key);
  }

  Result<std::optional<CustomerKey>> customer =
      ParseCustomerKey(input, "", CustomerKeyUse::kWrite);
  if (!customer.ok()) return customer.error();
  if (customer.value().has_value()) {
    if (BucketBlocksSseC(bucket)) {
      std::string action = ctx.operation == "CopyObject" ? "s3:CopyObject"
                                                         : "s3:PutObject";
      return AccessDenied(fmt::format(
          "User: {} is not authorized to perform: {} on resource: "
          "\"arn:aws:s3:::{}/{}\" because this bucket has blocked upload "
          "requests that specify Server Side Encryption with Customer "
          "provided keys (SSE-C). Please specify a different server-side "
          "encryption type",
          ctx.caller_arn, action, InputString(bucket, "Name"),
          InputString(input, "Key")));
    }
    version["SSECustomerAlgorithm"] = customer.value()->algorithm;
    version["SSECustomerKeyMD5"] = customer.value()->key_md5;
    return Status();
  }

  const Document* rule = BucketEncryptionRule(bucket);
  if (!bucket_key.has_value() && rule != nullptr &&
      rule->contains("BucketKeyEnabled") &&
      (*rule)["BucketKeyEnabled"].is_boolean()) {
    bucket_key = (*rule)["BucketKeyEnabled"].get<bool>();
  }
  if (sse.empty()) {
    if (rule != nullptr) {
      const Document& by_default = rule->value(
          "ApplyServerSideEncryptionByDefault", Document::object());
      sse = by_default.value("SSEAlgorithm", "AES256");
      if (kms_key.empty()) kms_key = by_default.value("KMSMasterKeyID", "");
    } else {
      sse = "AES256";
    }
  }
  version["ServerSideEncryption"] = sse;
  if (sse.starts_with("aws:kms")) {
    std::string region = bucket.value("Region", ctx.region);
    kms_key = kms_key.empty() ? ManagedS3KeyArn(region, ctx.account_id)
                              : KmsKeyArn(kms_key, region, ctx.account_id);
    // TODO: reject key ids that name no KMS key (KMS.NotFoundException
    // "Invalid keyId '...'") once brume has a KMS service.
    version["SSEKMSKeyId"] = kms_key;
    std::string context = InputString(input, "SSEKMSEncryptionContext");
    if (input.contains("SSEKMSEncryptionContext")) {
      std::string json;
      Document pairs;
      if (platform::Base64Decode(context, &json)) {
        pairs = Document::parse(json, nullptr, false);
      }
      bool valid = pairs.is_object();
      if (valid) {
        for (const Document& value : pairs) {
          if (!value.is_string()) valid = false;
        }
      }
      if (!valid) {
        return InvalidArgument(
            "The header 'x-amz-server-side-encryption-context' shall be "
            "Base64-encoded UTF-8 string holding JSON which represents a "
            "string-string map",
            "x-amz-server-side-encryption-context", context);
      }
      version["SSEKMSEncryptionContext"] = context;
    }
    // S3 Bucket Keys do not apply to DSSE-KMS, and S3 leaves the member
    // out of responses when it is false.
    if (sse == "aws:kms" && bucket_key.value_or(false)) {
      version["BucketKeyEnabled"] = true;
    }
  }
  return Status();
}

}  // namespace

Result<std::optional<CustomerKey>> ParseCustomerKey(const Document& input,
                                                    std::string_view prefix,
                                                    CustomerKeyUse use) {
  std::string prefix_text(prefix);
  std::string algorithm_member = prefix_text + "SSECustomerAlgorithm";
  std::string key_member = prefix_text + "SSECustomerKey";
  std::string md5_member = prefix_text + "SSECustomerKeyMD5";
  bool has_algorithm = input.contains(algorithm_member);
  bool has_key = input.contains(key_member);
  bool has_md5 = input.contains(md5_member);
  if (!has_algorithm && !has_key && !has_md5) {
    return std::optional<CustomerKey>();
  }

  // The order of the checks follows the errors S3 returns when several
  // headers are wrong at once.
  std::string algorithm = InputString(input, algorithm_member);
  if (!has_algorithm) {
    return SseCArgumentError(
        "Requests specifying Server Side Encryption with Customer provided "
        "keys must provide a valid encryption algorithm.");
  }
  if (algorithm != "AES256") {
    AwsError error = InvalidArgument(
        "The Encryption request you specified is not valid. Supported value: "
        "AES256.",
        "x-amz-server-side-encryption", algorithm);
    error.code = "InvalidEncryptionAlgorithmError";
    return error;
  }
  std::string encoded_key = InputString(input, key_member);
  if (!has_key || encoded_key.empty()) {
    return SseCArgumentError(
        "Requests specifying Server Side Encryption with Customer provided "
        "keys must provide an appropriate secret key.");
  }
  std::string key;
  if (!platform::Base64Decode(encoded_key, &key)) key = encoded_key;
  std::string key_md5 = platform::Base64Encode(platform::Md5(key));
  if (!has_md5 && use == CustomerKeyUse::kWrite) {
    return SseCArgumentError(
        "Requests specifying Server Side Encryption with Customer provided "
        "keys must provide the client calculated MD5 of the secret key.");
  }
  if (has_md5 && InputString(input, md5_member) != key_md5) {
    return SseCArgumentError(
        "The calculated MD5 hash of the key did not match the hash that was "
        "provided.");
  }
  // A read with a key of another length fails later as the wrong key.
  if (key.size() != 32 && use == CustomerKeyUse::kWrite) {
    return InvalidArgument(
        "The secret key was invalid for the specified algorithm.",
        "x-amz-server-side-encryption", "null");
  }
  return std::optional<CustomerKey>(CustomerKey{algorithm, key_md5});
}

Status CheckReadCustomerKey(const Document& input, std::string_view prefix,
                            const Document& version) {
  Result<std::optional<CustomerKey>> sent =
      ParseCustomerKey(input, prefix, CustomerKeyUse::kRead);
  if (!sent.ok()) return sent.error();
  bool encrypted = version.contains("SSECustomerAlgorithm");
  if (!encrypted) {
    if (sent.value().has_value()) {
      return InvalidRequest(
          "The encryption parameters are not applicable to this object.");
    }
    return Status();
  }
  if (!sent.value().has_value()) {
    return InvalidRequest(
        "The object was stored using a form of Server Side Encryption. The "
        "correct parameters must be provided to retrieve the object.");
  }
  if (sent.value()->key_md5 != InputString(version, "SSECustomerKeyMD5")) {
    return AccessDenied(
        "Requests specifying Server Side Encryption with Customer provided "
        "keys must provide the correct secret key.");
  }
  return Status();
}

Status CheckUploadCustomerKey(const Document& input,
                              const Document& upload_attributes,
                              bool required) {
  Result<std::optional<CustomerKey>> sent =
      ParseCustomerKey(input, "", CustomerKeyUse::kWrite);
  if (!sent.ok()) return sent.error();
  bool encrypted = upload_attributes.contains("SSECustomerAlgorithm");
  if (encrypted != sent.value().has_value()) {
    if (encrypted && !required) return Status();
    return InvalidRequest(
        "The multipart upload initiate requested encryption. Subsequent part "
        "requests must include the appropriate encryption parameters.");
  }
  if (encrypted && sent.value()->key_md5 !=
                       InputString(upload_attributes, "SSECustomerKeyMD5")) {
    return InvalidRequest(
        "The provided encryption parameters did not match the ones used "
        "originally.");
  }
  return Status();
}

Status RejectEncryptionHeadersOnRead(const RequestContext& ctx) {
  if (ctx.http == nullptr) return Status();
  for (std::string_view header :
       {"x-amz-server-side-encryption",
        "x-amz-server-side-encryption-aws-kms-key-id"}) {
    std::optional<std::string_view> value = ctx.http->headers.Get(header);
    if (value.has_value()) {
      return InvalidArgument(
          fmt::format("{} header is not supported for this operation.", header),
          header, *value);
    }
  }
  return Status();
}

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

  // A Content-MD5 header that is present but empty is invalid too.
  if (input.contains("ContentMD5")) {
    std::string content_md5 = InputString(input, "ContentMD5");
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

  // S3 stores user metadata keys in lower case, and limits user metadata
  // to 2 KB: the bytes of every key and value. Values hold one code point
  // per header byte, so code points are counted.
  Document metadata = Document::object();
  size_t metadata_size = 0;
  if (input.contains("Metadata") && input["Metadata"].is_object()) {
    for (auto& [name, value] : input["Metadata"].items()) {
      metadata_size += name.size();
      if (value.is_string()) {
        for (char c : value.get_ref<const std::string&>()) {
          if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++metadata_size;
        }
      }
      metadata[platform::ToLower(name)] = value;
    }
  }
  if (metadata_size > kMaxMetadataBytes) {
    AwsError error{"MetadataTooLarge",
                   "Your metadata headers exceed the maximum allowed metadata "
                   "size.",
                   400};
    error.fields.emplace_back("Size", std::to_string(metadata_size));
    error.fields.emplace_back("MaxSizeAllowed", std::to_string(kMaxMetadataBytes));
    return error;
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

  Result<std::optional<Document>> acl = AclFromInput(
      input, ObjectOwnerFor(bucket, ctx, input), InputString(bucket, "Owner"));
  if (!acl.ok()) return acl.error();
  if (acl.value().has_value()) version["Acl"] = std::move(*acl.value());

  Status encryption = ApplyEncryption(ctx, input, bucket, version);
  if (!encryption.ok()) return encryption;

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

bool EtagIsMd5(const Document& record) {
  return !record.contains("SSECustomerAlgorithm") &&
         !InputString(record, "ServerSideEncryption").starts_with("aws:kms");
}

std::string NewEtag(const Document& record, const std::string& content_id) {
  if (EtagIsMd5(record)) return QuoteEtag(platform::HexEncode(content_id));
  // NOTE: captures of S3 show different ETags for identical SSE-C uploads;
  // brume keeps them stable per key so that retried parts still match.
  std::string key_id = record.contains("SSECustomerKeyMD5")
                           ? InputString(record, "SSECustomerKeyMD5")
                           : InputString(record, "SSEKMSKeyId");
  return QuoteEtag(platform::HexEncode(
      platform::Md5(content_id + "\n" + key_id + "\nbrume-sse-etag")));
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
  // Key names are Unicode text stored as UTF-8; other bytes could not be
  // returned in XML listings.
  if (!platform::IsValidUtf8(key)) {
    return AwsError{"InvalidURI", "Couldn't parse the specified URI.", 400};
  }
  return Status();
}

}  // namespace brume::s3
