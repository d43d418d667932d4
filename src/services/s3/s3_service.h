#pragma once

#include <memory>

#include "services/common/environment.h"
#include "services/common/service.h"

namespace brume::s3 {

// Amazon S3: buckets, objects, multipart uploads, versioning and bucket
// configuration, over platform::Storage.
std::unique_ptr<Service> CreateS3Service(const ServiceEnvironment& env);

}  // namespace brume::s3
