#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "platform/clock.h"
#include "platform/storage.h"
#include "platform/wakeups.h"
#include "services/sqs/message_md5.h"
#include "services/sqs/sqs_service.h"

namespace brume::sqs {
namespace {

class RecordingWakeups : public platform::Wakeups {
 public:
  void Notify(std::string_view key) override {
    std::lock_guard lock(mutex_);
    keys_.emplace_back(key);
  }
  size_t count() {
    std::lock_guard lock(mutex_);
    return keys_.size();
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> keys_;
};

class SqsServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto storage = platform::Storage::OpenSqlite("");
    ASSERT_TRUE(storage.ok()) << storage.status().message();
    storage_ = std::move(storage.value());
    Restart();
  }

  // Builds a new service over the same storage, as a process restart does.
  void Restart() {
    ServiceEnvironment env;
    env.storage = storage_.get();
    env.clock = &clock_;
    env.wakeups = &wakeups_;
    service_ = CreateSqsService(env);
  }

  Reply Call(const std::string& operation, Document input) {
    RequestContext ctx;
    ctx.account_id = "000000000000";
    ctx.region = "us-east-1";
    ctx.access_key_id = "test";
    ctx.endpoint = "http://localhost:4566";
    ctx.operation = operation;
    ctx.clock = &clock_;
    ctx.wakeups = &wakeups_;
    const Handler* handler = service_->FindHandler(operation);
    EXPECT_NE(handler, nullptr) << operation;
    return (*handler)(ctx, input);
  }

  // Calls an operation that must succeed and returns its output.
  Document Ok(const std::string& operation, Document input) {
    Reply reply = Call(operation, std::move(input));
    EXPECT_TRUE(reply.is_document())
        << operation << " failed: "
        << (reply.is_error() ? reply.error().code + " " + reply.error().message
                             : std::string("not a document"));
    return reply.is_document() ? reply.document() : Document();
  }

  std::string ErrorCode(const std::string& operation, Document input) {
    Reply reply = Call(operation, std::move(input));
    return reply.is_error() ? reply.error().code : std::string("<no error>");
  }

  std::string CreateQueue(const std::string& name, Document attributes = {}) {
    Document input = {{"QueueName", name}};
    if (!attributes.is_null()) input["Attributes"] = attributes;
    return Ok("CreateQueue", input).value("QueueUrl", "");
  }

  Document Receive(const std::string& url, int max = 10,
                   Document extra = Document::object()) {
    Document input = {{"QueueUrl", url},
                      {"MaxNumberOfMessages", max},
                      {"MessageSystemAttributeNames", {"All"}}};
    input.update(extra);
    return Ok("ReceiveMessage", input).value("Messages", Document::array());
  }

  void Advance(int seconds) {
    clock_.Advance(std::chrono::seconds(seconds));
  }

