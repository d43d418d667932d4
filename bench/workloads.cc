#include "workloads.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "platform/crypto.h"
#include "platform/strings.h"

namespace brume::bench {

namespace asio = boost::asio;
using Json = nlohmann::json;

namespace {

constexpr uint64_t kKiB = 1024;
constexpr uint64_t kMiB = 1024 * 1024;

// Distinct keys each workload cycles through, so that puts overwrite a
// bounded set of objects and items instead of growing the store.
constexpr uint64_t kKeysPerConnection = 256;
// Objects s3-get-* reads and items ddb-get and ddb-query read.
constexpr int kReadObjects = 16;
constexpr int kQueryItems = 100;
// AWS limits: SendMessageBatch takes 10 entries, BatchWriteItem 25 items.
constexpr uint64_t kSqsBatch = 10;
constexpr uint64_t kDynamoDbBatch = 25;
// Items in one TransactWriteItems call (AWS allows up to 100).
constexpr int kTransactItems = 4;

// A 100-byte attribute value, so items and messages have a realistic size.
const std::string& Payload100() {
  static const std::string payload(100, 'x');
  return payload;
}

std::string FirstBytes(std::string_view text, size_t max) {
  return std::string(text.substr(0, std::min(text.size(), max)));
}

// Sends a JSON-protocol request (SQS, DynamoDB): POST / with the operation
// in X-Amz-Target, as the SDKs send them.
asio::awaitable<HttpResult> PostJson(Client& client, std::string_view service,
                                     std::string_view target,
                                     const std::string& body) {
  HttpRequest request = MakeRequest("POST", "/");
  request.headers.Set("Content-Type", "application/x-amz-json-1.0");
  request.headers.Set("X-Amz-Target", std::string(target));
  const std::string head =
      SignedRequestHead(*client.signing, request, service, body);
  co_return co_await client.connection->RoundTrip(head, body);
}

bool IsSuccess(const HttpResult& result) {
  return result.status >= 200 && result.status < 300;
}

// Parses a JSON response body; returns a discarded value on invalid JSON.
Json ParseJson(const std::string& body) {
  return Json::parse(body, nullptr, /*allow_exceptions=*/false);
}

Outcome Succeeded(uint64_t payload_bytes = 0) {
  Outcome outcome;
  outcome.payload_bytes = payload_bytes;
  return outcome;
}

Outcome Failed(std::string error) {
  Outcome outcome;
  outcome.ok = false;
  outcome.error = std::move(error);
  return outcome;
}

// --- STS ---------------------------------------------------------------

// GetCallerIdentity in the query protocol, as boto3 sends it.
class StsGetCallerIdentity : public Workload {
 public:
  asio::awaitable<Outcome> Run(Client& client, uint64_t) override {
    static const std::string kBody =
        "Action=GetCallerIdentity&Version=2011-06-15";
    HttpRequest request = MakeRequest("POST", "/");
    request.headers.Set("Content-Type",
                        "application/x-www-form-urlencoded; charset=utf-8");
    const std::string head =
        SignedRequestHead(*client.signing, request, "sts", kBody);
    const HttpResult result = co_await client.connection->RoundTrip(head, kBody);
    if (!IsSuccess(result)) co_return FailedResponse("GetCallerIdentity", result);
    co_return Succeeded();
  }
};

// --- S3 ----------------------------------------------------------------

std::string MakeObjectBody(uint64_t size) {
  std::string body(size, '\0');
  for (uint64_t i = 0; i < size; ++i) {
    body[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
  }
  return body;
}

asio::awaitable<HttpResult> PutObject(Client& client, const std::string& bucket,
                                      const std::string& key,
                                      const std::string& body,
                                      const std::string& body_sha256_hex) {
  HttpRequest request = MakeRequest("PUT", "/" + bucket + "/" + key);
  const std::string head = SignedRequestHead(
      *client.signing, request, "s3", body.size(), body_sha256_hex);
  co_return co_await client.connection->RoundTrip(head, body);
}

// PutObject of `size` bytes to keys the connection cycles through.
class S3Put : public Workload {
 public:
  S3Put(const WorkloadConfig& config, uint64_t size)
      : config_(config),
        body_(MakeObjectBody(size)),
        body_sha256_(platform::Sha256Hex(body_)),
        size_label_(size >= kMiB ? "1m" : "1k") {}

  asio::awaitable<Outcome> Run(Client& client, uint64_t operation) override {
    const std::string key = fmt::format("bench-put-{}/{}-{}", size_label_,
                                        client.index,
                                        operation % kKeysPerConnection);
    const HttpResult result = co_await PutObject(client, config_.bucket, key,
                                                 body_, body_sha256_);
    if (!IsSuccess(result)) co_return FailedResponse("PutObject", result);
    co_return Succeeded(body_.size());
  }

 private:
  WorkloadConfig config_;
  std::string body_;
  std::string body_sha256_;
  std::string size_label_;
};

// GetObject of `size`-byte objects that Prepare uploads.
class S3Get : public Workload {
 public:
  S3Get(const WorkloadConfig& config, uint64_t size)
      : config_(config), size_(size), size_label_(size >= kMiB ? "1m" : "1k") {}

  asio::awaitable<void> Prepare(Client& client) override {
    if (config_.static_response) co_return;
    const std::string body = MakeObjectBody(size_);
    const std::string body_sha256 = platform::Sha256Hex(body);
    for (int i = 0; i < kReadObjects; ++i) {
      const HttpResult result = co_await PutObject(
          client, config_.bucket, Key(i), body, body_sha256);
      if (!IsSuccess(result)) {
        throw std::runtime_error(
            FailedResponse("PutObject (prepare)", result).error);
      }
    }
  }

  asio::awaitable<Outcome> Run(Client& client, uint64_t operation) override {
    HttpRequest request = MakeRequest(
        "GET", "/" + config_.bucket + "/" + Key(operation % kReadObjects));
    const std::string head =
        SignedRequestHead(*client.signing, request, "s3", "");
    const HttpResult result = co_await client.connection->RoundTrip(head, "");
    if (!IsSuccess(result)) co_return FailedResponse("GetObject", result);
    if (!config_.static_response && result.body_bytes != size_) {
      co_return Failed(fmt::format("GetObject returned {} bytes, expected {}",
                                   result.body_bytes, size_));
    }
    co_return Succeeded(result.body_bytes);
  }

 private:
  std::string Key(uint64_t i) const {
    return fmt::format("bench-get-{}/{}", size_label_, i);
  }

  WorkloadConfig config_;
  uint64_t size_;
  std::string size_label_;
};

// One PutObject of config.stream_bytes from config.file, sent with
// sendfile. The payload hash is computed once before timing, as an SDK that
// hashes the file before sending does.
class S3PutStream : public Workload {
 public:
  explicit S3PutStream(const WorkloadConfig& config) : config_(config) {}

  asio::awaitable<void> Prepare(Client&) override {
    body_sha256_ = HashFile(config_.file, config_.stream_bytes);
    co_return;
  }

  asio::awaitable<Outcome> Run(Client& client, uint64_t) override {
    HttpRequest request =
        MakeRequest("PUT", "/" + config_.bucket + "/bench-stream");
    const std::string head =
        SignedRequestHead(*client.signing, request, "s3",
                          config_.stream_bytes, body_sha256_);
    const HttpResult result = co_await client.connection->UploadFile(
        head, config_.file, config_.stream_bytes);
    if (!IsSuccess(result)) co_return FailedResponse("PutObject", result);
    co_return Succeeded(config_.stream_bytes);
  }

  uint64_t OperationLimit() const override { return 1; }

 private:
  static std::string HashFile(const std::string& path, uint64_t length);

  WorkloadConfig config_;
  std::string body_sha256_;
};

std::string S3PutStream::HashFile(const std::string& path, uint64_t length) {
  // Hashing reads the whole file, so the upload starts with the file in the
  // page cache, as the cp baseline does.
  FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    throw std::runtime_error(fmt::format("failed to open stream file {}: {}",
                                         path, std::strerror(errno)));
  }
  platform::Digest digest(platform::DigestAlgorithm::kSha256);
  std::vector<char> chunk(1 << 20);
  uint64_t remaining = length;
  while (remaining > 0) {
    const size_t want =
        static_cast<size_t>(std::min<uint64_t>(remaining, chunk.size()));
    const size_t got = std::fread(chunk.data(), 1, want, file);
    if (got == 0) break;
    digest.Update(std::string_view(chunk.data(), got));
    remaining -= got;
  }
  std::fclose(file);
  if (remaining != 0) {
    throw std::runtime_error(fmt::format(
        "stream file {} is shorter than {} bytes", path, length));
  }
  return platform::HexEncode(digest.Final());
}

// One GetObject of the object S3PutStream uploaded, written to config.file.
class S3GetStream : public Workload {
 public:
  explicit S3GetStream(const WorkloadConfig& config) : config_(config) {}

