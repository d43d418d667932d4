// Lifecycle rules applied on the timer service: expiration of current
// versions, noncurrent-version expiration, removal of expired delete
// markers and abortion of incomplete multipart uploads.

#include "services/s3/lifecycle.h"

#include <cmath>
#include <mutex>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "services/s3/notifications.h"
#include "services/s3/object_common.h"

namespace brume::s3 {
namespace {

constexpr double kSecondsPerDay = 86400.0;

// S3 adds the rule's days to the start time and rounds up to the next
// midnight UTC.
double DueTime(double start, double days) {
  double due = start + days * kSecondsPerDay;
  return std::ceil(due / kSecondsPerDay) * kSecondsPerDay;
}

// The parts of a rule's filter brume applies.
struct RuleFilter {
  std::string prefix;
  Document tags = Document::array();
  std::optional<uint64_t> size_greater_than;
  std::optional<uint64_t> size_less_than;
};

RuleFilter ParseFilter(const Document& rule) {
  RuleFilter filter;
  filter.prefix = InputString(rule, "Prefix");  // deprecated top-level form
  if (!rule.contains("Filter")) return filter;
  const Document& source = rule["Filter"].contains("And")
                               ? rule["Filter"]["And"]
                               : rule["Filter"];
  if (source.contains("Prefix")) filter.prefix = InputString(source, "Prefix");
  if (source.contains("Tag")) filter.tags.push_back(source["Tag"]);
  if (source.contains("Tags")) {
    for (const Document& tag : source["Tags"]) filter.tags.push_back(tag);
  }
  if (source.contains("ObjectSizeGreaterThan")) {
    filter.size_greater_than = source["ObjectSizeGreaterThan"].get<uint64_t>();
  }
  if (source.contains("ObjectSizeLessThan")) {
    filter.size_less_than = source["ObjectSizeLessThan"].get<uint64_t>();
  }
  return filter;
}

bool VersionMatches(const RuleFilter& filter, const Document& version) {
  uint64_t size = version.value("Size", uint64_t{0});
  if (filter.size_greater_than && !(size > *filter.size_greater_than)) {
    return false;
  }
  if (filter.size_less_than && !(size < *filter.size_less_than)) return false;
  for (const Document& wanted : filter.tags) {
    bool found = false;
    for (const Document& tag : version.value("Tags", Document::array())) {
      if (tag.value("Key", "") == wanted.value("Key", "") &&
          tag.value("Value", "") == wanted.value("Value", "")) {
        found = true;
      }
    }
    if (!found) return false;
  }
  return true;
}

bool IsLocked(const Document& version, double now) {
  if (version.value("LegalHold", "") == "ON") return true;
  return version.contains("Retention") &&
         version["Retention"].value("RetainUntilDate", 0.0) > now;
}

// Applies one rule to one object row; returns true when the row changed.
// Adds the event of each expiration to `events`, to publish once the row
// is stored.
bool ApplyRule(S3State& state, const Document& bucket, const Document& rule,
               const RuleFilter& filter, std::string_view key, Document& row,
               double now, std::vector<std::string>& removed_blobs,
               std::vector<ObjectEvent>& events) {
  Document& versions = row["Versions"];
  bool changed = false;
  bool versioned = !VersioningStatus(bucket).empty();

  // Noncurrent versions: a version becomes noncurrent when the next newer
  // one is written.
  if (rule.contains("NoncurrentVersionExpiration") && versioned) {
    const Document& action = rule["NoncurrentVersionExpiration"];
    double days = action.value("NoncurrentDays", 0.0);
    int64_t keep = action.value("NewerNoncurrentVersions", int64_t{0});
    Document kept = Document::array();
    int64_t noncurrent_seen = 0;
    for (size_t i = 0; i < versions.size(); ++i) {
      Document& version = versions[i];
      if (i == 0) {
        kept.push_back(version);
        continue;
      }
      ++noncurrent_seen;
      double since = versions[i - 1].value("LastModified", 0.0);
      bool expire = noncurrent_seen > keep && now >= DueTime(since, days) &&
                    VersionMatches(filter, version) && !IsLocked(version, now);
      if (expire) {
        removed_blobs.push_back(InputString(version, "Blob"));
        events.push_back({"LifecycleExpiration:Delete", std::string(key), {}, "",
                          InputString(version, "VersionId")});
        changed = true;
      } else {
        kept.push_back(version);
      }
    }
    versions = std::move(kept);
  }

  if (rule.contains("Expiration") && !versions.empty()) {
    const Document& action = rule["Expiration"];
    Document& latest = versions[0];
    bool is_marker = latest.value("DeleteMarker", false);
    if (is_marker) {
      // An expired object delete marker is one with no older versions.
      if (action.value("ExpiredObjectDeleteMarker", false) &&
          versions.size() == 1) {
        events.push_back({"LifecycleExpiration:Delete", std::string(key), {}, "",
                          InputString(latest, "VersionId")});
        versions.erase(versions.begin());
        changed = true;
      }
    } else if (VersionMatches(filter, latest)) {
      double modified = latest.value("LastModified", 0.0);
      bool due = false;
      if (action.contains("Days")) {
        due = now >= DueTime(modified, action["Days"].get<double>());
      } else if (action.contains("Date")) {
        due = now >= action["Date"].get<double>();
      }
      if (due && !IsLocked(latest, now)) {
        changed = true;
        if (!versioned) {
          removed_blobs.push_back(InputString(latest, "Blob"));
          events.push_back({"LifecycleExpiration:Delete", std::string(key), {}, "", ""});
          versions.erase(versions.begin());
        } else {
          std::string marker_id =
              VersioningStatus(bucket) == "Enabled" ? NewVersionId() : "null";
          if (marker_id == "null") {
            Document kept = Document::array();
            for (Document& version : versions) {
              if (InputString(version, "VersionId") == "null") {
                removed_blobs.push_back(InputString(version, "Blob"));
              } else {
                kept.push_back(std::move(version));
              }
            }
            versions = std::move(kept);
          }
          versions.insert(versions.begin(),
                          Document{{"VersionId", marker_id},
                                   {"DeleteMarker", true},
                                   {"LastModified", now},
                                   {"Owner", bucket.value("Owner", "")}});
          events.push_back({"LifecycleExpiration:DeleteMarkerCreated",
                            std::string(key), {}, "", marker_id});
        }
      }
    }
  }
  (void)state;
  return changed;
}

void ApplyBucketLifecycle(S3State& state, const Document& bucket, double now) {
  const Document& rules = bucket["Config"]["Lifecycle"].value("Rules", Document::array());
  std::string bucket_name = InputString(bucket, "Name");
  size_t expired_rows = 0;
  for (const Document& rule : rules) {
    if (InputString(rule, "Status") != "Enabled") continue;
    RuleFilter filter = ParseFilter(rule);

    // Collect the rows first: the scan must not overlap the writes.
    std::vector<std::pair<std::string, Document>> rows;
    Status scanned = state.store().ScanObjects(
        bucket_name, filter.prefix, "",
        [&](std::string_view key, const Document& row) {
          rows.emplace_back(std::string(key), row);
          return true;
        });
    if (!scanned.ok()) {
      spdlog::warn("s3 lifecycle: scan of bucket {} failed: {}", bucket_name,
                   scanned.error().message);
      return;
    }
    std::vector<std::string> removed_blobs;
    for (auto& [key, row] : rows) {
      std::vector<ObjectEvent> events;
      if (!ApplyRule(state, bucket, rule, filter, key, row, now, removed_blobs,
                     events)) {
        continue;
      }
      Status stored = state.store().PutObjectRow(bucket_name, key, row);
      if (!stored.ok()) {
        spdlog::warn("s3 lifecycle: update of {}/{} failed: {}", bucket_name,
                     key, stored.error().message);
        continue;
      }
      for (const ObjectEvent& event : events) {
        PublishObjectEvent(state, nullptr, bucket, event);
      }
      ++expired_rows;
    }
    state.RemoveBlobsLater(removed_blobs);

    if (rule.contains("AbortIncompleteMultipartUpload")) {
      double days = rule["AbortIncompleteMultipartUpload"].value(
          "DaysAfterInitiation", 0.0);
      Result<std::vector<Document>> uploads =
          state.store().ListUploads(bucket_name);
      if (!uploads.ok()) continue;
      for (const Document& upload : uploads.value()) {
        if (upload.value("Completed", false)) continue;
        if (!InputString(upload, "Key").starts_with(filter.prefix)) continue;
        if (now < DueTime(upload.value("Initiated", 0.0), days)) continue;
        std::string upload_id = InputString(upload, "UploadId");
        Result<std::vector<Document>> parts = state.store().ListParts(upload_id);
        if (!parts.ok()) continue;
        std::vector<int> numbers;
        for (const Document& part : parts.value()) {
          numbers.push_back(part.value("PartNumber", 0));
          state.RemoveBlobLater(InputString(part, "Blob"));
        }
        state.store().DeleteUpload(bucket_name, upload_id, numbers);
      }
    }
  }
  if (expired_rows > 0) {
    spdlog::info("s3 lifecycle: bucket {}: {} objects expired", bucket_name,
                 expired_rows);
  }
}

}  // namespace

std::optional<std::string> ExpirationHeader(const Document& bucket,
                                            std::string_view key,
                                            const Document& version) {
  if (!bucket.contains("Config") || !bucket["Config"].contains("Lifecycle")) {
    return std::nullopt;
  }
  const Document& rules =
      bucket["Config"]["Lifecycle"].value("Rules", Document::array());
  std::optional<double> earliest;
  std::string rule_id;
  for (const Document& rule : rules) {
    if (InputString(rule, "Status") != "Enabled" ||
        !rule.contains("Expiration")) {
      continue;
    }
    RuleFilter filter = ParseFilter(rule);
    if (!key.starts_with(filter.prefix) || !VersionMatches(filter, version)) {
      continue;
    }
    const Document& action = rule["Expiration"];
    std::optional<double> due;
    if (action.contains("Days")) {
      due = DueTime(version.value("LastModified", 0.0),
                    action["Days"].get<double>());
    } else if (action.contains("Date") && action["Date"].is_number()) {
      due = action["Date"].get<double>();
    }
    if (due.has_value() && (!earliest.has_value() || *due < *earliest)) {
      earliest = due;
      rule_id = InputString(rule, "ID");
    }
  }
  if (!earliest.has_value()) return std::nullopt;
  return fmt::format("expiry-date=\"{}\", rule-id=\"{}\"",
                     FormatHttpDate(static_cast<int64_t>(*earliest)), rule_id);
}

void RunLifecycle(S3State& state) {
  std::lock_guard<std::mutex> lock(state.mutex());
  Result<std::vector<Document>> buckets = state.store().ListBuckets();
  if (!buckets.ok()) {
    spdlog::warn("s3 lifecycle: listing buckets failed: {}",
                 buckets.error().message);
    return;
  }
  double now = state.Now();
  for (const Document& bucket : buckets.value()) {
    if (!bucket.contains("Config") || !bucket["Config"].contains("Lifecycle")) {
      continue;
    }
    ApplyBucketLifecycle(state, bucket, now);
  }
}

}  // namespace brume::s3
