#pragma once

#include <memory>

#include "services/common/environment.h"
#include "services/common/service.h"

namespace brume::sts {

std::unique_ptr<Service> CreateStsService(const ServiceEnvironment& env);

}  // namespace brume::sts
