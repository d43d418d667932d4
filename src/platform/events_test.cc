#include "platform/events.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace brume::platform {
namespace {

TEST(ArnServiceTest, ServicePartOfArn) {
  EXPECT_EQ(ArnService("arn:aws:sqs:us-east-1:111122223333:q"), "sqs");
  EXPECT_EQ(ArnService("arn:aws-cn:sns:cn-north-1:111122223333:t"), "sns");
  EXPECT_EQ(ArnService("sqs:q"), "");
  EXPECT_EQ(ArnService("arn:aws"), "");
}

TEST(EventDeliveryTest, RoutesByTargetService) {
  EventDelivery delivery;
  std::vector<std::string> delivered;
  delivery.RegisterSink(
      "sqs", {[](const Event& event) {
                return event.target_arn.ends_with(":known")
                           ? Status()
                           : Status::NotFound("no queue");
              },
              [&](const Event& event) {
                delivered.push_back(event.body);
                return Status();
              }});
  Event event{"arn:aws:sqs:us-east-1:111122223333:known", "s3.amazonaws.com",
              "arn:aws:s3:::b", "111122223333", "hello"};
  EXPECT_TRUE(delivery.Check(event).ok());
  EXPECT_TRUE(delivery.Deliver(event).ok());
  EXPECT_EQ(delivered, std::vector<std::string>{"hello"});

  event.target_arn = "arn:aws:sqs:us-east-1:111122223333:missing";
  EXPECT_EQ(delivery.Check(event).code(), Status::Code::kNotFound);

  event.target_arn = "arn:aws:sns:us-east-1:111122223333:topic";
  Status no_sink = delivery.Check(event);
  EXPECT_EQ(no_sink.code(), Status::Code::kNotFound);
  EXPECT_NE(no_sink.message().find("sns"), std::string::npos);

  delivery.UnregisterSink("sqs");
  event.target_arn = "arn:aws:sqs:us-east-1:111122223333:known";
  EXPECT_FALSE(delivery.Deliver(event).ok());
}

}  // namespace
}  // namespace brume::platform
