#include "platform/checksum.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "platform/crypto.h"
#include "platform/strings.h"

namespace brume::platform {
namespace {

constexpr std::string_view kCheck = "123456789";

// A few KiB of varied bytes, longer than the 8-byte slices so both the
// sliced loop and the byte tail run.
std::string PatternBytes(size_t size) {
  std::string bytes(size, '\0');
  uint32_t state = 12345;
  for (char& c : bytes) {
    state = state * 1103515245u + 12345u;
    c = static_cast<char>(state >> 16);
  }
  return bytes;
}

// Bitwise CRC-32C for cross-checking the table and SSE4.2 paths.
uint32_t Crc32cBitwise(std::string_view bytes) {
  uint32_t crc = 0xffffffffu;
  for (unsigned char byte : bytes) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 1) ? (crc >> 1) ^ 0x82f63b78u : crc >> 1;
    }
  }
  return ~crc;
}

uint64_t Crc64NvmeBitwise(std::string_view bytes) {
  uint64_t crc = ~uint64_t{0};
  for (unsigned char byte : bytes) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 1) ? (crc >> 1) ^ 0x9a6c9329ac4bc9b5ull : crc >> 1;
    }
  }
  return ~crc;
}

// Standard check values: the CRC of the ASCII string "123456789".
TEST(CrcTest, MatchesCatalogueCheckValues) {
  EXPECT_EQ(Crc32Update(0, kCheck), 0xcbf43926u);
  EXPECT_EQ(Crc32cUpdate(0, kCheck), 0xe3069283u);
  EXPECT_EQ(Crc64NvmeUpdate(0, kCheck), 0xae8b14860a799888ull);
}

TEST(CrcTest, EmptyInputIsZero) {
  EXPECT_EQ(Crc32Update(0, ""), 0u);
  EXPECT_EQ(Crc32cUpdate(0, ""), 0u);
  EXPECT_EQ(Crc64NvmeUpdate(0, ""), 0u);
}

TEST(CrcTest, FastPathsMatchBitwise) {
  for (size_t size : {1, 7, 8, 9, 63, 64, 1000, 4099}) {
    std::string bytes = PatternBytes(size);
    EXPECT_EQ(Crc32cUpdate(0, bytes), Crc32cBitwise(bytes)) << size;
    EXPECT_EQ(Crc64NvmeUpdate(0, bytes), Crc64NvmeBitwise(bytes)) << size;
  }
}

// Sizes around the 128-byte threshold of the folding path, with starts
// that are not 16-byte aligned, and a chained register.
TEST(CrcTest, Crc64NvmeFoldingMatchesBitwise) {
  std::string bytes = PatternBytes(70000);
  for (size_t start : {0, 1, 3, 8, 15}) {
    for (size_t size = 0; size <= 400; ++size) {
      std::string_view data = std::string_view(bytes).substr(start, size);
      ASSERT_EQ(Crc64NvmeUpdate(0, data), Crc64NvmeBitwise(data))
          << "start " << start << ", size " << size;
    }
  }
  std::string_view large = std::string_view(bytes).substr(5, 65536 + 77);
  EXPECT_EQ(Crc64NvmeUpdate(0, large), Crc64NvmeBitwise(large));
  std::string_view head = large.substr(0, 1000);
  std::string_view tail = large.substr(1000);
  EXPECT_EQ(Crc64NvmeUpdate(Crc64NvmeUpdate(0, head), tail),
            Crc64NvmeBitwise(large));
}

TEST(CrcTest, UpdatesChainAcrossSplits) {
  std::string bytes = PatternBytes(1000);
  for (size_t split : {0, 1, 5, 8, 333, 999, 1000}) {
    std::string_view a = std::string_view(bytes).substr(0, split);
    std::string_view b = std::string_view(bytes).substr(split);
    EXPECT_EQ(Crc32Update(Crc32Update(0, a), b), Crc32Update(0, bytes));
    EXPECT_EQ(Crc32cUpdate(Crc32cUpdate(0, a), b), Crc32cUpdate(0, bytes));
    EXPECT_EQ(Crc64NvmeUpdate(Crc64NvmeUpdate(0, a), b),
              Crc64NvmeUpdate(0, bytes));
  }
}

