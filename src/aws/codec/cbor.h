#pragma once

// A small CBOR (RFC 8949) reader and writer for the smithy-rpc-v2-cbor
// protocol.

#include <cstdint>
#include <string>
#include <string_view>

#include "services/common/document.h"
#include "services/common/error.h"

namespace brume::aws::codec {

// Decodes one CBOR data item into a document. Text strings become strings,
// byte strings binary values, tag 1 (epoch time) its number, other tags
// their content, and undefined null. Indefinite-length items are accepted.
// Malformed input, trailing bytes, non-text map keys or nesting deeper than
// 64 levels return a SerializationException.
Result<Document> ParseCbor(std::string_view bytes);

// Appends CBOR data items to a byte string. Lengths are definite and every
// floating-point number is written as a 64-bit double.
class CborWriter {
 public:
  void BeginMap(uint64_t size) { Head(5, size); }
  void BeginArray(uint64_t size) { Head(4, size); }
  void Text(std::string_view text);
  void Bytes(std::string_view bytes);
  void Integer(int64_t value);
  void Unsigned(uint64_t value) { Head(0, value); }
  void Double(double value);
  void Bool(bool value) { data_.push_back(value ? '\xf5' : '\xf4'); }
  void Null() { data_.push_back('\xf6'); }
  void Tag(uint64_t tag) { Head(6, tag); }

  const std::string& data() const { return data_; }
  std::string Take() { return std::move(data_); }

 private:
  void Head(uint8_t major, uint64_t argument);

  std::string data_;
};

}  // namespace brume::aws::codec
