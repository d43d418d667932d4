#include "services/sqs/queue_store.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include <spdlog/spdlog.h>

namespace brume::sqs {

std::string MessageKey(std::string_view queue_arn, uint64_t seq) {
  char digits[24];
  std::snprintf(digits, sizeof(digits), "%020" PRIu64, seq);
  std::string key(queue_arn);
  key += '\n';
  key += digits;
  return key;
}

std::string DeduplicationKey(std::string_view queue_arn,
                             std::string_view scope_key) {
  std::string key(queue_arn);
  key += '\n';
  key += scope_key;
  return key;
}

std::string EncodeDocument(const Document& document) {
  std::vector<uint8_t> bytes = Document::to_cbor(document);
  return std::string(bytes.begin(), bytes.end());
}

bool DecodeDocument(std::string_view bytes, Document* document) {
  *document = Document::from_cbor(bytes.begin(), bytes.end(), true, false);
  return !document->is_discarded();
}

void StageQueue(platform::WriteBatch& batch, const Queue& queue) {
  Document row = {
      {"name", queue.name},
      {"account", queue.account},
      {"region", queue.region},
      {"fifo", queue.fifo},
      {"created_s", queue.created_s},
      {"last_modified_s", queue.last_modified_s},
      {"attributes", queue.attributes},
      {"tags", queue.tags},
  };
  batch.Put(std::string(kQueueTable), queue.arn, EncodeDocument(row));
}

Document MessageToDocument(const Message& message) {
  Document row = {
      {"id", message.id},
      {"seq", message.seq},
      {"body", message.body},
      {"sent_ms", message.sent_ms},
      {"visible_at_ms", message.visible_at_ms},
      {"receive_count", message.receive_count},
      {"md5_of_body", message.md5_of_body},
  };
  if (!message.attributes.empty()) row["attributes"] = message.attributes;
  if (!message.system_attributes.empty()) {
    row["system_attributes"] = message.system_attributes;
    row["md5_of_system_attributes"] = message.md5_of_system_attributes;
  }
  if (message.first_receive_ms != 0) {
    row["first_receive_ms"] = message.first_receive_ms;
    row["last_receive_ms"] = message.last_receive_ms;
    row["receipt_token"] = message.receipt_token;
  }
  if (!message.sender_id.empty()) row["sender_id"] = message.sender_id;
  if (!message.group_id.empty()) row["group_id"] = message.group_id;
  if (!message.deduplication_id.empty()) {
    row["deduplication_id"] = message.deduplication_id;
  }
  if (!message.dead_letter_source_arn.empty()) {
    row["dead_letter_source_arn"] = message.dead_letter_source_arn;
  }
  return row;
}

bool MessageFromDocument(const Document& row, Message* message) {
  if (!row.is_object() || !row.contains("id") || !row.contains("seq")) {
    return false;
  }
  message->id = row.value("id", "");
  message->seq = row.value("seq", uint64_t{0});
  message->body = row.value("body", "");
  message->sent_ms = row.value("sent_ms", int64_t{0});
  message->visible_at_ms = row.value("visible_at_ms", int64_t{0});
  message->receive_count = row.value("receive_count", 0);
  message->md5_of_body = row.value("md5_of_body", "");
  message->attributes = row.value("attributes", Document::object());
  message->system_attributes =
      row.value("system_attributes", Document::object());
  message->md5_of_system_attributes = row.value("md5_of_system_attributes", "");
  message->first_receive_ms = row.value("first_receive_ms", int64_t{0});
  message->last_receive_ms = row.value("last_receive_ms", int64_t{0});
  message->receipt_token = row.value("receipt_token", "");
  message->sender_id = row.value("sender_id", "");
  message->group_id = row.value("group_id", "");
  message->deduplication_id = row.value("deduplication_id", "");
  message->dead_letter_source_arn = row.value("dead_letter_source_arn", "");
  return true;
}

void StageMessage(platform::WriteBatch& batch, const Queue& queue,
                  const Message& message) {
  batch.Put(std::string(kMessageTable), MessageKey(queue.arn, message.seq),
            EncodeDocument(MessageToDocument(message)));
}

void StageMessageDelete(platform::WriteBatch& batch, const Queue& queue,
                        uint64_t seq) {
  batch.Delete(std::string(kMessageTable), MessageKey(queue.arn, seq));
}

void StageDeduplication(platform::WriteBatch& batch, const Queue& queue,
                        const std::string& scope_key,
                        const DeduplicationEntry& entry) {
  Document row = {
      {"expires_ms", entry.expires_ms},
      {"message_id", entry.message_id},
      {"sequence_number", entry.sequence_number},
  };
  batch.Put(std::string(kDeduplicationTable),
            DeduplicationKey(queue.arn, scope_key), EncodeDocument(row));
}

platform::Status LoadQueues(platform::Storage& storage,
                            std::map<std::string, std::shared_ptr<Queue>>* out,
                            uint64_t* max_seq) {
  *max_seq = 0;
  size_t skipped = 0;

  // Queues first, so message rows find their queue.
  platform::Status status = storage.Scan(
      kQueueTable, "", "", 0, [&](std::string_view key, std::string_view value) {
        Document row;
        if (!DecodeDocument(value, &row) || !row.is_object()) {
          ++skipped;
          return true;
        }
        auto queue = std::make_shared<Queue>();
        queue->arn = std::string(key);
        queue->name = row.value("name", "");
        queue->account = row.value("account", "");
        queue->region = row.value("region", "");
        queue->fifo = row.value("fifo", false);
        queue->created_s = row.value("created_s", int64_t{0});
        queue->last_modified_s = row.value("last_modified_s", int64_t{0});
        queue->attributes =
            row.value("attributes", std::map<std::string, std::string>{});
        queue->tags = row.value("tags", std::map<std::string, std::string>{});
        UpdateConfig(*queue);
        (*out)[queue->arn] = std::move(queue);
        return true;
      });
  if (!status.ok()) return status;

  status = storage.Scan(
      kMessageTable, "", "", 0,
      [&](std::string_view key, std::string_view value) {
        std::string_view arn = key.substr(0, key.find('\n'));
        auto it = out->find(std::string(arn));
        Document row;
        Message message;
        if (it == out->end() || !DecodeDocument(value, &row) ||
            !MessageFromDocument(row, &message)) {
          ++skipped;
          return true;
        }
        *max_seq = std::max(*max_seq, message.seq);
        it->second->InsertMessage(std::move(message));
        return true;
      });
  if (!status.ok()) return status;

  status = storage.Scan(
      kDeduplicationTable, "", "", 0,
      [&](std::string_view key, std::string_view value) {
        size_t newline = key.find('\n');
        if (newline == std::string_view::npos) {
          ++skipped;
          return true;
        }
        auto it = out->find(std::string(key.substr(0, newline)));
        Document row;
        if (it == out->end() || !DecodeDocument(value, &row) ||
            !row.is_object()) {
          ++skipped;
          return true;
        }
        DeduplicationEntry entry;
        entry.expires_ms = row.value("expires_ms", int64_t{0});
        entry.message_id = row.value("message_id", "");
        entry.sequence_number = row.value("sequence_number", "");
        it->second->deduplication[std::string(key.substr(newline + 1))] =
            std::move(entry);
        return true;
      });
  if (!status.ok()) return status;

  if (skipped > 0) {
    spdlog::warn("sqs: skipped {} stored rows that failed to decode or "
                 "belong to no queue",
                 skipped);
  }
  return platform::Status::Ok();
}

}  // namespace brume::sqs
