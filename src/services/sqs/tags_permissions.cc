// TagQueue, UntagQueue, ListQueueTags, AddPermission and RemovePermission.

#include <set>

#include <fmt/format.h>

#include "platform/ids.h"
#include "services/sqs/errors.h"
#include "services/sqs/queue_store.h"
#include "services/sqs/sqs.h"

namespace brume::sqs {
namespace {

constexpr size_t kMaxTags = 50;

// Actions AddPermission accepts; the owner-only actions (AddPermission,
// CreateQueue, DeleteQueue, RemovePermission, SetQueueAttributes) are not
// among them.
const std::set<std::string, std::less<>> kGrantableActions = {
    "*",
    "ChangeMessageVisibility",
    "DeleteMessage",
    "GetQueueAttributes",
    "GetQueueUrl",
    "ListDeadLetterSourceQueues",
    "ListQueueTags",
    "PurgeQueue",
    "ReceiveMessage",
    "SendMessage",
};

const std::set<std::string, std::less<>> kOwnerOnlyActions = {
    "AddPermission", "CreateQueue", "DeleteQueue", "RemovePermission",
    "SetQueueAttributes"};

// A string for one value, an array for several, as AWS writes policies.
Document OneOrMany(const std::vector<std::string>& values) {
  if (values.size() == 1) return values[0];
  return values;
}

}  // namespace

Reply SqsService::TagQueue(RequestContext& ctx, Document& input) {
  auto queue_or = ResolveQueueUrl(ctx, input);
  if (!queue_or.ok()) return queue_or.error();
  Queue& queue = *queue_or.value();
  Document tags = input.value("Tags", Document::object());
  if (tags.empty()) return MissingSqsParameter("Tags");

  std::lock_guard lock(queue.mutex);
  if (queue.deleted) return QueueDoesNotExist();
  std::map<std::string, std::string> updated = queue.tags;
  for (auto it = tags.begin(); it != tags.end(); ++it) {
    if (it.value().is_string()) updated[it.key()] = it.value();
  }
  if (updated.size() > kMaxTags) {
    return InvalidParameterValue(
        fmt::format("Too many tags added for queue {}.", queue.name));
  }
  std::swap(queue.tags, updated);
  platform::WriteBatch batch;
  StageQueue(batch, queue);
  platform::Status status = storage_->Write(batch);
  if (!status.ok()) {
    std::swap(queue.tags, updated);
    return StorageFailure("tagging queue", status.message());
  }
  return Document::object();
}

Reply SqsService::UntagQueue(RequestContext& ctx, Document& input) {
  auto queue_or = ResolveQueueUrl(ctx, input);
  if (!queue_or.ok()) return queue_or.error();
  Queue& queue = *queue_or.value();
  std::vector<std::string> keys = StringList(input, "TagKeys");
  if (keys.empty()) return MissingSqsParameter("TagKeys");

  std::lock_guard lock(queue.mutex);
  if (queue.deleted) return QueueDoesNotExist();
  std::map<std::string, std::string> updated = queue.tags;
  for (const std::string& key : keys) updated.erase(key);
  std::swap(queue.tags, updated);
  platform::WriteBatch batch;
  StageQueue(batch, queue);
  platform::Status status = storage_->Write(batch);
  if (!status.ok()) {
    std::swap(queue.tags, updated);
    return StorageFailure("untagging queue", status.message());
  }
  return Document::object();
}

Reply SqsService::ListQueueTags(RequestContext& ctx, Document& input) {
  auto queue_or = ResolveQueueUrl(ctx, input);
  if (!queue_or.ok()) return queue_or.error();
  Queue& queue = *queue_or.value();
  std::lock_guard lock(queue.mutex);
  if (queue.deleted) return QueueDoesNotExist();
  Document output = Document::object();
  if (!queue.tags.empty()) output["Tags"] = queue.tags;
  return output;
}

Reply SqsService::AddPermission(RequestContext& ctx, Document& input) {
  auto queue_or = ResolveQueueUrl(ctx, input);
  if (!queue_or.ok()) return queue_or.error();
  Queue& queue = *queue_or.value();

  std::string label = input.value("Label", "");
  if (label.empty() || label.size() > 80 ||
      label.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                              "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") !=
          std::string::npos) {
    return InvalidParameter("Label", label,
                            "Must be shorter than 80 characters and only "
                            "contain alphanumeric characters, hyphens and "
                            "underscores.");
  }
  std::vector<std::string> accounts = StringList(input, "AWSAccountIds");
  std::vector<std::string> actions = StringList(input, "Actions");
  if (accounts.empty()) return MissingSqsParameter("AWSAccountIds");
  if (actions.empty()) return MissingSqsParameter("Actions");

