#include "services/sqs/queue.h"

#include <cstdlib>

namespace brume::sqs {
namespace {

int IntAttribute(const Queue& queue, const char* name, int fallback) {
  auto it = queue.attributes.find(name);
  if (it == queue.attributes.end()) return fallback;
  return std::atoi(it->second.c_str());
}

}  // namespace

void Queue::InsertMessage(Message message) {
  by_visible_at.emplace(message.visible_at_ms, message.seq);
  uint64_t seq = message.seq;
  messages.emplace(seq, std::move(message));
}

void Queue::EraseMessage(std::map<uint64_t, Message>::iterator it) {
  by_visible_at.erase({it->second.visible_at_ms, it->first});
  messages.erase(it);
}

void Queue::SetVisibleAt(Message& message, int64_t visible_at_ms) {
  by_visible_at.erase({message.visible_at_ms, message.seq});
  message.visible_at_ms = visible_at_ms;
  by_visible_at.emplace(visible_at_ms, message.seq);
}

void UpdateConfig(Queue& queue) {
  QueueConfig config;
  config.visibility_timeout =
      IntAttribute(queue, "VisibilityTimeout", config.visibility_timeout);
  config.maximum_message_size =
      IntAttribute(queue, "MaximumMessageSize", config.maximum_message_size);
  config.message_retention_period = IntAttribute(
      queue, "MessageRetentionPeriod", config.message_retention_period);
  config.delay_seconds =
      IntAttribute(queue, "DelaySeconds", config.delay_seconds);
  config.receive_message_wait_time_seconds =
      IntAttribute(queue, "ReceiveMessageWaitTimeSeconds", 0);

  auto content = queue.attributes.find("ContentBasedDeduplication");
  config.content_based_deduplication =
      content != queue.attributes.end() && content->second == "true";
  auto scope = queue.attributes.find("DeduplicationScope");
  config.deduplication_scope_group =
      scope != queue.attributes.end() && scope->second == "messageGroup";

  auto redrive = queue.attributes.find("RedrivePolicy");
  if (redrive != queue.attributes.end()) {
    Document policy = Document::parse(redrive->second, nullptr, false);
    if (policy.is_object()) {
      config.dead_letter_target_arn = policy.value("deadLetterTargetArn", "");
      const Document& count = policy["maxReceiveCount"];
      if (count.is_number_integer()) {
        config.max_receive_count = count.get<int>();
      } else if (count.is_string()) {
        config.max_receive_count = std::atoi(count.get<std::string>().c_str());
      }
    }
  }
  queue.config = std::move(config);
}

}  // namespace brume::sqs
