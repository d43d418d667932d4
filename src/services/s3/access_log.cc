// S3 server access logs: one record per request to a logged bucket, in the
// space-separated format of
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/LogFormat.html,
// delivered as objects named like S3's log objects.

#include "services/s3/access_log.h"

#include <ctime>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "platform/crypto.h"
#include "platform/ids.h"
#include "platform/strings.h"
#include "services/s3/blob_io.h"
#include "services/s3/object_common.h"

namespace brume::s3 {
namespace {

// Buffered records and cached logging configurations of one S3State.
struct LogBuffers {
  bool loaded = false;  // `enabled` was filled from storage
  // Source bucket name -> its owner's account id, for buckets with logging
  // enabled.
  std::map<std::string, std::string, std::less<>> enabled;
  // Source bucket name -> log lines waiting for delivery.
  std::map<std::string, std::vector<std::string>, std::less<>> pending;
};

std::mutex buffers_mutex;
std::map<const S3State*, LogBuffers> all_buffers;

// Operation names as S3 logs them (REST.<method>.<resource>).
std::string OperationKey(std::string_view operation, std::string_view method,
                         bool has_key) {
  static const std::map<std::string_view, std::string_view> kKeys = {
      {"PutObject", "REST.PUT.OBJECT"},
      {"GetObject", "REST.GET.OBJECT"},
      {"HeadObject", "REST.HEAD.OBJECT"},
      {"DeleteObject", "REST.DELETE.OBJECT"},
      {"DeleteObjects", "REST.POST.MULTI_OBJECT_DELETE"},
      {"CopyObject", "REST.COPY.OBJECT"},
      {"ListObjects", "REST.GET.BUCKET"},
      {"ListObjectsV2", "REST.GET.BUCKET"},
      {"ListObjectVersions", "REST.GET.BUCKETVERSIONS"},
      {"HeadBucket", "REST.HEAD.BUCKET"},
      {"CreateBucket", "REST.PUT.BUCKET"},
      {"DeleteBucket", "REST.DELETE.BUCKET"},
      {"CreateMultipartUpload", "REST.POST.UPLOADS"},
      {"UploadPart", "REST.PUT.PART"},
      {"UploadPartCopy", "REST.COPY.PART"},
      {"CompleteMultipartUpload", "REST.POST.UPLOAD"},
      {"AbortMultipartUpload", "REST.DELETE.UPLOAD"},
      {"ListParts", "REST.GET.UPLOAD"},
      {"ListMultipartUploads", "REST.GET.UPLOADS"},
      {"GetBucketLocation", "REST.GET.LOCATION"},
      {"PutBucketLogging", "REST.PUT.LOGGING_STATUS"},
      {"GetBucketLogging", "REST.GET.LOGGING_STATUS"},
      {"GetBucketAcl", "REST.GET.ACL"},
      {"GetObjectAcl", "REST.GET.ACL"},
      {"PutBucketAcl", "REST.PUT.ACL"},
      {"PutObjectAcl", "REST.PUT.ACL"},
      {"GetObjectTagging", "REST.GET.OBJECT_TAGGING"},
      {"PutObjectTagging", "REST.PUT.OBJECT_TAGGING"},
      {"DeleteObjectTagging", "REST.DELETE.OBJECT_TAGGING"},
      {"GetBucketVersioning", "REST.GET.VERSIONING"},
      {"PutBucketVersioning", "REST.PUT.VERSIONING"},
      {"GetBucketPolicy", "REST.GET.BUCKETPOLICY"},
      {"PutBucketPolicy", "REST.PUT.BUCKETPOLICY"},
      {"GetBucketCors", "REST.GET.CORS"},
      {"PutBucketCors", "REST.PUT.CORS"},
      {"GetBucketLifecycleConfiguration", "REST.GET.LIFECYCLE"},
      {"PutBucketLifecycleConfiguration", "REST.PUT.LIFECYCLE"},
      {"GetBucketEncryption", "REST.GET.ENCRYPTION"},
      {"PutBucketEncryption", "REST.PUT.ENCRYPTION"},
  };
  auto found = kKeys.find(operation);
  if (found != kKeys.end()) return std::string(found->second);
  // NOTE: operations outside the table get a generic resource name; S3
  // names each subresource (for example REST.GET.TAGGING).
  return fmt::format("REST.{}.{}", method, has_key ? "OBJECT" : "BUCKET");
}

std::string Field(std::string_view value) {
  return value.empty() ? "-" : std::string(value);
}

std::string Quoted(std::string_view value) {
  return value.empty() ? "\"-\"" : fmt::format("\"{}\"", value);
}

std::string LogTime(double epoch_seconds) {
  std::time_t time = static_cast<std::time_t>(epoch_seconds);
  std::tm parts{};
  gmtime_r(&time, &parts);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "[%d/%b/%Y:%H:%M:%S +0000]", &parts);
  return buffer;
}

// Loads the logging configuration of every bucket once per S3State, so
// that requests need no storage read to learn whether to log.
void LoadEnabled(S3State& state, LogBuffers& buffers) {
  if (buffers.loaded) return;
  buffers.loaded = true;
  Result<std::vector<Document>> buckets = state.store().ListBuckets();
  if (!buckets.ok()) {
    spdlog::warn("s3 access log: listing buckets failed: {}",
                 buckets.error().message);
    return;
  }
  for (const Document& bucket : buckets.value()) {
    if (bucket.contains("Config") && bucket["Config"].contains("Logging") &&
        bucket["Config"]["Logging"].contains("LoggingEnabled")) {
      buffers.enabled[InputString(bucket, "Name")] =
          InputString(bucket, "Owner");
    }
  }
}

std::string FormatRecord(S3State& state, const RequestContext& ctx,
                         std::string_view operation, const Document& input,
                         Reply& reply, std::string_view owner) {
  const HttpRequest* http = ctx.http;
  std::string method = http != nullptr ? http->method : "-";
  std::string key = InputString(input, "Key");

  int status = 200;
  std::string error_code;
  std::string bytes_sent;
  std::string object_size;
  std::string version_id;
  if (reply.is_error()) {
    status = reply.error().http_status;
    error_code = reply.error().code;
  } else if (reply.is_document()) {
    const Document& output = reply.document();
    status = ctx.response_status.value_or(
        operation.starts_with("Delete") && operation != "DeleteObjects" ? 204
                                                                        : 200);
    if (ctx.response_file.has_value()) {
      bytes_sent = std::to_string(ctx.response_file->length);
    }
    if (output.contains("ContentLength")) {
      object_size = output["ContentLength"].dump();
    } else if (http != nullptr &&
               (operation == "PutObject" || operation == "UploadPart")) {
      object_size = std::to_string(http->body.size);
    }
    version_id = InputString(output, "VersionId");
  } else if (reply.is_raw()) {
    status = reply.raw().status;
  }

  std::string signature = "-";
  std::string auth_type = "-";
  if (http != nullptr) {
    std::string authorization(http->headers.Get("Authorization").value_or(""));
    if (authorization.starts_with("AWS4-")) {
      signature = "SigV4";
      auth_type = "AuthHeader";
    } else if (authorization.starts_with("AWS ")) {
      signature = "SigV2";
      auth_type = "AuthHeader";
    } else if (http->query.find("X-Amz-Signature=") != std::string::npos) {
      signature = "SigV4";
      auth_type = "QueryString";
    } else if (http->query.find("Signature=") != std::string::npos) {
      signature = "SigV2";
      auth_type = "QueryString";
    }
  }
  std::string user_agent =
      http != nullptr ? std::string(http->headers.Get("User-Agent").value_or(""))
                      : "";
  std::string host =
      http != nullptr ? std::string(http->headers.Get("Host").value_or("")) : "";

  // The fields follow LogFormat order. They are bucket owner, bucket, time,
  // remote IP, requester, request id, operation, key, request URI, status,
  // error code, bytes sent, object size, total time, turn-around time,
  // referer, user agent, version id, host id, signature version, cipher
  // suite, authentication type, host header, TLS version, access point ARN
  // and ACL required.
  // TODO: record total and turn-around times once the handler context
  // carries the request's start time.
  return fmt::format(
      "{} {} {} {} {} {} {} {} {} {} {} {} {} - - {} {} {} - {} - {} {} - - -",
      CanonicalUserId(owner), InputString(input, "Bucket"),
      LogTime(state.Now()),
      Field(http != nullptr ? http->remote_address : ""),
      Field(ctx.access_key_id.empty() ? "" : ctx.caller_arn), ctx.request_id,
      OperationKey(operation, method, !key.empty()),
      Field(platform::PercentEncode(key, false)),
      Quoted(http != nullptr
                 ? fmt::format("{} {} HTTP/1.1", http->method, http->target)
                 : ""),
      status, Field(error_code), Field(bytes_sent), Field(object_size),
      Quoted(http != nullptr
                 ? std::string(http->headers.Get("Referer").value_or(""))
                 : ""),
      Quoted(user_agent), Field(version_id), signature, auth_type,
      Field(host));
}

// Key of a new log object: TargetPrefix plus S3's date-stamped name, or the
// partitioned form [prefix][account]/[region]/[bucket]/YYYY/MM/DD/name.
std::string LogObjectKey(const Document& enabled, const Document& source,
                         double now) {
  std::time_t time = static_cast<std::time_t>(now);
  std::tm parts{};
  gmtime_r(&time, &parts);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d-%H-%M-%S", &parts);
  std::string unique = platform::RandomUpperAlnum(16);
  std::string prefix = InputString(enabled, "TargetPrefix");
  const Document& format =
      enabled.value("TargetObjectKeyFormat", Document::object());
  if (format.contains("PartitionedPrefix")) {
    // NOTE: brume partitions by delivery time even when the configuration
    // names EventTime, because records of one flush share one object.
    char day[16];
    std::strftime(day, sizeof day, "%Y/%m/%d", &parts);
    return fmt::format("{}{}/{}/{}/{}/{}-{}", prefix,
                       InputString(source, "Owner"),
                       InputString(source, "Region"),
                       InputString(source, "Name"), day, stamp, unique);
  }
  return fmt::format("{}{}-{}", prefix, stamp, unique);
}

// Writes one log object into the target bucket of `source`.
Status DeliverLog(S3State& state, const Document& source,
                  const Document& enabled, const std::string& body) {
  Result<Document> target =
      LoadBucket(state, InputString(enabled, "TargetBucket"));
  if (!target.ok()) return target.error();
  state.store().EnsureBlobDir();
  std::string blob_id = state.store().NewBlobId();
  Status written = WriteWholeFile(state.store().BlobPath(blob_id), body);
  if (!written.ok()) return written;

  double now = state.Now();
  Document version = {
      {"Blob", blob_id},
      {"Size", body.size()},
      {"ETag", QuoteEtag(platform::HexEncode(platform::Md5(body)))},
      {"LastModified", now},
      {"Owner", InputString(target.value(), "Owner")},
      {"ContentType", "text/plain"},
      {"Metadata", Document::object()},
      {"ServerSideEncryption", "AES256"},
  };
  std::string key = LogObjectKey(enabled, source, now);
  Result<std::string> committed = [&]() -> Result<std::string> {
    std::lock_guard<std::mutex> lock(state.mutex());
    return CommitNewVersion(state, target.value(), key, version);
  }();
  if (!committed.ok()) {
    state.store().RemoveBlob(blob_id);
    return committed.error();
  }
  return Status();
}

}  // namespace