  std::vector<std::string> principals;
  for (const std::string& account : accounts) {
    if (account.size() != 12 ||
        account.find_first_not_of("0123456789") != std::string::npos) {
      return AwsError{"InvalidParameterValue",
                      fmt::format("Value [{}] for parameter PrincipalId is "
                                  "invalid. Reason: Unable to verify.",
                                  account),
                      400};
    }
    principals.push_back(fmt::format("arn:{}:iam::{}:root",
                                     platform::PartitionOf(queue.region),
                                     account));
  }
  std::vector<std::string> policy_actions;
  for (const std::string& action : actions) {
    if (kOwnerOnlyActions.contains(action)) {
      return InvalidParameter("ActionName", "SQS:" + action,
                              "Only the queue owner is allowed to invoke "
                              "this action.");
    }
    if (!kGrantableActions.contains(action)) {
      return InvalidParameter("ActionName", "SQS:" + action,
                              "Please refer to the appropriate WSDL for a "
                              "list of valid actions.");
    }
    policy_actions.push_back("SQS:" + action);
  }

  std::lock_guard lock(queue.mutex);
  if (queue.deleted) return QueueDoesNotExist();
  Document policy;
  auto current = queue.attributes.find("Policy");
  if (current != queue.attributes.end() && !current->second.empty()) {
    policy = Document::parse(current->second, nullptr, false);
  }
  if (!policy.is_object()) {
    policy = {{"Version", "2012-10-17"},
              {"Id", queue.arn + "/SQSDefaultPolicy"},
              {"Statement", Document::array()}};
  }
  if (!policy["Statement"].is_array()) {
    policy["Statement"] = Document::array({policy["Statement"]});
  }
  for (const Document& statement : policy["Statement"]) {
    if (statement.is_object() && statement.value("Sid", "") == label) {
      return InvalidParameter("Label", label, "Already exists.");
    }
  }
  policy["Statement"].push_back({{"Sid", label},
                                 {"Effect", "Allow"},
                                 {"Principal", {{"AWS", OneOrMany(principals)}}},
                                 {"Action", OneOrMany(policy_actions)},
                                 {"Resource", queue.arn}});

  std::string previous = current == queue.attributes.end() ? "" : current->second;
  queue.attributes["Policy"] = policy.dump();
  platform::WriteBatch batch;
  StageQueue(batch, queue);
  platform::Status status = storage_->Write(batch);
  if (!status.ok()) {
    queue.attributes["Policy"] = previous;
    return StorageFailure("adding permission", status.message());
  }
  return Document::object();
}

Reply SqsService::RemovePermission(RequestContext& ctx, Document& input) {
  auto queue_or = ResolveQueueUrl(ctx, input);
  if (!queue_or.ok()) return queue_or.error();
  Queue& queue = *queue_or.value();
  std::string label = input.value("Label", "");

  std::lock_guard lock(queue.mutex);
  if (queue.deleted) return QueueDoesNotExist();
  auto current = queue.attributes.find("Policy");
  Document policy;
  if (current != queue.attributes.end() && !current->second.empty()) {
    policy = Document::parse(current->second, nullptr, false);
  }
  bool found = false;
  Document kept = Document::array();
  if (policy.is_object() && policy["Statement"].is_array()) {
    for (const Document& statement : policy["Statement"]) {
      if (statement.is_object() && statement.value("Sid", "") == label) {
        found = true;
      } else {
        kept.push_back(statement);
      }
    }
  }
  if (!found) {
    return InvalidParameter("Label", label,
                            "can't find label on existing policy.");
  }

  std::string previous = current->second;
  if (kept.empty()) {
    queue.attributes.erase("Policy");
  } else {
    policy["Statement"] = kept;
    queue.attributes["Policy"] = policy.dump();
  }
  platform::WriteBatch batch;
  StageQueue(batch, queue);
  platform::Status status = storage_->Write(batch);
  if (!status.ok()) {
    queue.attributes["Policy"] = previous;
    return StorageFailure("removing permission", status.message());
  }
  return Document::object();
}

}  // namespace brume::sqs
