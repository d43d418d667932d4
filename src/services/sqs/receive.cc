// ReceiveMessage: visibility, FIFO group locking and receive attempts,
// dead-letter moves after maxReceiveCount, and long polling.

#include <chrono>
#include <optional>
#include <set>

#include "platform/ids.h"
#include "services/sqs/errors.h"
#include "services/sqs/message_md5.h"
#include "services/sqs/queue_store.h"
#include "services/sqs/sqs.h"

namespace brume::sqs {
namespace {

// Input member where a waiting ReceiveMessage keeps the steady-clock
// deadline of its first call, since the server calls the handler again with
// the same input document after each wake-up.
constexpr const char* kWaitDeadlineMember = "__brume_wait_deadline_ms";

int64_t SteadyNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Reads an optional integer member within [min, max]. `reason` is the
// Reason of the InvalidParameterValue error AWS returns otherwise.
Status OptionalInt(const Document& input, const char* name, int64_t min,
                   int64_t max, std::string_view reason, int* value) {
  auto it = input.find(name);
  if (it == input.end()) return Status();
  if (!it->is_number_integer() || it->get<int64_t>() < min ||
      it->get<int64_t>() > max) {
    return InvalidParameter(name, it->dump(), reason);
  }
  *value = static_cast<int>(it->get<int64_t>());
  return Status();
}

// Message attributes a receive requested.
struct AttributeSelection {
  bool all_system = false;
  std::set<std::string> system;
  bool all_user = false;
  std::set<std::string> user;
  std::vector<std::string> user_prefixes;  // from "<prefix>.*"

