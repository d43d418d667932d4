#pragma once

// Persistence of SQS state over platform::Storage. Rows are CBOR-encoded
// documents (CBOR keeps binary attribute values as bytes):
//   sqs_queues        <queue arn>                     queue attributes, tags
//   sqs_messages      <queue arn> '\n' <seq, 20 digits>  one message
//   sqs_deduplication <queue arn> '\n' <scope key>      FIFO dedup entry

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "platform/storage.h"
#include "services/sqs/queue.h"

namespace brume::sqs {

inline constexpr std::string_view kQueueTable = "sqs_queues";
inline constexpr std::string_view kMessageTable = "sqs_messages";
inline constexpr std::string_view kDeduplicationTable = "sqs_deduplication";

std::string MessageKey(std::string_view queue_arn, uint64_t seq);
std::string DeduplicationKey(std::string_view queue_arn,
                             std::string_view scope_key);

// Encodes and decodes rows.
std::string EncodeDocument(const Document& document);
bool DecodeDocument(std::string_view bytes, Document* document);

// Adds the write of the queue row (attributes, tags, timestamps) to `batch`.
void StageQueue(platform::WriteBatch& batch, const Queue& queue);
void StageMessage(platform::WriteBatch& batch, const Queue& queue,
                  const Message& message);
void StageMessageDelete(platform::WriteBatch& batch, const Queue& queue,
                        uint64_t seq);
void StageDeduplication(platform::WriteBatch& batch, const Queue& queue,
                        const std::string& scope_key,
                        const DeduplicationEntry& entry);

Document MessageToDocument(const Message& message);
bool MessageFromDocument(const Document& document, Message* message);

// Loads every queue with its messages and deduplication entries. Rows that
// fail to decode are skipped with a warning. `max_seq` receives the
// largest message seq found (0 when none).
platform::Status LoadQueues(platform::Storage& storage,
                            std::map<std::string, std::shared_ptr<Queue>>* out,
                            uint64_t* max_seq);

}  // namespace brume::sqs
