#pragma once

// Drives a workload over N keep-alive connections for a bounded time and
// collects throughput, latency and errors.

#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "histogram.h"
#include "request.h"
#include "workloads.h"

namespace brume::bench {

struct RunOptions {
  int connections = 32;
  // Length of the timed phase; workloads with an operation limit ignore it.
  double duration_seconds = 10;
  // Extra time after the timed phase (or, for Prepare and operation-limited
  // workloads, the whole allowance) before open requests are abandoned
  // and counted as errors.
  double timeout_seconds = 30;
};

struct RunReport {
  std::string workload;
  int connections = 0;
  double elapsed_seconds = 0;  // timed phase, until the last operation ended
  uint64_t operations = 0;     // successful operations
  uint64_t errors = 0;         // non-2xx responses and transport errors
  uint64_t empty_receives = 0;
  uint64_t payload_bytes = 0;  // object or item bytes moved by successes
  std::vector<std::string> error_samples;  // the first few error messages
  LatencyHistogram latency;                // successful operations only
};

// Runs `workload`: Prepare on connection 0, then the timed phase on
// options.connections connections.
RunReport RunWorkload(const boost::asio::ip::tcp::endpoint& endpoint,
                      const SigningConfig& signing, Workload& workload,
                      const std::string& name, const RunOptions& options);

// Runs sqs-long-poll: one connection waits in ReceiveMessage with
// WaitTimeSeconds=20 on the empty queue config.queue_url, another sends a
// message 25 ms later. The latency of a round is from the start of
// SendMessage until the ReceiveMessage response arrives. Rounds repeat for
// options.duration_seconds.
RunReport RunLongPoll(const boost::asio::ip::tcp::endpoint& endpoint,
                      const SigningConfig& signing,
                      const WorkloadConfig& config, const RunOptions& options);

nlohmann::json ReportToJson(const RunReport& report);

}  // namespace brume::bench
