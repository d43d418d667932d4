// brume: AWS on one machine. `brume serve` runs the emulator; `version`,
// `status` and `reset` talk to a running one.

#include <CLI/CLI.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <nlohmann/json.hpp>

#include "aws/model.h"
#include "platform/log.h"
#include "server/app.h"
#include "services/registry.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

// Sends one admin request to a running brume; returns the HTTP status and
// body, or status 0 with an error message.
std::pair<int, std::string> AdminRequest(const std::string& endpoint,
                                         http::verb verb,
                                         const std::string& path) {
  std::string rest = endpoint;
  if (rest.rfind("http://", 0) == 0) rest = rest.substr(7);
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  std::string host = rest;
  std::string port = "80";
  if (size_t colon = rest.rfind(':'); colon != std::string::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  try {
    boost::asio::io_context io;
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(5));
    stream.connect(resolver.resolve(host, port));
    http::request<http::string_body> request(verb, path, 11);
    request.set(http::field::host, rest);
    request.prepare_payload();
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    return {static_cast<int>(response.result_int()), response.body()};
  } catch (const std::exception& e) {
    return {0, e.what()};
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"brume: AWS on one machine. One binary that speaks the AWS wire "
               "protocols for the AWS CLI, SDKs and infrastructure tools."};
  app.require_subcommand(1);

  brume::server::AppOptions options;
  options.version = BRUME_VERSION;
  std::string log_level = "info";
  std::string log_format = "text";
  auto* serve = app.add_subcommand("serve", "Run brume and serve AWS APIs");
  serve->add_option("--host", options.host, "Address to listen on")
      ->envname("BRUME_HOST")
      ->capture_default_str();
  serve->add_option("--port", options.port, "TCP port to listen on")
      ->envname("BRUME_PORT")
      ->capture_default_str();
  serve->add_option("--data-dir", options.data_dir,
                    "Directory that keeps state across restarts (default: "
                    "state lives in memory)")
      ->envname("BRUME_DATA_DIR");
  serve->add_option("--services", options.services,
                    "Comma-separated service ids to enable, e.g. s3,sqs "
                    "(default: all)")
      ->envname("BRUME_SERVICES")
      ->delimiter(',');
  serve->add_option("--log-level", log_level,
                    "trace, debug, info, warn or error")
      ->envname("BRUME_LOG_LEVEL")
      ->capture_default_str();
  serve->add_option("--log-format", log_format, "text or json")
      ->envname("BRUME_LOG_FORMAT")
      ->capture_default_str();
  serve->add_flag("--verify-signatures", options.verify_signatures,
                  "Reject requests whose SigV4 signature does not match "
                  "the known credentials")
      ->envname("BRUME_VERIFY_SIGNATURES");
  serve->add_option("--access-key-id", options.access_key_id,
                    "Access key id accepted with --verify-signatures")
      ->envname("BRUME_ACCESS_KEY_ID")
      ->capture_default_str();
  serve->add_option("--secret-access-key", options.secret_access_key,
                    "Secret key of --access-key-id")
      ->envname("BRUME_SECRET_ACCESS_KEY");
  serve->add_option("--credentials-file", options.credentials_file,
                    "AWS shared credentials file; each profile's access key "
                    "is accepted and belongs to its aws_account_id")
      ->envname("BRUME_CREDENTIALS_FILE")
      ->check(CLI::ExistingFile);
  serve->add_flag("--s3-legacy-bucket-defaults",
                  options.s3_legacy_bucket_defaults,
                  "New S3 buckets keep ACLs enabled and get no public access "
                  "block, as AWS did before April 2023")
      ->envname("BRUME_S3_LEGACY_BUCKET_DEFAULTS");
  serve->add_option("--threads", options.threads,
                    "I/O threads (default: one per core)")
      ->envname("BRUME_THREADS");

  auto* version = app.add_subcommand("version", "Print brume's version and "
                                                "the AWS model version");

  std::string endpoint = "http://127.0.0.1:4566";
  auto* status = app.add_subcommand("status", "Ask a running brume for its health");
  status->add_option("--endpoint", endpoint,
                     "brume's endpoint URL (default: $AWS_ENDPOINT_URL if set)")
      ->envname("BRUME_ENDPOINT")
      ->capture_default_str();
  auto* reset = app.add_subcommand("reset", "Clear all state of a running brume");
  reset->add_option("--endpoint", endpoint,
                    "brume's endpoint URL (default: $AWS_ENDPOINT_URL if set)")
      ->envname("BRUME_ENDPOINT")
      ->capture_default_str();

  CLI11_PARSE(app, argc, argv);

  if (*version) {
    std::printf("brume %s\nAWS service models: botocore %s (%zu services)\n",
                BRUME_VERSION, std::string(brume::aws::ModelsVersion()).c_str(),
                brume::aws::AllServiceModels().size());
    return 0;
  }
  if (*status || *reset) {
    // Without --endpoint or BRUME_ENDPOINT, ask the brume that AWS clients
    // are pointed at.
    bool endpoint_given = (*status && status->count("--endpoint") > 0) ||
                          (*reset && reset->count("--endpoint") > 0) ||
                          std::getenv("BRUME_ENDPOINT") != nullptr;
    if (const char* aws_endpoint = std::getenv("AWS_ENDPOINT_URL");
        !endpoint_given && aws_endpoint != nullptr && *aws_endpoint != '\0') {
      endpoint = aws_endpoint;
    }
    std::fprintf(stderr, "brume at %s:\n", endpoint.c_str());
    auto [code, body] = *status
                            ? AdminRequest(endpoint, http::verb::get, "/_brume/health")
                            : AdminRequest(endpoint, http::verb::post, "/_brume/reset");
    if (code == 0) {
      std::fprintf(stderr, "brume is not reachable at %s: %s\n", endpoint.c_str(),
                   body.c_str());
      return 1;
    }
    auto parsed = nlohmann::json::parse(body, nullptr, false);
    std::printf("%s\n", parsed.is_discarded() ? body.c_str() : parsed.dump(2).c_str());
    return code == 200 ? 0 : 1;
  }

  brume::platform::Status logging =
      brume::platform::ConfigureLogging(log_level, log_format);
  if (!logging.ok()) {
    std::fprintf(stderr, "%s\n", logging.message().c_str());
    return 2;
  }
  return brume::server::RunServe(options);
}
