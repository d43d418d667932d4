#include <algorithm>
#include <ctime>
#include <set>

#include <fmt/format.h>

#include "platform/clock.h"
#include "platform/crypto.h"
#include "platform/ids.h"
#include "platform/strings.h"
#include "services/s3/errors.h"
#include "services/s3/state.h"

namespace brume::s3 {
namespace {

// Most replaced blobs one call removes. The calling request waits for the
// removals, and after a burst of overwrites the grace periods of tens of
// thousands of blobs end together. In bench/run.py, removing them all held
// one 1 MiB PUT for 15 s. Each write queues only a few blobs, so this many
// per call keeps up.
constexpr size_t kMaxRemovalsPerCall = 64;

}  // namespace

S3State::S3State(const ServiceEnvironment& env)
    : env_(env), store_(env.storage) {}

double S3State::Now() const {
  return static_cast<double>(env_.clock->NowMillis()) / 1000.0;
}

void S3State::RemoveBlobLater(std::string blob_id) {
  if (blob_id.empty()) return;
  std::lock_guard<std::mutex> lock(pending_mutex_);
  pending_removals_.emplace_back(std::chrono::steady_clock::now(),
                                 std::move(blob_id));
}

void S3State::RemoveBlobsLater(const std::vector<std::string>& blob_ids) {
  for (const std::string& blob_id : blob_ids) RemoveBlobLater(blob_id);
}

void S3State::PurgeRemovedBlobs(bool all) {
  std::vector<std::string> due;
  {
    std::lock_guard<std::mutex> lock(pending_mutex_);
    auto cutoff = std::chrono::steady_clock::now() - kBlobGracePeriod;
    while (!pending_removals_.empty() &&
           (all || (pending_removals_.front().first < cutoff &&
                    due.size() < kMaxRemovalsPerCall))) {
      due.push_back(std::move(pending_removals_.front().second));
      pending_removals_.pop_front();
    }
  }
  for (const std::string& blob_id : due) store_.RemoveBlob(blob_id);
}

Result<Document> LoadBucket(S3State& state, std::string_view bucket) {
  Result<std::optional<Document>> record = state.store().GetBucket(bucket);
  if (!record.ok()) return record.error();
  if (!record.value().has_value()) return NoSuchBucket(bucket);
  return std::move(*record.value());
}

std::string InputString(const Document& input, std::string_view name) {
  auto it = input.find(name);
  if (it == input.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

std::string CanonicalUserId(std::string_view account_id) {
  return platform::HexEncode(platform::Sha256(
      fmt::format("brume-canonical-user:{}", account_id)));
}

Document OwnerDocument(std::string_view account_id) {
  // NOTE: S3 announced the end of DisplayName in owner and grantee elements
  // for 2025; brume still sends the account id there because SDK code and
  // test suites written against S3 read it.
  return Document{{"ID", CanonicalUserId(account_id)},
                  {"DisplayName", std::string(account_id)}};
}

std::string VersioningStatus(const Document& bucket) {
  return InputString(bucket, "Versioning");
}

std::string NewVersionId() { return platform::RandomAlnum(32); }

bool IsValidVersionId(std::string_view version_id) {
  if (version_id == "null") return true;
  if (version_id.size() != 32) return false;
  for (char c : version_id) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

Document* FindVersion(Document& row, std::string_view version_id) {
  auto versions = row.find("Versions");
  if (versions == row.end()) return nullptr;
  for (Document& version : *versions) {
    if (InputString(version, "VersionId") == version_id) return &version;
  }
  return nullptr;
}

std::string QuoteEtag(std::string_view hex) {
  return fmt::format("\"{}\"", hex);
}

bool EtagListMatches(std::string_view header_list, std::string_view etag) {
  std::string_view bare = etag;
  if (bare.size() >= 2 && bare.front() == '"' && bare.back() == '"') {
    bare = bare.substr(1, bare.size() - 2);
  }
  size_t start = 0;
  while (start <= header_list.size()) {
    size_t comma = header_list.find(',', start);
    if (comma == std::string_view::npos) comma = header_list.size();
    std::string_view item =
        platform::Trim(header_list.substr(start, comma - start));
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item.size() >= 2 && item.front() == '"' && item.back() == '"') {
      item = item.substr(1, item.size() - 2);
    }
    if (item == "*" || item == bare) return true;
    start = comma + 1;
  }
  return false;
}

void AddChecksumMembers(const Document& record, Document& output) {
  std::string algorithm_name = InputString(record, "ChecksumAlgorithm");
  std::string value = InputString(record, "Checksum");
  if (algorithm_name.empty() || value.empty()) return;
  std::optional<platform::ChecksumAlgorithm> algorithm =
      platform::ParseChecksumAlgorithm(algorithm_name);
  if (!algorithm.has_value()) return;
  std::string member(platform::ChecksumMemberName(*algorithm));
  if (member.empty()) return;
  output[member] = value;
  std::string type = InputString(record, "ChecksumType");
  if (!type.empty()) output["ChecksumType"] = type;
}

Status ValidateTagSet(const Document& tag_set, size_t max_tags) {
  AwsError invalid_tag;
  invalid_tag.code = "InvalidTag";
  invalid_tag.http_status = 400;
  if (!tag_set.is_array()) {
    return MalformedXml();
  }
  if (tag_set.size() > max_tags) {
    if (max_tags == 10) {
      invalid_tag.message = "Object tags cannot be greater than 10";
      return invalid_tag;
    }
    invalid_tag.message = "Bucket tag count cannot be greater than 50";
    return invalid_tag;
  }
  std::set<std::string> keys;
  for (const Document& tag : tag_set) {
    std::string key = InputString(tag, "Key");
    std::string value = InputString(tag, "Value");
    if (key.size() > 128) {
      invalid_tag.message = "The TagKey you have provided is too long, max 128";
      return invalid_tag;
    }
    if (value.size() > 256) {
      invalid_tag.message =
          "The TagValue you have provided is too long, max 256";
      return invalid_tag;
    }
    if (key.starts_with("aws:")) {
      invalid_tag.message = "System tags cannot be added/updated by requester";
      return invalid_tag;
    }
    if (!keys.insert(key).second) {
      invalid_tag.message = "Cannot provide multiple Tags with the same key";
      return invalid_tag;
    }
  }
  return Status();
}

void SortTagSet(Document& tag_set) {
  std::sort(tag_set.begin(), tag_set.end(),
            [](const Document& a, const Document& b) {
              return InputString(a, "Key") < InputString(b, "Key");
            });
}

Result<Document> ParseTaggingHeader(std::string_view header) {
  Document tag_set = Document::array();
  for (auto& [key, value] : platform::ParseQueryString(header, true)) {
    tag_set.push_back(Document{{"Key", key}, {"Value", value}});
  }
  Status valid = ValidateTagSet(tag_set, 10);
  if (!valid.ok()) return valid.error();
  SortTagSet(tag_set);
  return tag_set;
}

}  // namespace brume::s3
