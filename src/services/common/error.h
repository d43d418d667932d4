#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace brume {

// An error as AWS returns it. The protocol codec renders it in the shape of
// the request's protocol (JSON `__type`, query `ErrorResponse`, S3 `<Error>`,
// CBOR `__type`).
struct AwsError {
  AwsError() = default;
  AwsError(std::string code, std::string message, int http_status = 400,
           bool sender_fault = true)
      : code(std::move(code)),
        message(std::move(message)),
        http_status(http_status),
        sender_fault(sender_fault) {}

  // Error code as the service model spells the error shape or the query code,
  // for example "QueueDoesNotExist", "NoSuchKey", "ValidationError".
  std::string code;
  std::string message;
  int http_status = 400;
  // "Sender" or "Receiver" in query error responses.
  bool sender_fault = true;
  // Extra members rendered beside Code and Message (S3's BucketName, Key).
  std::vector<std::pair<std::string, std::string>> fields;
  // Extra response headers.
  std::vector<std::pair<std::string, std::string>> headers;
};

// Factories for errors every service shares. Messages follow AWS wording.
// ValidationError: 400, sender fault, the given message.
AwsError ValidationError(std::string message);
// InternalFailure: 500, receiver fault; an empty message gets the AWS
// common-errors text.
AwsError InternalFailure(std::string message);
// NotImplemented: 501, receiver fault, a message naming the operation and the
// service that brume does not implement yet.
AwsError NotImplemented(std::string_view service, std::string_view operation);
// MissingParameter: 400, sender fault, "The request must contain the
// parameter NAME."
AwsError MissingParameter(std::string_view name);

// A value or an AwsError, for handlers and helpers that fail with AWS codes.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(AwsError error)                        // NOLINT: implicit by design
      : value_(std::move(error)) {}

  bool ok() const { return value_.index() == 0; }
  T& value() & { return std::get<0>(value_); }
  const T& value() const& { return std::get<0>(value_); }
  T&& value() && { return std::get<0>(std::move(value_)); }
  const AwsError& error() const& { return std::get<1>(value_); }
  AwsError&& error() && { return std::get<1>(std::move(value_)); }

 private:
  std::variant<T, AwsError> value_;
};

// A result with no value.
class Status {
 public:
  Status() = default;
  Status(AwsError error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  const AwsError& error() const { return error_; }

 private:
  AwsError error_;
  bool ok_ = true;
};

}  // namespace brume
