// Bucket subresources that S3 stores and returns: ACL, tagging, CORS,
// lifecycle, encryption, policy, object lock, public access block,
// ownership controls, website, logging, request payment, accelerate,
// notification and replication. CORS and lifecycle rules are applied by
// cors.cc and lifecycle.cc; object lock defaults by object writes.

#include <mutex>
#include <set>

#include <fmt/format.h>

#include "platform/ids.h"
#include "services/s3/acl.h"
#include "services/s3/errors.h"
#include "services/s3/handlers.h"

namespace brume::s3 {
namespace {

using Validator = Status (*)(Document& config, Document& bucket);

// One stored-and-returned subresource.
struct ConfigSpec {
  const char* put_operation;
  const char* get_operation;
  const char* delete_operation;  // nullptr when S3 has none
  const char* config_name;       // key under the bucket record's "Config"
  const char* input_member;      // payload member of the Put input
  // Output member wrapping the stored configuration, or nullptr when the
  // configuration's members are the output's members.
  const char* output_member;
  // When nothing is stored: this error, or (when missing_code is nullptr)
  // the default_json document.
  const char* missing_code;
  const char* missing_message;
  const char* default_json;
  // Checks and normalises a configuration before it is stored, and may
  // update the bucket record; nullptr when any document is accepted.
  Validator validate;
};

AwsError InvalidArgumentError(std::string message) {
  return InvalidArgument(std::move(message));
}

Status ValidateBucketTagging(Document& config, Document&) {
  return ValidateTagSet(config.value("TagSet", Document::array()), 50);
}

Status ValidateCors(Document& config, Document&) {
  const Document& rules = config.value("CORSRules", Document::array());
  if (rules.empty() || rules.size() > 100) return MalformedXml();
  static const std::set<std::string> kMethods = {"GET", "PUT", "HEAD", "POST",
                                                 "DELETE"};
  for (const Document& rule : rules) {
    if (rule.value("AllowedOrigins", Document::array()).empty() ||
        rule.value("AllowedMethods", Document::array()).empty()) {
      return MalformedXml();
    }
    for (const Document& method : rule["AllowedMethods"]) {
      if (!kMethods.count(method.get<std::string>())) {
        return InvalidRequest(fmt::format(
            "Found unsupported HTTP method in CORS config. Unsupported method "
            "is {}",
            method.get<std::string>()));
      }
    }
  }
  return Status();
}

Status ValidateLifecycle(Document& config, Document&) {
  Document& rules = config["Rules"];
  if (!rules.is_array() || rules.empty() || rules.size() > 1000) {
    return MalformedXml();
  }
  std::set<std::string> ids;
  for (Document& rule : rules) {
    std::string status = InputString(rule, "Status");
    if (status != "Enabled" && status != "Disabled") return MalformedXml();
    if (!rule.contains("ID") || InputString(rule, "ID").empty()) {
      rule["ID"] = platform::RandomAlnum(48);
    }
    std::string id = InputString(rule, "ID");
    if (id.size() > 255) {
      return InvalidArgumentError("ID length should not exceed allowed limit of 255");
    }
    if (!ids.insert(id).second) {
      return InvalidArgumentError(
          "Rule ID must be unique. Found same ID for more than one rule");
    }
    if (rule.contains("Expiration")) {
      const Document& expiration = rule["Expiration"];
      if (expiration.contains("Days") && expiration["Days"].get<int64_t>() <= 0) {
        return InvalidArgumentError(
            "'Days' for Expiration action must be a positive integer");
      }
    }
    if (rule.contains("NoncurrentVersionExpiration")) {
      const Document& expiration = rule["NoncurrentVersionExpiration"];
      if (expiration.contains("NoncurrentDays") &&
          expiration["NoncurrentDays"].get<int64_t>() <= 0) {
        return InvalidArgumentError(
            "'NoncurrentDays' for NoncurrentVersionExpiration action must be a "
            "positive integer");
      }
    }
  }
  return Status();
}

Status ValidatePolicy(Document& config, Document&) {
  AwsError malformed;
  malformed.code = "MalformedPolicy";
  malformed.http_status = 400;
  if (!config.is_string()) {
    malformed.message = "Policies must be valid JSON and the first byte must be '{'";
    return malformed;
  }
  Document policy = Document::parse(config.get<std::string>(), nullptr, false);
  if (policy.is_discarded() || !policy.is_object()) {
    malformed.message = "Policies must be valid JSON and the first byte must be '{'";
    return malformed;
  }
  if (!policy.contains("Statement")) {
    malformed.message = "Missing required field Statement";
    return malformed;
  }
  // TODO: validate statements (actions, resources, principals) as S3 does.
  return Status();
}

Status ValidateEncryption(Document& config, Document&) {
  const Document& rules = config.value("Rules", Document::array());
  if (rules.empty()) return MalformedXml();
  for (const Document& rule : rules) {
    std::string algorithm =
        rule.value("ApplyServerSideEncryptionByDefault", Document::object())
            .value("SSEAlgorithm", "");
    if (algorithm != "AES256" && algorithm != "aws:kms" &&
        algorithm != "aws:kms:dsse") {
      return MalformedXml();
    }
  }
  return Status();
}

Status ValidateObjectLock(Document& config, Document& bucket) {
  if (!bucket.value("ObjectLockEnabled", false) &&
      VersioningStatus(bucket) != "Enabled") {
    AwsError error = InvalidRequest(
        "Versioning must be 'Enabled' on the bucket to apply a Object Lock "
        "configuration");
    error.code = "InvalidBucketState";
    error.http_status = 409;
    return error;
  }
  if (InputString(config, "ObjectLockEnabled") != "Enabled") {
    return MalformedXml();
  }
  if (config.contains("Rule")) {
    const Document& retention =
        config["Rule"].value("DefaultRetention", Document::object());
    bool has_days = retention.contains("Days");
    bool has_years = retention.contains("Years");
    std::string mode = InputString(retention, "Mode");
    if (has_days == has_years || (mode != "GOVERNANCE" && mode != "COMPLIANCE")) {
      return MalformedXml();
    }
    int64_t amount = has_days ? retention["Days"].get<int64_t>()
                              : retention["Years"].get<int64_t>();
    if (amount <= 0) {
      AwsError error = InvalidArgumentError(
          "Default retention period must be a positive integer value.");
      error.code = "InvalidRetentionPeriod";
      return error;
    }
  }
  bucket["ObjectLockEnabled"] = true;
  return Status();
}

// New buckets have S3 Block Public Access on and ACLs disabled
// (BucketOwnerEnforced) by default, so Get returns these for a bucket that
// never set them.
// NOTE: brume returns these defaults but does not enforce them: ACLs stay
// settable and no request is refused for being public.
constexpr const char* kDefaultPublicAccessBlock =
    R"({"BlockPublicAcls":true,"IgnorePublicAcls":true,)"
    R"("BlockPublicPolicy":true,"RestrictPublicBuckets":true})";
constexpr const char* kDefaultOwnership =
    R"({"Rules":[{"ObjectOwnership":"BucketOwnerEnforced"}]})";
constexpr const char* kDefaultEncryption =
    R"({"Rules":[{"ApplyServerSideEncryptionByDefault":)"
    R"({"SSEAlgorithm":"AES256"},"BucketKeyEnabled":false}]})";

const ConfigSpec kConfigSpecs[] = {
    {"PutBucketTagging", "GetBucketTagging", "DeleteBucketTagging", "Tagging",
     "Tagging", nullptr, "NoSuchTagSet", "The TagSet does not exist", nullptr,
     &ValidateBucketTagging},
    {"PutBucketCors", "GetBucketCors", "DeleteBucketCors", "Cors",
     "CORSConfiguration", nullptr, "NoSuchCORSConfiguration",
     "The CORS configuration does not exist", nullptr, &ValidateCors},
    {"PutBucketLifecycleConfiguration", "GetBucketLifecycleConfiguration",
     "DeleteBucketLifecycle", "Lifecycle", "LifecycleConfiguration", nullptr,
     "NoSuchLifecycleConfiguration",
     "The lifecycle configuration does not exist", nullptr,
     &ValidateLifecycle},
    {"PutBucketEncryption", "GetBucketEncryption", "DeleteBucketEncryption",
     "Encryption", "ServerSideEncryptionConfiguration",
     "ServerSideEncryptionConfiguration", nullptr, nullptr, kDefaultEncryption,
     &ValidateEncryption},
    {"PutBucketPolicy", "GetBucketPolicy", "DeleteBucketPolicy", "Policy",
     "Policy", "Policy", "NoSuchBucketPolicy",
     "The bucket policy does not exist", nullptr, &ValidatePolicy},
    {"PutObjectLockConfiguration", "GetObjectLockConfiguration", nullptr,
     "ObjectLock", "ObjectLockConfiguration", "ObjectLockConfiguration",
     "ObjectLockConfigurationNotFoundError",
     "Object Lock configuration does not exist for this bucket", nullptr,
     &ValidateObjectLock},
    {"PutPublicAccessBlock", "GetPublicAccessBlock", "DeletePublicAccessBlock",
     "PublicAccessBlock", "PublicAccessBlockConfiguration",
     "PublicAccessBlockConfiguration", nullptr, nullptr,
     kDefaultPublicAccessBlock, nullptr},
    {"PutBucketOwnershipControls", "GetBucketOwnershipControls",
     "DeleteBucketOwnershipControls", "OwnershipControls", "OwnershipControls",
     "OwnershipControls", nullptr, nullptr, kDefaultOwnership, nullptr},
    {"PutBucketWebsite", "GetBucketWebsite", "DeleteBucketWebsite", "Website",
     "WebsiteConfiguration", nullptr, "NoSuchWebsiteConfiguration",
     "The specified bucket does not have a website configuration", nullptr,
     nullptr},
    {"PutBucketLogging", "GetBucketLogging", nullptr, "Logging",
     "BucketLoggingStatus", nullptr, nullptr, nullptr, "{}", nullptr},
    {"PutBucketRequestPayment", "GetBucketRequestPayment", nullptr,
     "RequestPayment", "RequestPaymentConfiguration", nullptr, nullptr,
     nullptr, R"({"Payer":"BucketOwner"})", nullptr},
    {"PutBucketAccelerateConfiguration", "GetBucketAccelerateConfiguration",
     nullptr, "Accelerate", "AccelerateConfiguration", nullptr, nullptr,
     nullptr, "{}", nullptr},
    // TODO: deliver events to SQS, SNS, EventBridge and Lambda once the
    // platform has an event delivery interface; the configuration is only
    // stored for now.
    {"PutBucketNotificationConfiguration", "GetBucketNotificationConfiguration",
     nullptr, "Notification", "NotificationConfiguration", nullptr, nullptr,
     nullptr, "{}", nullptr},
    {"PutBucketReplication", "GetBucketReplication", "DeleteBucketReplication",
     "Replication", "ReplicationConfiguration", "ReplicationConfiguration",
     "ReplicationConfigurationNotFoundError",
     "The replication configuration was not found", nullptr, nullptr},
};

Reply PutConfig(const ConfigSpec& spec, S3State& state, Document& input) {
  std::string name = InputString(input, "Bucket");
  if (!input.contains(spec.input_member)) return MalformedXml();
  Document config = input[spec.input_member];
  std::lock_guard<std::mutex> lock(state.mutex());
  Result<Document> bucket = LoadBucket(state, name);
  if (!bucket.ok()) return bucket.error();
  if (spec.validate != nullptr) {
    Status valid = spec.validate(config, bucket.value());
    if (!valid.ok()) return valid.error();
  }
  if (!bucket.value().contains("Config")) {
    bucket.value()["Config"] = Document::object();
  }
  bucket.value()["Config"][spec.config_name] = std::move(config);
  Status stored = state.store().PutBucket(name, bucket.value());
  if (!stored.ok()) return stored.error();
  return Document::object();
}

Reply GetConfig(const ConfigSpec& spec, S3State& state, Document& input) {
  std::string name = InputString(input, "Bucket");
  Result<Document> bucket = LoadBucket(state, name);
  if (!bucket.ok()) return bucket.error();
  const Document& configs =
      bucket.value().value("Config", Document::object());
  Document config;
  if (configs.contains(spec.config_name)) {
    config = configs[spec.config_name];
  } else if (spec.missing_code != nullptr) {
    AwsError error;
    error.code = spec.missing_code;
    error.message = spec.missing_message;
    error.http_status = 404;
    error.fields.emplace_back("BucketName", name);
    return error;
  } else {
    config = Document::parse(spec.default_json);
  }
  if (spec.output_member != nullptr) {
    return Document{{spec.output_member, std::move(config)}};
  }
  return config;
}

Reply DeleteConfig(const ConfigSpec& spec, S3State& state, Document& input) {
  std::string name = InputString(input, "Bucket");
  std::lock_guard<std::mutex> lock(state.mutex());
  Result<Document> bucket = LoadBucket(state, name);
  if (!bucket.ok()) return bucket.error();
  if (bucket.value().contains("Config")) {
    bucket.value()["Config"].erase(spec.config_name);
  }
  Status stored = state.store().PutBucket(name, bucket.value());
  if (!stored.ok()) return stored.error();
  return Document::object();
}

}  // namespace

void RegisterBucketConfigHandlers(
    S3State& state,
    const std::function<void(std::string, Handler)>& register_handler) {
  for (const ConfigSpec& spec : kConfigSpecs) {
    const ConfigSpec* spec_ptr = &spec;
    S3State* state_ptr = &state;
    register_handler(spec.put_operation,
                     [spec_ptr, state_ptr](RequestContext&, Document& input) {
                       return PutConfig(*spec_ptr, *state_ptr, input);
                     });
    register_handler(spec.get_operation,
                     [spec_ptr, state_ptr](RequestContext&, Document& input) {
                       return GetConfig(*spec_ptr, *state_ptr, input);
                     });
    if (spec.delete_operation != nullptr) {
      register_handler(spec.delete_operation,
                       [spec_ptr, state_ptr](RequestContext&, Document& input) {
                         return DeleteConfig(*spec_ptr, *state_ptr, input);
                       });
    }
  }
  // The deprecated lifecycle operations share the lifecycle configuration.
  register_handler("PutBucketLifecycle",
                   [&state](RequestContext&, Document& input) {
                     return PutConfig(kConfigSpecs[2], state, input);
                   });
}

Reply PutBucketAcl(S3State& state, RequestContext& ctx, Document& input) {
  std::string name = InputString(input, "Bucket");
  Result<std::optional<Document>> acl = AclFromInput(input, ctx.account_id);
  if (!acl.ok()) return acl.error();
  if (!acl.value().has_value()) return MalformedXml();
  std::lock_guard<std::mutex> lock(state.mutex());
  Result<Document> bucket = LoadBucket(state, name);
  if (!bucket.ok()) return bucket.error();
  bucket.value()["Acl"] = std::move(*acl.value());
  Status stored = state.store().PutBucket(name, bucket.value());
  if (!stored.ok()) return stored.error();
  return Document::object();
}

Reply GetBucketAcl(S3State& state, RequestContext& ctx, Document& input) {
  Result<Document> bucket = LoadBucket(state, InputString(input, "Bucket"));
  if (!bucket.ok()) return bucket.error();
  Document acl = bucket.value().value(
      "Acl", DefaultAcl(bucket.value().value("Owner", ctx.account_id)));
  return Document{{"Owner", acl["Owner"]}, {"Grants", acl["Grants"]}};
}

}  // namespace brume::s3
