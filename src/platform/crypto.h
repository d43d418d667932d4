#pragma once

// Hashes and HMAC over OpenSSL 3 EVP. Digests are raw bytes, which callers
// encode with HexEncode or Base64Encode from strings.h.

#include <memory>
#include <string>
#include <string_view>

namespace brume::platform {

enum class DigestAlgorithm { kMd5, kSha1, kSha256, kSha512 };

// Incremental message digest. Update any number of times, then Final once.
class Digest {
 public:
  explicit Digest(DigestAlgorithm algorithm);
  ~Digest();
  Digest(Digest&& other) noexcept;
  Digest& operator=(Digest&& other) noexcept;
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;

  void Update(std::string_view bytes);
  // Returns the raw digest (16, 20 or 32 bytes). Further calls to Update or
  // Final are invalid after the first Final.
  std::string Final();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

// One-shot raw digests.
std::string Md5(std::string_view data);
std::string Sha1(std::string_view data);
std::string Sha256(std::string_view data);
// Lower-case hex SHA-256, the form SigV4 uses for payload hashes.
std::string Sha256Hex(std::string_view data);

// Raw HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);
// Raw HMAC-SHA1 of `data` under `key`, for Signature Version 2.
std::string HmacSha1(std::string_view key, std::string_view data);

}  // namespace brume::platform