  std::unique_ptr<platform::Storage> storage_;
  platform::AdjustableClock clock_;
  RecordingWakeups wakeups_;
  std::unique_ptr<Service> service_;
};

TEST(MessageMd5Test, AttributesUseLengthPrefixedEncoding) {
  // Expected value from an independent Python implementation of the
  // encoding (struct.pack('>I', len) before each field, transport byte 1
  // for strings and 2 for binary, names sorted).
  Document attributes = {
      {"City", {{"DataType", "String"}, {"StringValue", "Any City"}}},
      {"Population", {{"DataType", "Number"}, {"StringValue", "1250800"}}},
      {"Blob",
       {{"DataType", "Binary"}, {"BinaryValue", Document::binary({0, 1, 2})}}},
  };
  EXPECT_EQ(MessageAttributesMd5(attributes),
            "69d43f899c5f825653b41c617787137a");
  EXPECT_EQ(Md5Hex("hello"), "5d41402abc4b2a76b9719d911017c592");
}

TEST_F(SqsServiceTest, CreateQueueIsIdempotentForEqualAttributes) {
  std::string url = CreateQueue("orders", {{"VisibilityTimeout", "40"}});
  EXPECT_EQ(url, "http://localhost:4566/000000000000/orders");
  EXPECT_EQ(CreateQueue("orders", {{"VisibilityTimeout", "40"}}), url);
  EXPECT_EQ(ErrorCode("CreateQueue", {{"QueueName", "orders"},
                                      {"Attributes",
                                       {{"VisibilityTimeout", "41"}}}}),
            "QueueNameExists");
  EXPECT_EQ(ErrorCode("CreateQueue", {{"QueueName", "bad name"}}),
            "InvalidParameterValue");
  EXPECT_EQ(ErrorCode("CreateQueue", {{"QueueName", "x.fifo"}}),
            "InvalidParameterValue");
}

TEST_F(SqsServiceTest, QueueUrlOfAnyHostResolves) {
  CreateQueue("anyhost");
  Document attributes =
      Ok("GetQueueAttributes",
         {{"QueueUrl", "https://sqs.us-east-1.amazonaws.com/000000000000/anyhost"},
          {"AttributeNames", {"QueueArn"}}});
  EXPECT_EQ(attributes["Attributes"]["QueueArn"],
            "arn:aws:sqs:us-east-1:000000000000:anyhost");
  EXPECT_EQ(ErrorCode("GetQueueAttributes",
                      {{"QueueUrl", "http://localhost/000000000000/nope"}}),
            "QueueDoesNotExist");
}

TEST_F(SqsServiceTest, SendReceiveDeleteCycle) {
  std::string url = CreateQueue("cycle");
  Document sent = Ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", "hello"}});
  EXPECT_EQ(sent["MD5OfMessageBody"], "5d41402abc4b2a76b9719d911017c592");

  Document messages = Receive(url);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0]["Body"], "hello");
  EXPECT_EQ(messages[0]["MessageId"], sent["MessageId"]);
  EXPECT_EQ(messages[0]["Attributes"]["ApproximateReceiveCount"], "1");
  EXPECT_EQ(messages[0]["Attributes"]["SenderId"], "test");

  // Invisible while in flight.
  EXPECT_TRUE(Receive(url).empty());
  Document counts = Ok("GetQueueAttributes",
                       {{"QueueUrl", url}, {"AttributeNames", {"All"}}});
  EXPECT_EQ(counts["Attributes"]["ApproximateNumberOfMessages"], "0");
  EXPECT_EQ(counts["Attributes"]["ApproximateNumberOfMessagesNotVisible"], "1");

  Ok("DeleteMessage",
     {{"QueueUrl", url}, {"ReceiptHandle", messages[0]["ReceiptHandle"]}});
  Advance(31);
  EXPECT_TRUE(Receive(url).empty());
  EXPECT_EQ(ErrorCode("DeleteMessage",
                      {{"QueueUrl", url}, {"ReceiptHandle", "garbage"}}),
            "ReceiptHandleIsInvalid");
}

TEST_F(SqsServiceTest, VisibilityTimeoutExpiresOnTheClock) {
  std::string url = CreateQueue("visibility");
  Ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", "m"}});
  ASSERT_EQ(Receive(url, 1, {{"VisibilityTimeout", 5}}).size(), 1u);
  Advance(4);
  EXPECT_TRUE(Receive(url).empty());
  Advance(2);
  Document again = Receive(url);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0]["Attributes"]["ApproximateReceiveCount"], "2");

  // ChangeMessageVisibility to 0 makes it visible at once.
  Ok("ChangeMessageVisibility", {{"QueueUrl", url},
                                 {"ReceiptHandle", again[0]["ReceiptHandle"]},
                                 {"VisibilityTimeout", 0}});
  EXPECT_EQ(Receive(url).size(), 1u);
}

