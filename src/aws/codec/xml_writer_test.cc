#include "aws/codec/xml_writer.h"

#include <gtest/gtest.h>

#include <pugixml.hpp>
#include <string>

namespace brume::aws::codec {
namespace {

TEST(XmlWriter, NestedElementsAndAttributes) {
  XmlWriter writer;
  writer.Declaration();
  writer.Open("Root");
  writer.Attribute("xmlns", "http://example.com/doc/");
  writer.Open("Empty");
  writer.Close();
  writer.Element("Name", "value");
  writer.Open("List");
  writer.Element("member", "1");
  writer.Element("member", "2");
  EXPECT_EQ(writer.depth(), 2u);
  std::string xml = writer.Finish();

  EXPECT_EQ(xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<Root xmlns=\"http://example.com/doc/\"><Empty></Empty>"
            "<Name>value</Name><List><member>1</member><member>2</member>"
            "</List></Root>");
}

TEST(XmlWriter, EscapesTextAndAttributes) {
  XmlWriter writer;
  writer.Open("Key");
  writer.Attribute("note", "say \"hi\" & 'bye' <now>");
  writer.Text("a<b>&c \"d\" 'e'\r\nf\tg");
  std::string xml = writer.Finish();

  EXPECT_EQ(xml,
            "<Key note=\"say &quot;hi&quot; &amp; &apos;bye&apos; "
            "&lt;now&gt;\">a&lt;b&gt;&amp;c &quot;d&quot; &apos;e&apos;"
            "&#xD;\nf\tg</Key>");

  pugi::xml_document document;
  ASSERT_TRUE(document.load_string(xml.c_str()));
  EXPECT_STREQ(document.child("Key").attribute("note").value(),
               "say \"hi\" & 'bye' <now>");
  EXPECT_STREQ(document.child("Key").child_value(), "a<b>&c \"d\" 'e'\r\nf\tg");
}

TEST(XmlWriter, ControlCharactersAsReferences) {
  std::string out;
  AppendXmlEscaped(&out, std::string("a\x01z\x1f", 4));
  EXPECT_EQ(out, "a&#x1;z&#x1F;");
}

TEST(XmlWriter, KeepsUtf8) {
  std::string out;
  AppendXmlEscaped(&out, "caf\xc3\xa9 \xe2\x82\xac");
  EXPECT_EQ(out, "caf\xc3\xa9 \xe2\x82\xac");
}

}  // namespace
}  // namespace brume::aws::codec