TEST(CrcTest, CombineEqualsCrcOfConcatenation) {
  std::string bytes = PatternBytes(5000);
  for (size_t split : {0, 1, 4, 8, 1234, 4999, 5000}) {
    std::string_view a = std::string_view(bytes).substr(0, split);
    std::string_view b = std::string_view(bytes).substr(split);
    EXPECT_EQ(Crc32Combine(Crc32Update(0, a), Crc32Update(0, b), b.size()),
              Crc32Update(0, bytes))
        << split;
    EXPECT_EQ(Crc32cCombine(Crc32cUpdate(0, a), Crc32cUpdate(0, b), b.size()),
              Crc32cUpdate(0, bytes))
        << split;
    EXPECT_EQ(Crc64NvmeCombine(Crc64NvmeUpdate(0, a), Crc64NvmeUpdate(0, b),
                               b.size()),
              Crc64NvmeUpdate(0, bytes))
        << split;
  }
}

TEST(CrcTest, Crc32CombineMatchesZlibForLargeLengths) {
  // Parts of 5 GiB are legal in S3, so the shift must handle 64-bit sizes.
  const uint64_t length = uint64_t{5} << 30;
  EXPECT_EQ(Crc32Combine(0x12345678u, 0x9abcdef0u, length),
            static_cast<uint32_t>(crc32_combine64(
                0x12345678u, 0x9abcdef0u, static_cast<z_off64_t>(length))));
}

TEST(ChecksumTest, HeaderValuesAreBase64OfBigEndianDigest) {
  // CRC32 of "123456789" is 0xcbf43926, so the header carries base64 of
  // the bytes cb f4 39 26.
  EXPECT_EQ(ComputeChecksumBase64(ChecksumAlgorithm::kCrc32, kCheck),
            Base64Encode("\xcb\xf4\x39\x26"));
  EXPECT_EQ(ComputeChecksumBase64(ChecksumAlgorithm::kCrc32, kCheck),
            "y/Q5Jg==");
  EXPECT_EQ(ComputeChecksumBase64(ChecksumAlgorithm::kCrc32c, kCheck),
            "4waSgw==");
  EXPECT_EQ(ComputeChecksum(ChecksumAlgorithm::kCrc64Nvme, kCheck),
            std::string("\xae\x8b\x14\x86\x0a\x79\x98\x88", 8));
}

