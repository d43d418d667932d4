#include "services/common/error.h"

#include <string>
#include <utility>

namespace brume {
namespace {

// Message of InternalFailure in the AWS common errors reference.
constexpr char kInternalFailureMessage[] =
    "The request processing has failed because of an unknown error, "
    "exception or failure.";

AwsError MakeError(std::string code, std::string message, int http_status,
                   bool sender_fault) {
  AwsError error;
  error.code = std::move(code);
  error.message = std::move(message);
  error.http_status = http_status;
  error.sender_fault = sender_fault;
  return error;
}

}  // namespace

AwsError ValidationError(std::string message) {
  return MakeError("ValidationError", std::move(message), 400, true);
}

AwsError InternalFailure(std::string message) {
  if (message.empty()) message = kInternalFailureMessage;
  return MakeError("InternalFailure", std::move(message), 500, false);
}

AwsError NotImplemented(std::string_view service, std::string_view operation) {
  std::string message = "brume does not implement the ";
  message.append(operation).append(" operation of ").append(service);
  message.append(" yet.");
  return MakeError("NotImplemented", std::move(message), 501, false);
}

AwsError MissingParameter(std::string_view name) {
  std::string message = "The request must contain the parameter ";
  message.append(name).append(".");
  return MakeError("MissingParameter", std::move(message), 400, true);
}

}  // namespace brume