  asio::awaitable<Outcome> Run(Client& client, uint64_t) override {
    HttpRequest request =
        MakeRequest("GET", "/" + config_.bucket + "/bench-stream");
    const std::string head =
        SignedRequestHead(*client.signing, request, "s3", "");
    const HttpResult result =
        co_await client.connection->DownloadToFile(head, config_.file);
    if (!IsSuccess(result)) co_return FailedResponse("GetObject", result);
    if (result.body_bytes != config_.stream_bytes) {
      co_return Failed(fmt::format("GetObject returned {} bytes, expected {}",
                                   result.body_bytes, config_.stream_bytes));
    }
    co_return Succeeded(result.body_bytes);
  }

  uint64_t OperationLimit() const override { return 1; }

 private:
  WorkloadConfig config_;
};

// --- SQS ---------------------------------------------------------------

class SqsSend : public Workload {
 public:
  explicit SqsSend(const WorkloadConfig& config) : config_(config) {}

  asio::awaitable<Outcome> Run(Client& client, uint64_t operation) override {
    const Json body = {
        {"QueueUrl", config_.queue_url},
        {"MessageBody", fmt::format("bench {} {}", operation, Payload100())}};
    const HttpResult result = co_await PostJson(
        client, "sqs", "AmazonSQS.SendMessage", body.dump());
    if (!IsSuccess(result)) co_return FailedResponse("SendMessage", result);
    co_return Succeeded();
  }

