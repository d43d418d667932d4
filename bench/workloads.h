#pragma once

// The benchmark's workloads: each builds signed AWS requests as an SDK sends
// them and checks the responses it depends on.

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "http_client.h"
#include "request.h"

namespace brume::bench {

struct WorkloadConfig {
  std::string name;
  std::string bucket;     // S3 workloads
  std::string queue_url;  // SQS workloads
  std::string table;      // DynamoDB workloads; key pk (S, hash), sk (S, range)
  std::string file;       // s3-put-stream source; s3-get-stream destination
  uint64_t stream_bytes = 0;  // size of the streamed object
  uint64_t count = 0;         // messages or items for the fill workloads
  // True when the server returns one fixed response to every request (nginx
  // as the ceiling), so Prepare and the response checks are skipped.
  bool static_response = false;
};

// The result of one timed operation.
struct Outcome {
  bool ok = true;
  std::string error;  // when !ok: status and start of the response body
  uint64_t payload_bytes = 0;
  bool empty_receive = false;  // sqs-receive-delete found no message
};

// A connection together with what a workload needs to sign requests on it.
struct Client {
  HttpConnection* connection;
  const SigningConfig* signing;
  int index;  // connection number, 0 to connections - 1
};

class Workload {
 public:
  virtual ~Workload() = default;

  // Creates what the timed operations read (objects, items); runs once,
  // untimed, on connection 0 before the timed phase.
  virtual boost::asio::awaitable<void> Prepare(Client& client);

  // Performs operation number `operation` (unique across connections).
  virtual boost::asio::awaitable<Outcome> Run(Client& client,
                                              uint64_t operation) = 0;

  // Number of operations after which the workload is complete, or 0 when
  // only the duration bounds it.
  virtual uint64_t OperationLimit() const { return 0; }
};

// Returns the workload named config.name, or nullptr for an unknown name.
std::unique_ptr<Workload> CreateWorkload(const WorkloadConfig& config);

// Names accepted by CreateWorkload, separated by spaces (for --help).
std::string WorkloadNames();

// Formats a failed response as an Outcome error: status and body start.
Outcome FailedResponse(const std::string& operation, const HttpResult& result);

}  // namespace brume::bench
