#include "services/sqs/message_md5.h"

#include <openssl/evp.h>

#include <cstdint>
#include <map>

namespace brume::sqs {
namespace {

std::string DigestHex(const EVP_MD* algorithm, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, algorithm, nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

void AppendLengthPrefixed(std::string& out, std::string_view bytes) {
  uint32_t length = static_cast<uint32_t>(bytes.size());
  out += static_cast<char>((length >> 24) & 0xff);
  out += static_cast<char>((length >> 16) & 0xff);
  out += static_cast<char>((length >> 8) & 0xff);
  out += static_cast<char>(length & 0xff);
  out.append(bytes);
}

std::string BinaryBytes(const Document& value) {
  if (value.is_binary()) {
    const auto& bytes = value.get_binary();
    return std::string(bytes.begin(), bytes.end());
  }
  if (value.is_string()) return value.get<std::string>();
  return {};
}

}  // namespace

std::string Md5Hex(std::string_view data) {
  return DigestHex(EVP_md5(), data);
}

std::string Sha256Hex(std::string_view data) {
  return DigestHex(EVP_sha256(), data);
}

std::string MessageAttributesMd5(const Document& attributes) {
  // nlohmann's object keeps keys in std::map order, which is the byte order
  // SQS sorts names in; copy into a map anyway so the order does not depend
  // on the document type.
  std::map<std::string, const Document*> sorted;
  for (auto it = attributes.begin(); it != attributes.end(); ++it) {
    sorted[it.key()] = &it.value();
  }

  std::string encoded;
  for (const auto& [name, value] : sorted) {
    AppendLengthPrefixed(encoded, name);
    AppendLengthPrefixed(encoded, value->value("DataType", ""));
    if (value->contains("StringValue")) {
      encoded += static_cast<char>(1);
      AppendLengthPrefixed(encoded, (*value)["StringValue"].get<std::string>());
    } else if (value->contains("BinaryValue")) {
      encoded += static_cast<char>(2);
      AppendLengthPrefixed(encoded, BinaryBytes((*value)["BinaryValue"]));
    }
  }
  return Md5Hex(encoded);
}

}  // namespace brume::sqs
