#pragma once

// Latency histogram for the load generator, in the style of HdrHistogram:
// log-linear buckets, so memory is fixed and any recorded value is known
// to within 1/128 (0.8%) of itself.

#include <array>
#include <cstdint>

namespace brume::bench {

class LatencyHistogram {
 public:
  // Values at or above 2^kMaxExponent ns (about 18 minutes) are clamped.
  static constexpr int kSubBucketBits = 7;
  static constexpr int kMaxExponent = 40;

  void Record(uint64_t nanos);
  void Merge(const LatencyHistogram& other);

  // Returns the upper bound of the bucket that contains the value at quantile
  // `q` (0 to 1), capped at the maximum recorded value. Returns 0 when empty.
  uint64_t ValueAtQuantile(double q) const;

  uint64_t count() const { return count_; }
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  uint64_t max() const { return max_; }
  double mean() const;

 private:
  static constexpr int kSubBuckets = 1 << kSubBucketBits;
  static constexpr int kBucketCount =
      kSubBuckets * (kMaxExponent - kSubBucketBits + 1);

  static int BucketIndex(uint64_t nanos);
  static uint64_t BucketUpperBound(int index);

  std::array<uint64_t, kBucketCount> counts_{};
  uint64_t count_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace brume::bench
