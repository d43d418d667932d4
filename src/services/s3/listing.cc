// ListObjects (v1), ListObjectsV2 and ListObjectVersions.

#include <mutex>

#include <fmt/format.h>

#include "platform/strings.h"
#include "services/s3/errors.h"
#include "services/s3/handlers.h"

namespace brume::s3 {
namespace {

constexpr int kMaxListKeys = 1000;

// One listing page: entries (rows or versions, as the caller builds them)
// and common prefixes in key order.
struct ListingPage {
  Document contents = Document::array();
  Document common_prefixes = Document::array();
  bool truncated = false;
  // Last key or common prefix returned, for NextMarker and continuation
  // tokens.
  std::string last_item;
};

Result<int> ParseMaxKeys(const Document& input, std::string_view member) {
  if (!input.contains(member)) return kMaxListKeys;
  int64_t value = input[member].get<int64_t>();
  if (value < 0) {
    return InvalidArgument("Argument maxKeys must be an integer between 0 and "
                           "2147483647",
                           "maxKeys", std::to_string(value));
  }
  return static_cast<int>(std::min<int64_t>(value, kMaxListKeys));
}

// Encodes a key for encoding-type=url responses: every byte outside
// A-Z a-z 0-9 - _ . ~ / is percent-encoded, as S3 does.
std::string EncodeKey(std::string_view key, bool url_encoding) {
  if (!url_encoding) return std::string(key);
  return platform::PercentEncode(key, /*keep_slash=*/true);
}

// Walks the current objects of a bucket in key order, grouping keys at the
// delimiter into common prefixes, starting after `marker`, and stops after
// `max_keys` entries and prefixes. `make_entry` builds a Contents element
// from a key and its current version.
Result<ListingPage> ListCurrentObjects(
    S3State& state, std::string_view bucket, std::string_view prefix,
    std::string_view delimiter, std::string_view marker, int max_keys,
    const std::function<Document(std::string_view, const Document&)>&
        make_entry) {
  ListingPage page;
  if (max_keys == 0) return page;
  int count = 0;
  std::string last_prefix;
  std::string after(marker);
  if (after < prefix) after.clear();
  Status scanned = state.store().ScanObjects(
      bucket, prefix, after,
      [&](std::string_view key, const Document& row) {
        const Document& latest = row["Versions"][0];
        if (latest.value("DeleteMarker", false)) return true;
        if (!delimiter.empty()) {
          size_t at = key.find(delimiter, prefix.size());
          if (at != std::string_view::npos) {
            std::string common(key.substr(0, at + delimiter.size()));
            if (common == last_prefix) return true;
            // A marker inside a common prefix means that prefix was already
            // returned on an earlier page.
            if (!marker.empty() && common <= std::string(marker)) return true;
            if (count == max_keys) {
              page.truncated = true;
              return false;
            }
            last_prefix = common;
            page.common_prefixes.push_back(common);
            page.last_item = common;
            ++count;
            return true;
          }
        }
        if (count == max_keys) {
          page.truncated = true;
          return false;
        }
        page.contents.push_back(make_entry(key, latest));
        page.last_item = std::string(key);
        ++count;
        return true;
      });
  if (!scanned.ok()) return scanned.error();
  return page;
}

Document ContentsEntry(std::string_view key, const Document& version,
                       bool with_owner, bool url_encoding) {
  Document entry = {
      {"Key", EncodeKey(key, url_encoding)},
      {"LastModified", version.value("LastModified", 0.0)},
      {"ETag", version.value("ETag", "")},
      {"Size", version.value("Size", uint64_t{0})},
      {"StorageClass", version.value("StorageClass", "STANDARD")},
  };
  if (version.contains("ChecksumAlgorithm")) {
    entry["ChecksumAlgorithm"] = Document::array({version["ChecksumAlgorithm"]});
    entry["ChecksumType"] = version.value("ChecksumType", "FULL_OBJECT");
  }
  if (with_owner) entry["Owner"] = OwnerDocument(version.value("Owner", ""));
  return entry;
}

Document PrefixEntries(const Document& prefixes, bool url_encoding) {
  Document entries = Document::array();
  for (const Document& prefix : prefixes) {
    entries.push_back(
        {{"Prefix", EncodeKey(prefix.get<std::string>(), url_encoding)}});
  }
  return entries;
}

Status ValidateEncodingType(const Document& input) {
  std::string encoding = InputString(input, "EncodingType");
  if (!encoding.empty() && encoding != "url") {
    return InvalidArgument("Invalid Encoding Method specified in Request",
                           "encoding-type", encoding);
  }
  return Status();
}

}  // namespace

Reply ListObjects(S3State& state, RequestContext& ctx, Document& input) {
  (void)ctx;
  std::string bucket_name = InputString(input, "Bucket");
  Result<Document> bucket = LoadBucket(state, bucket_name);
  if (!bucket.ok()) return bucket.error();
  Status encoding = ValidateEncodingType(input);
  if (!encoding.ok()) return encoding.error();
  Result<int> max_keys = ParseMaxKeys(input, "MaxKeys");
  if (!max_keys.ok()) return max_keys.error();

  bool url = InputString(input, "EncodingType") == "url";
  std::string prefix = InputString(input, "Prefix");
  std::string delimiter = InputString(input, "Delimiter");
  std::string marker = InputString(input, "Marker");
  Result<ListingPage> page = ListCurrentObjects(
      state, bucket_name, prefix, delimiter, marker, max_keys.value(),
      [&](std::string_view key, const Document& version) {
        return ContentsEntry(key, version, /*with_owner=*/true, url);
      });
  if (!page.ok()) return page.error();

  Document output = {{"Name", bucket_name},
                     {"Prefix", prefix},
                     {"Marker", EncodeKey(marker, url)},
                     {"MaxKeys", max_keys.value()},
                     {"IsTruncated", page.value().truncated}};
  if (!delimiter.empty()) output["Delimiter"] = EncodeKey(delimiter, url);
  if (url) output["EncodingType"] = "url";
  // S3 returns NextMarker only when a delimiter was given.
  if (page.value().truncated && !delimiter.empty()) {
    output["NextMarker"] = EncodeKey(page.value().last_item, url);
  }
  if (!page.value().contents.empty()) {
    output["Contents"] = std::move(page.value().contents);
  }
  if (!page.value().common_prefixes.empty()) {
    output["CommonPrefixes"] = PrefixEntries(page.value().common_prefixes, url);
  }
  return output;
}

Reply ListObjectsV2(S3State& state, RequestContext& ctx, Document& input) {
  (void)ctx;
  std::string bucket_name = InputString(input, "Bucket");
  Result<Document> bucket = LoadBucket(state, bucket_name);
  if (!bucket.ok()) return bucket.error();
  Status encoding = ValidateEncodingType(input);
  if (!encoding.ok()) return encoding.error();
  Result<int> max_keys = ParseMaxKeys(input, "MaxKeys");
  if (!max_keys.ok()) return max_keys.error();

  bool url = InputString(input, "EncodingType") == "url";
  std::string prefix = InputString(input, "Prefix");
  std::string delimiter = InputString(input, "Delimiter");
  std::string start_after = InputString(input, "StartAfter");
  // S3 echoes an empty continuation token and lists from the start.
  bool token_sent = input.contains("ContinuationToken");
  std::string token = InputString(input, "ContinuationToken");
  bool has_token = !token.empty();
  bool fetch_owner = input.value("FetchOwner", false);

  // Continuation tokens are base64 of the last key or prefix returned.
  std::string marker = start_after;
  if (has_token) {
    std::string decoded;
    if (!platform::Base64Decode(token, &decoded) || decoded.empty()) {
      return InvalidArgument("The continuation token provided is incorrect",
                             "continuation-token", token);
    }
    marker = std::max(decoded, start_after);
  }
  Result<ListingPage> page = ListCurrentObjects(
      state, bucket_name, prefix, delimiter, marker, max_keys.value(),
      [&](std::string_view key, const Document& version) {
        return ContentsEntry(key, version, fetch_owner, url);
      });
  if (!page.ok()) return page.error();

  size_t key_count =
      page.value().contents.size() + page.value().common_prefixes.size();
  Document output = {{"Name", bucket_name},
                     {"Prefix", EncodeKey(prefix, url)},
                     {"MaxKeys", max_keys.value()},
                     {"KeyCount", key_count},
                     {"IsTruncated", page.value().truncated}};
  if (!delimiter.empty()) output["Delimiter"] = EncodeKey(delimiter, url);
  if (url) output["EncodingType"] = "url";
  if (token_sent) output["ContinuationToken"] = token;
  if (!start_after.empty()) output["StartAfter"] = EncodeKey(start_after, url);
  if (page.value().truncated) {
    output["NextContinuationToken"] =
        platform::Base64Encode(page.value().last_item);
  }
  if (!page.value().contents.empty()) {
    output["Contents"] = std::move(page.value().contents);
  }
  if (!page.value().common_prefixes.empty()) {
    output["CommonPrefixes"] = PrefixEntries(page.value().common_prefixes, url);
  }
  return output;
}

Reply ListObjectVersions(S3State& state, RequestContext& ctx,
                         Document& input) {
  (void)ctx;
  std::string bucket_name = InputString(input, "Bucket");
  Result<Document> bucket = LoadBucket(state, bucket_name);
  if (!bucket.ok()) return bucket.error();
  Status encoding = ValidateEncodingType(input);
  if (!encoding.ok()) return encoding.error();
  Result<int> max_keys = ParseMaxKeys(input, "MaxKeys");
  if (!max_keys.ok()) return max_keys.error();

  bool url = InputString(input, "EncodingType") == "url";
  std::string prefix = InputString(input, "Prefix");
  std::string delimiter = InputString(input, "Delimiter");
  std::string key_marker = InputString(input, "KeyMarker");
  std::string version_marker = InputString(input, "VersionIdMarker");
  if (!version_marker.empty() && key_marker.empty()) {
    return InvalidArgument(
        "A version-id marker cannot be specified without a key marker.",
        "version-id-marker", version_marker);
  }
  int limit = max_keys.value();

  Document versions = Document::array();
  Document markers = Document::array();
  Document common_prefixes = Document::array();
  std::string last_prefix;
  int count = 0;
  bool truncated = false;
  std::string next_key_marker;
  std::string next_version_marker;
  std::string last_key;
  std::string last_version;

  // With a version-id marker the listing resumes inside the marker's key, so
  // the scan must visit that key again.
  bool resume_inside_key = !version_marker.empty();
  std::string scan_after =
      (!resume_inside_key && key_marker >= prefix) ? key_marker : "";

  Status scanned = state.store().ScanObjects(
      bucket_name, prefix, scan_after,
      [&](std::string_view key, const Document& row) {
        if (resume_inside_key) {
          if (key < std::string_view(key_marker)) return true;
        } else if (!key_marker.empty() && key <= std::string_view(key_marker)) {
          return true;
        }
        if (!delimiter.empty()) {
          size_t at = key.find(delimiter, prefix.size());
          if (at != std::string_view::npos) {
            std::string common(key.substr(0, at + delimiter.size()));
            if (common == last_prefix) return true;
            if (!key_marker.empty() && common <= key_marker) return true;
            if (count == limit) {
              truncated = true;
              return false;
            }
            last_prefix = common;
            common_prefixes.push_back(common);
            last_key = common;
            last_version.clear();
            ++count;
            return true;
          }
        }
        bool skipping = resume_inside_key && key == key_marker;
        bool first = true;
        for (const Document& version : row["Versions"]) {
          bool is_latest = first;
          first = false;
          std::string version_id = InputString(version, "VersionId");
          if (skipping) {
            if (version_id == version_marker) skipping = false;
            continue;
          }
          if (count == limit) {
            truncated = true;
            return false;
          }
          Document entry = {
              {"Key", EncodeKey(key, url)},
              {"VersionId", version_id},
              {"IsLatest", is_latest},
              {"LastModified", version.value("LastModified", 0.0)},
              {"Owner", OwnerDocument(version.value("Owner", ""))},
          };
          if (version.value("DeleteMarker", false)) {
            markers.push_back(std::move(entry));
          } else {
            entry["ETag"] = version.value("ETag", "");
            entry["Size"] = version.value("Size", uint64_t{0});
            entry["StorageClass"] = version.value("StorageClass", "STANDARD");
            if (version.contains("ChecksumAlgorithm")) {
              entry["ChecksumAlgorithm"] =
                  Document::array({version["ChecksumAlgorithm"]});
              entry["ChecksumType"] =
                  version.value("ChecksumType", "FULL_OBJECT");
            }
            versions.push_back(std::move(entry));
          }
          last_key = std::string(key);
          last_version = version_id;
          ++count;
        }
        return true;
      });
  if (!scanned.ok()) return scanned.error();
  if (truncated) {
    next_key_marker = last_key;
    next_version_marker = last_version;
  }

  Document output = {{"Name", bucket_name},
                     {"Prefix", EncodeKey(prefix, url)},
                     {"KeyMarker", EncodeKey(key_marker, url)},
                     {"VersionIdMarker", version_marker},
                     {"MaxKeys", limit},
                     {"IsTruncated", truncated}};
  if (!delimiter.empty()) output["Delimiter"] = EncodeKey(delimiter, url);
  if (url) output["EncodingType"] = "url";
  if (truncated) {
    output["NextKeyMarker"] = EncodeKey(next_key_marker, url);
    if (!next_version_marker.empty()) {
      output["NextVersionIdMarker"] = next_version_marker;
    }
  }
  if (!versions.empty()) output["Versions"] = std::move(versions);
  if (!markers.empty()) output["DeleteMarkers"] = std::move(markers);
  if (!common_prefixes.empty()) {
    output["CommonPrefixes"] = PrefixEntries(common_prefixes, url);
  }
  return output;
}

}  // namespace brume::s3
