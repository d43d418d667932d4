#pragma once

// The SQS service: queue registry, shared helpers and one handler per
// operation. Handlers are split by resource group:
//   queues.cc            CreateQueue, DeleteQueue, GetQueueUrl, ListQueues,
//                        PurgeQueue
//   attributes.cc        GetQueueAttributes, SetQueueAttributes and the
//                        attribute validation they share with CreateQueue
//   send.cc              SendMessage, SendMessageBatch, FIFO deduplication
//   receive.cc           ReceiveMessage, long polling, FIFO group locking,
//                        dead-letter moves on receive
//   delete_visibility.cc DeleteMessage(Batch), ChangeMessageVisibility(Batch)
//   dead_letter.cc       ListDeadLetterSourceQueues and message move tasks
//   tags_permissions.cc  TagQueue, UntagQueue, ListQueueTags, AddPermission,
//                        RemovePermission
//   event_sink.cc        messages other services send through
//                        platform::EventDelivery
//
// Locking: queues_mutex_ guards the registry; each Queue::mutex guards that
// queue. A thread never waits for queues_mutex_ while it holds a queue lock,
// and holds at most one queue lock at a time.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "platform/events.h"
#include "platform/storage.h"
#include "services/common/environment.h"
#include "services/common/service.h"
#include "services/sqs/queue.h"

namespace brume::sqs {

// A message move task (StartMessageMoveTask).
struct MoveTask {
  std::string id;
  std::string handle;  // TaskHandle
  std::string source_arn;
  std::string destination_arn;  // empty: each message's source queue
  int max_per_second = 0;       // 0: no limit given
  std::string status;           // RUNNING, COMPLETED, CANCELLED, FAILED
  int64_t started_ms = 0;
  uint64_t start_order = 0;  // orders tasks started within one millisecond
  int64_t moved = 0;
  int64_t to_move = 0;  // messages not in flight in the source at start
  std::string failure_reason;
  uint64_t timer_id = 0;  // the periodic move while RUNNING; 0 when none
};

class SqsService : public Service {
 public:
  explicit SqsService(const ServiceEnvironment& env);
  ~SqsService() override;

  std::string_view id() const override { return "sqs"; }
  void Reset() override;

  // Handlers, named as the operations.
  Reply CreateQueue(RequestContext& ctx, Document& input);
  Reply DeleteQueue(RequestContext& ctx, Document& input);
  Reply GetQueueUrl(RequestContext& ctx, Document& input);
  Reply ListQueues(RequestContext& ctx, Document& input);
  Reply PurgeQueue(RequestContext& ctx, Document& input);
  Reply GetQueueAttributes(RequestContext& ctx, Document& input);
  Reply SetQueueAttributes(RequestContext& ctx, Document& input);
  Reply SendMessage(RequestContext& ctx, Document& input);
  Reply SendMessageBatch(RequestContext& ctx, Document& input);
  Reply ReceiveMessage(RequestContext& ctx, Document& input);
  Reply DeleteMessage(RequestContext& ctx, Document& input);
  Reply DeleteMessageBatch(RequestContext& ctx, Document& input);
  Reply ChangeMessageVisibility(RequestContext& ctx, Document& input);
  Reply ChangeMessageVisibilityBatch(RequestContext& ctx, Document& input);
  Reply ListDeadLetterSourceQueues(RequestContext& ctx, Document& input);
  Reply StartMessageMoveTask(RequestContext& ctx, Document& input);
  Reply ListMessageMoveTasks(RequestContext& ctx, Document& input);
  Reply CancelMessageMoveTask(RequestContext& ctx, Document& input);
  Reply TagQueue(RequestContext& ctx, Document& input);
  Reply UntagQueue(RequestContext& ctx, Document& input);
  Reply ListQueueTags(RequestContext& ctx, Document& input);
  Reply AddPermission(RequestContext& ctx, Document& input);
  Reply RemovePermission(RequestContext& ctx, Document& input);

  // Events other services send to a queue through platform::EventDelivery
  // (event_sink.cc): the queue must exist, be a standard queue, and have a
  // policy that lets the sending service call sqs:SendMessage.
  platform::Status CheckEvent(const platform::Event& event) const;
  platform::Status DeliverEvent(const platform::Event& event);

 private:
  // Registry.
  std::string QueueArn(std::string_view region, std::string_view account,
                       std::string_view name) const;
  std::shared_ptr<Queue> FindQueue(const std::string& arn) const;
  // Resolves a QueueUrl of any host, "<scheme>://<host>/<account>/<name>",
  // to the queue of that account and name in the request's region.
  Result<std::shared_ptr<Queue>> ResolveQueueUrl(const RequestContext& ctx,
                                                 const Document& input) const;
  std::string QueueUrl(const RequestContext& ctx, const Queue& queue) const;
  std::vector<std::shared_ptr<Queue>> QueuesWithPrefix(
      const std::string& arn_prefix) const;

