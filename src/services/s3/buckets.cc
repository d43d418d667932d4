// CreateBucket, DeleteBucket, HeadBucket, ListBuckets and GetBucketLocation.

#include <algorithm>
#include <cctype>
#include <mutex>

#include <fmt/format.h>

#include "platform/ids.h"
#include "platform/strings.h"
#include "services/s3/access.h"
#include "services/s3/acl.h"
#include "services/s3/errors.h"
#include "services/s3/handlers.h"

namespace brume::s3 {
namespace {

// General purpose bucket naming rules: 3 to 63 characters of lower-case
// letters, digits, dots and hyphens, starting and ending with a letter or
// digit, no adjacent dots, not an IPv4 address, none of the reserved
// prefixes and suffixes.
bool IsValidBucketName(std::string_view name) {
  if (name.size() < 3 || name.size() > 63) return false;
  for (char c : name) {
    bool allowed = std::islower(static_cast<unsigned char>(c)) ||
                   std::isdigit(static_cast<unsigned char>(c)) || c == '.' ||
                   c == '-';
    if (!allowed) return false;
  }
  auto alnum = [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c));
  };
  if (!alnum(name.front()) || !alnum(name.back())) return false;
  if (name.find("..") != std::string_view::npos ||
      name.find(".-") != std::string_view::npos ||
      name.find("-.") != std::string_view::npos) {
    return false;
  }
  static const char* kReservedPrefixes[] = {"xn--", "sthree-", "amzn-s3-demo-"};
  for (const char* prefix : kReservedPrefixes) {
    if (name.starts_with(prefix)) return false;
  }
  static const char* kReservedSuffixes[] = {"-s3alias", "--ol-s3", ".mrap",
                                            "--x-s3", "--table-s3"};
  for (const char* suffix : kReservedSuffixes) {
    if (name.ends_with(suffix)) return false;
  }
  int dots = 0;
  bool digits_and_dots = true;
  for (char c : name) {
    if (c == '.') {
      ++dots;
    } else if (!std::isdigit(static_cast<unsigned char>(c))) {
      digits_and_dots = false;
    }
  }
  if (digits_and_dots && dots == 3) return false;  // looks like an IPv4 address
  return true;
}

// True when an ACL grants nothing beyond FULL_CONTROL to `owner`, as the
// private and bucket-owner-full-control canned ACLs of a new bucket do.
bool GrantsOnlyOwnerFullControl(const Document& acl, std::string_view owner) {
  std::string owner_id = CanonicalUserId(owner);
  for (const Document& grant : acl.value("Grants", Document::array())) {
    const Document& grantee = grant.value("Grantee", Document::object());
    if (InputString(grant, "Permission") != "FULL_CONTROL" ||
        InputString(grantee, "ID") != owner_id) {
      return false;
    }
  }
  return true;
}

std::string EffectiveRegion(const RequestContext& ctx) {
  return ctx.region.empty() ? "us-east-1" : ctx.region;
}

}  // namespace

