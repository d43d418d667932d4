#include "server/app.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "aws/model.h"
#include "aws/router.h"
#include "platform/clock.h"
#include "platform/credentials.h"
#include "platform/events.h"
#include "platform/storage.h"
#include "platform/strings.h"
#include "platform/timers.h"
#include "server/dispatcher.h"
#include "server/server.h"
#include "server/wakeups.h"
#include "services/registry.h"

namespace brume::server {
namespace {

HttpResponse JsonResponse(int status, const Document& body) {
  HttpResponse response;
  response.status = status;
  response.headers.Set("Content-Type", "application/json");
  response.body = body.dump();
  return response;
}

// Reads and parses --credentials-file.
platform::StatusOr<std::vector<platform::Credential>> LoadCredentialsFile(
    const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return platform::Status::IoError(
        fmt::format("cannot open --credentials-file {}", path));
  }
  std::ostringstream text;
  text << file.rdbuf();
  return platform::ParseCredentialsFile(text.str(), path);
}

}  // namespace

const std::vector<std::string>& KnownServices() {
  static const std::vector<std::string> ids = {
      "apigateway", "apigatewayv2", "appmesh",      "cloudfront",
      "cloudtrail", "cloudwatch",   "codebuild",    "codecommit",
      "codedeploy", "codepipeline", "dynamodb",     "dynamodbstreams",
      "ec2",        "ecr",          "ecs",          "eks",
      "elbv2",      "events",       "iam",          "kms",
      "lambda",     "logs",         "rds",          "route53",
      "s3",         "secretsmanager", "sns",        "sqs",
      "ssm",        "stepfunctions", "sts",         "xray",
  };
  return ids;
}

