#pragma once

// Outcome of a platform operation, with generic codes. Services map these to
// the most specific AWS error of their model.

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace brume::platform {

class Status {
 public:
  enum class Code { kOk, kNotFound, kInvalidArgument, kIoError, kCorruption,
                    kInternal };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status InvalidArgument(std::string m) {
    return {Code::kInvalidArgument, std::move(m)};
  }
  static Status IoError(std::string m) { return {Code::kIoError, std::move(m)}; }
  static Status Corruption(std::string m) {
    return {Code::kCorruption, std::move(m)};
  }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(Code code, std::string message)
      : code_(code), message_(std::move(message)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or a non-ok Status.
template <typename T>
class StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}         // NOLINT
  StatusOr(Status status) : value_(std::move(status)) {}  // NOLINT
  bool ok() const { return value_.index() == 0; }
  T& value() { return std::get<0>(value_); }
  const T& value() const { return std::get<0>(value_); }
  const Status& status() const { return std::get<1>(value_); }

 private:
  std::variant<T, Status> value_;
};

}  // namespace brume::platform