 private:
  WorkloadConfig config_;
};

// ReceiveMessage of one message, then DeleteMessage of it: one operation.
// The queue is filled beforehand (by sqs-send); an empty receive is counted
// separately because it makes the operation cheaper.
class SqsReceiveDelete : public Workload {
 public:
  explicit SqsReceiveDelete(const WorkloadConfig& config) : config_(config) {}

  asio::awaitable<Outcome> Run(Client& client, uint64_t) override {
    const Json receive = {{"QueueUrl", config_.queue_url},
                          {"MaxNumberOfMessages", 1}};
    const HttpResult received = co_await PostJson(
        client, "sqs", "AmazonSQS.ReceiveMessage", receive.dump());
    if (!IsSuccess(received)) {
      co_return FailedResponse("ReceiveMessage", received);
    }

    std::string receipt_handle = "static";
    if (!config_.static_response) {
      const Json output = ParseJson(received.body);
      if (output.is_discarded()) {
        co_return Failed("ReceiveMessage returned invalid JSON: " +
                         FirstBytes(received.body, 200));
      }
      const auto messages = output.find("Messages");
      if (messages == output.end() || !messages->is_array() ||
          messages->empty()) {
        Outcome outcome;
        outcome.empty_receive = true;
        co_return outcome;
      }
      receipt_handle = (*messages)[0].value("ReceiptHandle", "");
    }

    const Json remove = {{"QueueUrl", config_.queue_url},
                         {"ReceiptHandle", receipt_handle}};
    const HttpResult deleted = co_await PostJson(
        client, "sqs", "AmazonSQS.DeleteMessage", remove.dump());
    if (!IsSuccess(deleted)) co_return FailedResponse("DeleteMessage", deleted);
    co_return Succeeded();
  }

 private:
  WorkloadConfig config_;
};

// SendMessageBatch of 10 messages per operation until config.count
// messages are in the queue (for the memory measurement).
class SqsFill : public Workload {
 public:
  explicit SqsFill(const WorkloadConfig& config) : config_(config) {}

  asio::awaitable<Outcome> Run(Client& client, uint64_t operation) override {
    Json entries = Json::array();
    const uint64_t first = operation * kSqsBatch;
    const uint64_t last = std::min(first + kSqsBatch, config_.count);
    for (uint64_t i = first; i < last; ++i) {
      entries.push_back(
          {{"Id", std::to_string(i)},
           {"MessageBody", fmt::format("fill {} {}", i, Payload100())}});
    }
    const Json body = {{"QueueUrl", config_.queue_url}, {"Entries", entries}};
    const HttpResult result = co_await PostJson(
        client, "sqs", "AmazonSQS.SendMessageBatch", body.dump());
    if (!IsSuccess(result)) co_return FailedResponse("SendMessageBatch", result);
    const Json output = ParseJson(result.body);
    const auto failed = output.is_object() ? output.find("Failed") : output.end();
    if (failed != output.end() && failed->is_array() && !failed->empty()) {
      co_return Failed("SendMessageBatch failed entries: " +
                       FirstBytes(failed->dump(), 200));
    }
    co_return Succeeded();
  }

