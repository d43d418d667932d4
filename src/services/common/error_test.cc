#include "services/common/error.h"

#include <string>

#include <gtest/gtest.h>

namespace brume {
namespace {

TEST(ErrorTest, ValidationError) {
  AwsError error = ValidationError("Value 'x' is invalid.");
  EXPECT_EQ(error.code, "ValidationError");
  EXPECT_EQ(error.message, "Value 'x' is invalid.");
  EXPECT_EQ(error.http_status, 400);
  EXPECT_TRUE(error.sender_fault);
}

TEST(ErrorTest, InternalFailure) {
  AwsError error = InternalFailure("storage failed");
  EXPECT_EQ(error.code, "InternalFailure");
  EXPECT_EQ(error.message, "storage failed");
  EXPECT_EQ(error.http_status, 500);
  EXPECT_FALSE(error.sender_fault);
}

TEST(ErrorTest, InternalFailureDefaultMessage) {
  AwsError error = InternalFailure("");
  EXPECT_EQ(error.message,
            "The request processing has failed because of an unknown error, "
            "exception or failure.");
}

TEST(ErrorTest, NotImplementedNamesOperation) {
  AwsError error = NotImplemented("sqs", "AddPermission");
  EXPECT_EQ(error.code, "NotImplemented");
  EXPECT_EQ(error.http_status, 501);
  EXPECT_FALSE(error.sender_fault);
  EXPECT_EQ(error.message,
            "brume does not implement the AddPermission operation of sqs "
            "yet.");
}

TEST(ErrorTest, MissingParameter) {
  AwsError error = MissingParameter("QueueName");
  EXPECT_EQ(error.code, "MissingParameter");
  EXPECT_EQ(error.http_status, 400);
  EXPECT_TRUE(error.sender_fault);
  EXPECT_EQ(error.message, "The request must contain the parameter QueueName.");
}

TEST(ResultTest, HoldsValueOrError) {
  Result<int> value = 7;
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value.value(), 7);

  Result<int> failed = MissingParameter("Name");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, "MissingParameter");
  AwsError moved = std::move(failed).error();
  EXPECT_EQ(moved.code, "MissingParameter");
}

TEST(ResultTest, StatusWithoutValue) {
  Status ok;
  EXPECT_TRUE(ok.ok());
  Status failed = ValidationError("bad");
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, "ValidationError");
}

}  // namespace
}  // namespace brume
