#include "histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace brume::bench {

// Values below kSubBuckets get one bucket each. Above that, every power of
// two [2^e, 2^(e+1)) is split into kSubBuckets equal buckets.
int LatencyHistogram::BucketIndex(uint64_t nanos) {
  const uint64_t limit = (uint64_t{1} << kMaxExponent) - 1;
  nanos = std::min(nanos, limit);
  if (nanos < kSubBuckets) return static_cast<int>(nanos);
  const int exponent = std::bit_width(nanos) - 1;
  const int shift = exponent - kSubBucketBits;
  const int sub_bucket = static_cast<int>(nanos >> shift) - kSubBuckets;
  return kSubBuckets + (exponent - kSubBucketBits) * kSubBuckets + sub_bucket;
}

uint64_t LatencyHistogram::BucketUpperBound(int index) {
  if (index < kSubBuckets) return static_cast<uint64_t>(index);
  const int group = (index - kSubBuckets) / kSubBuckets;
  const int sub_bucket = (index - kSubBuckets) % kSubBuckets;
  const uint64_t lower = static_cast<uint64_t>(kSubBuckets + sub_bucket)
                         << group;
  return lower + (uint64_t{1} << group) - 1;
}

void LatencyHistogram::Record(uint64_t nanos) {
  ++counts_[BucketIndex(nanos)];
  ++count_;
  min_ = std::min(min_, nanos);
  max_ = std::max(max_, nanos);
  sum_ += nanos;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (int i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

uint64_t LatencyHistogram::ValueAtQuantile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // The rank of the value at quantile q, counting from 1.
  const uint64_t rank = std::max<uint64_t>(
      1, static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_))));
  uint64_t seen = 0;
  for (int i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(BucketUpperBound(i), max_);
  }
  return max_;
}

double LatencyHistogram::mean() const {
  if (count_ == 0) return 0;
  return static_cast<double>(sum_ / count_);
}

}  // namespace brume::bench
