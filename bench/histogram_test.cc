#include "histogram.h"

#include <gtest/gtest.h>

namespace brume::bench {
namespace {

TEST(LatencyHistogramTest, EmptyReturnsZero) {
  LatencyHistogram histogram;
  EXPECT_EQ(histogram.count(), 0u);
  EXPECT_EQ(histogram.ValueAtQuantile(0.5), 0u);
  EXPECT_EQ(histogram.min(), 0u);
  EXPECT_EQ(histogram.max(), 0u);
  EXPECT_EQ(histogram.mean(), 0.0);
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  LatencyHistogram histogram;
  for (uint64_t v = 1; v <= 100; ++v) histogram.Record(v);
  EXPECT_EQ(histogram.count(), 100u);
  EXPECT_EQ(histogram.ValueAtQuantile(0.5), 50u);
  EXPECT_EQ(histogram.ValueAtQuantile(0.99), 99u);
  EXPECT_EQ(histogram.ValueAtQuantile(1.0), 100u);
  EXPECT_EQ(histogram.min(), 1u);
  EXPECT_DOUBLE_EQ(histogram.mean(), 50.5);
}

TEST(LatencyHistogramTest, LargeValuesWithinOnePercent) {
  LatencyHistogram histogram;
  // 1 ms to 1000 ms in 1 ms steps, recorded in nanoseconds.
  for (uint64_t ms = 1; ms <= 1000; ++ms) histogram.Record(ms * 1'000'000);
  const double p50 = static_cast<double>(histogram.ValueAtQuantile(0.5));
  const double p99 = static_cast<double>(histogram.ValueAtQuantile(0.99));
  EXPECT_GE(p50, 500e6);
  EXPECT_LE(p50, 500e6 * 1.01);
  EXPECT_GE(p99, 990e6);
  EXPECT_LE(p99, 990e6 * 1.01);
  EXPECT_EQ(histogram.ValueAtQuantile(1.0), 1000u * 1'000'000);
}

TEST(LatencyHistogramTest, QuantileNeverExceedsMax) {
  LatencyHistogram histogram;
  histogram.Record(1'234'567);
  EXPECT_EQ(histogram.ValueAtQuantile(0.5), 1'234'567u);
  EXPECT_EQ(histogram.max(), 1'234'567u);
}

TEST(LatencyHistogramTest, HugeValuesAreClamped) {
  LatencyHistogram histogram;
  histogram.Record(UINT64_MAX);
  EXPECT_EQ(histogram.count(), 1u);
  EXPECT_GT(histogram.ValueAtQuantile(0.5), uint64_t{1} << 39);
}

TEST(LatencyHistogramTest, MergeAddsCounts) {
  LatencyHistogram a;
  LatencyHistogram b;
  a.Record(10);
  b.Record(20);
  b.Record(30);
  a.Merge(b);
  EXPECT_EQ(a.count(), 3u);
  EXPECT_EQ(a.min(), 10u);
  EXPECT_EQ(a.max(), 30u);
  EXPECT_EQ(a.ValueAtQuantile(0.5), 20u);
}

}  // namespace
}  // namespace brume::bench