  uint64_t OperationLimit() const override {
    return (config_.count + kSqsBatch - 1) / kSqsBatch;
  }

 private:
  WorkloadConfig config_;
};

// --- DynamoDB ------------------------------------------------------------

Json MakeItem(const std::string& pk, const std::string& sk) {
  return {{"pk", {{"S", pk}}},
          {"sk", {{"S", sk}}},
          {"payload", {{"S", Payload100()}}}};
}

std::string QueryItemKey(int i) { return fmt::format("item-{:03}", i); }

class DynamoDbPut : public Workload {
 public:
  explicit DynamoDbPut(const WorkloadConfig& config) : config_(config) {}

  asio::awaitable<Outcome> Run(Client& client, uint64_t operation) override {
    const Json body = {
        {"TableName", config_.table},
        {"Item", MakeItem(fmt::format("put-{}", client.index),
                          std::to_string(operation % kKeysPerConnection))}};
    const HttpResult result = co_await PostJson(
        client, "dynamodb", "DynamoDB_20120810.PutItem", body.dump());
    if (!IsSuccess(result)) co_return FailedResponse("PutItem", result);
    co_return Succeeded();
  }

 private:
  WorkloadConfig config_;
};

// Base of the read workloads: Prepare writes kQueryItems items under
// partition key "query".
class DynamoDbRead : public Workload {
 public:
  explicit DynamoDbRead(const WorkloadConfig& config) : config_(config) {}

  asio::awaitable<void> Prepare(Client& client) override {
    if (config_.static_response) co_return;
    for (int i = 0; i < kQueryItems; ++i) {
      const Json body = {{"TableName", config_.table},
                         {"Item", MakeItem("query", QueryItemKey(i))}};
      const HttpResult result = co_await PostJson(
          client, "dynamodb", "DynamoDB_20120810.PutItem", body.dump());
      if (!IsSuccess(result)) {
        throw std::runtime_error(
            FailedResponse("PutItem (prepare)", result).error);
      }
    }
  }

 protected:
  WorkloadConfig config_;
};

class DynamoDbGet : public DynamoDbRead {
 public:
  using DynamoDbRead::DynamoDbRead;

  asio::awaitable<Outcome> Run(Client& client, uint64_t operation) override {
    const Json body = {
        {"TableName", config_.table},
        {"Key",
         {{"pk", {{"S", "query"}}},
          {"sk", {{"S", QueryItemKey(operation % kQueryItems)}}}}}};
    const HttpResult result = co_await PostJson(
        client, "dynamodb", "DynamoDB_20120810.GetItem", body.dump());
    if (!IsSuccess(result)) co_return FailedResponse("GetItem", result);
    if (!config_.static_response && !ParseJson(result.body).contains("Item")) {
      co_return Failed("GetItem returned no Item: " +
                       FirstBytes(result.body, 200));
    }
    co_return Succeeded();
  }
};

class DynamoDbQuery : public DynamoDbRead {
 public:
  using DynamoDbRead::DynamoDbRead;

  asio::awaitable<Outcome> Run(Client& client, uint64_t) override {
    const Json body = {
        {"TableName", config_.table},
        {"KeyConditionExpression", "pk = :pk"},
        {"ExpressionAttributeValues", {{":pk", {{"S", "query"}}}}}};
    const HttpResult result = co_await PostJson(
        client, "dynamodb", "DynamoDB_20120810.Query", body.dump());
    if (!IsSuccess(result)) co_return FailedResponse("Query", result);
    if (!config_.static_response) {
      const Json output = ParseJson(result.body);
      const int count = output.is_object() ? output.value("Count", -1) : -1;
      if (count != kQueryItems) {
        co_return Failed(fmt::format("Query returned Count {}, expected {}",
                                     count, kQueryItems));
      }
    }
    co_return Succeeded(result.body_bytes);
  }
};

class DynamoDbTransact : public Workload {
 public:
  explicit DynamoDbTransact(const WorkloadConfig& config) : config_(config) {}