  // Attributes (attributes.cc).
  // Validates attributes for CreateQueue (creating) or SetQueueAttributes,
  // writing canonical values into `out`.
  // `queue_arn` names the queue being created or changed, for the
  // RedriveAllowPolicy check of its dead-letter target.
  Status ValidateAttributes(const Document& attributes,
                            const std::string& queue_arn, bool fifo,
                            bool creating,
                            std::map<std::string, std::string>* out) const;
  Document QueueAttributes(const Queue& queue, const Document& names,
                           int64_t now_ms);

  // Messages.
  int64_t NowMs(const RequestContext& ctx) const;
  uint64_t NextSeq();
  // Removes messages whose retention period passed; stages their deletes.
  void ExpireMessages(Queue& queue, int64_t now_ms,
                      platform::WriteBatch& batch);
  // Appends `message` to the DLQ `dlq_arn` in memory after its row was
  // committed.
  void DeliverMoved(const std::string& dlq_arn, std::vector<Message> moved);
  // Wakes long polls on the queue now, or at `when_ms` on the service clock.
  void WakeReceivers(const Queue& queue);
  void ScheduleWake(Queue& queue, int64_t when_ms, int64_t now_ms);
  std::string ReceiptHandle(const Queue& queue, const Message& message) const;
  // Parses a receipt handle into the message seq and receive token.
  bool ParseReceiptHandle(const Queue& queue, std::string_view handle,
                          uint64_t* seq, std::string* token) const;
  // Checks one message of a SendMessage(Batch) and fills `message`.
  // `config` is a copy taken under the queue lock.
  Status PrepareMessage(const RequestContext& ctx, const Queue& queue,
                        const QueueConfig& config, const Document& entry,
                        int64_t now_ms, Message* message) const;
  struct SendOutcome {
    std::string message_id;
    std::string sequence_number;  // FIFO only
  };
  // Adds prepared messages to the queue (deduplicating FIFO sends) and
  // commits them.
  Result<std::vector<SendOutcome>> Enqueue(Queue& queue,
                                           std::vector<Message>& messages,
                                           int64_t now_ms);
  // Checks one entry of DeleteMessage(Batch) or ChangeMessageVisibility
  // (Batch) under the queue lock and stages its write. The caller commits
  // `batch`, then applies `changes` (seq, new visible_at_ms, or -1 to
  // erase).
  using PendingChanges = std::vector<std::pair<uint64_t, int64_t>>;
  Status StageDelete(Queue& queue, std::string_view handle,
                     platform::WriteBatch& batch, PendingChanges& changes);
  Status StageVisibilityChange(Queue& queue, std::string_view handle,
                               const Document& timeout, int64_t now_ms,
                               platform::WriteBatch& batch,
                               PendingChanges& changes);
  // Applies committed changes and wakes receivers that may now find a
  // message.
  void ApplyChanges(Queue& queue, const PendingChanges& changes,
                    int64_t now_ms);

  // Moves up to `limit` (0: no limit) messages of `task`'s source that are
  // not in flight to the task's destination, or to each message's source
  // queue, and marks the task COMPLETED when none is left to move. Called
  // with tasks_mutex_ held (dead_letter.cc).
  void MoveMessages(MoveTask& task, int64_t now_ms, int64_t limit);
  // One periodic step of a RUNNING task: MaxNumberOfMessagesPerSecond
  // messages, or all of them when no rate was given.
  void MoveTaskStep(const std::string& task_id);
  void StopTaskTimer(MoveTask& task);

  platform::Storage* storage_;
  platform::Clock* clock_;
  platform::Wakeups* wakeups_;
  platform::Timers* timers_;
  platform::EventDelivery* events_;

  mutable std::shared_mutex queues_mutex_;
  std::map<std::string, std::shared_ptr<Queue>> queues_;  // by ARN
  // Deletion times of queues by ARN, for QueueDeletedRecently.
  std::map<std::string, int64_t> deleted_at_ms_;

  std::atomic<uint64_t> next_seq_{0};

  std::mutex tasks_mutex_;
  std::map<std::string, MoveTask> tasks_;  // by task id

  // Lets timer callbacks reach the service only while it exists: the
  // destructor clears `service` under `mutex`, which a running callback
  // holds.
  struct TimerGuard {
    std::mutex mutex;
    SqsService* service = nullptr;
  };
  std::shared_ptr<TimerGuard> timer_guard_ = std::make_shared<TimerGuard>();
};

// Strings of a list member that may be absent.
std::vector<std::string> StringList(const Document& input, const char* name);

// Checks the entries of a batch request: 1 to 10 entries with distinct ids
// of 1 to 80 characters from [A-Za-z0-9_-]. `entry_shape` names the entry
// type in the EmptyBatchRequest message.
Status ValidateBatchEntryIds(const Document& entries,
                             std::string_view entry_shape);

}  // namespace brume::sqs
