// The SQS side of platform event delivery: other services (S3 event
// notifications today) send messages to queues by ARN through
// platform::EventDelivery, subject to the queue's policy, as AWS requires.

#include <fmt/format.h>

#include "platform/clock.h"
#include "platform/events.h"
#include "platform/ids.h"
#include "platform/resource_policy.h"
#include "services/sqs/message_md5.h"
#include "services/sqs/sqs.h"

namespace brume::sqs {

platform::Status SqsService::CheckEvent(const platform::Event& event) const {
  std::shared_ptr<Queue> queue = FindQueue(event.target_arn);
  if (queue == nullptr) {
    return platform::Status::NotFound("queue " + event.target_arn +
                                      " does not exist");
  }
  std::string policy;
  {
    std::lock_guard lock(queue->mutex);
    if (queue->deleted) {
      return platform::Status::NotFound("queue " + event.target_arn +
                                        " does not exist");
    }
    // S3 and the other AWS event sources deliver to standard queues only.
    if (queue->fifo) {
      return platform::Status::InvalidArgument(
          "FIFO queues are not supported as event destinations");
    }
    auto it = queue->attributes.find("Policy");
    if (it != queue->attributes.end()) policy = it->second;
  }
  // A queue accepts messages from another service only when its policy
  // allows that service principal, even in the queue owner's account.
  if (policy.empty()) {
    return platform::Status::InvalidArgument(
        "the queue policy does not allow " + event.source_service +
        " to call sqs:SendMessage; the queue has no policy");
  }

  platform::PolicyRequest request;
  request.service_principal = event.source_service;
  request.action = "sqs:SendMessage";
  request.resource = event.target_arn;
  if (!event.source_arn.empty()) {
    request.context["aws:SourceArn"] = {event.source_arn};
  }
  if (!event.source_account.empty()) {
    request.context["aws:SourceAccount"] = {event.source_account};
  }
  platform::StatusOr<platform::PolicyDecision> decision =
      platform::EvaluateResourcePolicy(policy, request);
  if (!decision.ok()) {
    return platform::Status::InvalidArgument("the queue policy is invalid: " +
                                             decision.status().message());
  }
  if (decision.value() != platform::PolicyDecision::kAllow) {
    return platform::Status::InvalidArgument(
        "the queue policy does not allow " + event.source_service +
        " to call sqs:SendMessage on " + event.target_arn);
  }
  return platform::Status();
}

platform::Status SqsService::DeliverEvent(const platform::Event& event) {
  platform::Status allowed = CheckEvent(event);
  if (!allowed.ok()) return allowed;
  std::shared_ptr<Queue> queue = FindQueue(event.target_arn);
  if (queue == nullptr) {
    return platform::Status::NotFound("queue " + event.target_arn +
                                      " does not exist");
  }
  int64_t now_ms = clock_->NowMillis();
  std::vector<Message> messages(1);
  Message& message = messages[0];
  message.id = platform::NewUuid();
  message.body = event.body;
  message.md5_of_body = Md5Hex(message.body);
  message.sent_ms = now_ms;
  // NOTE: AWS shows the sending service's own IAM user id as SenderId; the
  // service principal is sent in its place.
  message.sender_id = event.source_service;

  std::lock_guard lock(queue->mutex);
  if (queue->deleted) {
    return platform::Status::NotFound("queue " + event.target_arn +
                                      " does not exist");
  }
  if (message.body.size() > static_cast<size_t>(queue->config.maximum_message_size)) {
    return platform::Status::InvalidArgument(fmt::format(
        "the event of {} bytes exceeds the queue's MaximumMessageSize of {}",
        message.body.size(), queue->config.maximum_message_size));
  }
  message.visible_at_ms = now_ms + int64_t{queue->config.delay_seconds} * 1000;
  auto outcomes = Enqueue(*queue, messages, now_ms);
  if (!outcomes.ok()) {
    return platform::Status::IoError(outcomes.error().message);
  }
  return platform::Status();
}

}  // namespace brume::sqs
