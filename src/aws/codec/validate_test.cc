#include <gtest/gtest.h>

#include "aws/codec/protocols.h"

namespace brume::aws::codec {
namespace {

OperationRef Ref(std::string_view service_id, std::string_view operation,
                 Protocol protocol) {
  OperationRef ref;
  ref.service = FindServiceModel(service_id);
  EXPECT_NE(ref.service, nullptr) << service_id;
  ref.operation = ref.service->FindOperation(operation);
  EXPECT_NE(ref.operation, nullptr) << operation;
  ref.protocol = protocol;
  return ref;
}

std::string Message(const Status& status) {
  return status.ok() ? "" : status.error().message;
}

TEST(ValidateTest, MissingRequiredMember) {
  Status status = ValidateInput(Ref("sqs", "CreateQueue", Protocol::kJson),
                                Document::object());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, "ValidationException");
  EXPECT_EQ(status.error().http_status, 400);
  EXPECT_EQ(status.error().message,
            "1 validation error detected: Value null at 'queueName' failed "
            "to satisfy constraint: Member must not be null");
}

TEST(ValidateTest, JoinsSeveralErrors) {
  Status status = ValidateInput(Ref("dynamodb", "GetItem", Protocol::kJson),
                                Document::object());
  EXPECT_EQ(Message(status),
            "2 validation errors detected: Value null at 'tableName' failed "
            "to satisfy constraint: Member must not be null; Value null at "
            "'key' failed to satisfy constraint: Member must not be null");
}

TEST(ValidateTest, ValidInputPasses) {
  Status status = ValidateInput(
      Ref("dynamodb", "GetItem", Protocol::kJson),
      Document{{"TableName", "t"}, {"Key", {{"id", {{"S", "1"}}}}}});
  EXPECT_TRUE(status.ok()) << Message(status);
}

TEST(ValidateTest, StringLength) {
  Status status = ValidateInput(
      Ref("dynamodb", "GetItem", Protocol::kJson),
      Document{{"TableName", ""}, {"Key", Document::object()}});
  EXPECT_EQ(Message(status),
            "1 validation error detected: Value '' at 'tableName' failed to "
            "satisfy constraint: Member must have length greater than or "
            "equal to 1");

  status = ValidateInput(
      Ref("dynamodb", "GetItem", Protocol::kJson),
      Document{{"TableName", std::string(1025, 'x')},
               {"Key", Document::object()}});
  EXPECT_NE(Message(status).find("Member must have length less than or equal "
                                 "to 1024"),
            std::string::npos);
}

TEST(ValidateTest, EnumValue) {
  Status status = ValidateInput(
      Ref("dynamodb", "PutItem", Protocol::kJson),
      Document{{"TableName", "t"},
               {"Item", Document::object()},
               {"ReturnValues", "SOME"}});
  EXPECT_EQ(Message(status),
            "1 validation error detected: Value 'SOME' at 'returnValues' "
            "failed to satisfy constraint: Member must satisfy enum value "
            "set: [NONE, ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATED_NEW]");
}

TEST(ValidateTest, NumericRange) {
  Status status = ValidateInput(
      Ref("dynamodb", "Query", Protocol::kJson),
      Document{{"TableName", "t"}, {"Limit", 0}});
  EXPECT_EQ(Message(status),
            "1 validation error detected: Value '0' at 'limit' failed to "
            "satisfy constraint: Member must have value greater than or "
            "equal to 1");
}

TEST(ValidateTest, NestedListMemberPath) {
  Status status = ValidateInput(
      Ref("dynamodb", "CreateTable", Protocol::kJson),
      Document{{"TableName", "t"},
               {"AttributeDefinitions",
                Document::array({{{"AttributeName", "id"},
                                  {"AttributeType", "S"}}})},
               {"KeySchema", Document::array({{{"AttributeName", "id"},
                                               {"KeyType", "HASH"}},
                                              {{"KeyType", "RANGE"}}})}});
  EXPECT_EQ(Message(status),
            "1 validation error detected: Value null at "
            "'keySchema.2.member.attributeName' failed to satisfy "
            "constraint: Member must not be null");
}

TEST(ValidateTest, ListOfEnumsReportsOnceForList) {
  Status status = ValidateInput(
      Ref("logs", "CreateDelivery", Protocol::kJson),
      Document{{"deliverySourceName", "source"},
               {"deliveryDestinationArn", "arn"},
               {"recordFields", Document::array({"a", std::string(300, 'b')})}});
  const std::string message = Message(status);
  EXPECT_NE(message.find("at 'recordFields' failed to satisfy constraint: "
                         "Member must satisfy constraint: [Member must have "
                         "length less than or equal to "),
            std::string::npos)
      << message;
}

TEST(ValidateTest, QueryCompatibleServicesSkipEnums) {
  // SQS returns its own InvalidAttributeName for unknown attribute names.
  Status status = ValidateInput(
      Ref("sqs", "GetQueueAttributes", Protocol::kJson),
      Document{{"QueueUrl", "u"},
               {"AttributeNames", Document::array({"All", "Bogus"})}});
  EXPECT_TRUE(status.ok()) << Message(status);
}

TEST(ValidateTest, DeprecatedMembersSkipEnums) {
  // KMS CreateKey's deprecated CustomerMasterKeySpec is not checked, while
  // its current KeySpec is.
  OperationRef ref = Ref("kms", "CreateKey", Protocol::kJson);
  EXPECT_TRUE(
      ValidateInput(ref, Document{{"CustomerMasterKeySpec", "OLD_SPEC"}}).ok());
  Status status = ValidateInput(ref, Document{{"KeySpec", "OLD_SPEC"}});
  EXPECT_NE(Message(status).find("Value 'OLD_SPEC' at 'keySpec' failed to "
                                 "satisfy constraint: Member must satisfy "
                                 "enum value set: ["),
            std::string::npos)
      << Message(status);
}

TEST(ValidateTest, BlobLengthPrintsJavaByteBuffer) {
  Status status = ValidateInput(
      Ref("kms", "Encrypt", Protocol::kJson),
      Document{{"KeyId", "k"}, {"Plaintext", Blob("")}});
  EXPECT_EQ(Message(status),
            "1 validation error detected: Value "
            "'java.nio.HeapByteBuffer[pos=0 lim=0 cap=0]' at 'plaintext' "
            "failed to satisfy constraint: Member must have length greater "
            "than or equal to 1");
}

TEST(ValidateTest, SensitiveStringIsRedacted) {
  Status status = ValidateInput(
      Ref("secretsmanager", "CreateSecret", Protocol::kJson),
      Document{{"Name", "s"}, {"SecretString", std::string(70000, 'x')}});
  EXPECT_NE(Message(status).find("Value '***Sensitive Data Redacted***' at "
                                 "'secretString'"),
            std::string::npos)
      << Message(status);
}

TEST(ValidateTest, QueryProtocolUsesValidationError) {
  Status status = ValidateInput(Ref("sts", "AssumeRole", Protocol::kQuery),
                                Document{{"RoleSessionName", "session"}});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, "ValidationError");
  EXPECT_EQ(status.error().message,
            "1 validation error detected: Value null at 'roleArn' failed to "
            "satisfy constraint: Member must not be null");
}

TEST(ValidateTest, Ec2UsesMissingParameter) {
  Status status = ValidateInput(
      Ref("ec2", "TerminateInstances", Protocol::kEc2), Document::object());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, "MissingParameter");
  EXPECT_EQ(status.error().message,
            "The request must contain the parameter InstanceId.");
}

TEST(ValidateTest, RestXmlIsNotValidated) {
  Status status = ValidateInput(Ref("s3", "PutObject", Protocol::kRestXml),
                                Document::object());
  EXPECT_TRUE(status.ok());
}

TEST(ValidateTest, MapKeyConstraint) {
  // CloudWatch Logs tag keys have a length of 1 to 128.
  Status status = ValidateInput(
      Ref("logs", "TagResource", Protocol::kJson),
      Document{{"resourceArn", "arn"}, {"tags", {{"", "v"}}}});
  EXPECT_EQ(Message(status),
            "1 validation error detected: Value at 'tags' failed to satisfy "
            "constraint: Map keys must satisfy constraint: [Member must have "
            "length greater than or equal to 1]");
}

}  // namespace
}  // namespace brume::aws::codec
