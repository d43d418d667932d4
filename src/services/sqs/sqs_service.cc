#include "services/sqs/sqs_service.h"

#include <chrono>

#include <spdlog/spdlog.h>

#include "platform/clock.h"
#include "platform/ids.h"
#include "platform/strings.h"
#include "platform/timers.h"
#include "platform/wakeups.h"
#include "services/sqs/errors.h"
#include "services/sqs/queue_store.h"
#include "services/sqs/sqs.h"

namespace brume::sqs {

std::unique_ptr<Service> CreateSqsService(const ServiceEnvironment& env) {
  return std::make_unique<SqsService>(env);
}

SqsService::SqsService(const ServiceEnvironment& env)
    : storage_(env.storage),
      clock_(env.clock),
      wakeups_(env.wakeups),
      timers_(env.timers),
      events_(env.events) {
#define BRUME_SQS_REGISTER(name)                                 \
  Register(#name, [this](RequestContext& ctx, Document& input) { \
    return name(ctx, input);                                     \
  })
  BRUME_SQS_REGISTER(CreateQueue);
  BRUME_SQS_REGISTER(DeleteQueue);
  BRUME_SQS_REGISTER(GetQueueUrl);
  BRUME_SQS_REGISTER(ListQueues);
  BRUME_SQS_REGISTER(PurgeQueue);
  BRUME_SQS_REGISTER(GetQueueAttributes);
  BRUME_SQS_REGISTER(SetQueueAttributes);
  BRUME_SQS_REGISTER(SendMessage);
  BRUME_SQS_REGISTER(SendMessageBatch);
  BRUME_SQS_REGISTER(ReceiveMessage);
  BRUME_SQS_REGISTER(DeleteMessage);
  BRUME_SQS_REGISTER(DeleteMessageBatch);
  BRUME_SQS_REGISTER(ChangeMessageVisibility);
  BRUME_SQS_REGISTER(ChangeMessageVisibilityBatch);
  BRUME_SQS_REGISTER(ListDeadLetterSourceQueues);
  BRUME_SQS_REGISTER(StartMessageMoveTask);
  BRUME_SQS_REGISTER(ListMessageMoveTasks);
  BRUME_SQS_REGISTER(CancelMessageMoveTask);
  BRUME_SQS_REGISTER(TagQueue);
  BRUME_SQS_REGISTER(UntagQueue);
  BRUME_SQS_REGISTER(ListQueueTags);
  BRUME_SQS_REGISTER(AddPermission);
  BRUME_SQS_REGISTER(RemovePermission);
#undef BRUME_SQS_REGISTER

  timer_guard_->service = this;

  uint64_t max_seq = 0;
  if (storage_ != nullptr) {
    platform::Status status = LoadQueues(*storage_, &queues_, &max_seq);
    if (!status.ok()) {
      spdlog::error("sqs: loading queues from storage failed: {}",
                    status.message());
    }
    size_t messages = 0;
    for (const auto& [arn, queue] : queues_) messages += queue->messages.size();
    if (!queues_.empty()) {
      spdlog::info("sqs: loaded {} queues with {} messages", queues_.size(),
                   messages);
    }
  }

  // Seqs order messages and make FIFO sequence numbers, so they must grow
  // across restarts: start above every stored seq and above the wall clock
  // in microseconds.
  uint64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  next_seq_ = std::max(max_seq + 1, now_us);

  if (events_ != nullptr) {
    events_->RegisterSink(
        "sqs", {[this](const platform::Event& event) { return CheckEvent(event); },
                [this](const platform::Event& event) { return DeliverEvent(event); }});
  }
}

SqsService::~SqsService() {
  if (events_ != nullptr) events_->UnregisterSink("sqs");
  {
    std::lock_guard lock(timer_guard_->mutex);
    timer_guard_->service = nullptr;
  }
  std::lock_guard tasks_lock(tasks_mutex_);
  for (auto& [id, task] : tasks_) StopTaskTimer(task);
}

void SqsService::Reset() {
  // One lock at a time: a move task step holds tasks_mutex_ while it looks
  // queues up.
  {
    std::unique_lock lock(queues_mutex_);
    for (auto& [arn, queue] : queues_) {
      std::lock_guard queue_lock(queue->mutex);
      queue->deleted = true;
    }
    queues_.clear();
    deleted_at_ms_.clear();
  }
  std::lock_guard tasks_lock(tasks_mutex_);
  for (auto& [id, task] : tasks_) StopTaskTimer(task);
  tasks_.clear();
}

std::string SqsService::QueueArn(std::string_view region,
                                 std::string_view account,
                                 std::string_view name) const {
  return platform::MakeArn("sqs", region, account, name);
}

