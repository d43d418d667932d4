// POST-policy form uploads (browser uploads): POST /{Bucket} with a
// multipart/form-data body that carries the key, a base64 policy document
// and the file.

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <mutex>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "platform/crypto.h"
#include "platform/strings.h"
#include "services/s3/access.h"
#include "services/s3/errors.h"
#include "services/s3/handlers.h"
#include "services/s3/object_common.h"
#include "services/s3/notifications.h"

namespace brume::s3 {
namespace {

// Form fields before the file part (S3 ignores fields after it), with
// lower-case names, and the byte range of the file's content in the
// spooled body.
struct PostForm {
  std::vector<std::pair<std::string, std::string>> fields;
  std::string filename;
  uint64_t file_offset = 0;
  uint64_t file_length = 0;
  bool has_file = false;

  const std::string* Find(std::string_view name) const {
    for (const auto& [field, value] : fields) {
      if (field == name) return &value;
    }
    return nullptr;
  }
};

// Limit on the bytes of form fields before the file part.
constexpr size_t kMaxFieldBytes = 1 << 20;

Result<std::string> ReadRange(int fd, uint64_t offset, size_t length) {
  std::string data(length, '\0');
  size_t done = 0;
  while (done < length) {
    ssize_t got = ::pread(fd, data.data() + done, length - done,
                          static_cast<off_t>(offset + done));
    if (got < 0) return InternalError("Failed to read the form upload body");
    if (got == 0) break;
    done += static_cast<size_t>(got);
  }
  data.resize(done);
  return data;
}

AwsError MalformedPost(std::string message) {
  AwsError error = InvalidArgument(std::move(message));
  error.code = "MalformedPOSTRequest";
  return error;
}

// Parses the multipart/form-data body in `path` (size bytes). Only the
// fields before the file are read into memory; the file stays in place.
Result<PostForm> ParseForm(const std::string& path, uint64_t size,
                           std::string_view content_type) {
  size_t boundary_at = content_type.find("boundary=");
  if (boundary_at == std::string_view::npos) {
    return MalformedPost(
        "The body of your POST request is not well-formed multipart/form-data.");
  }
  std::string boundary(content_type.substr(boundary_at + 9));
  if (size_t semicolon = boundary.find(';'); semicolon != std::string::npos) {
    boundary.resize(semicolon);
  }
  if (boundary.size() >= 2 && boundary.front() == '"') {
    boundary = boundary.substr(1, boundary.size() - 2);
  }
  std::string delimiter = "--" + boundary;

  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return InternalError("Failed to open the form upload body");
  Result<std::string> head = ReadRange(
      fd, 0, static_cast<size_t>(std::min<uint64_t>(size, kMaxFieldBytes)));
  // The closing delimiter sits in the last bytes of the body.
  uint64_t tail_offset = size > 4096 ? size - 4096 : 0;
  Result<std::string> tail =
      ReadRange(fd, tail_offset, static_cast<size_t>(size - tail_offset));
  ::close(fd);
  if (!head.ok()) return head.error();
  if (!tail.ok()) return tail.error();

  PostForm form;
  const std::string& text = head.value();
  size_t position = text.find(delimiter);
  while (position != std::string::npos) {
    position += delimiter.size();
    if (text.compare(position, 2, "--") == 0) break;  // closing delimiter
    position += 2;                                     // CRLF
    size_t headers_end = text.find("\r\n\r\n", position);
    if (headers_end == std::string::npos) break;
    std::string_view headers(text.data() + position, headers_end - position);
    size_t content_start = headers_end + 4;

    // Content-Disposition: form-data; name="key"; filename="a.txt"
    std::string name;
    std::string filename;
    std::string part_content_type;
    size_t line_start = 0;
    while (line_start < headers.size()) {
      size_t line_end = headers.find("\r\n", line_start);
      if (line_end == std::string_view::npos) line_end = headers.size();
      std::string_view line = headers.substr(line_start, line_end - line_start);
      line_start = line_end + 2;
      if (platform::StartsWithIgnoreCase(line, "content-type:")) {
        part_content_type = std::string(platform::Trim(line.substr(13)));
      }
      if (!platform::StartsWithIgnoreCase(line, "content-disposition:")) continue;
      auto attribute = [&](std::string_view attribute_name,
                           std::string* value) {
        std::string needle = std::string(attribute_name) + "=\"";
        size_t at = line.find(needle);
        if (at == std::string_view::npos) return false;
        size_t start = at + needle.size();
        size_t end = line.find('"', start);
        if (end == std::string_view::npos) return false;
        *value = std::string(line.substr(start, end - start));
        return true;
      };
      attribute("name", &name);
      attribute("filename", &filename);
    }
    name = platform::ToLower(name);

    // Clients may send every field with a filename (requests' files=), so
    // only the part named "file" is the upload.
    if (name == "file") {
      // The file content runs to the last delimiter of the body.
      std::string closing = "\r\n" + delimiter;
      size_t closing_at = tail.value().rfind(closing);
      if (closing_at == std::string::npos) {
        return MalformedPost(
            "The body of your POST request is not well-formed "
            "multipart/form-data.");
      }
      uint64_t end = tail_offset + closing_at;
      if (end < content_start) return MalformedPost("The file part is truncated.");
      form.has_file = true;
      form.filename = filename;
      form.file_offset = content_start;
      form.file_length = end - content_start;
      if (!part_content_type.empty() && !form.Find("content-type")) {
        form.fields.emplace_back("content-type", part_content_type);
      }
      return form;
    }

    size_t next = text.find("\r\n" + delimiter, content_start);
    if (next == std::string::npos) break;
    form.fields.emplace_back(name, text.substr(content_start, next - content_start));
    position = next + 2;
  }
  return MalformedPost(
      "Bucket POST must contain a field named 'file'.  If it is specified, "
      "please check the order of the fields.");
}

constexpr size_t kMaxPolicyNesting = 16;

AwsError SignatureDoesNotMatch() {
  return AwsError{"SignatureDoesNotMatch",
                  "The request signature we calculated does not match the "
                  "signature you provided. Check your key and signing method.",
                  403};
}

// Checks the signature of the form's policy when brume verifies signatures:
// SigV4 (x-amz-credential, x-amz-signature: hex HMAC-SHA256 of the base64
// policy under the SigV4 signing key) or SigV2 (AWSAccessKeyId, signature:
// base64 HMAC-SHA1 of the base64 policy). A form without a policy is an
// anonymous upload and carries no signature.
Status VerifyFormSignature(const S3State& state, const PostForm& form) {
  const std::string* policy = form.Find("policy");
  if (!state.env().verify_signatures || policy == nullptr) return Status();
  const std::string* credential = form.Find("x-amz-credential");
  const std::string* access_key = form.Find("awsaccesskeyid");
  std::string access_key_id;
  if (credential != nullptr) {
    access_key_id = credential->substr(0, credential->find('/'));
  } else if (access_key != nullptr) {
    access_key_id = *access_key;
  } else {
    return InvalidArgument(
        "Bucket POST must contain a field named 'AWSAccessKeyId'.  If it is "
        "specified, please check the order of the fields.",
        "AWSAccessKeyId", "");
  }
  std::optional<std::string> secret;
  if (state.env().secret_for_access_key) {
    secret = state.env().secret_for_access_key(access_key_id);
  }
  if (!secret.has_value()) {
    AwsError error{"InvalidAccessKeyId",
                   "The AWS Access Key Id you provided does not exist in our "
                   "records.",
                   403};
    error.fields.emplace_back("AWSAccessKeyId", access_key_id);
    return error;
  }

  if (credential != nullptr) {
    // Scope: access key / yyyymmdd / region / service / aws4_request.
    std::vector<std::string> scope;
    for (size_t start = 0;;) {
      size_t slash = credential->find('/', start);
      scope.push_back(credential->substr(start, slash - start));
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    bool date_ok = scope.size() == 5 && scope[1].size() == 8 &&
                   std::all_of(scope[1].begin(), scope[1].end(),
                               [](char c) { return c >= '0' && c <= '9'; });
    if (!date_ok || scope[3] != "s3" || scope[4] != "aws4_request") {
      return InvalidArgument("Invalid credential scope in x-amz-credential",
                             "x-amz-credential", *credential);
    }
    std::string key = platform::HmacSha256("AWS4" + *secret, scope[1]);
    key = platform::HmacSha256(key, scope[2]);
    key = platform::HmacSha256(key, scope[3]);
    key = platform::HmacSha256(key, "aws4_request");
    std::string expected =
        platform::HexEncode(platform::HmacSha256(key, *policy));
    const std::string* provided = form.Find("x-amz-signature");
    if (provided == nullptr || platform::ToLower(*provided) != expected) {
      return SignatureDoesNotMatch();
    }
    return Status();
  }
  std::string expected =
      platform::Base64Encode(platform::HmacSha1(*secret, *policy));
  const std::string* provided = form.Find("signature");
  if (provided == nullptr || *provided != expected) {
    return SignatureDoesNotMatch();
  }
  return Status();
}

AwsError PolicyFailure(std::string detail) {
  return AccessDenied("Invalid according to Policy: " + detail);
}

std::optional<double> ParseIsoTime(std::string_view text) {
  std::tm parts{};
  int year = 0;
  int month = 0;
  std::string copy(text);
  if (std::sscanf(copy.c_str(), "%d-%d-%dT%d:%d:%d", &year, &month,
                  &parts.tm_mday, &parts.tm_hour, &parts.tm_min,
                  &parts.tm_sec) != 6) {
    return std::nullopt;
  }
  parts.tm_year = year - 1900;
  parts.tm_mon = month - 1;
  return static_cast<double>(timegm(&parts));
}

Status CheckPolicyConditions(const PostForm& form, const Document& policy,
                             const std::string& encoded_policy,
                             std::string_view bucket, uint64_t file_length,
                             double now);

// Checks the policy document: expiration, and every condition against the
// form fields. Fields the policy does not mention fail the upload unless S3
// exempts them.
Status CheckPolicy(const PostForm& form, std::string_view bucket,
                   uint64_t file_length, double now) {
  const std::string* encoded = form.Find("policy");
  if (encoded == nullptr) return Status();  // anonymous upload without policy
  std::string json;
  if (!platform::Base64Decode(*encoded, &json)) {
    return InvalidArgument("Invalid Policy: Invalid Base64 Encoding", "Policy",
                           *encoded);
  }
  // POST policies nest three levels; a deeper document would make the
  // recursive copies and dumps below exhaust the stack.
  if (platform::JsonNestingDepth(json) > kMaxPolicyNesting) {
    return InvalidArgument("Invalid Policy: Invalid JSON.", "Policy", *encoded);
  }
  Document policy = Document::parse(json, nullptr, false);
  if (policy.is_discarded() || !policy.is_object()) {
    return InvalidArgument("Invalid Policy: Invalid JSON.", "Policy", *encoded);
  }
  try {
    return CheckPolicyConditions(form, policy, *encoded, bucket, file_length,
                                 now);
  } catch (const nlohmann::json::exception&) {
    // A member of the wrong JSON type, e.g. a numeric expiration.
    return InvalidArgument("Invalid Policy: Invalid Simple-Condition", "Policy",
                           *encoded);
  }
}

// Checks the expiration and conditions of a parsed policy document.
Status CheckPolicyConditions(const PostForm& form, const Document& policy,
                             const std::string& encoded_policy,
                             std::string_view bucket, uint64_t file_length,
                             double now) {
  const std::string* encoded = &encoded_policy;
  if (!policy.contains("expiration") || !policy["expiration"].is_string()) {
    return InvalidArgument("Invalid Policy: Invalid 'expiration' value", "Policy",
                           *encoded);
  }
  std::optional<double> expiration =
      ParseIsoTime(policy["expiration"].get<std::string>());
  if (!expiration.has_value()) {
    return InvalidArgument("Invalid Policy: Invalid 'expiration' value", "Policy",
                           *encoded);
  }
  if (*expiration < now) return PolicyFailure("Policy expired.");
  if (!policy.contains("conditions") || !policy["conditions"].is_array() ||
      policy["conditions"].empty()) {
    return InvalidArgument("Invalid Policy: Policy missing conditions.",
                           "Policy", *encoded);
  }
  if (form.Find("x-amz-signature") == nullptr &&
      form.Find("signature") == nullptr) {
    return InvalidArgument(
        "Bucket POST must contain a field named 'Signature'.  If it is "
        "specified, please check the order of the fields.",
        "Signature", "");
  }

  auto field_value = [&](std::string name) -> std::string {
    name = platform::ToLower(name);
    if (!name.empty() && name.front() == '$') name.erase(0, 1);
    if (name == "bucket") return std::string(bucket);
    const std::string* value = form.Find(name);
    return value != nullptr ? *value : "";
  };

  std::set<std::string> covered = {"policy", "x-amz-signature", "signature",
                                   "awsaccesskeyid", "file",
                                   "x-amz-security-token"};
  for (const Document& condition :
       policy.value("conditions", Document::array())) {
    std::string text = condition.dump();
    if (condition.is_object()) {
      for (auto& [name, expected] : condition.items()) {
        covered.insert(platform::ToLower(name));
        if (!expected.is_string() || field_value(name) != expected.get<std::string>()) {
          return PolicyFailure("Policy Condition failed: " + text);
        }
      }
      continue;
    }
    if (!condition.is_array() || condition.size() != 3) {
      return InvalidArgument("Invalid Policy: Invalid Simple-Condition", "Policy",
                             *encoded);
    }
    std::string op = platform::ToLower(condition[0].get<std::string>());
    if (op == "content-length-range") {
      uint64_t low = condition[1].get<uint64_t>();
      uint64_t high = condition[2].get<uint64_t>();
      if (file_length < low) {
        AwsError error = InvalidArgument(
            "Your proposed upload is smaller than the minimum allowed size");
        error.code = "EntityTooSmall";
        return error;
      }
      if (file_length > high) {
        AwsError error = InvalidArgument(
            "Your proposed upload exceeds the maximum allowed size");
        error.code = "EntityTooLarge";
        return error;
      }
      continue;
    }
    std::string name = platform::ToLower(condition[1].get<std::string>());
    if (!name.empty() && name.front() == '$') name.erase(0, 1);
    covered.insert(name);
    std::string expected = condition[2].get<std::string>();
    std::string actual = field_value(name);
    bool ok = op == "eq" ? actual == expected
              : op == "starts-with" ? actual.starts_with(expected)
                                    : false;
    if (!ok) return PolicyFailure("Policy Condition failed: " + text);
  }
  for (const auto& [name, value] : form.fields) {
    if (covered.count(name) || name.starts_with("x-ignore-") ||
        name == "x-amz-algorithm" || name == "x-amz-credential" ||
        name == "x-amz-date") {
      continue;
    }
    return PolicyFailure("Extra input fields: " + name);
  }
  return Status();
}

}  // namespace

Reply PostObject(S3State& state, RequestContext& ctx, Document& input) {
  std::string bucket_name = InputString(input, "Bucket");
  Result<Document> bucket = LoadBucket(state, bucket_name);
  if (!bucket.ok()) return bucket.error();
  if (ctx.http == nullptr || !ctx.http->body.spooled) {
    return MalformedPost("The form upload body is missing.");
  }
  Result<PostForm> form =
      ParseForm(ctx.http->body.file_path, ctx.http->body.size,
                ctx.http->headers.Get("Content-Type").value_or(""));
  if (!form.ok()) return form.error();

  const std::string* key_field = form.value().Find("key");
  if (key_field == nullptr) {
    return InvalidArgument("Bucket POST must contain a field named 'key'.  If "
                           "it is specified, please check the order of the "
                           "fields.",
                           "key", "");
  }
  std::string key = *key_field;
  size_t placeholder = key.find("${filename}");
  if (placeholder != std::string::npos) {
    key.replace(placeholder, 11, form.value().filename);
  }
  Status valid_key = ValidateKey(key);
  if (!valid_key.ok()) return valid_key.error();
  // Fields that become response headers must be UTF-8 without CR, LF or
  // NUL, or they could not be stored or would split later responses.
  for (const auto& [field, value] : form.value().fields) {
    if (field == "file" || field == "policy") continue;
    if (!platform::IsValidUtf8(value) ||
        value.find_first_of("\r\n\0", 0, 3) != std::string::npos) {
      return InvalidArgument(
          "Form field " + field +
              " contains bytes that are not allowed in a header value.",
          field, "");
    }
  }
  Status signed_ok = VerifyFormSignature(state, form.value());
  if (!signed_ok.ok()) return signed_ok.error();
  Status policy = CheckPolicy(form.value(), bucket_name,
                              form.value().file_length, state.Now());
  if (!policy.ok()) return policy.error();

  // Form fields map onto the PutObject members they name.
  Document put_input = {{"Bucket", bucket_name}, {"Key", key}};
  static const std::pair<const char*, const char*> kFieldMembers[] = {
      {"content-type", "ContentType"},
      {"cache-control", "CacheControl"},
      {"content-disposition", "ContentDisposition"},
      {"content-encoding", "ContentEncoding"},
      {"expires", "Expires"},
      {"acl", "ACL"},
      {"tagging", "Tagging"},
      {"x-amz-storage-class", "StorageClass"},
      {"x-amz-server-side-encryption", "ServerSideEncryption"},
      {"x-amz-server-side-encryption-aws-kms-key-id", "SSEKMSKeyId"},
      {"x-amz-server-side-encryption-customer-algorithm",
       "SSECustomerAlgorithm"},
      {"x-amz-server-side-encryption-customer-key", "SSECustomerKey"},
      {"x-amz-server-side-encryption-customer-key-md5", "SSECustomerKeyMD5"},
      {"x-amz-website-redirect-location", "WebsiteRedirectLocation"},
  };
  for (const auto& [field, member] : kFieldMembers) {
    if (const std::string* value = form.value().Find(field)) {
      put_input[member] = *value;
    }
  }
  Document metadata = Document::object();
  for (const auto& [field, value] : form.value().fields) {
    if (field.starts_with("x-amz-meta-")) metadata[field.substr(11)] = value;
  }
  put_input["Metadata"] = metadata;
  if (const std::string* tagging = form.value().Find("tagging")) {
    // The form carries a <Tagging> XML document; convert its pairs.
    std::string query;
    size_t at = 0;
    while ((at = tagging->find("<Key>", at)) != std::string::npos) {
      size_t key_end = tagging->find("</Key>", at);
      size_t value_at = tagging->find("<Value>", key_end);
      size_t value_end = tagging->find("</Value>", value_at);
      if (key_end == std::string::npos || value_end == std::string::npos) break;
      if (!query.empty()) query += "&";
      query += platform::PercentEncode(tagging->substr(at + 5, key_end - at - 5));
      query += "=";
      query += platform::PercentEncode(
          tagging->substr(value_at + 7, value_end - value_at - 7));
      at = value_end;
    }
    put_input["Tagging"] = query;
  }

  // The form's signer is the uploader, authorized as a PutObject of its
  // account. Only a policy carries a signature, so a form without one
  // uploads anonymously whatever credential fields it names.
  const std::string* credential = form.value().Find("x-amz-credential");
  const std::string* access_key = form.value().Find("awsaccesskeyid");
  if (form.value().Find("policy") == nullptr) {
    // Anonymous: the dispatcher left the request unauthenticated.
  } else if (credential != nullptr) {
    AdoptFormSigner(state, ctx, credential->substr(0, credential->find('/')));
  } else if (access_key != nullptr) {
    AdoptFormSigner(state, ctx, *access_key);
  }
  Status allowed = AuthorizeRequest(state, ctx, "PutObject", put_input);
  if (!allowed.ok()) return allowed.error();
  Status acl = CheckAclRequest(state, ctx, "PutObject", put_input);
  if (!acl.ok()) return acl.error();

  Document version = Document::object();
  Status attributes =
      ApplyWriteAttributes(state, ctx, put_input, bucket.value(), version);
  if (!attributes.ok()) return attributes.error();

  // Copy the file's bytes out of the form body into a blob of their own.
  state.store().EnsureBlobDir();
  std::string blob_id = state.store().NewBlobId();
  std::string blob_path = state.store().BlobPath(blob_id);
  Status copied = CopyFileRange(ctx.http->body.file_path,
                                form.value().file_offset,
                                form.value().file_length, blob_path);
  if (!copied.ok()) {
    state.store().RemoveBlob(blob_id);
    return copied.error();
  }
  Result<FileDigests> digests =
      HashFile(blob_path, 0, form.value().file_length,
               {platform::ChecksumAlgorithm::kCrc64Nvme});
  if (!digests.ok()) {
    state.store().RemoveBlob(blob_id);
    return digests.error();
  }
  version["Blob"] = blob_id;
  version["Size"] = form.value().file_length;
  version["ETag"] = QuoteEtag(platform::HexEncode(digests.value().md5));
  version["LastModified"] = state.Now();
  version["Owner"] = ObjectOwnerFor(bucket.value(), ctx, put_input);
  version["ChecksumAlgorithm"] = "CRC64NVME";
  version["Checksum"] = platform::Base64Encode(
      *digests.value().Find(platform::ChecksumAlgorithm::kCrc64Nvme));
  version["ChecksumType"] = "FULL_OBJECT";

  Result<std::string> version_id = [&]() -> Result<std::string> {
    std::lock_guard<std::mutex> lock(state.mutex());
    return CommitNewVersion(state, bucket.value(), key, version);
  }();
  if (!version_id.ok()) {
    state.store().RemoveBlob(blob_id);
    return version_id.error();
  }
  state.PurgeRemovedBlobs();
  PublishObjectEvent(state, &ctx, bucket.value(),
                     {"ObjectCreated:Post", key, version["Size"].get<uint64_t>(),
                      version["ETag"].get<std::string>(), version_id.value()});

  // Response: a redirect, or the requested status (204 by default; 201
  // adds a PostResponse document).
  std::string location = fmt::format("{}/{}/{}", ctx.endpoint, bucket_name,
                                     platform::PercentEncode(key, true));
  HttpResponse response;
  response.headers.Set("ETag", version["ETag"].get<std::string>());
  response.headers.Set("Location", location);
  response.headers.Set("x-amz-request-id", ctx.request_id);
  if (!VersioningStatus(bucket.value()).empty() && version_id.value() != "null") {
    response.headers.Set("x-amz-version-id", version_id.value());
  }
  const std::string* redirect = form.value().Find("success_action_redirect");
  if (redirect == nullptr) redirect = form.value().Find("redirect");
  if (redirect != nullptr && !redirect->empty()) {
    std::string target = *redirect;
    target += target.find('?') == std::string::npos ? "?" : "&";
    target += fmt::format("bucket={}&key={}&etag={}",
                          platform::PercentEncode(bucket_name),
                          platform::PercentEncode(key),
                          platform::PercentEncode(version["ETag"].get<std::string>()));
    response.status = 303;
    response.headers.Set("Location", target);
    return response;
  }
  const std::string* status = form.value().Find("success_action_status");
  if (status != nullptr && *status == "200") {
    response.status = 200;
  } else if (status != nullptr && *status == "201") {
    response.status = 201;
    response.headers.Set("Content-Type", "application/xml");
    response.body = fmt::format(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PostResponse>"
        "<Location>{}</Location><Bucket>{}</Bucket><Key>{}</Key>"
        "<ETag>{}</ETag></PostResponse>",
        platform::XmlEscape(location), platform::XmlEscape(bucket_name),
        platform::XmlEscape(key),
        platform::XmlEscape(version["ETag"].get<std::string>()));
  } else {
    response.status = 204;
  }
  return response;
}

}  // namespace brume::s3
