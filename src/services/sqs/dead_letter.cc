// ListDeadLetterSourceQueues and the message move tasks that redrive
// messages out of a dead-letter queue.

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "platform/clock.h"
#include "platform/ids.h"
#include "platform/timers.h"
#include "platform/strings.h"
#include "services/sqs/errors.h"
#include "services/sqs/queue_store.h"
#include "services/sqs/sqs.h"

namespace brume::sqs {
namespace {

AwsError ResourceNotFound(std::string message) {
  return AwsError{"ResourceNotFoundException", std::move(message), 400};
}

}  // namespace

Reply SqsService::ListDeadLetterSourceQueues(RequestContext& ctx,
                                             Document& input) {
  auto queue_or = ResolveQueueUrl(ctx, input);
  if (!queue_or.ok()) return queue_or.error();
  const std::string dlq_arn = queue_or.value()->arn;

  int max_results = 1000;
  bool paginate = input.contains("MaxResults");
  if (paginate) {
    const Document& value = input["MaxResults"];
    int64_t requested = value.is_number_integer() ? value.get<int64_t>() : 0;
    if (requested < 1 || requested > 1000) {
      return InvalidParameter("MaxResults", value.dump(),
                              "MaxResults must be an integer between 1 and "
                              "1000.");
    }
    max_results = static_cast<int>(requested);
  }
  std::string account_prefix = QueueArn(ctx.region, ctx.account_id, "");
  std::string after;
  if (input.contains("NextToken") &&
      (!platform::Base64Decode(input.value("NextToken", ""), &after) ||
       !after.starts_with(account_prefix))) {
    return InvalidParameterValue("Invalid NextToken value.");
  }

  Document urls = Document::array();
  std::string last_arn;
  bool more = false;
  for (const std::shared_ptr<Queue>& queue : QueuesWithPrefix(account_prefix)) {
    if (!after.empty() && queue->arn <= after) continue;
    bool source = false;
    {
      std::lock_guard lock(queue->mutex);
      source = queue->config.dead_letter_target_arn == dlq_arn;
    }
    if (!source) continue;
    if (static_cast<int>(urls.size()) == max_results) {
      more = true;
      break;
    }
    urls.push_back(QueueUrl(ctx, *queue));
    last_arn = queue->arn;
  }
  Document output = {{"queueUrls", urls}};
  if (more && paginate) output["NextToken"] = platform::Base64Encode(last_arn);
  return output;
}

void SqsService::MoveMessages(MoveTask& task, int64_t now_ms, int64_t limit) {
  std::shared_ptr<Queue> source = FindQueue(task.source_arn);
  if (source == nullptr) {
    task.status = "FAILED";
    task.failure_reason = "AWS.SimpleQueueService.NonExistentQueue";
    return;
  }

  // Resolve destinations before taking the source lock (the registry lock
  // must not be awaited under a queue lock).
  std::map<std::string, std::shared_ptr<Queue>> destinations;
  std::vector<std::string> origin_arns;
  {
    std::lock_guard lock(source->mutex);
    for (const auto& [seq, message] : source->messages) {
      if (!message.InFlight(now_ms)) {
        origin_arns.push_back(task.destination_arn.empty()
                                  ? message.dead_letter_source_arn
                                  : task.destination_arn);
      }
    }
  }
  for (const std::string& arn : origin_arns) {
    if (!arn.empty() && !destinations.contains(arn)) {
      destinations[arn] = FindQueue(arn);
    }
  }

  std::map<std::string, std::vector<Message>> moved;
  bool more_left = false;
  {
    std::lock_guard lock(source->mutex);
    platform::WriteBatch batch;
    std::vector<uint64_t> erased;
    for (const auto& [seq, message] : source->messages) {
      if (message.InFlight(now_ms)) continue;
      const std::string& arn = task.destination_arn.empty()
                                   ? message.dead_letter_source_arn
                                   : task.destination_arn;
      auto destination = destinations.find(arn);
      if (destination == destinations.end() || destination->second == nullptr ||
          destination->second->fifo != source->fifo) {
        // TODO: AWS fails the whole task when a message has no valid
        // destination; this leaves such messages in place and moves the rest.
        continue;
      }
      bool limit_reached =
          limit > 0 && static_cast<int64_t>(erased.size()) >= limit;
      if (limit_reached || task.moved + static_cast<int64_t>(erased.size()) >=
                               task.to_move) {
        more_left = limit_reached &&
                    task.moved + static_cast<int64_t>(erased.size()) <
                        task.to_move;
        break;
      }
      Message copy = message;
      copy.seq = NextSeq();
      copy.visible_at_ms = now_ms;
      copy.receive_count = 0;
      copy.first_receive_ms = 0;
      copy.last_receive_ms = 0;
      copy.receipt_token.clear();
      copy.dead_letter_source_arn.clear();
      StageMessageDelete(batch, *source, seq);
      StageMessage(batch, *destination->second, copy);
      erased.push_back(seq);
      moved[arn].push_back(std::move(copy));
    }
    platform::Status status = storage_->Write(batch);
    if (!status.ok()) {
      task.status = "FAILED";
      task.failure_reason = "AWS.SimpleQueueService.InternalError";
      StorageFailure("moving messages", status.message());
      return;
    }
    for (uint64_t seq : erased) {
      source->EraseMessage(source->messages.find(seq));
    }
  }
  for (auto& [arn, messages] : moved) {
    task.moved += static_cast<int64_t>(messages.size());
    DeliverMoved(arn, std::move(messages));
  }
  if (!more_left) task.status = "COMPLETED";
}

void SqsService::StopTaskTimer(MoveTask& task) {
  if (task.timer_id != 0 && timers_ != nullptr) timers_->Cancel(task.timer_id);
  task.timer_id = 0;
}

void SqsService::MoveTaskStep(const std::string& task_id) {
  std::lock_guard tasks_lock(tasks_mutex_);
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return;
  MoveTask& task = it->second;
  if (task.status == "RUNNING") {
    int64_t now_ms = clock_ != nullptr ? clock_->NowMillis() : 0;
    MoveMessages(task, now_ms, task.max_per_second);
  }
  if (task.status != "RUNNING") StopTaskTimer(task);
}

Reply SqsService::StartMessageMoveTask(RequestContext& ctx, Document& input) {
  std::string source_arn = input.value("SourceArn", "");
  std::shared_ptr<Queue> source = FindQueue(source_arn);
  if (source == nullptr) {
    return ResourceNotFound(
        "The resource that you specified for the SourceArn parameter "
        "doesn't exist.");
  }

  bool is_dead_letter_queue = false;
  for (const std::shared_ptr<Queue>& queue :
       QueuesWithPrefix(QueueArn(source->region, source->account, ""))) {
    std::lock_guard lock(queue->mutex);
    if (queue->config.dead_letter_target_arn == source_arn) {
      is_dead_letter_queue = true;
    }
  }
  if (!is_dead_letter_queue) {
    return InvalidParameterValue(
        "Source queue must be configured as a Dead Letter Queue.");
  }

  MoveTask task;
  task.source_arn = source_arn;
  task.destination_arn = input.value("DestinationArn", "");
  if (!task.destination_arn.empty()) {
    std::shared_ptr<Queue> destination = FindQueue(task.destination_arn);
    if (destination == nullptr) {
      return ResourceNotFound(
          "The resource that you specified for the DestinationArn parameter "
          "doesn't exist.");
    }
    if (destination->fifo != source->fifo) {
      return InvalidParameterValue(
          "The destination queue must be the same type as the source queue.");
    }
  }
  if (input.contains("MaxNumberOfMessagesPerSecond")) {
    const Document& value = input["MaxNumberOfMessagesPerSecond"];
    int64_t rate = value.is_number_integer() ? value.get<int64_t>() : 0;
    if (rate < 1 || rate > 500) {
      return InvalidParameter("MaxNumberOfMessagesPerSecond", value.dump(),
                              "Must be between 1 and 500.");
    }
    task.max_per_second = static_cast<int>(rate);
  }

  int64_t now_ms = NowMs(ctx);
  std::lock_guard tasks_lock(tasks_mutex_);
  for (const auto& [id, other] : tasks_) {
    if (other.source_arn == source_arn && other.status == "RUNNING") {
      return InvalidParameterValue(
          "There is already a task running. Only one active task is allowed "
          "for a source queue arn at a given time.");
    }
  }
  task.id = platform::NewUuid();
  Document handle = {{"taskId", task.id}, {"sourceArn", source_arn}};
  task.handle = platform::Base64Encode(handle.dump());
  task.started_ms = now_ms;
  task.start_order = NextSeq();
  task.status = "RUNNING";
  {
    std::lock_guard lock(source->mutex);
    for (const auto& [seq, message] : source->messages) {
      if (!message.InFlight(now_ms)) ++task.to_move;
    }
  }

  // The first step runs now, the next ones once per second of the service
  // clock. Without a timer service (unit tests) the task runs to the end.
  // TODO: tasks live only in memory, so a restart drops them.
  MoveMessages(task, now_ms, timers_ != nullptr ? task.max_per_second : 0);
  std::string task_id = task.id;
  std::string task_handle = task.handle;
  if (task.status == "RUNNING") {
    std::weak_ptr<TimerGuard> guard = timer_guard_;
    task.timer_id = timers_->Every(std::chrono::seconds(1), [guard, task_id] {
      std::shared_ptr<TimerGuard> held = guard.lock();
      if (held == nullptr) return;
      std::lock_guard lock(held->mutex);
      if (held->service != nullptr) held->service->MoveTaskStep(task_id);
    });
  }
  tasks_[task_id] = std::move(task);

  Document output = {{"TaskHandle", task_handle}};
  return output;
}

Reply SqsService::ListMessageMoveTasks(RequestContext& ctx, Document& input) {
  std::string source_arn = input.value("SourceArn", "");
  if (FindQueue(source_arn) == nullptr) {
    return ResourceNotFound(
        "The resource that you specified for the SourceArn parameter "
        "doesn't exist.");
  }
  int max_results = 1;
  if (input.contains("MaxResults")) {
    const Document& value = input["MaxResults"];
    int64_t requested = value.is_number_integer() ? value.get<int64_t>() : 0;
    if (requested < 1 || requested > 10) {
      return InvalidParameter("MaxResults", value.dump(),
                              "Must be between 1 and 10.");
    }
    max_results = static_cast<int>(requested);
  }
  (void)ctx;

  std::vector<const MoveTask*> matching;
  std::lock_guard tasks_lock(tasks_mutex_);
  for (const auto& [id, task] : tasks_) {
    if (task.source_arn == source_arn) matching.push_back(&task);
  }
  // Most recent first.
  std::sort(matching.begin(), matching.end(),
            [](const MoveTask* a, const MoveTask* b) {
              return a->start_order > b->start_order;
            });
  Document results = Document::array();
  for (const MoveTask* task : matching) {
    if (static_cast<int>(results.size()) == max_results) break;
    Document entry = {{"Status", task->status},
                      {"SourceArn", task->source_arn},
                      {"ApproximateNumberOfMessagesMoved", task->moved},
                      {"ApproximateNumberOfMessagesToMove", task->to_move},
                      {"StartedTimestamp", task->started_ms}};
    if (task->status == "RUNNING") entry["TaskHandle"] = task->handle;
    if (!task->destination_arn.empty()) {
      entry["DestinationArn"] = task->destination_arn;
    }
    if (task->max_per_second > 0) {
      entry["MaxNumberOfMessagesPerSecond"] = task->max_per_second;
    }
    if (!task->failure_reason.empty()) {
      entry["FailureReason"] = task->failure_reason;
    }
    results.push_back(std::move(entry));
  }
  Document output = Document::object();
  if (!results.empty()) output["Results"] = std::move(results);
  return output;
}

Reply SqsService::CancelMessageMoveTask(RequestContext& ctx, Document& input) {
  (void)ctx;
  std::string handle = input.value("TaskHandle", "");
  std::string decoded;
  Document parsed;
  if (platform::Base64Decode(handle, &decoded)) {
    parsed = Document::parse(decoded, nullptr, false);
  }
  std::string task_id =
      parsed.is_object() ? parsed.value("taskId", "") : std::string();

  std::lock_guard tasks_lock(tasks_mutex_);
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) {
    return ResourceNotFound("Task does not exist.");
  }
  MoveTask& task = it->second;
  if (task.status != "RUNNING") {
    return AwsError{"UnsupportedOperation",
                    fmt::format("Task with status {} cannot be cancelled. "
                                "Only running tasks can be cancelled.",
                                task.status),
                    400};
  }
  task.status = "CANCELLED";
  StopTaskTimer(task);
  Document output = {{"ApproximateNumberOfMessagesMoved", task.moved}};
  return output;
}

}  // namespace brume::sqs
