#include "platform/crypto.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>
#include <utility>

#include "platform/strings.h"

namespace brume::platform {
namespace {

const EVP_MD* MessageDigestFor(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::kMd5:
      return EVP_md5();
    case DigestAlgorithm::kSha1:
      return EVP_sha1();
    case DigestAlgorithm::kSha256:
      return EVP_sha256();
    case DigestAlgorithm::kSha512:
      return EVP_sha512();
  }
  return EVP_sha256();
}

std::string OneShot(DigestAlgorithm algorithm, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  // EVP_Digest fails only on allocation failure or a broken OpenSSL build,
  // neither of which a caller can recover from.
  if (EVP_Digest(data.data(), data.size(), digest, &size,
                 MessageDigestFor(algorithm), nullptr) != 1) {
    std::abort();
  }
  return std::string(reinterpret_cast<const char*>(digest), size);
}

}  // namespace

struct Digest::Context {
  EVP_MD_CTX* context = nullptr;
  ~Context() { EVP_MD_CTX_free(context); }
};

Digest::Digest(DigestAlgorithm algorithm)
    : context_(std::make_unique<Context>()) {
  context_->context = EVP_MD_CTX_new();
  if (context_->context == nullptr ||
      EVP_DigestInit_ex(context_->context, MessageDigestFor(algorithm),
                        nullptr) != 1) {
    std::abort();
  }
}

Digest::~Digest() = default;
Digest::Digest(Digest&& other) noexcept = default;
Digest& Digest::operator=(Digest&& other) noexcept = default;

void Digest::Update(std::string_view bytes) {
  if (EVP_DigestUpdate(context_->context, bytes.data(), bytes.size()) != 1) {
    std::abort();
  }
}

std::string Digest::Final() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(context_->context, digest, &size) != 1) {
    std::abort();
  }
  return std::string(reinterpret_cast<const char*>(digest), size);
}

std::string Md5(std::string_view data) {
  return OneShot(DigestAlgorithm::kMd5, data);
}

std::string Sha1(std::string_view data) {
  return OneShot(DigestAlgorithm::kSha1, data);
}

std::string Sha256(std::string_view data) {
  return OneShot(DigestAlgorithm::kSha256, data);
}

std::string Sha256Hex(std::string_view data) { return HexEncode(Sha256(data)); }

namespace {

std::string Hmac(const EVP_MD* digest, std::string_view key,
                 std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (HMAC(digest, key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(),
           mac, &size) == nullptr) {
    std::abort();
  }
  return std::string(reinterpret_cast<const char*>(mac), size);
}

}  // namespace

std::string HmacSha256(std::string_view key, std::string_view data) {
  return Hmac(EVP_sha256(), key, data);
}

std::string HmacSha1(std::string_view key, std::string_view data) {
  return Hmac(EVP_sha1(), key, data);
}

}  // namespace brume::platform
