// Object subresources: tagging, ACL, retention and legal hold.

#include <mutex>

#include "services/s3/acl.h"
#include "services/s3/errors.h"
#include "services/s3/handlers.h"
#include "services/s3/notifications.h"

namespace brume::s3 {
namespace {

// The version of an object that a subresource request names (VersionId,
// or the latest), with its bucket and row.
struct VersionRef {
  Document bucket;
  Document row;
  size_t index = 0;

  Document& version() { return row["Versions"][index]; }
};

// Finds the version a request names; the caller holds the state mutex.
Result<VersionRef> LocateVersion(S3State& state, const Document& input,
                                 std::string_view method) {
  std::string bucket_name = InputString(input, "Bucket");
  std::string key = InputString(input, "Key");
  std::string version_id = InputString(input, "VersionId");
  VersionRef ref;
  Result<Document> bucket = LoadBucket(state, bucket_name);
  if (!bucket.ok()) return bucket.error();
  ref.bucket = std::move(bucket.value());
  if (!version_id.empty() && !IsValidVersionId(version_id)) {
    return InvalidArgument("Invalid version id specified", "versionId",
                           version_id);
  }
  Result<std::optional<Document>> row =
      state.store().GetObjectRow(bucket_name, key);
  if (!row.ok()) return row.error();
  if (!row.value().has_value()) {
    return version_id.empty() ? NoSuchKey(key) : NoSuchVersion(key, version_id);
  }
  ref.row = std::move(*row.value());
  bool found = false;
  for (size_t i = 0; i < ref.row["Versions"].size(); ++i) {
    if (version_id.empty() ||
        InputString(ref.row["Versions"][i], "VersionId") == version_id) {
      ref.index = i;
      found = true;
      break;
    }
  }
  if (!found) return NoSuchVersion(key, version_id);
  if (ref.version().value("DeleteMarker", false)) {
    if (version_id.empty()) return NoSuchKey(key);
    return MethodNotAllowed(method, "DeleteMarker");
  }
  return ref;
}

// Runs `change` on the version a request names and stores the row; an
// error from `change` leaves the row unchanged. Returns the version id for
// the x-amz-version-id header, or "" when the bucket was never versioned.
Result<std::string> UpdateVersion(
    S3State& state, const Document& input,
    const std::function<Status(Document& version, const Document& bucket)>&
        change) {
  std::lock_guard<std::mutex> lock(state.mutex());
  Result<VersionRef> ref = LocateVersion(state, input, "PUT");
  if (!ref.ok()) return ref.error();
  Status changed = change(ref.value().version(), ref.value().bucket);
  if (!changed.ok()) return changed.error();
  std::string id = InputString(ref.value().version(), "VersionId");
  Status stored = state.store().PutObjectRow(
      InputString(input, "Bucket"), InputString(input, "Key"),
      ref.value().row);
  if (!stored.ok()) return stored.error();
  return VersioningStatus(ref.value().bucket).empty() ? std::string() : id;
}

// Returns a copy of the version a request names.
Result<Document> ReadVersion(S3State& state, const Document& input,
                             std::string* version_id_out) {
  std::lock_guard<std::mutex> lock(state.mutex());
  Result<VersionRef> ref = LocateVersion(state, input, "GET");
  if (!ref.ok()) return ref.error();
  *version_id_out = InputString(ref.value().version(), "VersionId");
  return ref.value().version();
}

// Publishes an ObjectTagging or ObjectAcl event of the object a request
// named.
void PublishObjectChangeEvent(S3State& state, const RequestContext& ctx,
                              const Document& input, const char* name,
                              const std::string& version_id) {
  Result<Document> bucket = LoadBucket(state, InputString(input, "Bucket"));
  if (!bucket.ok()) return;
  PublishObjectEvent(state, &ctx, bucket.value(),
                     {name, InputString(input, "Key"), {}, "", version_id});
}

}  // namespace

Reply PutObjectTagging(S3State& state, RequestContext& ctx, Document& input) {
  Document tag_set = input.value("Tagging", Document::object())
                         .value("TagSet", Document::array());
  Status valid = ValidateTagSet(tag_set, 10);
  if (!valid.ok()) return valid.error();
  SortTagSet(tag_set);
  Result<std::string> version_id =
      UpdateVersion(state, input, [&](Document& version, const Document&) {
        version["Tags"] = tag_set;
        return Status();
      });
  if (!version_id.ok()) return version_id.error();
  PublishObjectChangeEvent(state, ctx, input, "ObjectTagging:Put",
                           version_id.value());
  Document output = Document::object();
  if (!version_id.value().empty()) output["VersionId"] = version_id.value();
  return output;
}

Reply GetObjectTagging(S3State& state, RequestContext& ctx, Document& input) {
  (void)ctx;
  std::string version_id;
  Result<Document> version = ReadVersion(state, input, &version_id);
  if (!version.ok()) return version.error();
  Document output = {
      {"TagSet", version.value().value("Tags", Document::array())}};
  Result<Document> bucket = LoadBucket(state, InputString(input, "Bucket"));
  if (bucket.ok() && !VersioningStatus(bucket.value()).empty()) {
    output["VersionId"] = version_id;
  }
  return output;
}

Reply DeleteObjectTagging(S3State& state, RequestContext& ctx,
                          Document& input) {
  Result<std::string> version_id =
      UpdateVersion(state, input, [&](Document& version, const Document&) {
        version.erase("Tags");
        return Status();
      });
  if (!version_id.ok()) return version_id.error();
  PublishObjectChangeEvent(state, ctx, input, "ObjectTagging:Delete",
                           version_id.value());
  Document output = Document::object();
  if (!version_id.value().empty()) output["VersionId"] = version_id.value();
  return output;
}

Reply PutObjectAcl(S3State& state, RequestContext& ctx, Document& input) {
  Result<std::string> version_id = UpdateVersion(
      state, input, [&](Document& version, const Document& bucket) -> Status {
        // The object owner remains the ACL's owner, even when another
        // account sets it.
        Result<std::optional<Document>> acl =
            AclFromInput(input, version.value("Owner", ctx.account_id),
                         InputString(bucket, "Owner"));
        if (!acl.ok()) return acl.error();
        if (!acl.value().has_value()) return MalformedXml();
        version["Acl"] = std::move(*acl.value());
        return Status();
      });
  if (!version_id.ok()) return version_id.error();
  PublishObjectChangeEvent(state, ctx, input, "ObjectAcl:Put", version_id.value());
  return Document::object();
}

Reply GetObjectAcl(S3State& state, RequestContext& ctx, Document& input) {
  std::string version_id;
  Result<Document> version = ReadVersion(state, input, &version_id);
  if (!version.ok()) return version.error();
  Document acl = version.value().value(
      "Acl", DefaultAcl(version.value().value("Owner", ctx.account_id)));
  return Document{{"Owner", acl["Owner"]}, {"Grants", acl["Grants"]}};
}

Reply PutObjectRetention(S3State& state, RequestContext& ctx,
                         Document& input) {
  (void)ctx;
  const Document& retention = input.value("Retention", Document::object());
  bool bypass = input.value("BypassGovernanceRetention", false);
  double now = state.Now();
  Result<std::string> version_id = UpdateVersion(
      state, input, [&](Document& version, const Document& bucket) -> Status {
        if (!bucket.value("ObjectLockEnabled", false)) {
          return InvalidRequest("Bucket is missing Object Lock Configuration");
        }
        // An unexpired COMPLIANCE retention can only be extended; an
        // unexpired GOVERNANCE retention can be shortened or removed only
        // with the bypass header.
        std::string mode = InputString(retention, "Mode");
        if (retention.contains("Mode") && mode != "GOVERNANCE" &&
            mode != "COMPLIANCE") {
          return MalformedXml();
        }
        if (version.contains("Retention")) {
          const Document& current = version["Retention"];
          std::string current_mode = InputString(current, "Mode");
          double current_until = current.value("RetainUntilDate", 0.0);
          double new_until = retention.value("RetainUntilDate", 0.0);
          bool active = current_until > now;
          bool weakened = !retention.contains("Mode") ||
                          new_until < current_until || mode != current_mode;
          if (active && weakened) {
            bool governance = current_mode == "GOVERNANCE";
            if (!(governance && bypass)) {
              return AccessDenied(
                  "Access Denied because object protected by object lock.");
            }
          }
        }
        if (!retention.contains("Mode")) {
          version.erase("Retention");
        } else {
          if (retention.value("RetainUntilDate", 0.0) <= now) {
            return InvalidArgument(
                "The retain until date must be in the future!");
          }
          version["Retention"] = {
              {"Mode", retention["Mode"]},
              {"RetainUntilDate", retention["RetainUntilDate"]}};
        }
        return Status();
      });
  if (!version_id.ok()) return version_id.error();
  return Document::object();
}

Reply GetObjectRetention(S3State& state, RequestContext& ctx,
                         Document& input) {
  (void)ctx;
  Result<Document> bucket = LoadBucket(state, InputString(input, "Bucket"));
  if (!bucket.ok()) return bucket.error();
  if (!bucket.value().value("ObjectLockEnabled", false)) {
    return InvalidRequest("Bucket is missing Object Lock Configuration");
  }
  std::string version_id;
  Result<Document> version = ReadVersion(state, input, &version_id);
  if (!version.ok()) return version.error();
  if (!version.value().contains("Retention")) {
    AwsError error;
    error.code = "NoSuchObjectLockConfiguration";
    error.message = "The specified object does not have a ObjectLock configuration";
    error.http_status = 404;
    return error;
  }
  return Document{{"Retention", version.value()["Retention"]}};
}

Reply PutObjectLegalHold(S3State& state, RequestContext& ctx,
                         Document& input) {
  (void)ctx;
  std::string status =
      InputString(input.value("LegalHold", Document::object()), "Status");
  if (status != "ON" && status != "OFF") return MalformedXml();
  Result<std::string> version_id = UpdateVersion(
      state, input, [&](Document& version, const Document& bucket) -> Status {
        if (!bucket.value("ObjectLockEnabled", false)) {
          return InvalidRequest("Bucket is missing Object Lock Configuration");
        }
        version["LegalHold"] = status;
        return Status();
      });
  if (!version_id.ok()) return version_id.error();
  return Document::object();
}

Reply GetObjectLegalHold(S3State& state, RequestContext& ctx,
                         Document& input) {
  (void)ctx;
  Result<Document> bucket = LoadBucket(state, InputString(input, "Bucket"));
  if (!bucket.ok()) return bucket.error();
  if (!bucket.value().value("ObjectLockEnabled", false)) {
    return InvalidRequest("Bucket is missing Object Lock Configuration");
  }
  std::string version_id;
  Result<Document> version = ReadVersion(state, input, &version_id);
  if (!version.ok()) return version.error();
  if (!version.value().contains("LegalHold")) {
    AwsError error;
    error.code = "NoSuchObjectLockConfiguration";
    error.message = "The specified object does not have a ObjectLock configuration";
    error.http_status = 404;
    return error;
  }
  return Document{{"LegalHold", {{"Status", version.value()["LegalHold"]}}}};
}

}  // namespace brume::s3
