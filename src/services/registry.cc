#include "services/registry.h"

#include "services/s3/s3_service.h"
#include "services/sqs/sqs_service.h"
#include "services/sts/sts_service.h"

namespace brume {
namespace {

using Factory = std::unique_ptr<Service> (*)(const ServiceEnvironment&);

struct Entry {
  const char* id;
  Factory create;
};

// One line per implemented service, sorted by id.
const Entry kServices[] = {
    {"s3", &s3::CreateS3Service},
    {"sqs", &sqs::CreateSqsService},
    {"sts", &sts::CreateStsService},
};

}  // namespace

const std::vector<std::string>& ImplementedServices() {
  static const std::vector<std::string> ids = [] {
    std::vector<std::string> out;
    for (const Entry& entry : kServices) out.emplace_back(entry.id);
    return out;
  }();
  return ids;
}

std::vector<std::unique_ptr<Service>> CreateServices(
    const ServiceEnvironment& env,
    const std::function<bool(std::string_view id)>& enabled) {
  std::vector<std::unique_ptr<Service>> services;
  for (const Entry& entry : kServices) {
    if (enabled(entry.id)) services.push_back(entry.create(env));
  }
  return services;
}

}  // namespace brume
