#pragma once

// In-memory model of SQS queues and messages. Storage is the source of
// truth; these structures are indexes rebuilt from it at start (see
// queue_store.h) and changed after the matching write committed. Expired
// messages are the exception: they leave memory before their deletes
// commit, because they are gone either way.

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "services/common/document.h"

namespace brume::sqs {

// Limits and defaults from the SQS API reference (botocore 1.43 model
// documentation of CreateQueue and SendMessage).
inline constexpr int kMaxBatchEntries = 10;
inline constexpr int kMaxVisibilityTimeout = 43200;  // 12 hours
inline constexpr int kMaxDelaySeconds = 900;
inline constexpr int kMaxWaitTimeSeconds = 20;
inline constexpr int kMinMessageSize = 1024;
inline constexpr int kMaxMessageSize = 1048576;  // 1 MiB, also the default
inline constexpr int kMinRetentionSeconds = 60;
inline constexpr int kMaxRetentionSeconds = 1209600;  // 14 days
inline constexpr int kMaxMessageAttributes = 10;
inline constexpr int64_t kDeduplicationWindowMs = 5 * 60 * 1000;
inline constexpr int64_t kPurgeIntervalMs = 60 * 1000;
inline constexpr int64_t kQueueDeletedRecentlyMs = 60 * 1000;

// One message and its delivery state.
struct Message {
  std::string id;    // MessageId, a UUID
  uint64_t seq = 0;  // arrival order within the queue; the storage key
  std::string body;
  // MessageAttributes as the input document carried them: name ->
  // {DataType, StringValue | BinaryValue}.
  Document attributes = Document::object();
  // MessageSystemAttributes of the send (only AWSTraceHeader exists).
  Document system_attributes = Document::object();
  std::string md5_of_body;
  std::string md5_of_system_attributes;  // empty without system attributes
  int64_t sent_ms = 0;
  int64_t first_receive_ms = 0;  // 0 until the first receive
  int64_t last_receive_ms = 0;
  // The message is invisible (delayed, or in flight once received) until
  // this time on the service clock.
  int64_t visible_at_ms = 0;
  int receive_count = 0;
  // Changes on every receive; a receipt handle names the message and the
  // token of the receive that produced it.
  std::string receipt_token;
  std::string sender_id;
  std::string group_id;          // MessageGroupId
  std::string deduplication_id;  // MessageDeduplicationId (FIFO)
  std::string dead_letter_source_arn;

  bool InFlight(int64_t now_ms) const {
    return receive_count > 0 && visible_at_ms > now_ms;
  }
  bool Delayed(int64_t now_ms) const {
    return receive_count == 0 && visible_at_ms > now_ms;
  }
};

// A FIFO send remembered for the deduplication window.
struct DeduplicationEntry {
  int64_t expires_ms = 0;
  std::string message_id;
  std::string sequence_number;
};

// A FIFO ReceiveMessage call remembered by its ReceiveRequestAttemptId, so
// a retried call returns the same messages and receipt handles.
struct ReceiveAttempt {
  int64_t expires_ms = 0;
  std::vector<std::pair<uint64_t, std::string>> received;  // seq, token
};

// Attribute values parsed once per change, for the hot paths.
struct QueueConfig {
  int visibility_timeout = 30;
  int maximum_message_size = kMaxMessageSize;
  int message_retention_period = 345600;  // 4 days
  int delay_seconds = 0;
  int receive_message_wait_time_seconds = 0;
  bool content_based_deduplication = false;
  bool deduplication_scope_group = false;  // DeduplicationScope=messageGroup
  std::string dead_letter_target_arn;      // from RedrivePolicy
  int max_receive_count = 0;
};

struct Queue {
  // Fixed at creation.
  std::string arn;  // also the key of the queue in storage and indexes
  std::string name;
  std::string account;
  std::string region;
  bool fifo = false;
  int64_t created_s = 0;

  // Guards every member below.
  std::mutex mutex;
  bool deleted = false;
  // Settable attributes with their current values, defaults included.
  std::map<std::string, std::string> attributes;
  QueueConfig config;
  std::map<std::string, std::string> tags;
  int64_t last_modified_s = 0;
  int64_t last_purge_ms = 0;
  std::map<uint64_t, Message> messages;  // by seq
  // (visible_at_ms, seq) of every message, so standard queues find visible
  // messages without scanning those in flight.
  std::set<std::pair<int64_t, uint64_t>> by_visible_at;
  std::unordered_map<std::string, DeduplicationEntry> deduplication;
  std::unordered_map<std::string, ReceiveAttempt> receive_attempts;
  // Expired deduplication entries are swept when the map reaches this size.
  size_t deduplication_sweep_size = 256;

  // Steady-clock milliseconds until which a long poll may be waiting on
  // this queue; senders of delayed messages then schedule a wake-up.
  std::atomic<int64_t> waiting_until_ms{0};

  void InsertMessage(Message message);
  void EraseMessage(std::map<uint64_t, Message>::iterator it);
  void SetVisibleAt(Message& message, int64_t visible_at_ms);
};

// FIFO SequenceNumber of a message: 20 digits, as long as AWS's.
inline std::string SequenceNumber(uint64_t seq) {
  return std::to_string(10000000000000000000ULL + seq % 1000000000000000000ULL);
}

// Parses the settable attributes into `config`; values were validated
// before they were stored.
void UpdateConfig(Queue& queue);

}  // namespace brume::sqs