  bool WantsSystem(const char* name) const {
    return all_system || system.contains(name);
  }
  bool WantsUser(const std::string& name) const {
    if (all_user || user.contains(name)) return true;
    for (const std::string& prefix : user_prefixes) {
      if (name.starts_with(prefix)) return true;
    }
    return false;
  }
};

AttributeSelection SelectAttributes(const Document& input) {
  AttributeSelection selection;
  for (const char* member : {"AttributeNames", "MessageSystemAttributeNames"}) {
    for (const std::string& name : StringList(input, member)) {
      if (name == "All") selection.all_system = true;
      selection.system.insert(name);
    }
  }
  for (const std::string& name : StringList(input, "MessageAttributeNames")) {
    if (name == "All" || name == ".*") {
      selection.all_user = true;
    } else if (name.size() > 2 && name.ends_with(".*")) {
      selection.user_prefixes.push_back(name.substr(0, name.size() - 1));
    } else {
      selection.user.insert(name);
    }
  }
  return selection;
}

Document MessageOutput(const Queue& queue, const Message& message,
                       const std::string& receipt_handle,
                       const AttributeSelection& selection) {
  Document out = {{"MessageId", message.id},
                  {"ReceiptHandle", receipt_handle},
                  {"MD5OfBody", message.md5_of_body},
                  {"Body", message.body}};

  Document attributes = Document::object();
  auto add = [&](const char* name, const std::string& value) {
    if (!value.empty() && selection.WantsSystem(name)) attributes[name] = value;
  };
  add("SenderId", message.sender_id);
  add("SentTimestamp", std::to_string(message.sent_ms));
  add("ApproximateReceiveCount", std::to_string(message.receive_count));
  add("ApproximateFirstReceiveTimestamp",
      std::to_string(message.first_receive_ms));
  if (queue.fifo) add("SequenceNumber", SequenceNumber(message.seq));
  add("MessageDeduplicationId", message.deduplication_id);
  add("MessageGroupId", message.group_id);
  if (message.system_attributes.contains("AWSTraceHeader")) {
    add("AWSTraceHeader", message.system_attributes["AWSTraceHeader"].value(
                              "StringValue", ""));
  }
  add("DeadLetterQueueSourceArn", message.dead_letter_source_arn);
  if (!attributes.empty()) out["Attributes"] = std::move(attributes);

  Document user = Document::object();
  for (auto it = message.attributes.begin(); it != message.attributes.end();
       ++it) {
    if (selection.WantsUser(it.key())) user[it.key()] = it.value();
  }
  if (!user.empty()) {
    // The digest covers the attributes returned, which SDKs check it
    // against.
    out["MD5OfMessageAttributes"] = MessageAttributesMd5(user);
    out["MessageAttributes"] = std::move(user);
  }
  return out;
}

}  // namespace

void SqsService::ExpireMessages(Queue& queue, int64_t now_ms,
                                platform::WriteBatch& batch) {
  int64_t retention_ms = int64_t{queue.config.message_retention_period} * 1000;
  for (auto it = queue.messages.begin(); it != queue.messages.end();) {
    if (it->second.sent_ms + retention_ms <= now_ms) {
      StageMessageDelete(batch, queue, it->first);
      auto expired = it++;
      queue.EraseMessage(expired);
    } else {
      ++it;
    }
  }
}

void SqsService::DeliverMoved(const std::string& dlq_arn,
                              std::vector<Message> moved) {
  if (moved.empty()) return;
  std::shared_ptr<Queue> dlq = FindQueue(dlq_arn);
  if (dlq == nullptr) return;  // deleted meanwhile; DeleteQueue dropped the rows
  std::lock_guard lock(dlq->mutex);
  if (dlq->deleted) return;
  for (Message& message : moved) dlq->InsertMessage(std::move(message));
  WakeReceivers(*dlq);
}

Reply SqsService::ReceiveMessage(RequestContext& ctx, Document& input) {
  auto queue_or = ResolveQueueUrl(ctx, input);
  if (!queue_or.ok()) return queue_or.error();
  Queue& queue = *queue_or.value();

  int max_messages = 1;
  Status valid = OptionalInt(input, "MaxNumberOfMessages", 1, kMaxBatchEntries,
                             "Must be between 1 and 10, if provided.",
                             &max_messages);
  if (!valid.ok()) return valid.error();
  int visibility_timeout = -1;
  valid = OptionalInt(input, "VisibilityTimeout", 0, kMaxVisibilityTimeout,
                      "Must be between 0 and 43200, if provided.",
                      &visibility_timeout);
  if (!valid.ok()) return valid.error();
  int wait_seconds = -1;
  valid = OptionalInt(input, "WaitTimeSeconds", 0, kMaxWaitTimeSeconds,
                      "Must be >= 0 and <= 20, if provided.", &wait_seconds);
  if (!valid.ok()) return valid.error();
  AttributeSelection selection = SelectAttributes(input);
  std::string attempt_id = input.value("ReceiveRequestAttemptId", "");

  // The dead-letter queue is looked up before the queue lock is taken,
  // because the registry lock must not be awaited under a queue lock.
  std::string dlq_arn;
  {
    std::lock_guard lock(queue.mutex);
    dlq_arn = queue.config.dead_letter_target_arn;
  }
  std::shared_ptr<Queue> dlq = dlq_arn.empty() ? nullptr : FindQueue(dlq_arn);

  int64_t now_ms = NowMs(ctx);
  Document output_messages = Document::array();
  std::vector<Message> moved;
  std::optional<WaitAndRetry> wait;
  {
    std::lock_guard lock(queue.mutex);
    if (queue.deleted) return QueueDoesNotExist();
    const QueueConfig& config = queue.config;
    if (visibility_timeout < 0) visibility_timeout = config.visibility_timeout;
    if (wait_seconds < 0) {
      wait_seconds = config.receive_message_wait_time_seconds;
    }

    // A retried FIFO receive with the same ReceiveRequestAttemptId gets
    // the same messages and receipt handles while they are still in
    // flight from that attempt.
    if (queue.fifo && !attempt_id.empty()) {
      auto attempt = queue.receive_attempts.find(attempt_id);
      if (attempt != queue.receive_attempts.end() &&
          attempt->second.expires_ms > now_ms) {
        Document repeated = Document::array();
        for (const auto& [seq, token] : attempt->second.received) {
          auto it = queue.messages.find(seq);
          if (it == queue.messages.end() || it->second.receipt_token != token ||
              !it->second.InFlight(now_ms)) {
            repeated = nullptr;
            break;
          }
          repeated.push_back(MessageOutput(
              queue, it->second, ReceiptHandle(queue, it->second), selection));
        }
        if (repeated.is_array() && !repeated.empty()) {
          Document output = {{"Messages", std::move(repeated)}};
          return output;
        }
      }
    }

    // Candidates in delivery order.
    std::vector<uint64_t> candidates;
    if (queue.fifo) {
      // A group is locked while one of its messages is in flight, and its
      // messages leave strictly in order.
      std::set<std::string> blocked;
      for (const auto& [seq, message] : queue.messages) {
        if (message.InFlight(now_ms)) blocked.insert(message.group_id);
      }
      for (const auto& [seq, message] : queue.messages) {
        if (blocked.contains(message.group_id)) continue;
        if (message.visible_at_ms > now_ms) {
          blocked.insert(message.group_id);
          continue;
        }
        candidates.push_back(seq);
      }
    } else {
      // Bounded, so a receive costs the same on a long queue as on a short
      // one. Expired messages among the first candidates are dropped on the
      // way, so a receive may return fewer messages than are available, as
      // SQS short polls also may.
      constexpr size_t kMaxCandidates = 256;
      for (auto it = queue.by_visible_at.begin();
           it != queue.by_visible_at.end() && it->first <= now_ms &&
           candidates.size() < kMaxCandidates;
           ++it) {
        candidates.push_back(it->second);
      }
    }

    // Decide each candidate's fate on copies; memory changes only after the
    // batch committed.
    int64_t retention_ms = int64_t{config.message_retention_period} * 1000;
    bool move_to_dlq = dlq != nullptr && config.max_receive_count > 0;
    platform::WriteBatch batch;
    std::vector<uint64_t> expired_seqs;
    std::vector<uint64_t> moved_seqs;
    std::vector<Message> delivered;
    for (uint64_t seq : candidates) {
      if (static_cast<int>(delivered.size()) == max_messages) break;
      const Message& message = queue.messages.at(seq);
      if (message.sent_ms + retention_ms <= now_ms) {
        StageMessageDelete(batch, queue, seq);
        expired_seqs.push_back(seq);
        continue;
      }
      if (move_to_dlq && message.receive_count >= config.max_receive_count) {
        Message copy = message;
        copy.seq = NextSeq();
        copy.visible_at_ms = now_ms;
        copy.receipt_token.clear();
        copy.dead_letter_source_arn = queue.arn;
        StageMessageDelete(batch, queue, seq);
        StageMessage(batch, *dlq, copy);
        moved_seqs.push_back(seq);
        moved.push_back(std::move(copy));
        continue;
      }
      Message copy = message;
      copy.receive_count += 1;
      if (copy.first_receive_ms == 0) copy.first_receive_ms = now_ms;
      copy.last_receive_ms = now_ms;
      copy.receipt_token = platform::RandomHex(16);
      copy.visible_at_ms = now_ms + int64_t{visibility_timeout} * 1000;
      StageMessage(batch, queue, copy);
      delivered.push_back(std::move(copy));
    }

    if (!batch.empty()) {
      platform::Status status = storage_->Write(batch);
      if (!status.ok()) {
        moved.clear();
        return StorageFailure("receiving messages", status.message());
      }
    }
    for (uint64_t seq : expired_seqs) {
      queue.EraseMessage(queue.messages.find(seq));
    }
    for (uint64_t seq : moved_seqs) {
      queue.EraseMessage(queue.messages.find(seq));
    }

    ReceiveAttempt attempt;
    attempt.expires_ms = now_ms + kDeduplicationWindowMs;
    for (Message& copy : delivered) {
      Message& message = queue.messages.at(copy.seq);
      queue.SetVisibleAt(message, copy.visible_at_ms);
      message.receive_count = copy.receive_count;
      message.first_receive_ms = copy.first_receive_ms;
      message.last_receive_ms = copy.last_receive_ms;
      message.receipt_token = copy.receipt_token;
      attempt.received.emplace_back(message.seq, message.receipt_token);
      output_messages.push_back(MessageOutput(
          queue, message, ReceiptHandle(queue, message), selection));
    }
    if (!delivered.empty()) {
      ScheduleWake(queue, now_ms + int64_t{visibility_timeout} * 1000, now_ms);
    }
    if (queue.fifo && !attempt_id.empty() && !delivered.empty()) {
      if (queue.receive_attempts.size() > 1000) {
        std::erase_if(queue.receive_attempts, [&](const auto& entry) {
          return entry.second.expires_ms <= now_ms;
        });
      }
      queue.receive_attempts[attempt_id] = std::move(attempt);
    }

    if (output_messages.empty() && wait_seconds > 0 && !ctx.wait_expired) {
      int64_t steady_now_ms = SteadyNowMs();
      if (!input.contains(kWaitDeadlineMember)) {
        input[kWaitDeadlineMember] =
            steady_now_ms + int64_t{wait_seconds} * 1000;
      }
      int64_t deadline_ms = input[kWaitDeadlineMember].get<int64_t>();
      if (deadline_ms > steady_now_ms) {
        int64_t waiting = queue.waiting_until_ms.load();
        while (waiting < deadline_ms &&
               !queue.waiting_until_ms.compare_exchange_weak(waiting,
                                                             deadline_ms)) {
        }
        wait = WaitAndRetry{"sqs:" + queue.arn,
                            std::chrono::steady_clock::time_point(
                                std::chrono::milliseconds(deadline_ms))};
      }
    }
  }

  // Outside the queue lock, because DeliverMoved takes the DLQ's lock.
  DeliverMoved(dlq_arn, std::move(moved));
  if (wait.has_value()) return *wait;

  Document output = Document::object();
  if (!output_messages.empty()) output["Messages"] = std::move(output_messages);
  return output;
}

}  // namespace brume::sqs