void RecordAccessLog(S3State& state, const RequestContext& ctx,
                     std::string_view operation, const Document& input,
                     Reply& reply) {
  std::string bucket = InputString(input, "Bucket");
  if (bucket.empty() || reply.is_wait()) return;
  std::lock_guard<std::mutex> lock(buffers_mutex);
  LogBuffers& buffers = all_buffers[&state];
  LoadEnabled(state, buffers);
  auto owner = buffers.enabled.find(bucket);
  if (owner == buffers.enabled.end()) return;
  buffers.pending[bucket].push_back(
      FormatRecord(state, ctx, operation, input, reply, owner->second));
}

void NoteBucketLogging(S3State& state, const Document& bucket) {
  std::lock_guard<std::mutex> lock(buffers_mutex);
  LogBuffers& buffers = all_buffers[&state];
  LoadEnabled(state, buffers);
  std::string name = InputString(bucket, "Name");
  const Document& config = bucket["Config"]["Logging"];
  if (config.contains("LoggingEnabled")) {
    buffers.enabled[name] = InputString(bucket, "Owner");
  } else {
    buffers.enabled.erase(name);
  }
}

void FlushAccessLogs(S3State& state) {
  std::map<std::string, std::vector<std::string>, std::less<>> pending;
  {
    std::lock_guard<std::mutex> lock(buffers_mutex);
    auto found = all_buffers.find(&state);
    if (found == all_buffers.end()) return;
    pending.swap(found->second.pending);
  }
  for (auto& [bucket_name, lines] : pending) {
    if (lines.empty()) continue;
    // Deliver with the configuration as stored now: logging may have been
    // turned off or the bucket deleted since the requests.
    Result<Document> source = LoadBucket(state, bucket_name);
    if (!source.ok() || !source.value().contains("Config") ||
        !source.value()["Config"].contains("Logging") ||
        !source.value()["Config"]["Logging"].contains("LoggingEnabled")) {
      continue;
    }
    std::string body;
    for (const std::string& line : lines) body += line + "\n";
    Status delivered = DeliverLog(
        state, source.value(), source.value()["Config"]["Logging"]["LoggingEnabled"],
        body);
    if (!delivered.ok()) {
      spdlog::warn("s3 access log: delivery for bucket {} failed, {} records "
                   "dropped: {}",
                   bucket_name, lines.size(), delivered.error().message);
    }
  }
  state.PurgeRemovedBlobs();
}

void ForgetAccessLogs(const S3State& state) {
  std::lock_guard<std::mutex> lock(buffers_mutex);
  all_buffers.erase(&state);
}

}  // namespace brume::s3
