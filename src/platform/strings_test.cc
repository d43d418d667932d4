#include "platform/strings.h"

#include <gtest/gtest.h>

#include <string>

namespace brume::platform {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST(ParseQueryStringTest, SplitsAndDecodesInOrder) {
  Pairs pairs = ParseQueryString("b=2&a=%41%2f&c&d=&=e");
  ASSERT_EQ(pairs.size(), 5u);
  EXPECT_EQ(pairs[0], (std::pair<std::string, std::string>{"b", "2"}));
  EXPECT_EQ(pairs[1], (std::pair<std::string, std::string>{"a", "A/"}));
  EXPECT_EQ(pairs[2], (std::pair<std::string, std::string>{"c", ""}));
  EXPECT_EQ(pairs[3], (std::pair<std::string, std::string>{"d", ""}));
  EXPECT_EQ(pairs[4], (std::pair<std::string, std::string>{"", "e"}));
}

TEST(ParseQueryStringTest, PlusIsSpaceOnlyWhenAsked) {
  EXPECT_EQ(ParseQueryString("k=a+b")[0].second, "a b");
  EXPECT_EQ(ParseQueryString("k=a+b", false)[0].second, "a+b");
}

TEST(ParseQueryStringTest, SkipsEmptyPieces) {
  Pairs pairs = ParseQueryString("&&a=1&&");
  ASSERT_EQ(pairs.size(), 1u);
  EXPECT_EQ(pairs[0].first, "a");
}

TEST(ParseQueryStringTest, SurvivesHostileInput) {
  // Lone and truncated escapes stay as they are.
  Pairs pairs = ParseQueryString("a=%&b=%4&c=%zz&%=%%");
  ASSERT_EQ(pairs.size(), 4u);
  EXPECT_EQ(pairs[0].second, "%");
  EXPECT_EQ(pairs[1].second, "%4");
  EXPECT_EQ(pairs[2].second, "%zz");
  EXPECT_EQ(pairs[3].first, "%");
  EXPECT_EQ(pairs[3].second, "%%");

  // NUL bytes, raw and escaped, pass through.
  std::string with_nul("x=a\0b&y=%00", 11);
  pairs = ParseQueryString(with_nul);
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0].second, std::string("a\0b", 3));
  EXPECT_EQ(pairs[1].second, std::string(1, '\0'));

  // A 4 MiB query made only of separators and broken escapes parses.
  std::string huge;
  for (int i = 0; i < 1 << 20; ++i) huge += "%=&%";
  pairs = ParseQueryString(huge);
  EXPECT_EQ(pairs.size(), size_t{1} << 20 | 1);
}

TEST(PercentDecodeTest, DecodesEscapes) {
  EXPECT_EQ(PercentDecode("%E1%88%b4"), "\xE1\x88\xB4");
  EXPECT_EQ(PercentDecode("a+b"), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("100%"), "100%");
  EXPECT_EQ(PercentDecode("%2"), "%2");
}

TEST(PercentEncodeTest, EncodesAllButUnreserved) {
  EXPECT_EQ(PercentEncode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(PercentEncode("a b+c*d/e"), "a%20b%2Bc%2Ad%2Fe");
  EXPECT_EQ(PercentEncode("a b/c", true), "a%20b/c");
  EXPECT_EQ(PercentEncode("\xE1\x88\xB4"), "%E1%88%B4");
  EXPECT_EQ(PercentEncode(std::string(1, '\0')), "%00");
}

TEST(CaseInsensitiveTest, ComparesAsciiIgnoringCase) {
  EXPECT_TRUE(EqualsIgnoreCase("Content-Type", "content-type"));
  EXPECT_FALSE(EqualsIgnoreCase("Content-Type", "content-typ"));
  EXPECT_TRUE(StartsWithIgnoreCase("X-Amz-Meta-Foo", "x-amz-meta-"));
  EXPECT_FALSE(StartsWithIgnoreCase("X-Amz", "x-amz-meta-"));
  EXPECT_EQ(ToLower("AbC-1"), "abc-1");
}

TEST(TrimTest, RemovesSurroundingWhitespace) {
  EXPECT_EQ(Trim("  a b \t\r\n"), "a b");
  EXPECT_EQ(Trim("   "), "");
  EXPECT_EQ(Trim(""), "");
}

TEST(HexEncodeTest, WritesLowerCase) {
  EXPECT_EQ(HexEncode(std::string("\x00\x9f\xff", 3)), "009fff");
}

TEST(Base64Test, EncodesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

TEST(Base64Test, DecodesWithAndWithoutPadding) {
  std::string bytes;
  ASSERT_TRUE(Base64Decode("Zm9vYg==", &bytes));
  EXPECT_EQ(bytes, "foob");
  ASSERT_TRUE(Base64Decode("Zm9vYg", &bytes));
  EXPECT_EQ(bytes, "foob");
  ASSERT_TRUE(Base64Decode("Zm9vYmFy", &bytes));
  EXPECT_EQ(bytes, "foobar");
  ASSERT_TRUE(Base64Decode("", &bytes));
  EXPECT_EQ(bytes, "");
  ASSERT_TRUE(Base64Decode("+/8=", &bytes));
  EXPECT_EQ(bytes, "\xfb\xff");
}

TEST(Base64Test, RejectsInvalidInput) {
  std::string bytes = "unchanged";
  EXPECT_FALSE(Base64Decode("Zm9v!", &bytes));
  EXPECT_FALSE(Base64Decode("Z", &bytes));
  EXPECT_FALSE(Base64Decode("Zm9=", &bytes));
  EXPECT_FALSE(Base64Decode("Zg=a", &bytes));
  EXPECT_FALSE(Base64Decode("Zg===", &bytes));
  EXPECT_FALSE(Base64Decode(std::string("Zg\0=", 4), &bytes));
  EXPECT_EQ(bytes, "unchanged");
}

TEST(XmlEscapeTest, EscapesMarkupCharacters) {
  EXPECT_EQ(XmlEscape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
  EXPECT_EQ(XmlEscape("plain"), "plain");
}

TEST(IsValidUtf8Test, AcceptsTextAndRejectsBadSequences) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain/key.txt"));
  EXPECT_TRUE(IsValidUtf8("Z\xc3\xbcrich \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\x80"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));                 // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));             // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));         // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));     // past U+10FFFF
}

TEST(JsonNestingDepthTest, CountsBracketsOutsideStrings) {
  EXPECT_EQ(JsonNestingDepth("{}"), 1u);
  EXPECT_EQ(JsonNestingDepth(R"({"a": [[1], {"b": 2}]})"), 3u);
  EXPECT_EQ(JsonNestingDepth(R"({"a": "[[[{{{"})"), 1u);
  EXPECT_EQ(JsonNestingDepth(R"({"a": "\"[[["})"), 1u);
  EXPECT_EQ(JsonNestingDepth("plain"), 0u);
}

}  // namespace
}  // namespace brume::platform
