// DeleteMessage, DeleteMessageBatch, ChangeMessageVisibility and
// ChangeMessageVisibilityBatch.

#include "services/sqs/errors.h"
#include "services/sqs/queue_store.h"
#include "services/sqs/sqs.h"

namespace brume::sqs {
namespace {

constexpr int64_t kErase = -1;

AwsError MessageNotAvailable(std::string_view handle) {
  return InvalidParameter("ReceiptHandle", handle,
                          "Message does not exist or is not available for "
                          "visibility timeout change.");
}

Document FailedEntry(const std::string& id, const AwsError& error) {
  return {{"Id", id},
          {"SenderFault", error.sender_fault},
          {"Code", error.code},
          {"Message", error.message}};
}

}  // namespace

Status SqsService::StageDelete(Queue& queue, std::string_view handle,
                               platform::WriteBatch& batch,
                               PendingChanges& changes) {
  uint64_t seq = 0;
  std::string token;
  if (!ParseReceiptHandle(queue, handle, &seq, &token)) {
    return ReceiptHandleIsInvalid(handle);
  }
  auto it = queue.messages.find(seq);
  // A handle of a deleted message, or one from an earlier receive, succeeds
  // without deleting anything: AWS deletes only with the handle of the most
  // recent receive.
  if (it == queue.messages.end() || it->second.receipt_token != token) {
    return Status();
  }
  StageMessageDelete(batch, queue, seq);
  changes.emplace_back(seq, kErase);
  return Status();
}

Status SqsService::StageVisibilityChange(Queue& queue, std::string_view handle,
                                         const Document& timeout,
                                         int64_t now_ms,
                                         platform::WriteBatch& batch,
                                         PendingChanges& changes) {
  if (!timeout.is_number_integer() || timeout.get<int64_t>() < 0 ||
      timeout.get<int64_t>() > kMaxVisibilityTimeout) {
    return InvalidParameter("VisibilityTimeout", timeout.dump(),
                            "Must be between 0 and 43200, if provided.");
  }
  uint64_t seq = 0;
  std::string token;
  if (!ParseReceiptHandle(queue, handle, &seq, &token)) {
    return ReceiptHandleIsInvalid(handle);
  }
  auto it = queue.messages.find(seq);
  if (it == queue.messages.end() || it->second.receipt_token != token) {
    return MessageNotAvailable(handle);
  }
  Message& message = it->second;
  if (!message.InFlight(now_ms)) {
    return AwsError{"MessageNotInflight", "The message referred to isn't in flight.",
                    400};
  }
  int64_t visible_at = now_ms + timeout.get<int64_t>() * 1000;
  if (visible_at - message.last_receive_ms >
      int64_t{kMaxVisibilityTimeout} * 1000) {
    return InvalidParameter("VisibilityTimeout", timeout.dump(),
                            "Total VisibilityTimeout for the message is "
                            "beyond the limit [43200 seconds]");
  }
  Message copy = message;
  copy.visible_at_ms = visible_at;
  StageMessage(batch, queue, copy);
  changes.emplace_back(seq, visible_at);
  return Status();
}

void SqsService::ApplyChanges(Queue& queue, const PendingChanges& changes,
                              int64_t now_ms) {
  bool wake = false;
  for (const auto& [seq, visible_at] : changes) {
    auto it = queue.messages.find(seq);
    if (it == queue.messages.end()) continue;
    if (visible_at == kErase) {
      queue.EraseMessage(it);
      wake = wake || queue.fifo;  // the message's group is unlocked
      continue;
    }
    queue.SetVisibleAt(it->second, visible_at);
    if (visible_at <= now_ms) {
      wake = true;
    } else {
      ScheduleWake(queue, visible_at, now_ms);
    }
  }
  if (wake) WakeReceivers(queue);
}

Reply SqsService::DeleteMessage(RequestContext& ctx, Document& input) {
  auto queue_or = ResolveQueueUrl(ctx, input);
  if (!queue_or.ok()) return queue_or.error();
  Queue& queue = *queue_or.value();
  std::string handle = input.value("ReceiptHandle", "");

  std::lock_guard lock(queue.mutex);
  if (queue.deleted) return QueueDoesNotExist();
  platform::WriteBatch batch;
  PendingChanges changes;
  Status staged = StageDelete(queue, handle, batch, changes);
  if (!staged.ok()) return staged.error();
  if (!batch.empty()) {
    platform::Status status = storage_->Write(batch);
    if (!status.ok()) return StorageFailure("deleting message", status.message());
  }
  ApplyChanges(queue, changes, NowMs(ctx));
  return Document::object();
}

Reply SqsService::DeleteMessageBatch(RequestContext& ctx, Document& input) {
  auto queue_or = ResolveQueueUrl(ctx, input);
  if (!queue_or.ok()) return queue_or.error();
  Queue& queue = *queue_or.value();
  const Document entries = input.value("Entries", Document::array());
  Status ids = ValidateBatchEntryIds(entries, "DeleteMessageBatchRequestEntry");
  if (!ids.ok()) return ids.error();

  std::lock_guard lock(queue.mutex);
  if (queue.deleted) return QueueDoesNotExist();
  platform::WriteBatch batch;
  PendingChanges changes;
  Document successful = Document::array();
  Document failed = Document::array();
  for (const Document& entry : entries) {
    std::string id = entry.value("Id", "");
    Status staged =
        StageDelete(queue, entry.value("ReceiptHandle", ""), batch, changes);
    if (staged.ok()) {
      successful.push_back({{"Id", id}});
    } else {
      failed.push_back(FailedEntry(id, staged.error()));
    }
  }
  if (!batch.empty()) {
    platform::Status status = storage_->Write(batch);
    if (!status.ok()) return StorageFailure("deleting messages", status.message());
  }
  ApplyChanges(queue, changes, NowMs(ctx));
  Document output = {{"Successful", successful}, {"Failed", failed}};
  return output;
}

Reply SqsService::ChangeMessageVisibility(RequestContext& ctx, Document& input) {
  auto queue_or = ResolveQueueUrl(ctx, input);
  if (!queue_or.ok()) return queue_or.error();
  Queue& queue = *queue_or.value();
  int64_t now_ms = NowMs(ctx);

  std::lock_guard lock(queue.mutex);
  if (queue.deleted) return QueueDoesNotExist();
  platform::WriteBatch batch;
  PendingChanges changes;
  Status staged = StageVisibilityChange(
      queue, input.value("ReceiptHandle", ""),
      input.value("VisibilityTimeout", Document()), now_ms, batch, changes);
  if (!staged.ok()) return staged.error();
  platform::Status status = storage_->Write(batch);
  if (!status.ok()) return StorageFailure("changing visibility", status.message());
  ApplyChanges(queue, changes, now_ms);
  return Document::object();
}

Reply SqsService::ChangeMessageVisibilityBatch(RequestContext& ctx,
                                               Document& input) {
  auto queue_or = ResolveQueueUrl(ctx, input);
  if (!queue_or.ok()) return queue_or.error();
  Queue& queue = *queue_or.value();
  const Document entries = input.value("Entries", Document::array());
  Status ids = ValidateBatchEntryIds(
      entries, "ChangeMessageVisibilityBatchRequestEntry");
  if (!ids.ok()) return ids.error();
  int64_t now_ms = NowMs(ctx);

  std::lock_guard lock(queue.mutex);
  if (queue.deleted) return QueueDoesNotExist();
  platform::WriteBatch batch;
  PendingChanges changes;
  Document successful = Document::array();
  Document failed = Document::array();
  for (const Document& entry : entries) {
    std::string id = entry.value("Id", "");
    // VisibilityTimeout is optional in a batch entry; absent means 0.
    Document timeout = entry.value("VisibilityTimeout", Document(0));
    Status staged = StageVisibilityChange(
        queue, entry.value("ReceiptHandle", ""), timeout, now_ms, batch,
        changes);
    if (staged.ok()) {
      successful.push_back({{"Id", id}});
    } else {
      failed.push_back(FailedEntry(id, staged.error()));
    }
  }
  if (!batch.empty()) {
    platform::Status status = storage_->Write(batch);
    if (!status.ok()) {
      return StorageFailure("changing visibility", status.message());
    }
  }
  ApplyChanges(queue, changes, now_ms);
  Document output = {{"Successful", successful}, {"Failed", failed}};
  return output;
}

}  // namespace brume::sqs