TEST_F(SqsServiceTest, DelayedMessagesAppearAfterDelay) {
  std::string url = CreateQueue("delayed");
  Ok("SendMessage",
     {{"QueueUrl", url}, {"MessageBody", "later"}, {"DelaySeconds", 10}});
  EXPECT_TRUE(Receive(url).empty());
  Document counts = Ok("GetQueueAttributes",
                       {{"QueueUrl", url},
                        {"AttributeNames", {"ApproximateNumberOfMessagesDelayed"}}});
  EXPECT_EQ(counts["Attributes"]["ApproximateNumberOfMessagesDelayed"], "1");
  Advance(10);
  EXPECT_EQ(Receive(url).size(), 1u);
}

TEST_F(SqsServiceTest, RetentionDropsExpiredMessages) {
  std::string url = CreateQueue("retention", {{"MessageRetentionPeriod", "60"}});
  Ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", "old"}});
  Advance(61);
  EXPECT_TRUE(Receive(url).empty());
  Document counts = Ok("GetQueueAttributes",
                       {{"QueueUrl", url}, {"AttributeNames", {"All"}}});
  EXPECT_EQ(counts["Attributes"]["ApproximateNumberOfMessages"], "0");
}

TEST_F(SqsServiceTest, ReceiveValidatesLimits) {
  std::string url = CreateQueue("limits");
  EXPECT_EQ(ErrorCode("ReceiveMessage",
                      {{"QueueUrl", url}, {"MaxNumberOfMessages", 11}}),
            "InvalidParameterValue");
  EXPECT_EQ(ErrorCode("ReceiveMessage",
                      {{"QueueUrl", url}, {"VisibilityTimeout", 43201}}),
            "InvalidParameterValue");
  EXPECT_EQ(ErrorCode("ReceiveMessage",
                      {{"QueueUrl", url}, {"WaitTimeSeconds", 21}}),
            "InvalidParameterValue");
  EXPECT_EQ(ErrorCode("SendMessage", {{"QueueUrl", url}, {"MessageBody", ""}}),
            "MissingParameter");
  EXPECT_EQ(ErrorCode("SendMessage",
                      {{"QueueUrl", url}, {"MessageBody", std::string("\x01")}}),
            "InvalidMessageContents");
  EXPECT_EQ(ErrorCode("SendMessage", {{"QueueUrl", url},
                                      {"MessageBody", std::string(1048577, 'a')}}),
            "InvalidParameterValue");
}

TEST_F(SqsServiceTest, BatchRequestsCheckEntries) {
  std::string url = CreateQueue("batch");
  EXPECT_EQ(ErrorCode("SendMessageBatch",
                      {{"QueueUrl", url}, {"Entries", Document::array()}}),
            "EmptyBatchRequest");
  Document eleven = Document::array();
  for (int i = 0; i < 11; ++i) {
    std::string id = "e";
    id += std::to_string(i);
    eleven.push_back({{"Id", id}, {"MessageBody", "x"}});
  }
  EXPECT_EQ(ErrorCode("SendMessageBatch", {{"QueueUrl", url}, {"Entries", eleven}}),
            "TooManyEntriesInBatchRequest");
  EXPECT_EQ(ErrorCode("SendMessageBatch",
                      {{"QueueUrl", url},
                       {"Entries",
                        {{{"Id", "a"}, {"MessageBody", "x"}},
                         {{"Id", "a"}, {"MessageBody", "y"}}}}}),
            "BatchEntryIdsNotDistinct");
  EXPECT_EQ(ErrorCode("SendMessageBatch",
                      {{"QueueUrl", url},
                       {"Entries", {{{"Id", "a.b"}, {"MessageBody", "x"}}}}}),
            "InvalidBatchEntryId");

  Document result =
      Ok("SendMessageBatch",
         {{"QueueUrl", url},
          {"Entries",
           {{{"Id", "good"}, {"MessageBody", "x"}},
            {{"Id", "bad"}, {"MessageBody", "y"}, {"DelaySeconds", 901}}}}});
  ASSERT_EQ(result["Successful"].size(), 1u);
  EXPECT_EQ(result["Successful"][0]["Id"], "good");
  ASSERT_EQ(result["Failed"].size(), 1u);
  EXPECT_EQ(result["Failed"][0]["Id"], "bad");
  EXPECT_EQ(result["Failed"][0]["Code"], "InvalidParameterValue");
  EXPECT_EQ(result["Failed"][0]["SenderFault"], true);
}

