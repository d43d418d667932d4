#pragma once

// Assembles a running brume from its options: storage, clock, timers,
// services, router, dispatcher and the HTTP server.

#include <cstdint>
#include <string>
#include <vector>

namespace brume::server {

struct AppOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 4566;
  std::string data_dir;                // empty: in memory
  std::vector<std::string> services;   // empty: every implemented service
  bool verify_signatures = false;
  std::string access_key_id = "test";
  std::string secret_access_key = "test";
  // AWS shared credentials file whose profiles are registered as accounts;
  // empty: none.
  std::string credentials_file;
  // New S3 buckets get the defaults AWS used before April 2023 (ACLs
  // enabled, no public access block) instead of today's.
  bool s3_legacy_bucket_defaults = false;
  unsigned threads = 0;                // 0: one per core
  std::string version;
};

// Service model ids brume routes (the services of a microservices system on
// AWS and its delivery pipeline), whether implemented yet or not.
const std::vector<std::string>& KnownServices();

// Runs `brume serve` until SIGINT/SIGTERM; returns the process exit code.
int RunServe(const AppOptions& options);

}  // namespace brume::server
