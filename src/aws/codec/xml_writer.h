#pragma once

// A small streaming XML writer for the query, ec2 and rest-xml codecs. It
// appends to one string, escapes text and attribute values, and writes empty
// elements as `<a></a>`.

#include <string>
#include <string_view>
#include <vector>

namespace brume::aws::codec {

class XmlWriter {
 public:
  // Writes `<?xml version="1.0" encoding="UTF-8"?>`.
  void Declaration();

  // Starts an element. Attributes may follow until the next call of any
  // other method.
  void Open(std::string_view name);
  void Attribute(std::string_view name, std::string_view value);
  // Appends escaped character data to the current element.
  void Text(std::string_view text);
  // Ends the innermost open element.
  void Close();

  // Writes `<name>text</name>`.
  void Element(std::string_view name, std::string_view text);

  // Closes every open element and returns the document.
  std::string Finish();

  size_t depth() const { return open_.size(); }

 private:
  void EndStartTag();

  std::string out_;
  std::vector<std::string> open_;
  bool start_tag_open_ = false;
};

// Appends `text` to `out` with &, <, >, " and ' escaped, and with carriage
// returns as &#xD; so that XML parsers keep them. C0 controls other than
// tab and newline become numeric references too, although XML 1.0 forbids
// them and strict parsers reject the document.
void AppendXmlEscaped(std::string* out, std::string_view text);

}  // namespace brume::aws::codec