TEST_F(SqsServiceTest, FifoKeepsGroupOrderAndLocksGroups) {
  std::string url = CreateQueue(
      "orders.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  for (const char* body : {"a1", "a2", "b1", "a3"}) {
    std::string group(1, body[0]);
    Ok("SendMessage",
       {{"QueueUrl", url}, {"MessageBody", body}, {"MessageGroupId", group}});
  }
  Document first = Receive(url, 1);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0]["Body"], "a1");
  // Group a is locked while a1 is in flight; b is free.
  Document second = Receive(url, 10);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0]["Body"], "b1");
  Ok("DeleteMessage",
     {{"QueueUrl", url}, {"ReceiptHandle", first[0]["ReceiptHandle"]}});
  Document rest = Receive(url, 10);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0]["Body"], "a2");
  EXPECT_EQ(rest[1]["Body"], "a3");
  EXPECT_LT(rest[0]["Attributes"]["SequenceNumber"].get<std::string>(),
            rest[1]["Attributes"]["SequenceNumber"].get<std::string>());
}

TEST_F(SqsServiceTest, FifoDeduplicatesWithinFiveMinutes) {
  std::string url = CreateQueue("dedup.fifo", {{"FifoQueue", "true"}});
  EXPECT_EQ(ErrorCode("SendMessage", {{"QueueUrl", url},
                                      {"MessageBody", "x"},
                                      {"MessageGroupId", "g"}}),
            "InvalidParameterValue");
  EXPECT_EQ(ErrorCode("SendMessage", {{"QueueUrl", url},
                                      {"MessageBody", "x"},
                                      {"MessageDeduplicationId", "d"}}),
            "MissingParameter");
  Document input = {{"QueueUrl", url},
                    {"MessageBody", "x"},
                    {"MessageGroupId", "g"},
                    {"MessageDeduplicationId", "d1"}};
  Document first = Ok("SendMessage", input);
  Document duplicate = Ok("SendMessage", input);
  EXPECT_EQ(first["MessageId"], duplicate["MessageId"]);
  EXPECT_EQ(first["SequenceNumber"], duplicate["SequenceNumber"]);
  EXPECT_EQ(first["SequenceNumber"].get<std::string>().size(), 20u);
  Advance(301);
  Document later = Ok("SendMessage", input);
  EXPECT_NE(later["MessageId"], first["MessageId"]);
  // Only the first and the one after the window are in the queue.
  Document messages = Receive(url, 10);
  EXPECT_EQ(messages.size(), 2u);
}

TEST_F(SqsServiceTest, ReceiveRequestAttemptIdRepeatsTheReceive) {
  std::string url = CreateQueue("attempt.fifo", {{"FifoQueue", "true"},
                                                {"ContentBasedDeduplication", "true"}});
  Ok("SendMessage",
     {{"QueueUrl", url}, {"MessageBody", "one"}, {"MessageGroupId", "g"}});
  Document first = Receive(url, 1, {{"ReceiveRequestAttemptId", "try-1"}});
  Document retry = Receive(url, 1, {{"ReceiveRequestAttemptId", "try-1"}});
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(retry.size(), 1u);
  EXPECT_EQ(first[0]["ReceiptHandle"], retry[0]["ReceiptHandle"]);
  EXPECT_TRUE(Receive(url, 1, {{"ReceiveRequestAttemptId", "try-2"}}).empty());
}

