#pragma once

// Checksums S3 computes and verifies: CRC32, CRC32C, CRC64NVME, SHA-1,
// SHA-256, SHA-512, MD5, XXH64, XXH3 (64-bit) and XXH3 (128-bit)
// (x-amz-checksum-*), MD5 also for Content-MD5 and ETags, including the
// checksums of multipart uploads.
//
// Digests are raw big-endian bytes. S3 headers carry them as base64 (for
// example x-amz-checksum-crc32 is base64 of the 4 big-endian CRC bytes) and
// ETags carry MD5 as lower-case hex.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "platform/crypto.h"

namespace brume::platform {

enum class ChecksumAlgorithm {
  kCrc32,
  kCrc32c,
  kCrc64Nvme,
  kSha1,
  kSha256,
  kMd5,
  kSha512,
  kXxhash64,
  kXxhash3,
  kXxhash128
};

// Parses an algorithm name as S3 spells it in x-amz-checksum-algorithm and
// x-amz-sdk-checksum-algorithm, ignoring case: "CRC32", "CRC32C",
// "CRC64NVME", "SHA1", "SHA256", "SHA512", "MD5", "XXHASH64", "XXHASH3"
// and "XXHASH128".
std::optional<ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name);

// Upper-case name, e.g. "CRC64NVME".
std::string_view ChecksumAlgorithmName(ChecksumAlgorithm algorithm);

// Header carrying the checksum, e.g. "x-amz-checksum-crc32c".
std::string_view ChecksumHeaderName(ChecksumAlgorithm algorithm);

// Member name in S3's model and XML, e.g. "ChecksumCRC32C".
std::string_view ChecksumMemberName(ChecksumAlgorithm algorithm);

// Raw digest size in bytes: 4 (CRC32, CRC32C), 8 (CRC64NVME, XXHASH64,
// XXHASH3), 16 (MD5, XXHASH128), 20 (SHA1), 32 (SHA256) or 64 (SHA512).
size_t ChecksumSize(ChecksumAlgorithm algorithm);

// True for the CRC algorithms, whose part checksums combine into a
// full-object checksum.
bool IsCrcAlgorithm(ChecksumAlgorithm algorithm);

// Incremental checksum of any algorithm. Update any number of times, then
// Final once.
class Checksum {
 public:
  explicit Checksum(ChecksumAlgorithm algorithm);
  ~Checksum();
  Checksum(Checksum&& other) noexcept;
  Checksum& operator=(Checksum&& other) noexcept;

  ChecksumAlgorithm algorithm() const { return algorithm_; }
  void Update(std::string_view bytes);
  // Raw big-endian digest.
  std::string Final();
  // base64 of the raw digest, as x-amz-checksum-* headers carry it.
  std::string FinalBase64();
  // Lower-case hex of the raw digest, as ETags carry MD5.
  std::string FinalHex();

 private:
  struct XxhashState;  // xxHash streaming state, defined in checksum.cc

  ChecksumAlgorithm algorithm_;
  uint64_t crc_ = 0;
  std::optional<Digest> digest_;
  std::unique_ptr<XxhashState> xxhash_;
};

// One-shot raw digest of `data`.
std::string ComputeChecksum(ChecksumAlgorithm algorithm, std::string_view data);
// One-shot base64 digest of `data`.
std::string ComputeChecksumBase64(ChecksumAlgorithm algorithm,
                                  std::string_view data);

// Decodes a base64 checksum value from a header or request member. Returns
// nullopt when it is not valid base64 or not ChecksumSize(algorithm) bytes.
std::optional<std::string> DecodeChecksumBase64(ChecksumAlgorithm algorithm,
                                                std::string_view base64);

// CRC primitives. `crc` is the value so far (0 for no data) and the result
// is the finished CRC of all bytes fed, so calls chain.
uint32_t Crc32Update(uint32_t crc, std::string_view bytes);
uint32_t Crc32cUpdate(uint32_t crc, std::string_view bytes);
uint64_t Crc64NvmeUpdate(uint64_t crc, std::string_view bytes);

// CRC of A followed by B, given CRC(A), CRC(B) and the length of B.
uint32_t Crc32Combine(uint32_t crc_a, uint32_t crc_b, uint64_t length_b);
uint32_t Crc32cCombine(uint32_t crc_a, uint32_t crc_b, uint64_t length_b);
uint64_t Crc64NvmeCombine(uint64_t crc_a, uint64_t crc_b, uint64_t length_b);

// One part of a multipart upload: its raw checksum and its size in bytes.
struct PartChecksum {
  std::string raw;
  uint64_t size = 0;
};

// Full-object checksum of a multipart upload (ChecksumType FULL_OBJECT): the
// CRC of the whole object, combined from the CRCs of its parts in order.
// Returns the raw digest, or nullopt if `algorithm` is not a CRC or a part's
// raw checksum has the wrong size.
std::optional<std::string> CombineFullObjectChecksum(
    ChecksumAlgorithm algorithm, const std::vector<PartChecksum>& parts);

// Composite checksum of a multipart upload (ChecksumType COMPOSITE): base64
// of the checksum of the concatenated raw part checksums, followed by "-N"
// where N is the number of parts, e.g. "0z5oUQ==-3".
std::string CompositeChecksumBase64(ChecksumAlgorithm algorithm,
                                    const std::vector<std::string>& part_raw);

// ETag of a multipart upload, without quotes: hex MD5 of the concatenated
// raw part MD5s, followed by "-N".
std::string MultipartEtag(const std::vector<std::string>& part_md5_raw);

}  // namespace brume::platform
