#include "platform/log.h"

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

namespace brume::platform {
namespace {

// Routes the default logger into a string stream for one test and restores
// stderr text logging afterwards.
class LogTest : public ::testing::Test {
 protected:
  void Configure(std::string_view level, std::string_view format) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(output_);
    Status status = ConfigureLogging(level, format, sink);
    ASSERT_TRUE(status.ok()) << status.message();
  }

  void TearDown() override { ConfigureLogging("info", "text"); }

  std::vector<std::string> Lines() const {
    std::vector<std::string> lines;
    std::istringstream stream(output_.str());
    for (std::string line; std::getline(stream, line);) lines.push_back(line);
    return lines;
  }

  std::ostringstream output_;
};

RequestLogLine SampleLine() {
  RequestLogLine line;
  line.service = "sqs";
  line.operation = "SendMessage";
  line.status = 400;
  line.error_code = "QueueDoesNotExist";
  line.latency_ms = 0.4127;
  line.request_id = "8f1c0000-0000-4000-8000-000000000000";
  return line;
}

TEST_F(LogTest, TextRequestLine) {
  Configure("info", "text");
  LogRequest(SampleLine());
  std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  const std::string suffix =
      " info sqs SendMessage 400 QueueDoesNotExist 0.41ms "
      "req=8f1c0000-0000-4000-8000-000000000000";
  ASSERT_GE(lines[0].size(), suffix.size());
  EXPECT_EQ(lines[0].substr(lines[0].size() - suffix.size()), suffix);
  // Starts with an ISO 8601 UTC time such as 2024-05-01T12:00:00.123Z.
  EXPECT_EQ(lines[0][10], 'T') << lines[0];
  EXPECT_EQ(lines[0][23], 'Z') << lines[0];
}

TEST_F(LogTest, TextRequestLineDashes) {
  Configure("info", "text");
  RequestLogLine line;
  line.status = 404;
  line.latency_ms = 1.5;
  line.request_id = "id";
  LogRequest(line);
  std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find(" - - 404 - 1.50ms req=id"), std::string::npos)
      << lines[0];
}

TEST_F(LogTest, JsonRequestLine) {
  Configure("info", "json");
  LogRequest(SampleLine());
  std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  nlohmann::json record = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(record["level"], "info");
  EXPECT_EQ(record["service"], "sqs");
  EXPECT_EQ(record["operation"], "SendMessage");
  EXPECT_EQ(record["status"], 400);
  EXPECT_EQ(record["error_code"], "QueueDoesNotExist");
  EXPECT_DOUBLE_EQ(record["latency_ms"].get<double>(), 0.4127);
  EXPECT_EQ(record["request_id"], "8f1c0000-0000-4000-8000-000000000000");
  EXPECT_TRUE(record["time"].is_string());
  EXPECT_TRUE(record["message"].is_string());
}

TEST_F(LogTest, JsonPlainLine) {
  Configure("debug", "json");
  spdlog::warn("queue {} has \"quotes\" and \x01", "q1");
  spdlog::debug("debug line");
  std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  nlohmann::json warn = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(warn["level"], "warn");
  EXPECT_EQ(warn["message"], "queue q1 has \"quotes\" and \x01");
  EXPECT_FALSE(warn.contains("service"));
  nlohmann::json debug = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(debug["level"], "debug");
}

TEST_F(LogTest, JsonReplacesInvalidUtf8) {
  Configure("info", "json");
  spdlog::info("bad byte \xff here");
  std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NO_THROW(nlohmann::json::parse(lines[0])) << lines[0];
}

TEST_F(LogTest, LevelFiltersLines) {
  Configure("warn", "text");
  spdlog::info("hidden");
  LogRequest(SampleLine());
  spdlog::warn("shown");
  spdlog::error("also shown");
  std::vector<std::string> lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("shown"), std::string::npos);
  EXPECT_NE(lines[1].find("also shown"), std::string::npos);
}

TEST_F(LogTest, RejectsUnknownLevelAndFormat) {
  Status level = ConfigureLogging("verbose", "text");
  EXPECT_EQ(level.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(level.message().find("'verbose'"), std::string::npos);
  Status format = ConfigureLogging("info", "xml");
  EXPECT_EQ(format.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(format.message().find("'xml'"), std::string::npos);
}

TEST(LogExcerptTest, EscapesAndTruncates) {
  EXPECT_EQ(LogExcerpt("plain text"), "plain text");
  EXPECT_EQ(LogExcerpt(std::string("a\0b\n\\", 5)), "a\\x00b\\x0a\\\\");
  EXPECT_EQ(LogExcerpt("abcdefghij", 4), "abcd...(6 more bytes)");
  EXPECT_EQ(LogExcerpt("", 4), "");
}

}  // namespace
}  // namespace brume::platform
