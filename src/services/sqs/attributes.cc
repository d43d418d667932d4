// GetQueueAttributes, SetQueueAttributes, and the validation of queue
// attributes that CreateQueue shares.

#include <set>

#include <fmt/format.h>

#include "platform/strings.h"
#include "services/sqs/errors.h"
#include "services/sqs/queue_store.h"
#include "services/sqs/sqs.h"

namespace brume::sqs {
namespace {

constexpr size_t kMaxPolicyBytes = 8192;
// A policy nests five levels deep; deeper documents are rejected.
constexpr size_t kMaxPolicyNesting = 16;

struct IntRange {
  const char* name;
  int64_t min;
  int64_t max;
};

constexpr IntRange kIntAttributes[] = {
    {"VisibilityTimeout", 0, kMaxVisibilityTimeout},
    {"MaximumMessageSize", kMinMessageSize, kMaxMessageSize},
    {"MessageRetentionPeriod", kMinRetentionSeconds, kMaxRetentionSeconds},
    {"DelaySeconds", 0, kMaxDelaySeconds},
    {"ReceiveMessageWaitTimeSeconds", 0, kMaxWaitTimeSeconds},
    {"KmsDataKeyReusePeriodSeconds", 60, 86400},
};

const std::set<std::string, std::less<>> kFifoOnlyAttributes = {
    "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"};

const std::set<std::string, std::less<>> kReadOnlyAttributes = {
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "QueueArn",
};

bool ParseInt(const std::string& text, int64_t* value) {
  if (text.empty() || text.size() > 12) return false;
  size_t start = text[0] == '-' ? 1 : 0;
  if (start == text.size() ||
      text.find_first_not_of("0123456789", start) != std::string::npos) {
    return false;
  }
  *value = std::stoll(text);
  return true;
}

std::string AttributeValue(const Document& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number()) return value.dump();
  return {};
}

AwsError RedriveError(std::string_view value, std::string_view reason) {
  return InvalidParameter("RedrivePolicy", value, reason);
}

}  // namespace