Reply CreateBucket(S3State& state, RequestContext& ctx, Document& input) {
  std::string name = InputString(input, "Bucket");
  if (!IsValidBucketName(name)) return InvalidBucketName(name);

  // The region comes from the LocationConstraint, which must match the
  // endpoint's region everywhere except on the us-east-1 endpoint.
  std::string request_region = EffectiveRegion(ctx);
  std::string constraint;
  if (input.contains("CreateBucketConfiguration")) {
    constraint =
        InputString(input["CreateBucketConfiguration"], "LocationConstraint");
  }
  if (constraint == "EU") constraint = "eu-west-1";
  std::string region = constraint.empty() ? "us-east-1" : constraint;
  if (request_region == "us-east-1") {
    if (constraint == "us-east-1") {
      AwsError error = InvalidArgument("");
      error.code = "InvalidLocationConstraint";
      error.message = "The specified location-constraint is not valid";
      error.fields.emplace_back("LocationConstraint", constraint);
      return error;
    }
  } else if (constraint != request_region) {
    AwsError error;
    error.code = "IllegalLocationConstraintException";
    error.http_status = 400;
    error.message =
        constraint.empty()
            ? "The unspecified location constraint is incompatible for the "
              "region specific endpoint this request was sent to."
            : fmt::format("The {} location constraint is incompatible for the "
                          "region specific endpoint this request was sent to.",
                          constraint);
    return error;
  }

  Result<std::optional<Document>> acl = AclFromInput(input, ctx.account_id);
  if (!acl.ok()) return acl.error();
  if (acl.value().has_value()) {
    Status grantees = CheckGrantees(state, *acl.value());
    if (!grantees.ok()) return grantees.error();
  }
  // Since April 2023 new buckets have ACLs disabled (BucketOwnerEnforced)
  // and all four public access block settings on, unless brume runs with
  // the older defaults.
  bool legacy_defaults = state.env().s3_legacy_bucket_defaults;
  std::string ownership = InputString(input, "ObjectOwnership");
  if (ownership.empty() && !legacy_defaults) {
    ownership = "BucketOwnerEnforced";
  }
  if (ownership == "BucketOwnerEnforced" && acl.value().has_value() &&
      !GrantsOnlyOwnerFullControl(*acl.value(), ctx.account_id)) {
    return AwsError{"InvalidBucketAclWithObjectOwnership",
                    "Bucket cannot have ACLs set with ObjectOwnership's "
                    "BucketOwnerEnforced setting",
                    400};
  }

  std::lock_guard<std::mutex> lock(state.mutex());
  Result<std::optional<Document>> existing = state.store().GetBucket(name);
  if (!existing.ok()) return existing.error();
  if (existing.value().has_value()) {
    const Document& bucket = *existing.value();
    if (InputString(bucket, "Owner") != ctx.account_id) {
      return BucketAlreadyExists(name);
    }
    // In us-east-1 S3 returns 200 to the owner re-creating a bucket.
    if (InputString(bucket, "Region") == "us-east-1" &&
        request_region == "us-east-1") {
      return Document{{"Location", "/" + name}};
    }
    return BucketAlreadyOwnedByYou(name);
  }

  Document record = {{"Name", name},
                     {"Region", region},
                     {"Owner", ctx.account_id},
                     {"CreationDate", state.Now()},
                     {"Versioning", ""},
                     {"Config", Document::object()}};
  record["Acl"] = acl.value().has_value() ? *acl.value()
                                          : DefaultAcl(ctx.account_id);
  if (input.value("ObjectLockEnabledForBucket", false)) {
    record["ObjectLockEnabled"] = true;
    record["Versioning"] = "Enabled";
    record["Config"]["ObjectLock"] = {{"ObjectLockEnabled", "Enabled"}};
  }
  if (!ownership.empty()) {
    record["Config"]["OwnershipControls"] = {
        {"Rules", Document::array({{{"ObjectOwnership", ownership}}})}};
  }
  if (!legacy_defaults) {
    record["Config"]["PublicAccessBlock"] = {{"BlockPublicAcls", true},
                                             {"IgnorePublicAcls", true},
                                             {"BlockPublicPolicy", true},
                                             {"RestrictPublicBuckets", true}};
  }
  Status stored = state.store().PutBucket(name, record);
  if (!stored.ok()) return stored.error();

  Document output = Document::object();
  output["Location"] = region == "us-east-1"
                           ? "/" + name
                           : fmt::format("http://{}.s3.amazonaws.com/", name);
  output["BucketArn"] = platform::MakeArn("s3", "", "", name);
  return output;
}

