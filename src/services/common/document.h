#pragma once

// The document a handler receives and returns: the operation's input or
// output as a JSON-like tree, whatever the wire protocol.
//
// Conventions the codecs keep for every protocol:
// - structure members are keyed by their model member name;
// - timestamps are numbers of seconds since the epoch (may be fractional);
// - blobs are binary values (nlohmann::json::binary_t) holding raw bytes;
// - absent members are absent keys, never null.

#include <nlohmann/json.hpp>

namespace brume {

using Document = nlohmann::json;

// Builds a binary document value from raw bytes.
Document Blob(std::string_view bytes);

// Returns the raw bytes of a binary (or string) document value; empty for
// any other type.
std::string BlobBytes(const Document& value);

}  // namespace brume
