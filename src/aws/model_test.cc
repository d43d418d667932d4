#include "aws/model.h"

#include <gtest/gtest.h>

namespace brume::aws {
namespace {

TEST(ModelTest, ServicesSortedAndFindable) {
  auto models = AllServiceModels();
  ASSERT_FALSE(models.empty());
  for (size_t i = 1; i < models.size(); ++i) {
    EXPECT_LT(std::string_view(models[i - 1]->id), models[i]->id);
  }
  for (const ServiceModel* model : models) {
    EXPECT_EQ(FindServiceModel(model->id), model);
  }
  EXPECT_EQ(FindServiceModel("no-such-service"), nullptr);
  EXPECT_FALSE(ModelsVersion().empty());
}

TEST(ModelTest, EveryShapeAndOperationFindable) {
  for (const ServiceModel* model : AllServiceModels()) {
    for (const Shape& shape : model->shapes) {
      ASSERT_EQ(model->FindShape(shape.name), &shape) << model->id;
    }
    for (const Operation& operation : model->operations) {
      ASSERT_EQ(model->FindOperation(operation.name), &operation)
          << model->id;
    }
    EXPECT_EQ(model->FindOperation("NoSuchOperation"), nullptr);
  }
}

TEST(ModelTest, MemberRangesStayInsideTables) {
  for (const ServiceModel* model : AllServiceModels()) {
    for (const Shape& shape : model->shapes) {
      ASSERT_LE(shape.members_begin + shape.members_count,
                model->members.size())
          << model->id << " " << shape.name;
      ASSERT_LE(shape.enum_begin + shape.enum_count, model->enum_values.size())
          << model->id << " " << shape.name;
    }
    for (const Member& member : model->members) {
      ASSERT_LT(member.shape, model->shapes.size()) << model->id;
    }
  }
}

TEST(ModelTest, SqsMetadataAndProtocols) {
  const ServiceModel* sqs = FindServiceModel("sqs");
  ASSERT_NE(sqs, nullptr);
  EXPECT_STREQ(sqs->target_prefix, "AmazonSQS");
  EXPECT_STREQ(sqs->json_version, "1.0");
  EXPECT_EQ(sqs->protocol, Protocol::kJson);
  EXPECT_TRUE(sqs->Serves(Protocol::kJson));
  EXPECT_TRUE(sqs->Serves(Protocol::kQuery));
  EXPECT_FALSE(sqs->Serves(Protocol::kRestXml));
  EXPECT_TRUE(sqs->aws_query_compatible);

  const Operation* send = sqs->FindOperation("SendMessage");
  ASSERT_NE(send, nullptr);
  EXPECT_STREQ(send->http_method, "POST");
  EXPECT_STREQ(sqs->shape(send->input).name, "SendMessageRequest");
  EXPECT_GT(send->errors_count, 0u);
}

TEST(ModelTest, SqsQueryTraitsFromDebianModel) {
  const ServiceModel* sqs = FindServiceModel("sqs");
  const Operation* send = sqs->FindOperation("SendMessage");
  if (send->result_wrapper == nullptr) {
    GTEST_SKIP() << "Debian's python3-botocore was not installed when the "
                    "models were generated, so SQS lacks query traits";
  }
  EXPECT_STREQ(send->result_wrapper, "SendMessageResult");
  EXPECT_STREQ(sqs->xml_namespace,
               "http://queue.amazonaws.com/doc/2012-11-05/");
  const Shape* missing = sqs->FindShape("QueueDoesNotExist");
  ASSERT_NE(missing, nullptr);
  EXPECT_STREQ(missing->error_code, "AWS.SimpleQueueService.NonExistentQueue");
  EXPECT_TRUE(missing->flags & kShapeSenderFault);
  const Shape* messages = sqs->FindShape("MessageList");
  ASSERT_NE(messages, nullptr);
  EXPECT_TRUE(messages->flags & kShapeFlattened);
  EXPECT_STREQ(sqs->member(messages->members_begin).location_name, "Message");
}

TEST(ModelTest, CloudWatchServesCborJsonAndQuery) {
  const ServiceModel* cloudwatch = FindServiceModel("cloudwatch");
  ASSERT_NE(cloudwatch, nullptr);
  EXPECT_EQ(cloudwatch->protocol, Protocol::kRpcV2Cbor);
  EXPECT_TRUE(cloudwatch->Serves(Protocol::kRpcV2Cbor));
  EXPECT_TRUE(cloudwatch->Serves(Protocol::kJson));
  EXPECT_TRUE(cloudwatch->Serves(Protocol::kQuery));
  EXPECT_STREQ(cloudwatch->signing_name, "monitoring");
}

TEST(ModelTest, S3LocationsPayloadAndStreaming) {
  const ServiceModel* s3 = FindServiceModel("s3");
  ASSERT_NE(s3, nullptr);
  const Operation* put = s3->FindOperation("PutObject");
  ASSERT_NE(put, nullptr);
  EXPECT_STREQ(put->http_method, "PUT");
  EXPECT_STREQ(put->request_uri, "/{Bucket}/{Key+}");

  const Shape& input = s3->shape(put->input);
  ASSERT_NE(input.payload_member, kNoShape);
  const Member& body = s3->member(input.payload_member);
  EXPECT_STREQ(body.name, "Body");
  EXPECT_TRUE(body.flags & kMemberPayload);
  EXPECT_TRUE(body.flags & kMemberStreaming);
  EXPECT_TRUE(s3->shape(body.shape).flags & kShapeStreaming);

  bool found_meta = false;
  for (uint32_t i = input.members_begin;
       i < input.members_begin + input.members_count; ++i) {
    const Member& member = s3->member(i);
    if (std::string_view(member.name) == "Metadata") {
      found_meta = true;
      EXPECT_EQ(member.location, Location::kHeaders);
      EXPECT_STREQ(member.location_name, "x-amz-meta-");
    }
    if (std::string_view(member.name) == "Bucket") {
      EXPECT_EQ(member.location, Location::kUri);
      EXPECT_TRUE(member.flags & kMemberRequired);
    }
  }
  EXPECT_TRUE(found_meta);

  const Shape* no_such_key = s3->FindShape("NoSuchKey");
  ASSERT_NE(no_such_key, nullptr);
  EXPECT_TRUE(no_such_key->flags & kShapeException);
  EXPECT_EQ(no_such_key->error_http_status, 404);
}

TEST(ModelTest, ConstraintsAndEnums) {
  const ServiceModel* dynamodb = FindServiceModel("dynamodb");
  const Shape* table_arn = dynamodb->FindShape("TableArn");
  ASSERT_NE(table_arn, nullptr);
  EXPECT_TRUE(table_arn->flags & kShapeHasMin);
  EXPECT_EQ(table_arn->min, 1);
  EXPECT_EQ(table_arn->max, 1024);

  const Shape* return_value = dynamodb->FindShape("ReturnValue");
  ASSERT_NE(return_value, nullptr);
  ASSERT_EQ(return_value->enum_count, 5u);
  EXPECT_STREQ(dynamodb->enum_values[return_value->enum_begin], "NONE");
}

TEST(ModelTest, ProtocolNames) {
  EXPECT_EQ(ProtocolName(Protocol::kQuery), "query");
  EXPECT_EQ(ProtocolName(Protocol::kEc2), "ec2");
  EXPECT_EQ(ProtocolName(Protocol::kJson), "json");
  EXPECT_EQ(ProtocolName(Protocol::kRestJson), "rest-json");
  EXPECT_EQ(ProtocolName(Protocol::kRestXml), "rest-xml");
  EXPECT_EQ(ProtocolName(Protocol::kRpcV2Cbor), "smithy-rpc-v2-cbor");
}

}  // namespace
}  // namespace brume::aws
