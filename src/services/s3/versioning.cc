// PutBucketVersioning and GetBucketVersioning. Versioned reads, writes and
// deletes live with the object handlers (objects.cc); ListObjectVersions
// lives with the other listings (listing.cc).

#include <mutex>

#include "services/s3/errors.h"
#include "services/s3/handlers.h"

namespace brume::s3 {

Reply PutBucketVersioning(S3State& state, RequestContext& ctx,
                          Document& input) {
  (void)ctx;
  std::string name = InputString(input, "Bucket");
  const Document& configuration =
      input.value("VersioningConfiguration", Document::object());
  std::string status = InputString(configuration, "Status");
  if (status != "Enabled" && status != "Suspended") return MalformedXml();
  std::string mfa_delete = InputString(configuration, "MFADelete");
  if (mfa_delete == "Enabled") {
    // TODO: MFA delete needs an MFA device model; S3 also rejects it unless
    // the root user sends x-amz-mfa.
    return InvalidRequest(
        "DevPay and Mfa are mutually exclusive authorization methods.");
  }

  std::lock_guard<std::mutex> lock(state.mutex());
  Result<Document> bucket = LoadBucket(state, name);
  if (!bucket.ok()) return bucket.error();
  if (status == "Suspended" && bucket.value().value("ObjectLockEnabled", false)) {
    AwsError error = InvalidRequest(
        "An Object Lock configuration is present on this bucket, so the "
        "versioning state cannot be changed.");
    error.code = "InvalidBucketState";
    error.http_status = 409;
    return error;
  }
  bucket.value()["Versioning"] = status;
  if (!mfa_delete.empty()) bucket.value()["MFADelete"] = mfa_delete;
  Status stored = state.store().PutBucket(name, bucket.value());
  if (!stored.ok()) return stored.error();
  return Document::object();
}

Reply GetBucketVersioning(S3State& state, RequestContext& ctx,
                          Document& input) {
  (void)ctx;
  Result<Document> bucket = LoadBucket(state, InputString(input, "Bucket"));
  if (!bucket.ok()) return bucket.error();
  Document output = Document::object();
  std::string status = VersioningStatus(bucket.value());
  if (!status.empty()) output["Status"] = status;
  std::string mfa_delete = InputString(bucket.value(), "MFADelete");
  if (!mfa_delete.empty()) output["MFADelete"] = mfa_delete;
  return output;
}

}  // namespace brume::s3
