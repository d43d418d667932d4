#include "services/sqs/errors.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace brume::sqs {
namespace {

AwsError Make(std::string code, std::string message, int status = 400) {
  AwsError error;
  error.code = std::move(code);
  error.message = std::move(message);
  error.http_status = status;
  error.sender_fault = status < 500;
  return error;
}

}  // namespace

AwsError QueueDoesNotExist() {
  return Make("QueueDoesNotExist", "The specified queue does not exist.");
}

AwsError InvalidParameterValue(std::string message) {
  return Make("InvalidParameterValue", std::move(message));
}

AwsError InvalidParameter(std::string_view name, std::string_view value,
                          std::string_view reason) {
  return InvalidParameterValue(fmt::format(
      "Value {} for parameter {} is invalid. Reason: {}", value, name, reason));
}

AwsError MissingSqsParameter(std::string_view name) {
  return Make("MissingParameter",
              fmt::format("The request must contain the parameter {}.", name));
}

AwsError InvalidAttributeName(std::string_view name) {
  return Make("InvalidAttributeName", fmt::format("Unknown Attribute {}.", name));
}

AwsError InvalidAttributeValue(std::string_view name) {
  return Make("InvalidAttributeValue",
              fmt::format("Invalid value for the parameter {}.", name));
}

AwsError ReceiptHandleIsInvalid(std::string_view handle) {
  return Make("ReceiptHandleIsInvalid",
              fmt::format("The input receipt handle \"{}\" is not a valid "
                          "receipt handle.",
                          handle));
}

AwsError StorageFailure(std::string_view what, std::string_view detail) {
  spdlog::error("sqs: {} failed: {}", what, detail);
  return Make("InternalError",
              "We encountered an internal error. Please try again.", 500);
}

AwsError EmptyBatchRequest(std::string_view entry_shape) {
  return Make("EmptyBatchRequest",
              fmt::format("There should be at least one {} in the request.",
                          entry_shape));
}

AwsError TooManyEntriesInBatchRequest(size_t count) {
  return Make("TooManyEntriesInBatchRequest",
              fmt::format("Maximum number of entries per request are 10. You "
                          "have sent {}.",
                          count));
}

AwsError BatchEntryIdsNotDistinct(std::string_view id) {
  return Make("BatchEntryIdsNotDistinct", fmt::format("Id {} repeated.", id));
}

AwsError InvalidBatchEntryId() {
  return Make("InvalidBatchEntryId",
              "A batch entry id can only contain alphanumeric characters, "
              "hyphens and underscores. It can be at most 80 letters long.");
}

AwsError BatchRequestTooLong(size_t size, int limit) {
  return Make("BatchRequestTooLong",
              fmt::format("Batch requests cannot be longer than {} bytes. You "
                          "have sent {} bytes.",
                          limit, size));
}

}  // namespace brume::sqs