std::shared_ptr<Queue> SqsService::FindQueue(const std::string& arn) const {
  std::shared_lock lock(queues_mutex_);
  auto it = queues_.find(arn);
  return it == queues_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<Queue>> SqsService::QueuesWithPrefix(
    const std::string& arn_prefix) const {
  std::vector<std::shared_ptr<Queue>> out;
  std::shared_lock lock(queues_mutex_);
  for (auto it = queues_.lower_bound(arn_prefix);
       it != queues_.end() && it->first.starts_with(arn_prefix); ++it) {
    out.push_back(it->second);
  }
  return out;
}

Result<std::shared_ptr<Queue>> SqsService::ResolveQueueUrl(
    const RequestContext& ctx, const Document& input) const {
  if (!input.contains("QueueUrl") || !input["QueueUrl"].is_string()) {
    return MissingSqsParameter("QueueUrl");
  }
  std::string_view url = input["QueueUrl"].get_ref<const std::string&>();

  // Drop "<scheme>://<authority>", then read the last two path segments.
  size_t scheme = url.find("://");
  std::string_view path = url;
  if (scheme != std::string_view::npos) {
    size_t slash = url.find('/', scheme + 3);
    path = slash == std::string_view::npos ? std::string_view()
                                           : url.substr(slash);
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  size_t last = path.rfind('/');
  if (last == std::string_view::npos || last + 1 >= path.size()) {
    return QueueDoesNotExist();
  }
  std::string name(path.substr(last + 1));
  std::string account = ctx.account_id;
  std::string_view rest = path.substr(0, last);
  size_t before = rest.rfind('/');
  if (before != std::string_view::npos) {
    std::string_view segment = rest.substr(before + 1);
    if (segment.size() == 12 &&
        segment.find_first_not_of("0123456789") == std::string_view::npos) {
      account = std::string(segment);
    }
  }

  std::shared_ptr<Queue> queue = FindQueue(QueueArn(ctx.region, account, name));
  if (queue == nullptr) return QueueDoesNotExist();
  return queue;
}

std::string SqsService::QueueUrl(const RequestContext& ctx,
                                 const Queue& queue) const {
  std::string endpoint = ctx.endpoint;
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  return endpoint + "/" + queue.account + "/" + queue.name;
}

int64_t SqsService::NowMs(const RequestContext& ctx) const {
  if (ctx.clock != nullptr) return ctx.clock->NowMillis();
  if (clock_ != nullptr) return clock_->NowMillis();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

uint64_t SqsService::NextSeq() { return next_seq_.fetch_add(1); }

std::string SqsService::ReceiptHandle(const Queue& queue,
                                      const Message& message) const {
  std::string raw = queue.arn;
  raw += '\n';
  raw += std::to_string(message.seq);
  raw += '\n';
  raw += message.id;
  raw += '\n';
  raw += message.receipt_token;
  return platform::Base64Encode(raw);
}

bool SqsService::ParseReceiptHandle(const Queue& queue, std::string_view handle,
                                    uint64_t* seq, std::string* token) const {
  std::string raw;
  if (!platform::Base64Decode(handle, &raw)) return false;
  size_t first = raw.find('\n');
  if (first == std::string::npos || raw.compare(0, first, queue.arn) != 0) {
    return false;
  }
  size_t second = raw.find('\n', first + 1);
  size_t third = second == std::string::npos ? std::string::npos
                                             : raw.find('\n', second + 1);
  if (third == std::string::npos) return false;
  std::string digits = raw.substr(first + 1, second - first - 1);
  if (digits.empty() ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  *seq = std::stoull(digits);
  *token = raw.substr(third + 1);
  return !token->empty();
}

void SqsService::WakeReceivers(const Queue& queue) {
  if (wakeups_ != nullptr) wakeups_->Notify("sqs:" + queue.arn);
}

void SqsService::ScheduleWake(Queue& queue, int64_t when_ms, int64_t now_ms) {
  if (timers_ == nullptr || when_ms <= now_ms) return;
  int64_t steady_now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now().time_since_epoch())
          .count();
  // Only while a long poll may be waiting: other receivers find the
  // message when they next ask.
  if (queue.waiting_until_ms.load() < steady_now_ms) return;
  std::string key = "sqs:" + queue.arn;
  platform::Wakeups* wakeups = wakeups_;
  timers_->At(platform::Clock::TimePoint(std::chrono::milliseconds(when_ms)),
              [wakeups, key] {
                if (wakeups != nullptr) wakeups->Notify(key);
              });
}

std::vector<std::string> StringList(const Document& input, const char* name) {
  std::vector<std::string> out;
  auto it = input.find(name);
  if (it == input.end() || !it->is_array()) return out;
  for (const Document& value : *it) {
    if (value.is_string()) out.push_back(value.get<std::string>());
  }
  return out;
}

}  // namespace brume::sqs