TEST(ChecksumTest, DigestsMatchKnownVectors) {
  EXPECT_EQ(HexEncode(ComputeChecksum(ChecksumAlgorithm::kMd5, "")),
            "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(HexEncode(ComputeChecksum(ChecksumAlgorithm::kSha1, "abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(HexEncode(ComputeChecksum(ChecksumAlgorithm::kSha256, "abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(ChecksumTest, IncrementalEqualsOneShot) {
  std::string bytes = PatternBytes(3000);
  for (ChecksumAlgorithm algorithm :
       {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c,
        ChecksumAlgorithm::kCrc64Nvme, ChecksumAlgorithm::kSha1,
        ChecksumAlgorithm::kSha256, ChecksumAlgorithm::kMd5}) {
    Checksum checksum(algorithm);
    checksum.Update(std::string_view(bytes).substr(0, 17));
    checksum.Update(std::string_view(bytes).substr(17, 2000));
    checksum.Update(std::string_view(bytes).substr(2017));
    std::string raw = checksum.Final();
    EXPECT_EQ(raw.size(), ChecksumSize(algorithm));
    EXPECT_EQ(raw, ComputeChecksum(algorithm, bytes))
        << ChecksumAlgorithmName(algorithm);
  }
}

TEST(ChecksumTest, FinalHexGivesEtag) {
  Checksum md5(ChecksumAlgorithm::kMd5);
  md5.Update("hello");
  EXPECT_EQ(md5.FinalHex(), "5d41402abc4b2a76b9719d911017c592");
}

TEST(ChecksumTest, ParsesAlgorithmNames) {
  EXPECT_EQ(ParseChecksumAlgorithm("CRC32"), ChecksumAlgorithm::kCrc32);
  EXPECT_EQ(ParseChecksumAlgorithm("crc32c"), ChecksumAlgorithm::kCrc32c);
  EXPECT_EQ(ParseChecksumAlgorithm("CRC64NVME"), ChecksumAlgorithm::kCrc64Nvme);
  EXPECT_EQ(ParseChecksumAlgorithm("sha1"), ChecksumAlgorithm::kSha1);
  EXPECT_EQ(ParseChecksumAlgorithm("SHA256"), ChecksumAlgorithm::kSha256);
  EXPECT_EQ(ParseChecksumAlgorithm("MD5"), ChecksumAlgorithm::kMd5);
  EXPECT_EQ(ParseChecksumAlgorithm("SHA512"), ChecksumAlgorithm::kSha512);
  EXPECT_EQ(ParseChecksumAlgorithm("xxhash3"), ChecksumAlgorithm::kXxhash3);
  EXPECT_EQ(ParseChecksumAlgorithm("XXHASH128"), ChecksumAlgorithm::kXxhash128);
  EXPECT_EQ(ParseChecksumAlgorithm("XXHASH"), std::nullopt);
  EXPECT_EQ(ParseChecksumAlgorithm(""), std::nullopt);
}

TEST(ChecksumTest, NamesHeadersAndMembers) {
  EXPECT_EQ(ChecksumAlgorithmName(ChecksumAlgorithm::kCrc64Nvme), "CRC64NVME");
  EXPECT_EQ(ChecksumHeaderName(ChecksumAlgorithm::kCrc32c),
            "x-amz-checksum-crc32c");
  EXPECT_EQ(ChecksumHeaderName(ChecksumAlgorithm::kMd5), "x-amz-checksum-md5");
  EXPECT_EQ(ChecksumHeaderName(ChecksumAlgorithm::kXxhash64),
            "x-amz-checksum-xxhash64");
  EXPECT_EQ(ChecksumMemberName(ChecksumAlgorithm::kSha256), "ChecksumSHA256");
  EXPECT_EQ(ChecksumMemberName(ChecksumAlgorithm::kMd5), "ChecksumMD5");
  EXPECT_EQ(ChecksumMemberName(ChecksumAlgorithm::kXxhash128),
            "ChecksumXXHASH128");
  EXPECT_TRUE(IsCrcAlgorithm(ChecksumAlgorithm::kCrc64Nvme));
  EXPECT_FALSE(IsCrcAlgorithm(ChecksumAlgorithm::kSha1));
}

TEST(ChecksumTest, DecodesBase64OfTheRightSize) {
  EXPECT_EQ(DecodeChecksumBase64(ChecksumAlgorithm::kCrc32, "y/Q5Jg=="),
            std::string("\xcb\xf4\x39\x26"));
  // Valid base64 but 8 bytes, the size of a CRC64NVME.
  EXPECT_EQ(DecodeChecksumBase64(ChecksumAlgorithm::kCrc32, "rosUhgp5mIg="),
            std::nullopt);
  EXPECT_EQ(DecodeChecksumBase64(ChecksumAlgorithm::kCrc32, "not base64!"),
            std::nullopt);
}

TEST(MultipartChecksumTest, FullObjectCombinesPartCrcs) {
  std::string object = PatternBytes(10000);
  std::vector<size_t> part_sizes = {4096, 4096, 1808};
  for (ChecksumAlgorithm algorithm :
       {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c,
        ChecksumAlgorithm::kCrc64Nvme}) {
    std::vector<PartChecksum> parts;
    size_t offset = 0;
    for (size_t size : part_sizes) {
      parts.push_back(
          {ComputeChecksum(algorithm,
                           std::string_view(object).substr(offset, size)),
           size});
      offset += size;
    }
    EXPECT_EQ(CombineFullObjectChecksum(algorithm, parts),
              ComputeChecksum(algorithm, object))
        << ChecksumAlgorithmName(algorithm);
  }
}

TEST(MultipartChecksumTest, FullObjectRejectsNonCrcAndBadParts) {
  EXPECT_EQ(CombineFullObjectChecksum(ChecksumAlgorithm::kSha256, {}),
            std::nullopt);
  EXPECT_EQ(CombineFullObjectChecksum(ChecksumAlgorithm::kCrc32, {{"abc", 3}}),
            std::nullopt);
}

TEST(MultipartChecksumTest, CompositeHashesConcatenatedPartChecksums) {
  std::string part1 = ComputeChecksum(ChecksumAlgorithm::kSha256, "part one");
  std::string part2 = ComputeChecksum(ChecksumAlgorithm::kSha256, "part two");
  EXPECT_EQ(CompositeChecksumBase64(ChecksumAlgorithm::kSha256, {part1, part2}),
            Base64Encode(Sha256(part1 + part2)) + "-2");
  std::string crc1 = ComputeChecksum(ChecksumAlgorithm::kCrc32, "a");
  std::string crc2 = ComputeChecksum(ChecksumAlgorithm::kCrc32, "b");
  std::string crc3 = ComputeChecksum(ChecksumAlgorithm::kCrc32, "c");
  EXPECT_EQ(
      CompositeChecksumBase64(ChecksumAlgorithm::kCrc32, {crc1, crc2, crc3}),
      ComputeChecksumBase64(ChecksumAlgorithm::kCrc32, crc1 + crc2 + crc3) +
          "-3");
}

TEST(MultipartChecksumTest, EtagIsMd5OfPartMd5s) {
  std::string md5_a = Md5("a");
  std::string md5_b = Md5("b");
  EXPECT_EQ(MultipartEtag({md5_a, md5_b}),
            HexEncode(Md5(md5_a + md5_b)) + "-2");
}

TEST(CryptoTest, HmacSha256MatchesRfc4231) {
  // RFC 4231 test case 2.
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(CryptoTest, DigestSurvivesMove) {
  Digest digest(DigestAlgorithm::kSha256);
  digest.Update("ab");
  Digest moved = std::move(digest);
  moved.Update("c");
  EXPECT_EQ(HexEncode(moved.Final()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

// Published digests of "" and "abc": SHA-512 from FIPS 180-2, xxHash from
// the xxHash 0.8.1 reference library (seed 0), in canonical big-endian form.
TEST(ChecksumTest, Sha512AndXxhashKnownValues) {
  EXPECT_EQ(HexEncode(ComputeChecksum(ChecksumAlgorithm::kSha512, "abc")),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  EXPECT_EQ(HexEncode(ComputeChecksum(ChecksumAlgorithm::kXxhash64, "")),
            "ef46db3751d8e999");
  EXPECT_EQ(HexEncode(ComputeChecksum(ChecksumAlgorithm::kXxhash64, "abc")),
            "44bc2cf5ad770999");
  EXPECT_EQ(HexEncode(ComputeChecksum(ChecksumAlgorithm::kXxhash3, "")),
            "2d06800538d394c2");
  EXPECT_EQ(HexEncode(ComputeChecksum(ChecksumAlgorithm::kXxhash3, "abc")),
            "78af5f94892f3950");
  EXPECT_EQ(HexEncode(ComputeChecksum(ChecksumAlgorithm::kXxhash128, "")),
            "99aa06d3014798d86001c324468d497f");
  EXPECT_EQ(HexEncode(ComputeChecksum(ChecksumAlgorithm::kXxhash128, "abc")),
            "06b05ab6733a618578af5f94892f3950");
}

TEST(ChecksumTest, XxhashIncrementalMatchesOneShot) {
  std::string data(100000, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
  for (ChecksumAlgorithm algorithm :
       {ChecksumAlgorithm::kXxhash64, ChecksumAlgorithm::kXxhash3,
        ChecksumAlgorithm::kXxhash128, ChecksumAlgorithm::kSha512}) {
    Checksum incremental(algorithm);
    incremental.Update(std::string_view(data).substr(0, 333));
    incremental.Update(std::string_view(data).substr(333));
    std::string raw = incremental.Final();
    EXPECT_EQ(raw, ComputeChecksum(algorithm, data))
        << ChecksumAlgorithmName(algorithm);
    EXPECT_EQ(raw.size(), ChecksumSize(algorithm))
        << ChecksumAlgorithmName(algorithm);
  }
}

TEST(ChecksumTest, ChecksumMovesKeepState) {
  Checksum first(ChecksumAlgorithm::kXxhash64);
  first.Update("ab");
  Checksum moved(std::move(first));
  moved.Update("c");
  EXPECT_EQ(HexEncode(moved.Final()), "44bc2cf5ad770999");
}

}  // namespace
}  // namespace brume::platform
