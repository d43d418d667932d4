#pragma once

// The list of services compiled into brume.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "services/common/environment.h"
#include "services/common/service.h"

namespace brume {

// Service model ids of every implemented service, e.g. "sqs", "sts".
const std::vector<std::string>& ImplementedServices();

// Creates the implemented services whose id passes `enabled`.
std::vector<std::unique_ptr<Service>> CreateServices(
    const ServiceEnvironment& env,
    const std::function<bool(std::string_view id)>& enabled);

}  // namespace brume
