#pragma once

// HTTP messages as the aws layer and the services see them, independent of
// the server library that parsed them. Request bodies may be spooled to a
// file and response bodies sent from a file, so large bodies stream.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace brume {

// Header list with case-insensitive lookup; names keep the case they arrived
// in. Repeated headers stay separate entries.
class Headers {
 public:
  void Add(std::string name, std::string value);
  // Replaces every header of that name with one entry.
  void Set(std::string name, std::string value);
  void Remove(std::string_view name);
  std::optional<std::string_view> Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }

  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

// A request body: in memory for ordinary operations, or spooled to a file
// for operations whose input is a streaming payload (S3 PutObject), so that
// large bodies never sit in memory. aws-chunked framing is already removed.
struct RequestBody {
  std::string data;       // when !spooled
  std::string file_path;  // when spooled; the handler may rename it away
  uint64_t size = 0;
  bool spooled = false;
  // Trailing headers of aws-chunked or chunked bodies (x-amz-checksum-*).
  Headers trailers;
};

// A response body sent from a file range (S3 GetObject), so large bodies
// stream from storage.
struct FileBody {
  std::string path;
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct HttpRequest {
  std::string method;
  std::string target;  // request-target as received
  std::string path;    // percent-encoded path part of target
  std::string query;   // raw query string without '?'
  Headers headers;
  RequestBody body;
  std::string remote_address;
};

struct HttpResponse {
  int status = 200;
  Headers headers;
  std::string body;
  std::optional<FileBody> file;  // when set, replaces `body`
};

}  // namespace brume
