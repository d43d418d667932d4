#include "services/s3/blob_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "services/s3/errors.h"

namespace brume::s3 {
namespace {

constexpr size_t kBufferSize = 1 << 20;

AwsError IoFailure(std::string_view what, const std::string& path) {
  return InternalError(fmt::format("Failed to {} object data file {}: {}", what,
                                   path, std::strerror(errno)));
}

// Closes a file descriptor when it goes out of scope.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Status WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t written = ::write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      return InternalError(
          fmt::format("Failed to write object data: {}", std::strerror(errno)));
    }
    data += written;
    size -= static_cast<size_t>(written);
  }
  return Status();
}

}  // namespace

const std::string* FileDigests::Find(
    platform::ChecksumAlgorithm algorithm) const {
  for (const auto& [candidate, digest] : checksums) {
    if (candidate == algorithm) return &digest;
  }
  return nullptr;
}

uint64_t FileSize(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) return 0;
  return static_cast<uint64_t>(info.st_size);
}

Result<FileDigests> HashFile(
    const std::string& path, uint64_t offset, uint64_t length,
    const std::vector<platform::ChecksumAlgorithm>& algorithms) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return IoFailure("open", path);

  platform::Digest md5(platform::DigestAlgorithm::kMd5);
  std::vector<platform::Checksum> checksums;
  for (platform::ChecksumAlgorithm algorithm : algorithms) {
    checksums.emplace_back(algorithm);
  }

  std::unique_ptr<char[]> buffer(new char[kBufferSize]);
  uint64_t position = offset;
  uint64_t remaining = length;
  while (remaining > 0) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(remaining, kBufferSize));
    ssize_t got = ::pread(fd.get(), buffer.get(), want,
                          static_cast<off_t>(position));
    if (got < 0) {
      if (errno == EINTR) continue;
      return IoFailure("read", path);
    }
    if (got == 0) {
      return InternalError(
          fmt::format("Object data file {} is shorter than expected", path));
    }
    std::string_view chunk(buffer.get(), static_cast<size_t>(got));
    md5.Update(chunk);
    for (platform::Checksum& checksum : checksums) checksum.Update(chunk);
    position += static_cast<uint64_t>(got);
    remaining -= static_cast<uint64_t>(got);
  }

  FileDigests digests;
  digests.md5 = md5.Final();
  for (platform::Checksum& checksum : checksums) {
    platform::ChecksumAlgorithm algorithm = checksum.algorithm();
    digests.checksums.emplace_back(algorithm, checksum.Final());
  }
  return digests;
}

Status AppendFileRange(const std::string& source, uint64_t offset,
                       uint64_t length, int target_fd) {
  FileDescriptor fd(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return IoFailure("open", source);

  // copy_file_range lets the kernel move the bytes (or share extents on
  // file systems that support it); fall back to read/write when it cannot.
  loff_t in_offset = static_cast<loff_t>(offset);
  uint64_t remaining = length;
  while (remaining > 0) {
    ssize_t copied = ::copy_file_range(fd.get(), &in_offset, target_fd, nullptr,
                                       remaining, 0);
    if (copied < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (copied == 0) break;
    remaining -= static_cast<uint64_t>(copied);
  }
  if (remaining == 0) return Status();

  std::unique_ptr<char[]> buffer(new char[kBufferSize]);
  while (remaining > 0) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(remaining, kBufferSize));
    ssize_t got = ::pread(fd.get(), buffer.get(), want, in_offset);
    if (got < 0) {
      if (errno == EINTR) continue;
      return IoFailure("read", source);
    }
    if (got == 0) {
      return InternalError(
          fmt::format("Object data file {} is shorter than expected", source));
    }
    Status written = WriteAll(target_fd, buffer.get(), static_cast<size_t>(got));
    if (!written.ok()) return written;
    in_offset += got;
    remaining -= static_cast<uint64_t>(got);
  }
  return Status();
}

Status CopyFileRange(const std::string& source, uint64_t offset,
                     uint64_t length, const std::string& target) {
  FileDescriptor fd(
      ::open(target.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) return IoFailure("create", target);
  return AppendFileRange(source, offset, length, fd.get());
}

Status WriteWholeFile(const std::string& path, std::string_view data) {
  FileDescriptor fd(
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) return IoFailure("create", path);
  return WriteAll(fd.get(), data.data(), data.size());
}

}  // namespace brume::s3
