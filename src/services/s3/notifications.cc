#include "services/s3/notifications.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <mutex>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "platform/events.h"
#include "platform/ids.h"
#include "platform/strings.h"
#include "services/s3/errors.h"

namespace brume::s3 {
namespace {

// The three destination lists of a NotificationConfiguration, with the
// member naming each destination's ARN.
struct DestinationKind {
  const char* list;
  const char* arn_member;
  const char* noun;  // for error messages: "queue", "topic", "function"
};
constexpr DestinationKind kDestinationKinds[] = {
    {"QueueConfigurations", "QueueArn", "queue"},
    {"TopicConfigurations", "TopicArn", "topic"},
    {"LambdaFunctionConfigurations", "LambdaFunctionArn", "function"},
};

// Event types a configuration may name (AWS: "Supported event types for
// SQS, Amazon SNS, and Lambda").
const std::set<std::string, std::less<>>& SupportedEvents() {
  static const std::set<std::string, std::less<>> events = {
      "s3:ObjectCreated:*",
      "s3:ObjectCreated:Put",
      "s3:ObjectCreated:Post",
      "s3:ObjectCreated:Copy",
      "s3:ObjectCreated:CompleteMultipartUpload",
      "s3:ObjectRemoved:*",
      "s3:ObjectRemoved:Delete",
      "s3:ObjectRemoved:DeleteMarkerCreated",
      "s3:ObjectRestore:*",
      "s3:ObjectRestore:Post",
      "s3:ObjectRestore:Completed",
      "s3:ObjectRestore:Delete",
      "s3:ReducedRedundancyLostObject",
      "s3:Replication:*",
      "s3:Replication:OperationFailedReplication",
      "s3:Replication:OperationMissedThreshold",
      "s3:Replication:OperationReplicatedAfterThreshold",
      "s3:Replication:OperationNotTracked",
      "s3:LifecycleExpiration:*",
      "s3:LifecycleExpiration:Delete",
      "s3:LifecycleExpiration:DeleteMarkerCreated",
      "s3:LifecycleTransition",
      "s3:IntelligentTiering",
      "s3:ObjectTagging:*",
      "s3:ObjectTagging:Put",
      "s3:ObjectTagging:Delete",
      "s3:ObjectAcl:Put",
  };
  return events;
}

// True when configured event type `pattern` ("s3:ObjectCreated:*") covers
// event `name` ("ObjectCreated:Put").
bool EventMatches(std::string_view pattern, std::string_view name) {
  if (pattern.substr(0, 3) != "s3:") return false;
  pattern.remove_prefix(3);
  if (pattern.ends_with(":*")) {
    std::string_view family = pattern.substr(0, pattern.size() - 1);
    return name.substr(0, family.size()) == family;
  }
  return pattern == name;
}

// True when two configured event types can name the same event.
bool EventsOverlap(std::string_view a, std::string_view b) {
  auto family = [](std::string_view type) {
    size_t second = type.find(':', 3);
    return type.substr(0, second);
  };
  if (a == b) return true;
  bool a_wild = a.ends_with(":*"), b_wild = b.ends_with(":*");
  return (a_wild || b_wild) && family(a) == family(b);
}

// The Prefix and Suffix of a configuration's key filter ("" when absent).
struct KeyFilter {
  std::string prefix;
  std::string suffix;
};

KeyFilter FilterOf(const Document& configuration) {
  KeyFilter filter;
  const Document* rules = nullptr;
  if (configuration.contains("Filter") && configuration["Filter"].contains("Key")) {
    rules = &configuration["Filter"]["Key"];
  }
  if (rules == nullptr || !rules->contains("FilterRules")) return filter;
  for (const Document& rule : (*rules)["FilterRules"]) {
    std::string name = rule.value("Name", "");
    std::string value = rule.value("Value", "");
    if (platform::EqualsIgnoreCase(name, "prefix")) filter.prefix = value;
    if (platform::EqualsIgnoreCase(name, "suffix")) filter.suffix = value;
  }
  return filter;
}

bool FiltersOverlap(const KeyFilter& a, const KeyFilter& b) {
  bool prefixes = a.prefix.starts_with(b.prefix) || b.prefix.starts_with(a.prefix);
  bool suffixes = a.suffix.ends_with(b.suffix) || b.suffix.ends_with(a.suffix);
  return prefixes && suffixes;
}

// Checks the filter rules of one configuration and writes their names as
// S3 returns them ("Prefix", "Suffix").
Status NormalizeFilter(Document& configuration) {
  if (!configuration.contains("Filter")) return Status();
  Document& filter = configuration["Filter"];
  if (!filter.contains("Key") || !filter["Key"].contains("FilterRules")) {
    return Status();
  }
  bool seen_prefix = false, seen_suffix = false;
  for (Document& rule : filter["Key"]["FilterRules"]) {
    std::string name = rule.value("Name", "");
    if (platform::EqualsIgnoreCase(name, "prefix")) {
      if (seen_prefix) {
        return InvalidArgument("Cannot specify more than one prefix rule in a filter.",
                               "FilterRule", name);
      }
      seen_prefix = true;
      rule["Name"] = "Prefix";
    } else if (platform::EqualsIgnoreCase(name, "suffix")) {
      if (seen_suffix) {
        return InvalidArgument("Cannot specify more than one suffix rule in a filter.",
                               "FilterRule", name);
      }
      seen_suffix = true;
      rule["Name"] = "Suffix";
    } else {
      return InvalidArgument("filter rule name must be either prefix or suffix",
                             "FilterRule", name);
    }
    if (rule.value("Value", "").size() > kMaxKeyBytes) {
      return InvalidArgument("filter rule value is too long", "FilterRule",
                             rule.value("Value", ""));
    }
  }
  return Status();
}

// An id for a configuration that has none: S3 issues base64 of a UUID.
std::string NewConfigurationId() {
  return platform::Base64Encode(platform::NewUuid());
}

std::string FormatEventTime(double epoch_seconds) {
  auto millis = static_cast<int64_t>(epoch_seconds * 1000);
  std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                     utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                     utc.tm_hour, utc.tm_min, utc.tm_sec, millis % 1000);
}

// Object keys in event records are URL-encoded as an HTML form encodes
// them: spaces become '+', slashes stay.
std::string EncodeEventKey(std::string_view key) {
  std::string encoded = platform::PercentEncode(key, /*keep_slash=*/true);
  std::string out;
  out.reserve(encoded.size());
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded.compare(i, 3, "%20") == 0) {
      out += '+';
      i += 2;
    } else {
      out += encoded[i];
    }
  }
  return out;
}

