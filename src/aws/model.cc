#include "aws/model.h"

#include <algorithm>

namespace brume::aws {

namespace {

// Binary search over a table sorted by `name` (the generator sorts shapes
// and operations byte-wise, as std::string_view compares).
template <typename T>
const T* FindByName(std::span<const T> table, std::string_view name) {
  auto it = std::lower_bound(
      table.begin(), table.end(), name,
      [](const T& entry, std::string_view key) {
        return std::string_view(entry.name) < key;
      });
  if (it == table.end() || std::string_view(it->name) != name) return nullptr;
  return &*it;
}

}  // namespace

std::string_view ProtocolName(Protocol protocol) {
  switch (protocol) {
    case Protocol::kQuery:
      return "query";
    case Protocol::kEc2:
      return "ec2";
    case Protocol::kJson:
      return "json";
    case Protocol::kRestJson:
      return "rest-json";
    case Protocol::kRestXml:
      return "rest-xml";
    case Protocol::kRpcV2Cbor:
      return "smithy-rpc-v2-cbor";
  }
  return "unknown";
}

const Operation* ServiceModel::FindOperation(std::string_view name) const {
  return FindByName(operations, name);
}

const Shape* ServiceModel::FindShape(std::string_view name) const {
  return FindByName(shapes, name);
}

}  // namespace brume::aws
