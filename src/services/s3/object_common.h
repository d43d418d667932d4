#pragma once

// Helpers that object writes share: request bodies, checksums, stored
// object attributes and conditional-write checks (PutObject, CopyObject,
// UploadPart, CompleteMultipartUpload, PostObject).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "platform/checksum.h"
#include "services/common/context.h"
#include "services/common/document.h"
#include "services/common/error.h"
#include "services/s3/blob_io.h"
#include "services/s3/state.h"

namespace brume::s3 {

// The request body as a file: the spooled upload, or the in-memory body
// written out to a file. The file is the caller's to adopt or remove.
struct BodyFile {
  std::string path;
  uint64_t size = 0;
};
Result<BodyFile> TakeRequestBody(S3State& state, const RequestContext& ctx);

// Checksum plan of a write: the algorithms to compute and the values the
// client sent.
struct ChecksumPlan {
  std::vector<platform::ChecksumAlgorithm> compute;
  // base64 values sent in x-amz-checksum-* headers or trailers.
  std::vector<std::pair<platform::ChecksumAlgorithm, std::string>> expected;
  // The algorithm whose checksum the object keeps.
  std::optional<platform::ChecksumAlgorithm> stored;
  // Raw Content-MD5, when sent.
  std::optional<std::string> content_md5;
};

// Reads the Checksum*, ChecksumAlgorithm and ContentMD5 members of `input`
// and the trailers of the request. `default_algorithm` is stored when the
// client names none (S3 stores CRC64NVME for new objects).
Result<ChecksumPlan> PlanChecksums(
    const Document& input, const RequestContext& ctx,
    std::optional<platform::ChecksumAlgorithm> default_algorithm);

// Compares the digests of the body with what the client sent: BadDigest on
// mismatch.
Status VerifyChecksums(const ChecksumPlan& plan, const FileDigests& digests);

// Copies the attributes a write request sets (content headers, metadata,
// storage class, tags, ACL, encryption, object lock) from `input` into a
// version record, applying bucket defaults (encryption, object lock
// retention).
Status ApplyWriteAttributes(S3State& state, const RequestContext& ctx,
                            const Document& input, const Document& bucket,
                            Document& version);

// Content headers an object keeps and returns (model member names).
inline constexpr const char* kContentMembers[] = {
    "ContentType",     "CacheControl", "ContentDisposition",
    "ContentEncoding", "ContentLanguage", "Expires",
    "WebsiteRedirectLocation"};

// Checks If-Match and If-None-Match of a write against the current version
// (nullptr when the key has none).
Status CheckWritePreconditions(const Document& input, const Document* current,
                               std::string_view key);

// Returns the newest version of a row that is not a delete marker, or
// nullptr when the row is missing or its latest version is a delete marker.
const Document* CurrentVersion(const std::optional<Document>& row);

// SSE-C parameters of a request after validation. brume keeps only the
// key's MD5, never the key.
struct CustomerKey {
  std::string algorithm;  // always "AES256"
  std::string key_md5;    // base64 MD5 of the decoded key
};

// How a request uses its SSE-C headers. Writes must send the key's MD5 and
// a 32-byte key. Reads may omit the MD5, and S3 treats a read key of
// another length as the wrong key.
enum class CustomerKeyUse { kWrite, kRead };

// Validates the SSE-C members `<prefix>SSECustomerAlgorithm`, `...Key` and
// `...KeyMD5` of `input` (prefix "" or "CopySource") with the errors S3
// sends. Returns nullopt when the request sends none of them.
Result<std::optional<CustomerKey>> ParseCustomerKey(const Document& input,
                                                    std::string_view prefix,
                                                    CustomerKeyUse use);

// Checks the SSE-C members of a read (GetObject, HeadObject,
// GetObjectAttributes, or a copy source with prefix "CopySource") against
// the stored version. Reading an SSE-C object without its key, or a plain
// object with a key, fails with 400 InvalidRequest. The wrong key fails
// with 403 AccessDenied.
Status CheckReadCustomerKey(const Document& input, std::string_view prefix,
                            const Document& version);

// Checks the SSE-C members of UploadPart, UploadPartCopy and
// CompleteMultipartUpload against the upload's attributes. `required` is
// false where S3 lets the request omit them (CompleteMultipartUpload of an
// upload created without a checksum algorithm).
Status CheckUploadCustomerKey(const Document& input,
                              const Document& upload_attributes,
                              bool required);

// Rejects x-amz-server-side-encryption on GetObject and HeadObject with
// 400, as S3 does, because the encryption of a stored object cannot change.
Status RejectEncryptionHeadersOnRead(const RequestContext& ctx);

// Returns the quoted ETag of a new object or part whose encryption members
// are in `record` (a version or an upload's attributes) and whose data
// `content_id` identifies (the raw MD5 of the data, or a copy source's
// ETag). It is the hex MD5 of the data, except under SSE-C and SSE-KMS,
// where S3's ETags are not the MD5 of the data. There brume hashes the
// data's identity with the key's, so that a retried upload of the same
// part gets the same ETag.
std::string NewEtag(const Document& record, const std::string& content_id);

// True when an ETag made by NewEtag for `record` is the MD5 of the data.
bool EtagIsMd5(const Document& record);

// Copies the encryption members (ServerSideEncryption, SSEKMSKeyId,
// BucketKeyEnabled, SSECustomer*) of a version or upload record into an
// output document.
void CopyEncryptionMembers(const Document& record, Document& output);

// RFC 7231 date, e.g. "Wed, 21 Oct 2015 07:28:00 GMT".
std::string FormatHttpDate(int64_t epoch_seconds);

// Reads the source version of CopyObject and UploadPartCopy from
// x-amz-copy-source, applying the x-amz-copy-source-if-* conditions. The
// returned record also has SourceBucket and SourceKey members.
Result<Document> LoadCopySource(S3State& state, const Document& input,
                                std::string* source_version_id,
                                bool* source_versioned);

// Validates an object key: KeyTooLongError beyond 1,024 bytes.
Status ValidateKey(std::string_view key);

}  // namespace brume::s3
