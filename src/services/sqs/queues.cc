// CreateQueue, DeleteQueue, GetQueueUrl, ListQueues and PurgeQueue.

#include <fmt/format.h>

#include "platform/strings.h"
#include "services/sqs/errors.h"
#include "services/sqs/queue_store.h"
#include "services/sqs/sqs.h"

namespace brume::sqs {
namespace {

constexpr size_t kMaxQueueNameLength = 80;
constexpr size_t kMaxTags = 50;
constexpr int kMaxListResults = 1000;

bool ValidQueueName(std::string_view name, bool fifo) {
  if (name.empty() || name.size() > kMaxQueueNameLength) return false;
  if (fifo) {
    if (!name.ends_with(".fifo")) return false;
    name.remove_suffix(5);
    if (name.empty()) return false;
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::map<std::string, std::string> DefaultAttributes(bool fifo) {
  std::map<std::string, std::string> attributes = {
      {"VisibilityTimeout", "30"},
      {"MaximumMessageSize", std::to_string(kMaxMessageSize)},
      {"MessageRetentionPeriod", "345600"},
      {"DelaySeconds", "0"},
      {"ReceiveMessageWaitTimeSeconds", "0"},
      {"SqsManagedSseEnabled", "true"},
  };
  if (fifo) {
    attributes["ContentBasedDeduplication"] = "false";
    attributes["DeduplicationScope"] = "queue";
    attributes["FifoThroughputLimit"] = "perQueue";
  }
  return attributes;
}

}  // namespace

Reply SqsService::CreateQueue(RequestContext& ctx, Document& input) {
  std::string name = input.value("QueueName", "");
  Document attributes = input.value("Attributes", Document::object());
  bool fifo = false;
  if (attributes.contains("FifoQueue")) {
    const Document& value = attributes["FifoQueue"];
    fifo = (value.is_string() && value.get<std::string>() == "true") ||
           (value.is_boolean() && value.get<bool>());
  }
  if (!ValidQueueName(name, fifo)) {
    if (fifo || name.ends_with(".fifo")) {
      return InvalidParameterValue(
          "The name of a FIFO queue can only include alphanumeric "
          "characters, hyphens, or underscores, must end with .fifo suffix "
          "and be 1 to 80 in length.");
    }
    return InvalidParameterValue(
        "Can only include alphanumeric characters, hyphens, or underscores. "
        "1 to 80 in length");
  }

  std::string arn = QueueArn(ctx.region, ctx.account_id, name);
  std::map<std::string, std::string> validated;
  Status valid =
      ValidateAttributes(attributes, arn, fifo, /*creating=*/true, &validated);
  if (!valid.ok()) return valid.error();

  Document tags = input.value("tags", Document::object());
  if (tags.size() > kMaxTags) {
    return InvalidParameterValue(
        fmt::format("Too many tags added for queue {}.", name));
  }

  int64_t now_ms = NowMs(ctx);
  std::unique_lock lock(queues_mutex_);
  auto existing = queues_.find(arn);
  if (existing != queues_.end()) {
    // CreateQueue is idempotent for equal attributes; tags do not count.
    Queue& queue = *existing->second;
    std::lock_guard queue_lock(queue.mutex);
    for (const auto& [attribute, value] : validated) {
      auto current = queue.attributes.find(attribute);
      std::string current_value =
          current == queue.attributes.end() ? "" : current->second;
      if (current_value != value) {
        return AwsError{
            "QueueNameExists",
            fmt::format("A queue already exists with the same name and a "
                        "different value for attribute {}",
                        attribute),
            400};
      }
    }
    Document output = {{"QueueUrl", QueueUrl(ctx, queue)}};
    return output;
  }
  auto deleted = deleted_at_ms_.find(arn);
  if (deleted != deleted_at_ms_.end()) {
    if (now_ms - deleted->second < kQueueDeletedRecentlyMs) {
      return AwsError{"QueueDeletedRecently",
                      "You must wait 60 seconds after deleting a queue "
                      "before you can create another with the same name.",
                      400};
    }
    deleted_at_ms_.erase(deleted);
  }

  auto queue = std::make_shared<Queue>();
  queue->arn = arn;
  queue->name = name;
  queue->account = ctx.account_id;
  queue->region = ctx.region;
  queue->fifo = fifo;
  queue->created_s = now_ms / 1000;
  queue->last_modified_s = queue->created_s;
  queue->attributes = DefaultAttributes(fifo);
  for (auto& [attribute, value] : validated) {
    if (value.empty()) continue;
    queue->attributes[attribute] = value;
    if (attribute == "KmsMasterKeyId") {
      queue->attributes["SqsManagedSseEnabled"] = "false";
      queue->attributes.try_emplace("KmsDataKeyReusePeriodSeconds", "300");
    }
  }
  for (auto it = tags.begin(); it != tags.end(); ++it) {
    if (it.value().is_string()) queue->tags[it.key()] = it.value();
  }
  UpdateConfig(*queue);

  platform::WriteBatch batch;
  StageQueue(batch, *queue);
  platform::Status status = storage_->Write(batch);
  if (!status.ok()) return StorageFailure("creating queue", status.message());
  queues_[arn] = queue;

  Document output = {{"QueueUrl", QueueUrl(ctx, *queue)}};
  return output;
}

Reply SqsService::DeleteQueue(RequestContext& ctx, Document& input) {
  auto queue_or = ResolveQueueUrl(ctx, input);
  if (!queue_or.ok()) return queue_or.error();
  std::shared_ptr<Queue> queue = queue_or.value();

  // Delete every stored row of the queue, including messages a concurrent
  // dead-letter move committed but has not yet added to memory.
  platform::WriteBatch batch;
  batch.Delete(std::string(kQueueTable), queue->arn);
  std::string prefix = queue->arn + "\n";
  for (std::string_view table : {kMessageTable, kDeduplicationTable}) {
    platform::Status scanned = storage_->Scan(
        table, prefix, "", 0, [&](std::string_view key, std::string_view) {
          batch.Delete(std::string(table), std::string(key));
          return true;
        });
    if (!scanned.ok()) {
      return StorageFailure("listing queue rows", scanned.message());
    }
  }

  {
    std::unique_lock lock(queues_mutex_);
    auto it = queues_.find(queue->arn);
    if (it == queues_.end() || it->second != queue) return QueueDoesNotExist();
    platform::Status status = storage_->Write(batch);
    if (!status.ok()) return StorageFailure("deleting queue", status.message());
    queues_.erase(it);
    deleted_at_ms_[queue->arn] = NowMs(ctx);
  }

  std::lock_guard queue_lock(queue->mutex);
  queue->deleted = true;
  queue->messages.clear();
  queue->by_visible_at.clear();
  WakeReceivers(*queue);  // waiting receives now fail with QueueDoesNotExist
  return Document::object();
}

Reply SqsService::GetQueueUrl(RequestContext& ctx, Document& input) {
  std::string name = input.value("QueueName", "");
  std::string account = input.value("QueueOwnerAWSAccountId", ctx.account_id);
  std::shared_ptr<Queue> queue = FindQueue(QueueArn(ctx.region, account, name));
  if (queue == nullptr) return QueueDoesNotExist();
  Document output = {{"QueueUrl", QueueUrl(ctx, *queue)}};
  return output;
}

Reply SqsService::ListQueues(RequestContext& ctx, Document& input) {
  int max_results = kMaxListResults;
  bool paginate = input.contains("MaxResults");
  if (paginate) {
    const Document& value = input["MaxResults"];
    int64_t requested = value.is_number_integer() ? value.get<int64_t>() : 0;
    if (requested < 1 || requested > kMaxListResults) {
      return InvalidParameter("MaxResults", value.dump(),
                              "MaxResults must be an integer between 1 and "
                              "1000.");
    }
    max_results = static_cast<int>(requested);
  }

  std::string account_prefix = QueueArn(ctx.region, ctx.account_id, "");
  std::string after;
  if (input.contains("NextToken")) {
    std::string token = input.value("NextToken", "");
    if (!platform::Base64Decode(token, &after) ||
        !after.starts_with(account_prefix)) {
      return InvalidParameterValue("Invalid NextToken value.");
    }
  }

  std::string prefix = account_prefix + input.value("QueueNamePrefix", "");
  std::vector<std::string> urls;
  std::string last_arn;
  bool more = false;
  for (const std::shared_ptr<Queue>& queue : QueuesWithPrefix(prefix)) {
    if (!after.empty() && queue->arn <= after) continue;
    if (static_cast<int>(urls.size()) == max_results) {
      more = true;
      break;
    }
    urls.push_back(QueueUrl(ctx, *queue));
    last_arn = queue->arn;
  }

  Document output = Document::object();
  if (!urls.empty()) output["QueueUrls"] = urls;
  if (more && paginate) output["NextToken"] = platform::Base64Encode(last_arn);
  return output;
}

Reply SqsService::PurgeQueue(RequestContext& ctx, Document& input) {
  auto queue_or = ResolveQueueUrl(ctx, input);
  if (!queue_or.ok()) return queue_or.error();
  Queue& queue = *queue_or.value();
  int64_t now_ms = NowMs(ctx);

  std::lock_guard lock(queue.mutex);
  if (queue.deleted) return QueueDoesNotExist();
  if (queue.last_purge_ms != 0 &&
      now_ms - queue.last_purge_ms < kPurgeIntervalMs) {
    return AwsError{"PurgeQueueInProgress",
                    fmt::format("Only one PurgeQueue operation on {} is "
                                "allowed every 60 seconds.",
                                queue.name),
                    403};  // the status of PurgeQueueInProgress in the model
  }

  platform::WriteBatch batch;
  for (const auto& [seq, message] : queue.messages) {
    StageMessageDelete(batch, queue, seq);
  }
  platform::Status status = storage_->Write(batch);
  if (!status.ok()) return StorageFailure("purging queue", status.message());
  queue.messages.clear();
  queue.by_visible_at.clear();
  queue.receive_attempts.clear();
  queue.last_purge_ms = now_ms;
  return Document::object();
}

}  // namespace brume::sqs