Status SqsService::ValidateAttributes(
    const Document& attributes, const std::string& queue_arn, bool fifo,
    bool creating, std::map<std::string, std::string>* out) const {
  for (auto it = attributes.begin(); it != attributes.end(); ++it) {
    const std::string& name = it.key();
    std::string value = AttributeValue(it.value());

    if (kReadOnlyAttributes.contains(name) || name == "All") {
      return InvalidAttributeName(name);
    }
    if (kFifoOnlyAttributes.contains(name) && !fifo) {
      return InvalidAttributeName(name);
    }

    const IntRange* range = nullptr;
    for (const IntRange& candidate : kIntAttributes) {
      if (name == candidate.name) range = &candidate;
    }
    if (range != nullptr) {
      int64_t number = 0;
      if (!ParseInt(value, &number) || number < range->min ||
          number > range->max) {
        return InvalidAttributeValue(name);
      }
      (*out)[name] = std::to_string(number);
      continue;
    }

    if (name == "FifoQueue") {
      // FifoQueue is fixed at creation; CreateQueue checks it against the
      // name before calling here.
      if (!creating) return InvalidAttributeName(name);
      if (value != "true" && value != "false") {
        return InvalidAttributeValue(name);
      }
      continue;
    }
    if (name == "ContentBasedDeduplication" || name == "SqsManagedSseEnabled") {
      if (value != "true" && value != "false") {
        return InvalidAttributeValue(name);
      }
      (*out)[name] = value;
      continue;
    }
    if (name == "DeduplicationScope") {
      if (value != "messageGroup" && value != "queue") {
        return InvalidAttributeValue(name);
      }
      (*out)[name] = value;
      continue;
    }
    if (name == "FifoThroughputLimit") {
      if (value != "perQueue" && value != "perMessageGroupId") {
        return InvalidAttributeValue(name);
      }
      (*out)[name] = value;
      continue;
    }
    if (name == "KmsMasterKeyId") {
      (*out)[name] = value;
      continue;
    }
    if (name == "Policy") {
      if (!value.empty()) {
        // SQS policy quotas: 8,192 bytes. The nesting check keeps a hostile
        // document from exhausting the stack in the recursive parser.
        if (value.size() > kMaxPolicyBytes ||
            platform::JsonNestingDepth(value) > kMaxPolicyNesting) {
          return InvalidAttributeValue(name);
        }
        Document policy = Document::parse(value, nullptr, false);
        if (!policy.is_object()) return InvalidAttributeValue(name);
      }
      (*out)[name] = value;
      continue;
    }
    if (name == "RedrivePolicy") {
      if (value.empty()) {
        (*out)[name] = value;
        continue;
      }
      Document policy = Document::parse(value, nullptr, false);
      if (!policy.is_object()) {
        return RedriveError(value, "Invalid value for the parameter RedrivePolicy.");
      }
      if (!policy.contains("deadLetterTargetArn") ||
          !policy["deadLetterTargetArn"].is_string()) {
        return RedriveError(value,
                            "Redrive policy is not a valid JSON map: "
                            "deadLetterTargetArn is missing.");
      }
      int64_t max_receive_count = 0;
      const Document& count = policy["maxReceiveCount"];
      bool count_ok = count.is_number_integer()
                          ? (max_receive_count = count.get<int64_t>(), true)
                          : count.is_string() &&
                                ParseInt(count.get<std::string>(),
                                         &max_receive_count);
      if (!count_ok || max_receive_count < 1 || max_receive_count > 1000) {
        return RedriveError(value,
                            "Invalid value for maxReceiveCount: must be an "
                            "integer from 1 to 1000.");
      }
      std::string target_arn = policy["deadLetterTargetArn"].get<std::string>();
      std::shared_ptr<Queue> target = FindQueue(target_arn);
      if (target == nullptr) {
        return RedriveError(value, "Dead letter target does not exist.");
      }
      std::string allow;
      {
        std::lock_guard lock(target->mutex);
        if (target->fifo != fifo) {
          return RedriveError(value,
                              "Dead-letter queue must be same type of queue "
                              "as the source.");
        }
        auto it_allow = target->attributes.find("RedriveAllowPolicy");
        if (it_allow != target->attributes.end()) allow = it_allow->second;
      }
      if (!allow.empty()) {
        Document allow_policy = Document::parse(allow, nullptr, false);
        std::string permission = allow_policy.value("redrivePermission", "");
        bool allowed = permission != "denyAll";
        if (permission == "byQueue") {
          allowed = false;
          for (const Document& arn :
               allow_policy.value("sourceQueueArns", Document::array())) {
            if (arn.is_string() && arn.get<std::string>() == queue_arn) {
              allowed = true;
            }
          }
        }
        if (!allowed) {
          return RedriveError(value,
                              "The dead-letter queue's RedriveAllowPolicy "
                              "does not allow this source queue.");
        }
      }
      Document canonical = {{"deadLetterTargetArn", target_arn},
                            {"maxReceiveCount", max_receive_count}};
      (*out)[name] = canonical.dump();
      continue;
    }
    if (name == "RedriveAllowPolicy") {
      if (value.empty()) {
        (*out)[name] = value;
        continue;
      }
      Document policy = Document::parse(value, nullptr, false);
      std::string permission =
          policy.is_object() ? policy.value("redrivePermission", "") : "";
      if (permission != "allowAll" && permission != "denyAll" &&
          permission != "byQueue") {
        return InvalidParameter(name, value,
                                "Amazon SQS can't create the redrive allow "
                                "policy, as it's in an unsupported format.");
      }
      bool has_arns = policy.contains("sourceQueueArns");
      if (permission == "byQueue") {
        const Document& arns = policy["sourceQueueArns"];
        if (!arns.is_array() || arns.empty() || arns.size() > 10) {
          return InvalidParameter(name, value,
                                  "byQueue requires sourceQueueArns with 1 "
                                  "to 10 queue ARNs.");
        }
      } else if (has_arns) {
        return InvalidParameter(name, value,
                                "sourceQueueArns is only valid when "
                                "redrivePermission is byQueue.");
      }
      (*out)[name] = policy.dump();
      continue;
    }
    return InvalidAttributeName(name);
  }
  return Status();
}

Document SqsService::QueueAttributes(const Queue& queue, const Document& names,
                                     int64_t now_ms) {
  std::set<std::string> wanted;
  bool all = false;
  for (const Document& name : names) {
    if (!name.is_string()) continue;
    if (name.get<std::string>() == "All") all = true;
    wanted.insert(name.get<std::string>());
  }
  auto want = [&](const char* name) { return all || wanted.contains(name); };

  Document out = Document::object();
  for (const auto& [name, value] : queue.attributes) {
    if (value.empty()) continue;  // removed Policy or RedrivePolicy
    if (want(name.c_str())) out[name] = value;
  }
  if (want("FifoQueue") && queue.fifo) out["FifoQueue"] = "true";
  if (want("QueueArn")) out["QueueArn"] = queue.arn;
  if (want("CreatedTimestamp")) {
    out["CreatedTimestamp"] = std::to_string(queue.created_s);
  }
  if (want("LastModifiedTimestamp")) {
    out["LastModifiedTimestamp"] = std::to_string(queue.last_modified_s);
  }
  if (want("ApproximateNumberOfMessages") ||
      want("ApproximateNumberOfMessagesNotVisible") ||
      want("ApproximateNumberOfMessagesDelayed")) {
    int64_t visible = 0, in_flight = 0, delayed = 0;
    for (const auto& [seq, message] : queue.messages) {
      if (message.InFlight(now_ms)) {
        ++in_flight;
      } else if (message.Delayed(now_ms)) {
        ++delayed;
      } else {
        ++visible;
      }
    }
    if (want("ApproximateNumberOfMessages")) {
      out["ApproximateNumberOfMessages"] = std::to_string(visible);
    }
    if (want("ApproximateNumberOfMessagesNotVisible")) {
      out["ApproximateNumberOfMessagesNotVisible"] = std::to_string(in_flight);
    }
    if (want("ApproximateNumberOfMessagesDelayed")) {
      out["ApproximateNumberOfMessagesDelayed"] = std::to_string(delayed);
    }
  }
  return out;
}