TEST_F(SqsServiceTest, DeadLetterQueueReceivesAfterMaxReceiveCount) {
  std::string dlq_url = CreateQueue("dead");
  Document redrive = {
      {"deadLetterTargetArn", "arn:aws:sqs:us-east-1:000000000000:dead"},
      {"maxReceiveCount", 2}};
  std::string url = CreateQueue("source", {{"RedrivePolicy", redrive.dump()}});
  Ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", "poison"}});
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(Receive(url, 1, {{"VisibilityTimeout", 1}}).size(), 1u);
    Advance(2);
  }
  EXPECT_TRUE(Receive(url).empty());
  Document moved = Receive(dlq_url);
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0]["Body"], "poison");
  EXPECT_EQ(moved[0]["Attributes"]["DeadLetterQueueSourceArn"],
            "arn:aws:sqs:us-east-1:000000000000:source");

  Document sources = Ok("ListDeadLetterSourceQueues", {{"QueueUrl", dlq_url}});
  ASSERT_EQ(sources["queueUrls"].size(), 1u);
  EXPECT_EQ(sources["queueUrls"][0], url);

  // Redrive back to the source.
  Ok("ChangeMessageVisibility", {{"QueueUrl", dlq_url},
                                 {"ReceiptHandle", moved[0]["ReceiptHandle"]},
                                 {"VisibilityTimeout", 0}});
  Ok("StartMessageMoveTask",
     {{"SourceArn", "arn:aws:sqs:us-east-1:000000000000:dead"}});
  Document tasks = Ok("ListMessageMoveTasks",
                      {{"SourceArn", "arn:aws:sqs:us-east-1:000000000000:dead"}});
  ASSERT_EQ(tasks["Results"].size(), 1u);
  EXPECT_EQ(tasks["Results"][0]["Status"], "COMPLETED");
  EXPECT_EQ(tasks["Results"][0]["ApproximateNumberOfMessagesMoved"], 1);
  EXPECT_EQ(Receive(url).size(), 1u);
}

TEST_F(SqsServiceTest, StateSurvivesRestart) {
  std::string url = CreateQueue("durable", {{"VisibilityTimeout", "100"}});
  Ok("TagQueue", {{"QueueUrl", url}, {"Tags", {{"team", "a"}}}});
  Ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", "in flight"}});
  Ok("SendMessage",
     {{"QueueUrl", url},
      {"MessageBody", "kept"},
      {"MessageAttributes",
       {{"bin", {{"DataType", "Binary"},
                 {"BinaryValue", Document::binary({9, 8, 7})}}}}}});
  Document received = Receive(url, 1);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0]["Body"], "in flight");

  Restart();
  Document attributes = Ok("GetQueueAttributes",
                           {{"QueueUrl", url}, {"AttributeNames", {"All"}}});
  EXPECT_EQ(attributes["Attributes"]["VisibilityTimeout"], "100");
  EXPECT_EQ(attributes["Attributes"]["ApproximateNumberOfMessages"], "1");
  EXPECT_EQ(attributes["Attributes"]["ApproximateNumberOfMessagesNotVisible"],
            "1");
  EXPECT_EQ(Ok("ListQueueTags", {{"QueueUrl", url}})["Tags"]["team"], "a");

  // The receipt handle from before the restart still deletes.
  Ok("DeleteMessage",
     {{"QueueUrl", url}, {"ReceiptHandle", received[0]["ReceiptHandle"]}});
  Document rest = Receive(url, 10, {{"MessageAttributeNames", {"All"}}});
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0]["Body"], "kept");
  EXPECT_EQ(BlobBytes(rest[0]["MessageAttributes"]["bin"]["BinaryValue"]),
            std::string("\x09\x08\x07"));
  Advance(101);
  Document again = Receive(url, 10);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0]["Attributes"]["ApproximateReceiveCount"], "2");
}

TEST_F(SqsServiceTest, EmptyReceiveWithWaitTimeAsksToWait) {
  std::string url = CreateQueue("poll");
  Reply reply = Call("ReceiveMessage", {{"QueueUrl", url}, {"WaitTimeSeconds", 5}});
  ASSERT_TRUE(reply.is_wait());
  EXPECT_EQ(reply.wait().key, "sqs:arn:aws:sqs:us-east-1:000000000000:poll");
  size_t before = wakeups_.count();
  Ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", "wake"}});
  EXPECT_GT(wakeups_.count(), before);
}