  asio::awaitable<Outcome> Run(Client& client, uint64_t operation) override {
    Json items = Json::array();
    for (int i = 0; i < kTransactItems; ++i) {
      items.push_back(
          {{"Put",
            {{"TableName", config_.table},
             {"Item", MakeItem(fmt::format("tx-{}", client.index),
                               fmt::format("{}-{}",
                                           operation % kKeysPerConnection,
                                           i))}}}});
    }
    const Json body = {{"TransactItems", items}};
    const HttpResult result = co_await PostJson(
        client, "dynamodb", "DynamoDB_20120810.TransactWriteItems",
        body.dump());
    if (!IsSuccess(result)) {
      co_return FailedResponse("TransactWriteItems", result);
    }
    co_return Succeeded();
  }

 private:
  WorkloadConfig config_;
};

// BatchWriteItem of 25 items per operation until config.count items exist
// (for the memory measurement).
class DynamoDbFill : public Workload {
 public:
  explicit DynamoDbFill(const WorkloadConfig& config) : config_(config) {}

  asio::awaitable<Outcome> Run(Client& client, uint64_t operation) override {
    Json requests = Json::array();
    const uint64_t first = operation * kDynamoDbBatch;
    const uint64_t last = std::min(first + kDynamoDbBatch, config_.count);
    for (uint64_t i = first; i < last; ++i) {
      requests.push_back(
          {{"PutRequest",
            {{"Item", MakeItem(fmt::format("fill-{}", i / 1000),
                               std::to_string(i))}}}});
    }
    const Json body = {{"RequestItems", {{config_.table, requests}}}};
    const HttpResult result = co_await PostJson(
        client, "dynamodb", "DynamoDB_20120810.BatchWriteItem", body.dump());
    if (!IsSuccess(result)) co_return FailedResponse("BatchWriteItem", result);
    const Json output = ParseJson(result.body);
    const auto unprocessed =
        output.is_object() ? output.find("UnprocessedItems") : output.end();
    if (unprocessed != output.end() && unprocessed->is_object() &&
        !unprocessed->empty()) {
      co_return Failed("BatchWriteItem left unprocessed items");
    }
    co_return Succeeded();
  }

  uint64_t OperationLimit() const override {
    return (config_.count + kDynamoDbBatch - 1) / kDynamoDbBatch;
  }

 private:
  WorkloadConfig config_;
};

}  // namespace

asio::awaitable<void> Workload::Prepare(Client&) { co_return; }

Outcome FailedResponse(const std::string& operation, const HttpResult& result) {
  return Failed(fmt::format("{} returned HTTP {}: {}", operation, result.status,
                            FirstBytes(result.body, 300)));
}

std::unique_ptr<Workload> CreateWorkload(const WorkloadConfig& config) {
  const std::string& name = config.name;
  if (name == "sts-get-caller-identity") {
    return std::make_unique<StsGetCallerIdentity>();
  }
  if (name == "s3-put-1k") return std::make_unique<S3Put>(config, kKiB);
  if (name == "s3-get-1k") return std::make_unique<S3Get>(config, kKiB);
  if (name == "s3-put-1m") return std::make_unique<S3Put>(config, kMiB);
  if (name == "s3-get-1m") return std::make_unique<S3Get>(config, kMiB);
  if (name == "s3-put-stream") return std::make_unique<S3PutStream>(config);
  if (name == "s3-get-stream") return std::make_unique<S3GetStream>(config);
  if (name == "sqs-send") return std::make_unique<SqsSend>(config);
  if (name == "sqs-receive-delete") {
    return std::make_unique<SqsReceiveDelete>(config);
  }
  if (name == "sqs-fill") return std::make_unique<SqsFill>(config);
  if (name == "ddb-put") return std::make_unique<DynamoDbPut>(config);
  if (name == "ddb-get") return std::make_unique<DynamoDbGet>(config);
  if (name == "ddb-query") return std::make_unique<DynamoDbQuery>(config);
  if (name == "ddb-transact") return std::make_unique<DynamoDbTransact>(config);
  if (name == "ddb-fill") return std::make_unique<DynamoDbFill>(config);
  return nullptr;
}

std::string WorkloadNames() {
  return "sts-get-caller-identity s3-put-1k s3-get-1k s3-put-1m s3-get-1m "
         "s3-put-stream s3-get-stream sqs-send sqs-receive-delete "
         "sqs-long-poll sqs-fill ddb-put ddb-get ddb-query ddb-transact "
         "ddb-fill";
}

}  // namespace brume::bench
