#pragma once

// SQS errors. Codes are the error shape names of the SQS model (the codec
// adds the query code, e.g. AWS.SimpleQueueService.NonExistentQueue) or,
// for errors the model does not declare, the code AWS sends in both
// protocols (InvalidParameterValue, MissingParameter). Messages follow the
// wording AWS returns.

#include <string>
#include <string_view>

#include "services/common/error.h"

namespace brume::sqs {

AwsError QueueDoesNotExist();
AwsError InvalidParameterValue(std::string message);
// "Value <value> for parameter <name> is invalid. Reason: <reason>."
AwsError InvalidParameter(std::string_view name, std::string_view value,
                          std::string_view reason);
AwsError MissingSqsParameter(std::string_view name);
AwsError InvalidAttributeName(std::string_view name);
AwsError InvalidAttributeValue(std::string_view name);
AwsError ReceiptHandleIsInvalid(std::string_view handle);
AwsError StorageFailure(std::string_view what, std::string_view detail);

// Batch request errors.
AwsError EmptyBatchRequest(std::string_view entry_shape);
AwsError TooManyEntriesInBatchRequest(size_t count);
AwsError BatchEntryIdsNotDistinct(std::string_view id);
AwsError InvalidBatchEntryId();
AwsError BatchRequestTooLong(size_t size, int limit);

}  // namespace brume::sqs
