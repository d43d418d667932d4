#include "aws/codec/timestamps.h"

#include <gtest/gtest.h>

namespace brume::aws::codec {
namespace {

// 2024-01-02T03:04:05Z, a Tuesday.
constexpr double kJan2 = 1704164645;

TEST(TimestampsTest, FormatsIso8601) {
  EXPECT_EQ(FormatIso8601(kJan2), "2024-01-02T03:04:05Z");
  EXPECT_EQ(FormatIso8601(kJan2 + 0.123), "2024-01-02T03:04:05.123Z");
  EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatIso8601(-1.5), "1969-12-31T23:59:58.500Z");
  EXPECT_EQ(FormatIso8601(951782400), "2000-02-29T00:00:00Z");
}

TEST(TimestampsTest, FormatsRfc822) {
  EXPECT_EQ(FormatRfc822(kJan2), "Tue, 02 Jan 2024 03:04:05 GMT");
  EXPECT_EQ(FormatRfc822(kJan2 + 0.9), "Tue, 02 Jan 2024 03:04:05 GMT");
  EXPECT_EQ(FormatRfc822(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(FormatRfc822(-86400), "Wed, 31 Dec 1969 00:00:00 GMT");
}

TEST(TimestampsTest, FormatsEpochSeconds) {
  EXPECT_EQ(FormatEpochSeconds(kJan2), "1704164645");
  EXPECT_EQ(FormatEpochSeconds(kJan2 + 0.5), "1704164645.5");
  EXPECT_EQ(FormatEpochSeconds(kJan2 + 0.123), "1704164645.123");
}

TEST(TimestampsTest, FormatTimestampPicksFormat) {
  EXPECT_EQ(FormatTimestamp(kJan2, TimestampFormat::kDefault),
            "2024-01-02T03:04:05Z");
  EXPECT_EQ(FormatTimestamp(kJan2, TimestampFormat::kRfc822),
            "Tue, 02 Jan 2024 03:04:05 GMT");
  EXPECT_EQ(FormatTimestamp(kJan2, TimestampFormat::kUnixTimestamp),
            "1704164645");
}

TEST(TimestampsTest, ParsesIso8601Variants) {
  EXPECT_EQ(ParseIso8601("2024-01-02T03:04:05Z"), kJan2);
  EXPECT_EQ(ParseIso8601("2024-01-02T03:04:05"), kJan2);
  EXPECT_EQ(ParseIso8601("2024-01-02t03:04:05z"), kJan2);
  EXPECT_EQ(ParseIso8601("2024-01-02 03:04:05Z"), kJan2);
  EXPECT_DOUBLE_EQ(*ParseIso8601("2024-01-02T03:04:05.250Z"), kJan2 + 0.25);
  EXPECT_EQ(ParseIso8601("2024-01-02T05:04:05+02:00"), kJan2);
  EXPECT_EQ(ParseIso8601("2024-01-01T21:34:05-0530"), kJan2);
  EXPECT_EQ(ParseIso8601("2024-01-02T04:04:05+01"), kJan2);
}

TEST(TimestampsTest, RejectsInvalidIso8601) {
  EXPECT_FALSE(ParseIso8601(""));
  EXPECT_FALSE(ParseIso8601("2024-01-02"));
  EXPECT_FALSE(ParseIso8601("2024-13-02T03:04:05Z"));
  EXPECT_FALSE(ParseIso8601("2024-01-02T24:04:05Z"));
  EXPECT_FALSE(ParseIso8601("2024-01-02T03:04:05Zjunk"));
  EXPECT_FALSE(ParseIso8601("2024-01-02T03:04:05."));
}

TEST(TimestampsTest, ParsesRfc822Variants) {
  EXPECT_EQ(ParseRfc822("Tue, 02 Jan 2024 03:04:05 GMT"), kJan2);
  EXPECT_EQ(ParseRfc822("02 Jan 2024 03:04:05 GMT"), kJan2);
  EXPECT_EQ(ParseRfc822("Tue, 2 Jan 2024 03:04:05 UTC"), kJan2);
  EXPECT_EQ(ParseRfc822("Tue, 02 Jan 2024 04:04:05 +0100"), kJan2);
  EXPECT_FALSE(ParseRfc822("Tue, 02 Foo 2024 03:04:05 GMT"));
  EXPECT_FALSE(ParseRfc822("Tue, 02 Jan 2024 03:04:05 PST"));
}

TEST(TimestampsTest, ParsesAnyForm) {
  EXPECT_EQ(ParseTimestamp("1704164645"), kJan2);
  EXPECT_EQ(ParseTimestamp("1704164645.5"), kJan2 + 0.5);
  EXPECT_EQ(ParseTimestamp("1.704164645E9"), kJan2);
  EXPECT_EQ(ParseTimestamp("2024-01-02T03:04:05Z"), kJan2);
  EXPECT_EQ(ParseTimestamp("Tue, 02 Jan 2024 03:04:05 GMT"), kJan2);
  EXPECT_FALSE(ParseTimestamp("yesterday"));
  EXPECT_FALSE(ParseTimestamp(""));
}

TEST(TimestampsTest, RoundTripsEveryFormat) {
  for (double t : {0.0, kJan2, 4102444800.0, 1e9 + 0.001}) {
    EXPECT_EQ(ParseIso8601(FormatIso8601(t)), t) << t;
    EXPECT_EQ(ParseEpochSeconds(FormatEpochSeconds(t)), t) << t;
    EXPECT_EQ(ParseRfc822(FormatRfc822(t)), static_cast<double>(
                                                 static_cast<int64_t>(t)))
        << t;
  }
}

TEST(TimestampsTest, EffectiveFormatFollowsTraitsThenProtocol) {
  Shape shape{};
  shape.type = ShapeType::kTimestamp;
  shape.timestamp_format = TimestampFormat::kDefault;
  Member member{};
  member.timestamp_format = TimestampFormat::kDefault;

  EXPECT_EQ(EffectiveTimestampFormat(Protocol::kJson, Location::kBody, &member,
                                     shape),
            TimestampFormat::kUnixTimestamp);
  EXPECT_EQ(EffectiveTimestampFormat(Protocol::kRpcV2Cbor, Location::kBody,
                                     nullptr, shape),
            TimestampFormat::kUnixTimestamp);
  EXPECT_EQ(EffectiveTimestampFormat(Protocol::kQuery, Location::kBody,
                                     &member, shape),
            TimestampFormat::kIso8601);
  EXPECT_EQ(EffectiveTimestampFormat(Protocol::kRestXml, Location::kBody,
                                     &member, shape),
            TimestampFormat::kIso8601);
  EXPECT_EQ(EffectiveTimestampFormat(Protocol::kRestJson, Location::kHeader,
                                     &member, shape),
            TimestampFormat::kRfc822);
  EXPECT_EQ(EffectiveTimestampFormat(Protocol::kRestJson,
                                     Location::kQueryString, &member, shape),
            TimestampFormat::kIso8601);

  shape.timestamp_format = TimestampFormat::kRfc822;
  EXPECT_EQ(EffectiveTimestampFormat(Protocol::kJson, Location::kBody, &member,
                                     shape),
            TimestampFormat::kRfc822);
  member.timestamp_format = TimestampFormat::kIso8601;
  EXPECT_EQ(EffectiveTimestampFormat(Protocol::kJson, Location::kBody, &member,
                                     shape),
            TimestampFormat::kIso8601);
}

}  // namespace
}  // namespace brume::aws::codec