TEST_F(SqsServiceTest, ConcurrentReceiversNeverShareAMessage) {
  std::string url = CreateQueue("shared");
  constexpr int kMessages = 200;
  for (int i = 0; i < kMessages; ++i) {
    Ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", std::to_string(i)}});
  }
  std::mutex mutex;
  std::multiset<std::string> seen;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < 100; ++round) {
        Document messages = Receive(url, 10);
        if (messages.empty()) break;
        std::lock_guard lock(mutex);
        for (const Document& message : messages) seen.insert(message["Body"]);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(seen.size(), static_cast<size_t>(kMessages));
  std::set<std::string> distinct(seen.begin(), seen.end());
  EXPECT_EQ(distinct.size(), static_cast<size_t>(kMessages));
}

TEST_F(SqsServiceTest, PermissionsEditThePolicy) {
  std::string url = CreateQueue("perm");
  Ok("AddPermission", {{"QueueUrl", url},
                       {"Label", "l1"},
                       {"AWSAccountIds", {"111122223333"}},
                       {"Actions", {"SendMessage"}}});
  EXPECT_EQ(ErrorCode("AddPermission", {{"QueueUrl", url},
                                        {"Label", "l1"},
                                        {"AWSAccountIds", {"111122223333"}},
                                        {"Actions", {"SendMessage"}}}),
            "InvalidParameterValue");
  Document attributes = Ok("GetQueueAttributes",
                           {{"QueueUrl", url}, {"AttributeNames", {"Policy"}}});
  Document policy = Document::parse(
      attributes["Attributes"]["Policy"].get<std::string>());
  EXPECT_EQ(policy["Statement"][0]["Sid"], "l1");
  EXPECT_EQ(policy["Statement"][0]["Action"], "SQS:SendMessage");
  Ok("RemovePermission", {{"QueueUrl", url}, {"Label", "l1"}});
  attributes = Ok("GetQueueAttributes",
                  {{"QueueUrl", url}, {"AttributeNames", {"Policy"}}});
  EXPECT_FALSE(attributes.contains("Attributes"));
}

TEST_F(SqsServiceTest, PurgeQueueOncePerMinute) {
  std::string url = CreateQueue("purge");
  Ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", "x"}});
  Ok("PurgeQueue", {{"QueueUrl", url}});
  EXPECT_EQ(ErrorCode("PurgeQueue", {{"QueueUrl", url}}), "PurgeQueueInProgress");
  EXPECT_TRUE(Receive(url).empty());
  Advance(61);
  Ok("PurgeQueue", {{"QueueUrl", url}});
}

TEST_F(SqsServiceTest, ListQueuesPaginates) {
  for (int i = 0; i < 5; ++i) CreateQueue("page-" + std::to_string(i));
  CreateQueue("other");
  Document first = Ok("ListQueues", {{"QueueNamePrefix", "page-"}, {"MaxResults", 3}});
  ASSERT_EQ(first["QueueUrls"].size(), 3u);
  ASSERT_TRUE(first.contains("NextToken"));
  Document second = Ok("ListQueues", {{"QueueNamePrefix", "page-"},
                                      {"MaxResults", 3},
                                      {"NextToken", first["NextToken"]}});
  EXPECT_EQ(second["QueueUrls"].size(), 2u);
  EXPECT_FALSE(second.contains("NextToken"));
}

TEST_F(SqsServiceTest, DeletedQueueNameWaitsSixtySeconds) {
  std::string url = CreateQueue("recycled");
  Ok("DeleteQueue", {{"QueueUrl", url}});
  EXPECT_EQ(ErrorCode("GetQueueUrl", {{"QueueName", "recycled"}}),
            "QueueDoesNotExist");
  EXPECT_EQ(ErrorCode("CreateQueue", {{"QueueName", "recycled"}}),
            "QueueDeletedRecently");
  Advance(61);
  EXPECT_EQ(CreateQueue("recycled"), url);
}

}  // namespace
}  // namespace brume::sqs
