#pragma once

// File helpers for object bodies: hashing a file range in one pass, and
// copying ranges between files without holding them in memory.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "platform/checksum.h"
#include "services/common/error.h"

namespace brume::s3 {

// Digests of one pass over a byte range.
struct FileDigests {
  std::string md5;  // raw MD5, always computed
  // Raw digest per requested algorithm, in the order requested.
  std::vector<std::pair<platform::ChecksumAlgorithm, std::string>> checksums;

  // Returns the raw digest of `algorithm`, or nullptr if it was not
  // requested.
  const std::string* Find(platform::ChecksumAlgorithm algorithm) const;
};

// Size of a file in bytes, or 0 if it cannot be read.
uint64_t FileSize(const std::string& path);

// Reads [offset, offset + length) of `path` once and computes its MD5 and
// the requested checksums.
Result<FileDigests> HashFile(
    const std::string& path, uint64_t offset, uint64_t length,
    const std::vector<platform::ChecksumAlgorithm>& algorithms);

// Creates `target` (truncating it) with bytes [offset, offset + length) of
// `source`.
Status CopyFileRange(const std::string& source, uint64_t offset,
                     uint64_t length, const std::string& target);

// Appends bytes [offset, offset + length) of `source` to the open file
// descriptor `target_fd`.
Status AppendFileRange(const std::string& source, uint64_t offset,
                       uint64_t length, int target_fd);

// Creates `path` with `data`.
Status WriteWholeFile(const std::string& path, std::string_view data);

}  // namespace brume::s3