// Sequencers order the events of one key: 18 hexadecimal digits that grow
// with every event brume sends.
std::string NextSequencer(double now_seconds) {
  static std::atomic<uint64_t> last{0};
  auto micros = static_cast<uint64_t>(now_seconds * 1e6);
  uint64_t candidate = micros << 8;
  uint64_t previous = last.load();
  uint64_t next;
  do {
    next = std::max(candidate, previous + 1);
  } while (!last.compare_exchange_weak(previous, next));
  return fmt::format("{:018X}", next);
}

std::string BucketArn(const Document& bucket) {
  return platform::MakeArn("s3", "", "", InputString(bucket, "Name"));
}

platform::Event EventFor(const Document& bucket, std::string target_arn,
                         std::string body) {
  platform::Event event;
  event.target_arn = std::move(target_arn);
  event.source_service = "s3.amazonaws.com";
  event.source_arn = BucketArn(bucket);
  event.source_account = InputString(bucket, "Owner");
  event.body = std::move(body);
  return event;
}

// The ArgumentValue S3 gives for a destination it could not validate.
std::string ValidationReason(const DestinationKind& kind,
                             const platform::Status& status) {
  if (status.code() == platform::Status::Code::kNotFound) {
    return fmt::format("The destination {} does not exist", kind.noun);
  }
  return fmt::format("Permissions on the destination {} do not allow S3 to "
                     "publish notifications from this bucket ({})",
                     kind.noun, status.message());
}

}  // namespace