Reply DeleteBucket(S3State& state, RequestContext& ctx, Document& input) {
  (void)ctx;
  std::string name = InputString(input, "Bucket");
  std::lock_guard<std::mutex> lock(state.mutex());
  Result<Document> bucket = LoadBucket(state, name);
  if (!bucket.ok()) return bucket.error();
  Result<bool> has_objects = state.store().BucketHasObjects(name);
  if (!has_objects.ok()) return has_objects.error();
  if (has_objects.value()) return BucketNotEmpty(name);

  // Incomplete multipart uploads go with the bucket.
  Result<std::vector<Document>> uploads = state.store().ListUploads(name);
  if (!uploads.ok()) return uploads.error();
  for (const Document& upload : uploads.value()) {
    std::string upload_id = InputString(upload, "UploadId");
    Result<std::vector<Document>> parts = state.store().ListParts(upload_id);
    if (!parts.ok()) return parts.error();
    std::vector<int> numbers;
    for (const Document& part : parts.value()) {
      numbers.push_back(part.value("PartNumber", 0));
      state.RemoveBlobLater(InputString(part, "Blob"));
    }
    Status deleted = state.store().DeleteUpload(name, upload_id, numbers);
    if (!deleted.ok()) return deleted.error();
  }
  Status deleted = state.store().DeleteBucket(name);
  if (!deleted.ok()) return deleted.error();
  return Document::object();
}

Reply HeadBucket(S3State& state, RequestContext& ctx, Document& input) {
  (void)ctx;
  Result<Document> bucket = LoadBucket(state, InputString(input, "Bucket"));
  if (!bucket.ok()) return bucket.error();
  return Document{{"BucketRegion", InputString(bucket.value(), "Region")},
                  {"AccessPointAlias", false}};
}

Reply ListBuckets(S3State& state, RequestContext& ctx, Document& input) {
  Result<std::vector<Document>> buckets = state.store().ListBuckets();
  if (!buckets.ok()) return buckets.error();

  std::string prefix = InputString(input, "Prefix");
  std::string region_filter = InputString(input, "BucketRegion");
  int64_t max_buckets = input.value("MaxBuckets", int64_t{10000});
  if (max_buckets < 1 || max_buckets > 10000) {
    return InvalidArgument(
        "Argument max-buckets must be an integer between 1 and 10000",
        "max-buckets", std::to_string(max_buckets));
  }
  // Continuation tokens are base64 of the last bucket name returned.
  std::string after;
  if (input.contains("ContinuationToken")) {
    if (!platform::Base64Decode(InputString(input, "ContinuationToken"),
                                &after)) {
      return InvalidArgument("The continuation token provided is incorrect",
                             "continuation-token",
                             InputString(input, "ContinuationToken"));
    }
  }

  Document list = Document::array();
  bool truncated = false;
  std::string last_name;
  for (const Document& bucket : buckets.value()) {
    std::string name = InputString(bucket, "Name");
    if (InputString(bucket, "Owner") != ctx.account_id) continue;
    if (!name.starts_with(prefix)) continue;
    if (!after.empty() && name <= after) continue;
    if (!region_filter.empty() && InputString(bucket, "Region") != region_filter) {
      continue;
    }
    if (static_cast<int64_t>(list.size()) == max_buckets) {
      truncated = true;
      break;
    }
    list.push_back({{"Name", name},
                    {"CreationDate", bucket.value("CreationDate", 0.0)},
                    {"BucketRegion", InputString(bucket, "Region")},
                    {"BucketArn", platform::MakeArn("s3", "", "", name)}});
    last_name = name;
  }

  Document output = {{"Buckets", std::move(list)},
                     {"Owner", OwnerDocument(ctx.account_id)}};
  if (!prefix.empty()) output["Prefix"] = prefix;
  if (truncated) output["ContinuationToken"] = platform::Base64Encode(last_name);
  return output;
}

Reply GetBucketLocation(S3State& state, RequestContext& ctx, Document& input) {
  (void)ctx;
  Result<Document> bucket = LoadBucket(state, InputString(input, "Bucket"));
  if (!bucket.ok()) return bucket.error();
  // Buckets in us-east-1 have an empty LocationConstraint.
  std::string region = InputString(bucket.value(), "Region");
  Document output = Document::object();
  output["LocationConstraint"] = region == "us-east-1" ? "" : region;
  return output;
}

}  // namespace brume::s3
