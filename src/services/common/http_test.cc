#include "services/common/http.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace brume {
namespace {

std::vector<std::pair<std::string, std::string>> Entries(
    const Headers& headers) {
  return {headers.begin(), headers.end()};
}

TEST(HeadersTest, GetIgnoresCase) {
  Headers headers;
  headers.Add("Content-Type", "application/json");
  ASSERT_TRUE(headers.Get("content-type").has_value());
  EXPECT_EQ(*headers.Get("content-type"), "application/json");
  EXPECT_EQ(*headers.Get("CONTENT-TYPE"), "application/json");
  EXPECT_TRUE(headers.Has("Content-type"));
  EXPECT_FALSE(headers.Get("Content-Length").has_value());
  EXPECT_FALSE(headers.Has("Content-Typ"));
}

TEST(HeadersTest, AddKeepsRepeatsAndCase) {
  Headers headers;
  headers.Add("X-Amz-Meta-A", "1");
  headers.Add("x-amz-meta-a", "2");
  EXPECT_EQ(headers.size(), 2u);
  EXPECT_EQ(*headers.Get("X-AMZ-META-A"), "1");  // first entry wins
  std::vector<std::pair<std::string, std::string>> expected = {
      {"X-Amz-Meta-A", "1"}, {"x-amz-meta-a", "2"}};
  EXPECT_EQ(Entries(headers), expected);
}

TEST(HeadersTest, SetReplacesEveryEntry) {
  Headers headers;
  headers.Add("Accept", "a");
  headers.Add("ETag", "\"1\"");
  headers.Add("etag", "\"2\"");
  headers.Add("Server", "brume");
  headers.Set("ETAG", "\"3\"");

  std::vector<std::pair<std::string, std::string>> expected = {
      {"Accept", "a"}, {"ETAG", "\"3\""}, {"Server", "brume"}};
  EXPECT_EQ(Entries(headers), expected);
}

TEST(HeadersTest, SetAppendsNewName) {
  Headers headers;
  headers.Add("Accept", "a");
  headers.Set("Date", "now");
  std::vector<std::pair<std::string, std::string>> expected = {
      {"Accept", "a"}, {"Date", "now"}};
  EXPECT_EQ(Entries(headers), expected);
}

TEST(HeadersTest, RemoveDropsEveryEntry) {
  Headers headers;
  headers.Add("X-A", "1");
  headers.Add("X-B", "2");
  headers.Add("x-a", "3");
  headers.Remove("X-a");
  std::vector<std::pair<std::string, std::string>> expected = {{"X-B", "2"}};
  EXPECT_EQ(Entries(headers), expected);
  headers.Remove("absent");
  EXPECT_EQ(headers.size(), 1u);
}

TEST(HeadersTest, EmptyValueIsPresent) {
  Headers headers;
  headers.Add("X-Empty", "");
  ASSERT_TRUE(headers.Has("x-empty"));
  EXPECT_EQ(*headers.Get("x-empty"), "");
}

}  // namespace
}  // namespace brume