Reply SqsService::GetQueueAttributes(RequestContext& ctx, Document& input) {
  auto queue_or = ResolveQueueUrl(ctx, input);
  if (!queue_or.ok()) return queue_or.error();
  Queue& queue = *queue_or.value();

  Document names = input.value("AttributeNames", Document::array());
  for (const Document& name : names) {
    std::string text = name.is_string() ? name.get<std::string>() : "";
    static const std::set<std::string, std::less<>> kKnown = {
        "All", "Policy", "VisibilityTimeout", "MaximumMessageSize",
        "MessageRetentionPeriod", "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible", "CreatedTimestamp",
        "LastModifiedTimestamp", "QueueArn",
        "ApproximateNumberOfMessagesDelayed", "DelaySeconds",
        "ReceiveMessageWaitTimeSeconds", "RedrivePolicy", "FifoQueue",
        "ContentBasedDeduplication", "KmsMasterKeyId",
        "KmsDataKeyReusePeriodSeconds", "DeduplicationScope",
        "FifoThroughputLimit", "RedriveAllowPolicy", "SqsManagedSseEnabled"};
    if (!kKnown.contains(text)) return InvalidAttributeName(text);
  }

  int64_t now_ms = NowMs(ctx);
  std::lock_guard lock(queue.mutex);
  if (queue.deleted) return QueueDoesNotExist();

  // Drop expired messages first, so the counts are exact.
  platform::WriteBatch batch;
  ExpireMessages(queue, now_ms, batch);
  if (!batch.empty()) {
    platform::Status status = storage_->Write(batch);
    if (!status.ok()) return StorageFailure("expiring messages", status.message());
  }

  Document output = Document::object();
  Document attributes = QueueAttributes(queue, names, now_ms);
  if (!attributes.empty()) output["Attributes"] = std::move(attributes);
  return output;
}

Reply SqsService::SetQueueAttributes(RequestContext& ctx, Document& input) {
  auto queue_or = ResolveQueueUrl(ctx, input);
  if (!queue_or.ok()) return queue_or.error();
  Queue& queue = *queue_or.value();

  std::map<std::string, std::string> changes;
  Status valid =
      ValidateAttributes(input.value("Attributes", Document::object()),
                         queue.arn, queue.fifo, /*creating=*/false, &changes);
  if (!valid.ok()) return valid.error();

  std::lock_guard lock(queue.mutex);
  if (queue.deleted) return QueueDoesNotExist();
  std::map<std::string, std::string> previous = queue.attributes;
  int64_t previous_modified_s = queue.last_modified_s;
  for (auto& [name, value] : changes) {
    if (name == "KmsMasterKeyId" && !value.empty()) {
      queue.attributes["SqsManagedSseEnabled"] = "false";
      queue.attributes.try_emplace("KmsDataKeyReusePeriodSeconds", "300");
    }
    if (name == "SqsManagedSseEnabled" && value == "true") {
      queue.attributes.erase("KmsMasterKeyId");
      queue.attributes.erase("KmsDataKeyReusePeriodSeconds");
    }
    if (value.empty()) {
      queue.attributes.erase(name);
    } else {
      queue.attributes[name] = value;
    }
  }
  queue.last_modified_s = NowMs(ctx) / 1000;
  UpdateConfig(queue);

  platform::WriteBatch batch;
  StageQueue(batch, queue);
  platform::Status status = storage_->Write(batch);
  if (!status.ok()) {
    queue.attributes = std::move(previous);
    queue.last_modified_s = previous_modified_s;
    UpdateConfig(queue);
    return StorageFailure("saving queue", status.message());
  }
  // A shorter wait or delay may let a waiting receive return now.
  WakeReceivers(queue);
  return Document::object();
}

}  // namespace brume::sqs