Reply PutBucketNotificationConfiguration(S3State& state, RequestContext& ctx,
                                         Document& input) {
  std::string name = InputString(input, "Bucket");
  if (!input.contains("NotificationConfiguration")) return MalformedXml();
  Document config = input["NotificationConfiguration"];
  bool skip_validation = input.value("SkipDestinationValidation", false);

  Result<Document> bucket = LoadBucket(state, name);
  if (!bucket.ok()) return bucket.error();
  std::string region = InputString(bucket.value(), "Region");

  // Event types, filters and ids.
  struct Entry {
    std::string event;
    KeyFilter filter;
  };
  std::vector<Entry> entries;
  std::set<std::string> ids;
  std::vector<std::pair<const DestinationKind*, std::string>> destinations;
  for (const DestinationKind& kind : kDestinationKinds) {
    if (!config.contains(kind.list)) continue;
    for (Document& configuration : config[kind.list]) {
      std::string arn = configuration.value(kind.arn_member, "");
      std::vector<std::string> parts;
      for (size_t start = 0;;) {
        size_t colon = arn.find(':', start);
        parts.push_back(arn.substr(start, colon - start));
        if (colon == std::string::npos) break;
        start = colon + 1;
      }
      if (parts.size() < 6 || parts[0] != "arn" || parts[3].empty() ||
          parts[4].empty()) {
        return InvalidArgument("The ARN is not well formed", kind.arn_member, arn);
      }
      if (parts[3] != region) {
        return InvalidArgument(
            "The notification destination service region is not valid for "
            "the bucket location constraint",
            kind.arn_member, arn);
      }
      const Document& events = configuration.value("Events", Document::array());
      if (events.empty()) return MalformedXml();
      Status filter_ok = NormalizeFilter(configuration);
      if (!filter_ok.ok()) return filter_ok.error();
      KeyFilter filter = FilterOf(configuration);
      for (const Document& event : events) {
        std::string type = event.get<std::string>();
        if (!SupportedEvents().contains(type)) {
          return InvalidArgument("The event is not supported for notifications",
                                 "Event", type);
        }
        for (const Entry& other : entries) {
          if (EventsOverlap(type, other.event) && FiltersOverlap(filter, other.filter)) {
            return InvalidArgument(
                "Configurations overlap. Configurations on the same bucket "
                "cannot share a common event type.");
          }
        }
        entries.push_back({type, filter});
      }
      std::string id = configuration.value("Id", "");
      if (id.empty()) {
        id = NewConfigurationId();
        configuration["Id"] = id;
      }
      if (!ids.insert(id).second) {
        return InvalidArgument("Duplicate notification configuration id", "Id", id);
      }
      destinations.emplace_back(&kind, arn);
    }
  }

  // S3 checks that each destination exists and lets S3 send to it, and
  // lists every one that failed.
  if (!skip_validation && !destinations.empty()) {
    AwsError error = InvalidArgument(
        "Unable to validate the following destination configurations");
    int failed = 0;
    for (const auto& [kind, arn] : destinations) {
      platform::Status checked = state.env().events == nullptr
                                     ? platform::Status::NotFound("no event delivery")
                                     : state.env().events->Check(
                                           EventFor(bucket.value(), arn, ""));
      if (checked.ok()) continue;
      // The error carries S3's generic message, so the log names the check
      // that failed.
      spdlog::info("s3: notification destination {} of bucket {} failed "
                   "validation: {}",
                   arn, name, checked.message());
      ++failed;
      error.fields.emplace_back(fmt::format("ArgumentName{}", failed), arn);
      error.fields.emplace_back(fmt::format("ArgumentValue{}", failed),
                                ValidationReason(*kind, checked));
    }
    if (failed > 0) return error;
  }

  {
    std::lock_guard<std::mutex> lock(state.mutex());
    Result<Document> current = LoadBucket(state, name);
    if (!current.ok()) return current.error();
    if (!current.value().contains("Config")) {
      current.value()["Config"] = Document::object();
    }
    current.value()["Config"]["Notification"] = config;
    Status stored = state.store().PutBucket(name, current.value());
    if (!stored.ok()) return stored.error();
  }

  // A new configuration sends s3:TestEvent to each destination.
  if (state.env().events != nullptr) {
    Document test_event = {{"Service", "Amazon S3"},
                           {"Event", "s3:TestEvent"},
                           {"Time", FormatEventTime(state.Now())},
                           {"Bucket", name},
                           {"RequestId", ctx.request_id},
                           {"HostId", platform::NewS3HostId()}};
    for (const auto& [kind, arn] : destinations) {
      platform::Status sent = state.env().events->Deliver(
          EventFor(bucket.value(), arn, test_event.dump()));
      if (!sent.ok()) {
        spdlog::warn("s3: test event for bucket {} not delivered to {}: {}",
                     name, arn, sent.message());
      }
    }
  }
  return Document::object();
}

