#include "services/common/http.h"

#include <algorithm>

namespace brume {
namespace {

// HTTP field names are case-insensitive ASCII (RFC 9110, section 5.1).
bool NameEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

void Headers::Add(std::string name, std::string value) {
  entries_.emplace_back(std::move(name), std::move(value));
}

void Headers::Set(std::string name, std::string value) {
  // The first entry of the name keeps its position; the others go.
  auto first = std::find_if(entries_.begin(), entries_.end(),
                            [&](const auto& e) { return NameEquals(e.first, name); });
  if (first == entries_.end()) {
    entries_.emplace_back(std::move(name), std::move(value));
    return;
  }
  size_t index = static_cast<size_t>(first - entries_.begin());
  entries_.erase(std::remove_if(entries_.begin() + index + 1, entries_.end(),
                                [&](const auto& e) {
                                  return NameEquals(e.first, name);
                                }),
                 entries_.end());
  entries_[index] = {std::move(name), std::move(value)};
}

void Headers::Remove(std::string_view name) {
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                [&](const auto& e) {
                                  return NameEquals(e.first, name);
                                }),
                 entries_.end());
}

std::optional<std::string_view> Headers::Get(std::string_view name) const {
  for (const auto& [entry_name, value] : entries_) {
    if (NameEquals(entry_name, name)) return std::string_view(value);
  }
  return std::nullopt;
}

}  // namespace brume
