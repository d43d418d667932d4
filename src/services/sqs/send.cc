// SendMessage and SendMessageBatch, with FIFO deduplication.

#include <cstdlib>
#include <set>

#include <fmt/format.h>

#include "platform/ids.h"
#include "platform/storage.h"
#include "services/sqs/errors.h"
#include "services/sqs/message_md5.h"
#include "services/sqs/queue_store.h"
#include "services/sqs/sqs.h"

namespace brume::sqs {
namespace {

constexpr size_t kMaxAttributeNameLength = 256;
constexpr size_t kMaxGroupIdLength = 128;
constexpr std::string_view kNotValidForQueueType =
    "The request include parameter that is not valid for this queue type.";

// True when `body` is UTF-8 made only of the characters SQS accepts: #x9,
// #xA, #xD, #x20 to #xD7FF, #xE000 to #xFFFD and #x10000 to #x10FFFF.
bool ValidMessageCharacters(std::string_view body) {
  size_t i = 0;
  while (i < body.size()) {
    unsigned char c = body[i];
    uint32_t code = 0;
    size_t length = 0;
    if (c < 0x80) {
      code = c;
      length = 1;
    } else if ((c & 0xe0) == 0xc0) {
      code = c & 0x1f;
      length = 2;
    } else if ((c & 0xf0) == 0xe0) {
      code = c & 0x0f;
      length = 3;
    } else if ((c & 0xf8) == 0xf0) {
      code = c & 0x07;
      length = 4;
    } else {
      return false;
    }
    if (i + length > body.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      unsigned char next = body[i + k];
      if ((next & 0xc0) != 0x80) return false;
      code = (code << 6) | (next & 0x3f);
    }
    bool allowed = code == 0x9 || code == 0xa || code == 0xd ||
                   (code >= 0x20 && code <= 0xd7ff) ||
                   (code >= 0xe000 && code <= 0xfffd) ||
                   (code >= 0x10000 && code <= 0x10ffff);
    if (!allowed) return false;
    i += length;
  }
  return true;
}

// MessageGroupId and MessageDeduplicationId: 1 to 128 characters from
// alphanumerics and ASCII punctuation.
bool ValidGroupOrDeduplicationId(std::string_view id) {
  if (id.empty() || id.size() > kMaxGroupIdLength) return false;
  for (unsigned char c : id) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

bool ValidAttributeName(std::string_view name) {
  if (name.empty() || name.size() > kMaxAttributeNameLength) return false;
  if (name.front() == '.' || name.back() == '.') return false;
  if (name.find("..") != std::string_view::npos) return false;
  std::string lower;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    if (!ok) return false;
    lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
  return !lower.starts_with("aws.") && !lower.starts_with("amazon.");
}

bool IsNumber(const std::string& text) {
  char* end = nullptr;
  std::strtod(text.c_str(), &end);
  return !text.empty() && end == text.c_str() + text.size();
}

size_t ValueSize(const Document& value) {
  if (value.is_binary()) return value.get_binary().size();
  if (value.is_string()) return value.get_ref<const std::string&>().size();
  return 0;
}

// Checks MessageAttributes (user = true) or MessageSystemAttributes and adds
// their size, as SQS counts it toward the message size limit, to `size`.
// NOTE: the wording of these messages follows moto and LocalStack; AWS's
// exact text was not checked.
Status ValidateMessageAttributes(const Document& attributes, bool user,
                                 size_t* size) {
  const char* kind = user ? "user" : "system";
  if (user && attributes.size() > kMaxMessageAttributes) {
    return InvalidParameterValue(fmt::format(
        "Number of message attributes [{}] exceeds the allowed maximum [{}].",
        attributes.size(), kMaxMessageAttributes));
  }
  for (auto it = attributes.begin(); it != attributes.end(); ++it) {
    const std::string& name = it.key();
    const Document& value = it.value();
    if (user && !ValidAttributeName(name)) {
      return InvalidParameterValue(fmt::format(
          "Message ({}) attribute name '{}' is invalid. Names can contain "
          "alphanumeric characters, hyphens, underscores and periods, must "
          "not start with AWS. or Amazon. and are at most 256 characters "
          "long.",
          kind, name));
    }
    std::string type = value.value("DataType", "");
    std::string base = type.substr(0, type.find('.'));
    if (base != "String" && base != "Number" && base != "Binary") {
      return InvalidParameterValue(fmt::format(
          "The type of message ({}) attribute '{}' is invalid. You must use "
          "only the following supported type prefixes: Binary, Number, "
          "String.",
          kind, name));
    }
    const char* member = base == "Binary" ? "BinaryValue" : "StringValue";
    if (!value.contains(member) || ValueSize(value[member]) == 0) {
      return InvalidParameterValue(
          fmt::format("Message ({}) attribute '{}' must contain a non-empty "
                      "value of type '{}'.",
                      kind, name, base));
    }
    if (base == "Number" && !IsNumber(value[member].get<std::string>())) {
      return InvalidParameterValue(fmt::format(
          "Can't cast the value of message ({}) attribute '{}' to a number.",
          kind, name));
    }
    if (!user && name != "AWSTraceHeader") {
      return InvalidParameterValue(fmt::format(
          "Message system attribute name '{}' is invalid.", name));
    }
    if (!user && base != "String") {
      return InvalidParameterValue(
          "The message system attribute AWSTraceHeader must be of type "
          "String.");
    }
    *size += name.size() + type.size() + ValueSize(value[member]);
  }
  return Status();
}

// Keeps only DataType and the value member the type uses.
Document CanonicalAttributes(const Document& attributes) {
  Document out = Document::object();
  for (auto it = attributes.begin(); it != attributes.end(); ++it) {
    std::string type = it.value().value("DataType", "");
    const char* member =
        type.starts_with("Binary") ? "BinaryValue" : "StringValue";
    out[it.key()] = {{"DataType", type}, {member, it.value()[member]}};
  }
  return out;
}

Status ValidateBatchIds(const Document& entries, std::string_view entry_shape) {
  if (!entries.is_array() || entries.empty()) {
    return EmptyBatchRequest(entry_shape);
  }
  if (entries.size() > kMaxBatchEntries) {
    return TooManyEntriesInBatchRequest(entries.size());
  }
  std::set<std::string> seen;
  for (const Document& entry : entries) {
    std::string id = entry.value("Id", "");
    if (id.empty() || id.size() > 80 ||
        id.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                             "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") !=
            std::string::npos) {
      return InvalidBatchEntryId();
    }
    if (!seen.insert(id).second) return BatchEntryIdsNotDistinct(id);
  }
  return Status();
}

}  // namespace

Status ValidateBatchEntryIds(const Document& entries,
                             std::string_view entry_shape) {
  return ValidateBatchIds(entries, entry_shape);
}

Status SqsService::PrepareMessage(const RequestContext& ctx,
                                  const Queue& queue,
                                  const QueueConfig& config,
                                  const Document& entry, int64_t now_ms,
                                  Message* message) const {
  std::string body = entry.value("MessageBody", "");
  if (body.empty()) return MissingSqsParameter("MessageBody");
  if (!ValidMessageCharacters(body)) {
    return AwsError{"InvalidMessageContents",
                    "Invalid binary character was found in the message "
                    "body, the set of allowed characters is #x9 | #xA | #xD "
                    "| #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to "
                    "#x10FFFF",
                    400};
  }

  int delay = config.delay_seconds;
  if (entry.contains("DelaySeconds")) {
    const Document& value = entry["DelaySeconds"];
    if (queue.fifo) {
      return InvalidParameter("DelaySeconds", value.dump(),
                              kNotValidForQueueType);
    }
    int64_t requested = value.is_number_integer() ? value.get<int64_t>() : -1;
    if (requested < 0 || requested > kMaxDelaySeconds) {
      return InvalidParameter("DelaySeconds", value.dump(),
                              "DelaySeconds must be >= 0 and <= 900.");
    }
    delay = static_cast<int>(requested);
  }

  size_t size = body.size();
  Document attributes = entry.value("MessageAttributes", Document::object());
  Status valid = ValidateMessageAttributes(attributes, /*user=*/true, &size);
  if (!valid.ok()) return valid;
  Document system_attributes =
      entry.value("MessageSystemAttributes", Document::object());
  valid = ValidateMessageAttributes(system_attributes, /*user=*/false, &size);
  if (!valid.ok()) return valid;
  if (size > static_cast<size_t>(config.maximum_message_size)) {
    return InvalidParameterValue(fmt::format(
        "One or more parameters are invalid. Reason: Message must be shorter "
        "than {} bytes.",
        config.maximum_message_size));
  }

  std::string group_id = entry.value("MessageGroupId", "");
  std::string deduplication_id = entry.value("MessageDeduplicationId", "");
  if (entry.contains("MessageGroupId") && !ValidGroupOrDeduplicationId(group_id)) {
    return InvalidParameter("MessageGroupId", group_id,
                            "MessageGroupId can only include alphanumeric "
                            "and punctuation characters. 1 to 128 in length.");
  }
  if (queue.fifo) {
    if (group_id.empty()) return MissingSqsParameter("MessageGroupId");
    if (entry.contains("MessageDeduplicationId")) {
      if (!ValidGroupOrDeduplicationId(deduplication_id)) {
        return InvalidParameter("MessageDeduplicationId", deduplication_id,
                                "MessageDeduplicationId can only include "
                                "alphanumeric and punctuation characters. 1 "
                                "to 128 in length.");
      }
    } else if (config.content_based_deduplication) {
      deduplication_id = Sha256Hex(body);
    } else {
      return InvalidParameterValue(
          "The queue should either have ContentBasedDeduplication enabled or "
          "MessageDeduplicationId provided explicitly");
    }
  } else if (entry.contains("MessageDeduplicationId")) {
    return InvalidParameter("MessageDeduplicationId", deduplication_id,
                            kNotValidForQueueType);
  }

  message->id = platform::NewUuid();
  message->body = std::move(body);
  message->md5_of_body = Md5Hex(message->body);
  message->attributes = CanonicalAttributes(attributes);
  message->system_attributes = CanonicalAttributes(system_attributes);
  if (!message->system_attributes.empty()) {
    message->md5_of_system_attributes =
        MessageAttributesMd5(message->system_attributes);
  }
  message->sent_ms = now_ms;
  message->visible_at_ms = now_ms + int64_t{delay} * 1000;
  // NOTE: AWS sets SenderId to the caller's IAM user or role id (AIDA...,
  // AROA...:session); the access key id stands in for it here.
  message->sender_id =
      ctx.access_key_id.empty() ? ctx.account_id : ctx.access_key_id;
  message->group_id = std::move(group_id);
  message->deduplication_id = std::move(deduplication_id);
  return Status();
}

Result<std::vector<SqsService::SendOutcome>> SqsService::Enqueue(
    Queue& queue, std::vector<Message>& messages, int64_t now_ms) {
  std::vector<SendOutcome> outcomes(messages.size());
  std::vector<bool> accepted(messages.size(), false);
  platform::WriteBatch batch;
  std::unordered_map<std::string, DeduplicationEntry> new_entries;

  if (queue.fifo && queue.deduplication.size() >= queue.deduplication_sweep_size) {
    for (auto it = queue.deduplication.begin(); it != queue.deduplication.end();) {
      if (it->second.expires_ms <= now_ms) {
        batch.Delete(std::string(kDeduplicationTable),
                     DeduplicationKey(queue.arn, it->first));
        it = queue.deduplication.erase(it);
      } else {
        ++it;
      }
    }
    queue.deduplication_sweep_size =
        std::max<size_t>(256, queue.deduplication.size() * 2);
  }

  for (size_t i = 0; i < messages.size(); ++i) {
    Message& message = messages[i];
    message.seq = NextSeq();
    if (queue.fifo) {
      std::string scope_key =
          (queue.config.deduplication_scope_group ? message.group_id + "\n"
                                                  : "") +
          message.deduplication_id;
      // A duplicate within the window is accepted but not enqueued, and
      // gets the MessageId and SequenceNumber of the first send.
      const DeduplicationEntry* previous = nullptr;
      auto fresh = new_entries.find(scope_key);
      if (fresh != new_entries.end()) previous = &fresh->second;
      auto stored = queue.deduplication.find(scope_key);
      if (previous == nullptr && stored != queue.deduplication.end() &&
          stored->second.expires_ms > now_ms) {
        previous = &stored->second;
      }
      if (previous != nullptr) {
        outcomes[i] = {previous->message_id, previous->sequence_number};
        continue;
      }
      DeduplicationEntry entry{now_ms + kDeduplicationWindowMs, message.id,
                               SequenceNumber(message.seq)};
      StageDeduplication(batch, queue, scope_key, entry);
      outcomes[i] = {message.id, entry.sequence_number};
      new_entries[scope_key] = std::move(entry);
    } else {
      outcomes[i] = {message.id, ""};
    }
    accepted[i] = true;
    StageMessage(batch, queue, message);
  }

  platform::Status status = storage_->Write(batch);
  if (!status.ok()) return StorageFailure("storing messages", status.message());

  for (auto& [key, entry] : new_entries) {
    queue.deduplication[key] = std::move(entry);
  }
  bool visible_now = false;
  for (size_t i = 0; i < messages.size(); ++i) {
    if (!accepted[i]) continue;
    int64_t visible_at = messages[i].visible_at_ms;
    if (visible_at <= now_ms) {
      visible_now = true;
    } else {
      ScheduleWake(queue, visible_at, now_ms);
    }
    queue.InsertMessage(std::move(messages[i]));
  }
  if (visible_now) WakeReceivers(queue);
  return outcomes;
}

Reply SqsService::SendMessage(RequestContext& ctx, Document& input) {
  auto queue_or = ResolveQueueUrl(ctx, input);
  if (!queue_or.ok()) return queue_or.error();
  Queue& queue = *queue_or.value();
  int64_t now_ms = NowMs(ctx);

  QueueConfig config;
  {
    std::lock_guard lock(queue.mutex);
    config = queue.config;
  }
  std::vector<Message> messages(1);
  Status prepared =
      PrepareMessage(ctx, queue, config, input, now_ms, &messages[0]);
  if (!prepared.ok()) return prepared.error();
  std::string md5_of_body = messages[0].md5_of_body;
  std::string md5_of_system = messages[0].md5_of_system_attributes;
  std::string md5_of_attributes =
      messages[0].attributes.empty()
          ? ""
          : MessageAttributesMd5(messages[0].attributes);

  std::lock_guard lock(queue.mutex);
  if (queue.deleted) return QueueDoesNotExist();
  auto outcomes = Enqueue(queue, messages, now_ms);
  if (!outcomes.ok()) return outcomes.error();

  const SendOutcome& outcome = outcomes.value()[0];
  Document output = {{"MessageId", outcome.message_id},
                     {"MD5OfMessageBody", md5_of_body}};
  if (!md5_of_attributes.empty()) {
    output["MD5OfMessageAttributes"] = md5_of_attributes;
  }
  if (!md5_of_system.empty()) {
    output["MD5OfMessageSystemAttributes"] = md5_of_system;
  }
  if (!outcome.sequence_number.empty()) {
    output["SequenceNumber"] = outcome.sequence_number;
  }
  return output;
}

Reply SqsService::SendMessageBatch(RequestContext& ctx, Document& input) {
  auto queue_or = ResolveQueueUrl(ctx, input);
  if (!queue_or.ok()) return queue_or.error();
  Queue& queue = *queue_or.value();
  const Document& entries = input.value("Entries", Document::array());
  Status ids = ValidateBatchIds(entries, "SendMessageBatchRequestEntry");
  if (!ids.ok()) return ids.error();

  size_t total = 0;
  for (const Document& entry : entries) {
    total += entry.value("MessageBody", "").size();
    const Document attributes =
        entry.value("MessageAttributes", Document::object());
    for (auto it = attributes.begin(); it != attributes.end(); ++it) {
      total += it.key().size() + it.value().value("DataType", "").size() +
               ValueSize(it.value().value("StringValue", Document())) +
               ValueSize(it.value().value("BinaryValue", Document()));
    }
  }
  if (total > static_cast<size_t>(kMaxMessageSize)) {
    return BatchRequestTooLong(total, kMaxMessageSize);
  }

  int64_t now_ms = NowMs(ctx);
  QueueConfig config;
  {
    std::lock_guard lock(queue.mutex);
    config = queue.config;
  }

  Document failed = Document::array();
  std::vector<Message> messages;
  std::vector<std::string> message_ids;  // entry Id per prepared message
  for (const Document& entry : entries) {
    Message message;
    Status prepared =
        PrepareMessage(ctx, queue, config, entry, now_ms, &message);
    if (!prepared.ok()) {
      failed.push_back({{"Id", entry.value("Id", "")},
                        {"SenderFault", prepared.error().sender_fault},
                        {"Code", prepared.error().code},
                        {"Message", prepared.error().message}});
      continue;
    }
    messages.push_back(std::move(message));
    message_ids.push_back(entry.value("Id", ""));
  }

  // Digests before Enqueue moves the messages into the queue.
  std::vector<Document> results;
  for (size_t i = 0; i < messages.size(); ++i) {
    Document result = {{"Id", message_ids[i]},
                       {"MD5OfMessageBody", messages[i].md5_of_body}};
    if (!messages[i].attributes.empty()) {
      result["MD5OfMessageAttributes"] =
          MessageAttributesMd5(messages[i].attributes);
    }
    if (!messages[i].md5_of_system_attributes.empty()) {
      result["MD5OfMessageSystemAttributes"] =
          messages[i].md5_of_system_attributes;
    }
    results.push_back(std::move(result));
  }

  Document successful = Document::array();
  if (!messages.empty()) {
    std::lock_guard lock(queue.mutex);
    if (queue.deleted) return QueueDoesNotExist();
    auto outcomes = Enqueue(queue, messages, now_ms);
    if (!outcomes.ok()) return outcomes.error();
    for (size_t i = 0; i < results.size(); ++i) {
      results[i]["MessageId"] = outcomes.value()[i].message_id;
      if (!outcomes.value()[i].sequence_number.empty()) {
        results[i]["SequenceNumber"] = outcomes.value()[i].sequence_number;
      }
      successful.push_back(std::move(results[i]));
    }
  }
  Document output = {{"Successful", successful}, {"Failed", failed}};
  return output;
}

}  // namespace brume::sqs
