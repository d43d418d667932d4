#include "services/common/document.h"

#include <cstdint>
#include <string>
#include <vector>

namespace brume {

Document Blob(std::string_view bytes) {
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  return Document::binary(std::vector<uint8_t>(data, data + bytes.size()));
}

std::string BlobBytes(const Document& value) {
  if (value.is_binary()) {
    const Document::binary_t& bytes = value.get_binary();
    return std::string(reinterpret_cast<const char*>(bytes.data()),
                       bytes.size());
  }
  if (value.is_string()) return value.get<std::string>();
  return {};
}

}  // namespace brume
