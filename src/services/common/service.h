#pragma once

// The interface between the dispatcher and a service: a table of handlers,
// one per AWS operation, named as the operation is.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "services/common/context.h"
#include "services/common/document.h"
#include "services/common/error.h"

namespace brume {

// A handler's request to be called again with the same input when `key` is
// signalled through platform::Wakeups or when `deadline` passes (then with
// RequestContext::wait_expired set). Long polls use it, so no thread blocks.
struct WaitAndRetry {
  std::string key;
  std::chrono::steady_clock::time_point deadline;
};

// Result of a handler: an output document, an AWS error, a raw HTTP
// response (operations the codecs cannot express), or a wait.
class Reply {
 public:
  Reply(Document output) : value_(std::move(output)) {}  // NOLINT
  Reply(AwsError error) : value_(std::move(error)) {}    // NOLINT
  Reply(HttpResponse raw) : value_(std::move(raw)) {}    // NOLINT
  Reply(WaitAndRetry wait) : value_(std::move(wait)) {}  // NOLINT
  template <typename T>
  Reply(Result<T> result)  // NOLINT
      : value_(result.ok() ? Value(Document(std::move(result).value()))
                           : Value(std::move(result).error())) {}

  bool is_document() const { return value_.index() == 0; }
  bool is_error() const { return value_.index() == 1; }
  bool is_raw() const { return value_.index() == 2; }
  bool is_wait() const { return value_.index() == 3; }
  Document& document() { return std::get<0>(value_); }
  AwsError& error() { return std::get<1>(value_); }
  HttpResponse& raw() { return std::get<2>(value_); }
  WaitAndRetry& wait() { return std::get<3>(value_); }

 private:
  using Value = std::variant<Document, AwsError, HttpResponse, WaitAndRetry>;
  Value value_;
};

using Handler = std::function<Reply(RequestContext&, Document& input)>;

class Service {
 public:
  virtual ~Service() = default;

  // Service model id this service implements, e.g. "sqs".
  virtual std::string_view id() const = 0;

  // Returns the handler of an operation, or nullptr if it is not
  // implemented (the dispatcher then returns NotImplemented).
  const Handler* FindHandler(std::string_view operation) const {
    auto it = handlers_.find(operation);
    return it == handlers_.end() ? nullptr : &it->second;
  }

  // Drops all state (POST /_brume/reset).
  virtual void Reset() = 0;

 protected:
  void Register(std::string operation, Handler handler) {
    handlers_.emplace(std::move(operation), std::move(handler));
  }

 private:
  std::map<std::string, Handler, std::less<>> handlers_;
};

}  // namespace brume