int RunServe(const AppOptions& options) {
  auto started = std::chrono::steady_clock::now();

  // Which services to serve.
  std::set<std::string, std::less<>> enabled;
  for (const std::string& id : options.services) {
    if (std::find(KnownServices().begin(), KnownServices().end(), id) ==
        KnownServices().end()) {
      spdlog::error("unknown service '{}' in --services; known services: {}",
                    id, fmt::join(KnownServices(), ", "));
      return 2;
    }
    enabled.insert(id);
  }
  auto is_enabled = [&enabled](std::string_view id) {
    return enabled.empty() || enabled.count(id) > 0;
  };

  // Storage.
  std::string spool_dir;
  if (!options.data_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options.data_dir, ec);
    if (ec) {
      spdlog::error("cannot create --data-dir {}: {}", options.data_dir, ec.message());
      return 1;
    }
  }
  auto opened = platform::Storage::OpenSqlite(options.data_dir);
  if (!opened.ok()) {
    spdlog::error("cannot open storage{}: {}",
                  options.data_dir.empty() ? "" : " in " + options.data_dir,
                  opened.status().message());
    return 1;
  }
  std::unique_ptr<platform::Storage> storage = std::move(opened.value());
  spool_dir = storage->blob_dir() + "/spool";
  {
    std::error_code ec;
    std::filesystem::remove_all(spool_dir, ec);  // leftovers of a crash
    std::filesystem::create_directories(spool_dir, ec);
    if (ec) {
      spdlog::error("cannot create spool directory {}: {}", spool_dir, ec.message());
      return 1;
    }
  }

  // Platform services and the services themselves.
  platform::AdjustableClock clock;
  std::unique_ptr<platform::Timers> timers = platform::Timers::Create(&clock);
  platform::CredentialStore credentials;
  std::vector<platform::Credential> file_credentials;
  if (!options.credentials_file.empty()) {
    auto loaded = LoadCredentialsFile(options.credentials_file);
    if (!loaded.ok()) {
      spdlog::error("{}", loaded.status().message());
      return 2;
    }
    file_credentials = std::move(loaded.value());
    spdlog::info("loaded {} profiles from {}", file_credentials.size(),
                 options.credentials_file);
  }
  // Registers the credentials file's profiles; again after each reset,
  // which clears the store.
  auto register_file_credentials = [&credentials, &file_credentials] {
    for (const platform::Credential& credential : file_credentials) {
      credentials.Put(credential);
    }
  };
  register_file_credentials();
  TimerWakeups wakeups;
  ServiceEnvironment env;
  env.storage = storage.get();
  env.clock = &clock;
  env.wakeups = &wakeups;
  env.timers = timers.get();
  env.credentials = &credentials;
  platform::EventDelivery events;
  env.events = &events;
  env.verify_signatures = options.verify_signatures;
  // The same secrets the dispatcher checks SigV4 and SigV2 signatures with.
  env.secret_for_access_key =
      [&credentials, &options](std::string_view access_key_id)
      -> std::optional<std::string> {
    if (auto credential = credentials.Find(access_key_id)) {
      return credential->secret_access_key;
    }
    if (access_key_id == options.access_key_id) return options.secret_access_key;
    return std::nullopt;
  };
  env.s3_legacy_bucket_defaults = options.s3_legacy_bucket_defaults;
  std::vector<std::unique_ptr<Service>> services = CreateServices(env, is_enabled);

  aws::Router router(aws::AllServiceModels());
  DispatcherOptions dispatcher_options;
  dispatcher_options.verify_signatures = options.verify_signatures;
  dispatcher_options.access_key_id = options.access_key_id;
  dispatcher_options.secret_access_key = options.secret_access_key;
  Dispatcher dispatcher(dispatcher_options, &router, &services, &credentials,
                        &clock, &wakeups);

  // Admin endpoints under /_brume/.
  auto admin = [&](const HttpRequest& request) -> std::optional<HttpResponse> {
    if (request.path == "/_brume/health" && request.method == "GET") {
      Document health;
      health["status"] = "running";
      health["version"] = options.version;
      health["models"] = fmt::format("botocore {}", aws::ModelsVersion());
      health["uptime_seconds"] =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
              .count();
      health["persistent"] = storage->persistent();
      Document states = Document::object();
      for (const std::string& id : KnownServices()) {
        bool implemented = dispatcher.FindService(id) != nullptr;
        bool built = std::find(ImplementedServices().begin(),
                               ImplementedServices().end(),
                               id) != ImplementedServices().end();
        states[id] = implemented ? "running"
                     : built     ? "disabled"
                                 : "not implemented";
      }
      health["services"] = states;
      return JsonResponse(200, health);
    }
    if (request.path == "/_brume/reset" && request.method == "POST") {
      platform::Status cleared = storage->Clear();
      if (!cleared.ok()) {
        return JsonResponse(500, {{"error", cleared.message()}});
      }
      credentials.Clear();
      register_file_credentials();
      for (auto& service : services) service->Reset();
      std::error_code ec;
      std::filesystem::create_directories(spool_dir, ec);
      spdlog::info("state reset through /_brume/reset");
      return JsonResponse(200, {{"reset", true}});
    }
    if (request.path == "/_brume/clock") {
      if (request.method == "POST") {
        for (const auto& [name, value] : platform::ParseQueryString(request.query)) {
          if (name != "advance_seconds") continue;
          char* end = nullptr;
          double seconds = std::strtod(value.c_str(), &end);
          if (end == value.c_str() || *end != '\0' || seconds < 0) {
            return JsonResponse(400, {{"error", "advance_seconds must be a "
                                                "non-negative number"}});
          }
          clock.Advance(std::chrono::milliseconds(
              static_cast<int64_t>(seconds * 1000)));
          timers->Poke();
        }
      }
      return JsonResponse(200, {{"now_ms", clock.NowMillis()},
                                {"offset_ms", clock.offset().count()}});
    }
    return std::nullopt;
  };

  ServerOptions server_options;
  server_options.host = options.host;
  server_options.port = options.port;
  server_options.threads = options.threads;
  server_options.spool_dir = spool_dir;
  Server server(server_options, &dispatcher, &wakeups, admin);
  platform::Status listening = server.Listen();
  if (!listening.ok()) {
    spdlog::error("{}; is another brume or LocalStack running? pick another "
                  "port with --port",
                  listening.message());
    return 1;
  }

  std::vector<std::string> running;
  for (const auto& service : services) running.emplace_back(service->id());
  std::sort(running.begin(), running.end());
  spdlog::info("brume {} (models: botocore {}) listening on http://{}:{}",
               options.version, aws::ModelsVersion(), options.host, server.port());
  spdlog::info("services: {}; other AWS services return 501 NotImplemented",
               running.empty() ? std::string("none") : fmt::format("{}", fmt::join(running, ", ")));
  spdlog::info("state: {}", options.data_dir.empty()
                                ? std::string("in memory (lost at exit; use --data-dir to keep it)")
                                : "persistent in " + options.data_dir);

  server.Run();

  timers->Stop();
  storage.reset();  // closes the database, checkpointing the WAL
  spdlog::info("brume stopped");
  return 0;
}

}  // namespace brume::server