ObjectEvent DeleteEvent(std::string key, const DeleteOutcome& outcome) {
  ObjectEvent event;
  event.name = outcome.delete_marker ? "ObjectRemoved:DeleteMarkerCreated"
                                     : "ObjectRemoved:Delete";
  event.key = std::move(key);
  event.version_id = outcome.version_id;
  return event;
}

void PublishObjectEvent(S3State& state, const RequestContext* ctx,
                        const Document& bucket, const ObjectEvent& event) {
  if (state.env().events == nullptr || !bucket.contains("Config") ||
      !bucket["Config"].contains("Notification")) {
    return;
  }
  const Document& config = bucket["Config"]["Notification"];
  std::string bucket_name = InputString(bucket, "Name");

  Document record;
  double now = state.Now();
  Document object = {{"key", EncodeEventKey(event.key)}};
  if (event.size) object["size"] = *event.size;
  if (!event.etag.empty()) {
    std::string etag = event.etag;
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
      etag = etag.substr(1, etag.size() - 2);
    }
    object["eTag"] = etag;
  }
  if (!event.version_id.empty() && event.version_id != "null") {
    object["versionId"] = event.version_id;
  }
  object["sequencer"] = NextSequencer(now);

  // NOTE: AWS names the caller by its internal principal id (AWS:AIDA...);
  // the access key id is sent in its place.
  std::string principal = "s3.amazonaws.com";
  std::string source_ip = "127.0.0.1";
  std::string request_id = platform::NewS3RequestId();
  if (ctx != nullptr) {
    principal = ctx->caller_arn.empty() ? "ANONYMOUS_PRINCIPAL"
                                        : "AWS:" + ctx->access_key_id;
    request_id = ctx->request_id;
    if (ctx->http != nullptr && !ctx->http->remote_address.empty()) {
      source_ip = ctx->http->remote_address;
    }
  }

  for (const DestinationKind& kind : kDestinationKinds) {
    if (!config.contains(kind.list)) continue;
    for (const Document& configuration : config[kind.list]) {
      bool wanted = false;
      for (const Document& type : configuration.value("Events", Document::array())) {
        if (EventMatches(type.get<std::string>(), event.name)) wanted = true;
      }
      KeyFilter filter = FilterOf(configuration);
      if (!wanted || !event.key.starts_with(filter.prefix) ||
          !event.key.ends_with(filter.suffix)) {
        continue;
      }
      Document entry = {
          {"eventVersion", "2.1"},
          {"eventSource", "aws:s3"},
          {"awsRegion", InputString(bucket, "Region")},
          {"eventTime", FormatEventTime(now)},
          {"eventName", event.name},
          {"userIdentity", {{"principalId", principal}}},
          {"requestParameters", {{"sourceIPAddress", source_ip}}},
          {"responseElements",
           {{"x-amz-request-id", request_id},
            {"x-amz-id-2", platform::NewS3HostId()}}},
          {"s3",
           {{"s3SchemaVersion", "1.0"},
            {"configurationId", configuration.value("Id", "")},
            {"bucket",
             {{"name", bucket_name},
              {"ownerIdentity",
               {{"principalId", CanonicalUserId(InputString(bucket, "Owner"))}}},
              {"arn", BucketArn(bucket)}}},
            {"object", object}}}};
      Document body = {{"Records", Document::array({entry})}};
      std::string arn = configuration.value(kind.arn_member, "");
      platform::Status sent =
          state.env().events->Deliver(EventFor(bucket, arn, body.dump()));
      if (!sent.ok()) {
        spdlog::warn("s3: {} event for s3://{}/{} not delivered to {}: {}",
                     event.name, bucket_name, event.key, arn, sent.message());
      }
    }
  }
}

}  // namespace brume::s3
