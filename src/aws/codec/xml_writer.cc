#include "aws/codec/xml_writer.h"

#include <cstdio>

namespace brume::aws::codec {

void AppendXmlEscaped(std::string* out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&':
        out->append("&amp;");
        break;
      case '<':
        out->append("&lt;");
        break;
      case '>':
        out->append("&gt;");
        break;
      case '"':
        out->append("&quot;");
        break;
      case '\'':
        out->append("&apos;");
        break;
      case '\r':
        out->append("&#xD;");
        break;
      default: {
        auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 && c != '\n' && c != '\t') {
          char reference[8];
          std::snprintf(reference, sizeof(reference), "&#x%X;", byte);
          out->append(reference);
        } else {
          out->push_back(c);
        }
      }
    }
  }
}

void XmlWriter::Declaration() {
  out_.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
}

void XmlWriter::EndStartTag() {
  if (start_tag_open_) {
    out_.push_back('>');
    start_tag_open_ = false;
  }
}

void XmlWriter::Open(std::string_view name) {
  EndStartTag();
  out_.push_back('<');
  out_.append(name);
  open_.emplace_back(name);
  start_tag_open_ = true;
}

void XmlWriter::Attribute(std::string_view name, std::string_view value) {
  out_.push_back(' ');
  out_.append(name);
  out_.append("=\"");
  AppendXmlEscaped(&out_, value);
  out_.push_back('"');
}

void XmlWriter::Text(std::string_view text) {
  EndStartTag();
  AppendXmlEscaped(&out_, text);
}

void XmlWriter::Close() {
  if (open_.empty()) return;
  EndStartTag();
  out_.append("</");
  out_.append(open_.back());
  out_.push_back('>');
  open_.pop_back();
}

void XmlWriter::Element(std::string_view name, std::string_view text) {
  Open(name);
  Text(text);
  Close();
}

std::string XmlWriter::Finish() {
  while (!open_.empty()) Close();
  return std::move(out_);
}

}  // namespace brume::aws::codec
