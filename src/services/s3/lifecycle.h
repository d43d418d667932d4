#pragma once

#include "services/s3/state.h"

namespace brume::s3 {

// Applies every enabled lifecycle rule of every bucket at the clock's
// current time. The S3 service runs it on the timer service.
void RunLifecycle(S3State& state);

}  // namespace brume::s3
