#include "services/common/document.h"

#include <string>

#include <gtest/gtest.h>

namespace brume {
namespace {

TEST(DocumentTest, BlobRoundTripsBytes) {
  const std::string bytes("\x00\x01\xff text", 8);
  Document blob = Blob(bytes);
  EXPECT_TRUE(blob.is_binary());
  EXPECT_EQ(blob.get_binary().size(), bytes.size());
  EXPECT_EQ(BlobBytes(blob), bytes);
}

TEST(DocumentTest, EmptyBlob) {
  Document blob = Blob("");
  EXPECT_TRUE(blob.is_binary());
  EXPECT_EQ(BlobBytes(blob), "");
}

TEST(DocumentTest, BlobBytesOfString) {
  EXPECT_EQ(BlobBytes(Document("plain")), "plain");
}

TEST(DocumentTest, BlobBytesOfOtherTypes) {
  EXPECT_EQ(BlobBytes(Document(42)), "");
  EXPECT_EQ(BlobBytes(Document()), "");
  EXPECT_EQ(BlobBytes(Document::object()), "");
}

TEST(DocumentTest, BlobInsideStructure) {
  Document output;
  output["Body"] = Blob("payload");
  EXPECT_EQ(BlobBytes(output["Body"]), "payload");
}

}  // namespace
}  // namespace brume
