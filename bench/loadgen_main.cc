// brume_loadgen: drives one workload against one server and prints a JSON
// report on stdout. bench/run.py runs it against brume, moto and nginx.

#include <CLI/CLI.hpp>
#include <boost/asio/ip/address.hpp>
#include <cstdio>
#include <iostream>

#include "runner.h"
#include "workloads.h"

namespace {

using brume::bench::WorkloadConfig;

int Main(int argc, char** argv) {
  CLI::App app{
      "Drives one AWS workload against a server with SigV4-signed "
      "requests over keep-alive connections and prints a JSON report."};
  std::string address = "127.0.0.1";
  int port = 0;
  WorkloadConfig config;
  brume::bench::RunOptions options;
  brume::bench::SigningConfig signing;

  app.add_option("--address", address, "server IPv4 or IPv6 address")
      ->capture_default_str();
  app.add_option("--port", port, "server TCP port")->required();
  app.add_option("--workload", config.name,
                 "workload: " + brume::bench::WorkloadNames())
      ->required();
  app.add_option("--connections", options.connections,
                 "number of keep-alive connections")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  app.add_option("--duration", options.duration_seconds,
                 "length of the timed phase, in seconds")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--timeout", options.timeout_seconds,
                 "seconds allowed past the timed phase (or for the whole "
                 "run of count-limited workloads) before open requests are "
                 "abandoned as errors")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--bucket", config.bucket, "S3 bucket of the s3-* workloads");
  app.add_option("--queue-url", config.queue_url,
                 "SQS queue URL of the sqs-* workloads");
  app.add_option("--table", config.table,
                 "DynamoDB table of the ddb-* workloads: key pk (S, HASH) "
                 "and sk (S, RANGE)");
  app.add_option("--file", config.file,
                 "s3-put-stream: file to upload; s3-get-stream: file to "
                 "write the download to");
  app.add_option("--stream-bytes", config.stream_bytes,
                 "size of the object s3-put-stream and s3-get-stream move, "
                 "in bytes");
  app.add_option("--count", config.count,
                 "messages (sqs-fill) or items (ddb-fill) to write");
  app.add_flag("--static", config.static_response,
               "the server returns one fixed response (the nginx ceiling): "
               "skip preparation and response checks");
  app.add_option("--region", signing.region, "SigV4 region")
      ->capture_default_str();
  app.add_option("--access-key-id", signing.access_key_id,
                 "SigV4 access key id")
      ->capture_default_str();
  app.add_option("--secret-access-key", signing.secret_access_key,
                 "SigV4 secret access key");
  CLI11_PARSE(app, argc, argv);

  boost::system::error_code error;
  const auto ip = boost::asio::ip::make_address(address, error);
  if (error) {
    std::cerr << "invalid --address " << address << ": " << error.message()
              << "\n";
    return 2;
  }
  const boost::asio::ip::tcp::endpoint endpoint(ip,
                                                static_cast<uint16_t>(port));
  signing.host = (ip.is_v6() ? "[" + address + "]" : address) + ":" +
                 std::to_string(port);

  brume::bench::RunReport report;
  if (config.name == "sqs-long-poll") {
    report = brume::bench::RunLongPoll(endpoint, signing, config, options);
  } else {
    auto workload = brume::bench::CreateWorkload(config);
    if (workload == nullptr) {
      std::cerr << "unknown --workload " << config.name
                << "; expected one of: " << brume::bench::WorkloadNames()
                << "\n";
      return 2;
    }
    report = brume::bench::RunWorkload(endpoint, signing, *workload,
                                       config.name, options);
  }
  std::cout << brume::bench::ReportToJson(report).dump() << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return Main(argc, argv); }
