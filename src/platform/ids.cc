#include "platform/ids.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

namespace brume::platform {
namespace {

constexpr std::string_view kUpperHex = "0123456789ABCDEF";
constexpr std::string_view kLowerHex = "0123456789abcdef";
constexpr std::string_view kUpperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
constexpr std::string_view kAlnum =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
// 64 symbols, so one random byte masked to 6 bits picks one without bias.
constexpr std::string_view kSecretAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Random bytes in S3's x-amz-id-2. S3 documents no format; 48 bytes give 64
// base64 characters, a length real S3 responses show.
constexpr size_t kS3HostIdBytes = 48;

std::mt19937_64& Prng() {
  thread_local std::mt19937_64 prng = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device(),
                       device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  return prng;
}

std::string RandomFrom(std::string_view alphabet, size_t length) {
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::mt19937_64& prng = Prng();
  std::string out(length, '\0');
  for (char& c : out) c = alphabet[pick(prng)];
  return out;
}

void FillRandom(uint8_t* out, size_t count) {
  std::mt19937_64& prng = Prng();
  size_t i = 0;
  while (i < count) {
    uint64_t word = prng();
    for (int b = 0; b < 8 && i < count; ++b, ++i) {
      out[i] = static_cast<uint8_t>(word >> (8 * b));
    }
  }
}

}  // namespace

std::string NewUuid() {
  std::array<uint8_t, 16> bytes;
  FillRandom(bytes.data(), bytes.size());
  bytes[6] = (bytes[6] & 0x0f) | 0x40;  // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80;  // RFC 4122 variant

  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kLowerHex[bytes[i] >> 4]);
    out.push_back(kLowerHex[bytes[i] & 0x0f]);
  }
  return out;
}

std::string NewS3RequestId() { return RandomFrom(kUpperHex, 16); }

std::string NewS3HostId() {
  std::array<uint8_t, kS3HostIdBytes> bytes;
  FillRandom(bytes.data(), bytes.size());
  // EVP_EncodeBlock writes 4 characters per 3 bytes plus a NUL.
  std::array<unsigned char, (kS3HostIdBytes + 2) / 3 * 4 + 1> text;
  int length = EVP_EncodeBlock(text.data(), bytes.data(), bytes.size());
  return std::string(reinterpret_cast<const char*>(text.data()), length);
}

std::string RandomUpperAlnum(size_t length) {
  return RandomFrom(kUpperAlnum, length);
}

std::string RandomAlnum(size_t length) { return RandomFrom(kAlnum, length); }

std::string RandomHex(size_t length) { return RandomFrom(kLowerHex, length); }

std::string RandomBytes(size_t count) {
  std::string out(count, '\0');
  FillRandom(reinterpret_cast<uint8_t*>(out.data()), count);
  return out;
}

std::string RandomSecret(size_t length) {
  std::vector<unsigned char> bytes(length);
  if (length > 0 && RAND_bytes(bytes.data(), static_cast<int>(length)) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed to generate a secret");
  }
  std::string out(length, '\0');
  for (size_t i = 0; i < length; ++i) {
    out[i] = kSecretAlphabet[bytes[i] & 0x3f];
  }
  return out;
}

std::string MakeArn(std::string_view service, std::string_view region,
                    std::string_view account, std::string_view resource) {
  std::string_view partition = PartitionOf(region);
  std::string arn;
  arn.reserve(4 + partition.size() + service.size() + region.size() +
              account.size() + resource.size() + 5);
  arn.append("arn:").append(partition).append(":");
  arn.append(service).append(":");
  arn.append(region).append(":");
  arn.append(account).append(":");
  arn.append(resource);
  return arn;
}

std::string_view PartitionOf(std::string_view region) {
  struct Prefix {
    std::string_view region_prefix;
    std::string_view partition;
  };
  static constexpr Prefix kPrefixes[] = {
      {"cn-", "aws-cn"},         {"us-gov-", "aws-us-gov"},
      {"us-iso-", "aws-iso"},    {"us-isob-", "aws-iso-b"},
      {"eu-isoe-", "aws-iso-e"}, {"us-isof-", "aws-iso-f"},
      {"eusc-", "aws-eusc"},
  };
  for (const Prefix& prefix : kPrefixes) {
    if (region.starts_with(prefix.region_prefix)) return prefix.partition;
  }
  return "aws";
}

}  // namespace brume::platform
