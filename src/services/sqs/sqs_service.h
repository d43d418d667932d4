#pragma once

#include <memory>

#include "services/common/environment.h"
#include "services/common/service.h"

namespace brume::sqs {

// Creates Amazon SQS (standard and FIFO queues, dead-letter queues, message
// move tasks), with its state loaded from env.storage.
std::unique_ptr<Service> CreateSqsService(const ServiceEnvironment& env);

}  // namespace brume::sqs
