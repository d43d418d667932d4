#pragma once

// String helpers shared by every layer: percent-encoding, query strings,
// case-insensitive comparison, hex and base64.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace brume::platform {

// Splits a query or form string into percent-decoded (name, value) pairs,
// in order. '+' decodes to a space when plus_is_space (HTML forms).
std::vector<std::pair<std::string, std::string>> ParseQueryString(
    std::string_view query, bool plus_is_space = true);

// Percent-decodes; '+' stays '+' unless plus_is_space. Invalid escapes are
// kept as they are.
std::string PercentDecode(std::string_view text, bool plus_is_space = false);

// Percent-encodes every byte outside A-Z a-z 0-9 - _ . ~ (and '/' when
// keep_slash), as SigV4 canonical requests require.
std::string PercentEncode(std::string_view text, bool keep_slash = false);

bool EqualsIgnoreCase(std::string_view a, std::string_view b);
bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix);
std::string ToLower(std::string_view text);
std::string_view Trim(std::string_view text);

std::string HexEncode(std::string_view bytes);
std::string Base64Encode(std::string_view bytes);
// Returns false on invalid base64 input.
bool Base64Decode(std::string_view text, std::string* bytes);

// Escapes &, <, >, " and ' for XML text and attribute values.
std::string XmlEscape(std::string_view text);

// Returns the deepest nesting of arrays and objects in a JSON text, counting
// brackets outside strings, without parsing it. Callers reject deep
// documents with it before nlohmann::json, whose copy and dump recurse once
// per level, can exhaust the stack.
size_t JsonNestingDepth(std::string_view text);

// Decodes the UTF-8 character at `*position` and moves `*position` past it.
// Returns nothing for a stray continuation byte, a truncated or overlong
// sequence, a surrogate or a code point past U+10FFFF, and at the end.
std::optional<uint32_t> NextCodePoint(std::string_view text, size_t* position);

// True when all of `text` is well-formed UTF-8, as NextCodePoint defines it.
bool IsValidUtf8(std::string_view text);

}  // namespace brume::platform
