#include "runner.h"

#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <exception>
#include <memory>

#include "http_client.h"

namespace brume::bench {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

namespace {

constexpr size_t kMaxErrorSamples = 5;
// Time between the start of the waiting ReceiveMessage and SendMessage, so
// that the receive is already parked on the server.
constexpr auto kLongPollSendDelay = std::chrono::milliseconds(25);

Clock::duration Seconds(double seconds) {
  return std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(seconds));
}

uint64_t Nanoseconds(Clock::duration duration) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(duration).count());
}

std::string DescribeException(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

void AddError(RunReport& report, std::string message) {
  ++report.errors;
  if (report.error_samples.size() < kMaxErrorSamples) {
    report.error_samples.push_back(std::move(message));
  }
}

// State shared by the connection loops of one RunWorkload call. Everything
// runs on one thread, so the loops need no locking.
struct WorkloadRun {
  Workload* workload;
  RunOptions options;
  std::vector<std::unique_ptr<HttpConnection>> connections;
  std::vector<Client> clients;
  RunReport report;
  asio::steady_timer* watchdog;
  Clock::time_point start;
  Clock::time_point end;
  Clock::time_point last_finish;
  uint64_t next_operation = 0;
  int running_loops = 0;
  bool timed_out = false;
  bool finished = false;
};

awaitable<void> ConnectionLoop(WorkloadRun& run, int index) {
  Client& client = run.clients[index];
  const uint64_t limit = run.workload->OperationLimit();
  while (!run.timed_out) {
    if (limit != 0 && run.next_operation >= limit) break;
    if (limit == 0 && Clock::now() >= run.end) break;
    const uint64_t operation = run.next_operation++;

    const Clock::time_point started = Clock::now();
    Outcome outcome;
    try {
      outcome = co_await run.workload->Run(client, operation);
    } catch (const std::exception& e) {
      outcome.ok = false;
      outcome.error = run.timed_out
                          ? "request timed out and was abandoned"
                          : fmt::format("transport error: {}", e.what());
      client.connection->Close();
    }
    const Clock::time_point finished = Clock::now();

    if (outcome.ok) {
      run.report.latency.Record(Nanoseconds(finished - started));
      ++run.report.operations;
      run.report.payload_bytes += outcome.payload_bytes;
      if (outcome.empty_receive) ++run.report.empty_receives;
    } else {
      AddError(run.report, std::move(outcome.error));
    }
  }
  run.last_finish = std::max(run.last_finish, Clock::now());
  if (--run.running_loops == 0) {
    run.finished = true;
    run.watchdog->cancel();
  }
}

awaitable<void> PrepareAndStart(WorkloadRun& run) {
  try {
    co_await run.workload->Prepare(run.clients[0]);
  } catch (const std::exception& e) {
    AddError(run.report, fmt::format("prepare failed: {}", e.what()));
    run.finished = true;
    run.watchdog->cancel();
    co_return;
  }

  run.start = Clock::now();
  run.last_finish = run.start;
  run.end = run.start + Seconds(run.options.duration_seconds);
  const bool limited = run.workload->OperationLimit() != 0;
  run.watchdog->expires_at(
      (limited ? run.start : run.end) + Seconds(run.options.timeout_seconds));
  run.running_loops = run.options.connections;
  const auto executor = co_await asio::this_coro::executor;
  for (int i = 0; i < run.options.connections; ++i) {
    asio::co_spawn(executor, ConnectionLoop(run, i), asio::detached);
  }
}

// Abandons open requests when the watchdog expires. PrepareAndStart moves
// the expiry, which also cancels the pending wait, so a wake-up only times
// out when the current expiry has passed.
awaitable<void> Watchdog(WorkloadRun& run) {
  while (!run.finished) {
    boost::system::error_code error;
    co_await run.watchdog->async_wait(
        asio::redirect_error(use_awaitable, error));
    if (run.finished) break;
    if (Clock::now() < run.watchdog->expiry()) continue;
    run.timed_out = true;
    for (auto& connection : run.connections) connection->Close();
    break;
  }
}

// The ReceiveMessage half of a long-poll round, run concurrently with the
// send. `done` is signalled by cancelling `wake`.
struct PendingReceive {
  HttpResult result;
  std::string error;
  Clock::time_point finished;
  bool done = false;
};

awaitable<HttpResult> PostSqs(Client& client, std::string_view target,
                              const std::string& body) {
  HttpRequest request = MakeRequest("POST", "/");
  request.headers.Set("Content-Type", "application/x-amz-json-1.0");
  request.headers.Set("X-Amz-Target", std::string(target));
  const std::string head =
      SignedRequestHead(*client.signing, request, "sqs", body);
  co_return co_await client.connection->RoundTrip(head, body);
}

awaitable<void> ReceiveInto(Client& client, std::string body,
                            PendingReceive& pending) {
  pending.result =
      co_await PostSqs(client, "AmazonSQS.ReceiveMessage", body);
}

bool IsSuccess(const HttpResult& result) {
  return result.status >= 200 && result.status < 300;
}

struct LongPollRun {
  WorkloadConfig config;
  RunOptions options;
  HttpConnection* receiver_connection;
  HttpConnection* sender_connection;
  const SigningConfig* signing;
  asio::steady_timer* watchdog;
  RunReport report;
  Clock::time_point start;
  Clock::time_point last_finish;
  bool timed_out = false;
  bool finished = false;
};

// Runs one round and records its latency, or an error, in run.report.
awaitable<void> LongPollRound(LongPollRun& run, Client& receiver,
                              Client& sender, uint64_t round) {
  const auto executor = co_await asio::this_coro::executor;
  PendingReceive pending;
  asio::steady_timer wake(executor, Clock::time_point::max());
  const Json receive = {{"QueueUrl", run.config.queue_url},
                        {"MaxNumberOfMessages", 1},
                        {"WaitTimeSeconds", 20}};
  asio::co_spawn(executor, ReceiveInto(receiver, receive.dump(), pending),
                 [&pending, &wake](std::exception_ptr error) {
                   pending.finished = Clock::now();
                   pending.done = true;
                   if (error) pending.error = DescribeException(error);
                   wake.cancel();
                 });

  asio::steady_timer delay(executor, kLongPollSendDelay);
  co_await delay.async_wait(use_awaitable);
  const bool returned_early = pending.done;

  const Clock::time_point send_started = Clock::now();
  const Json send = {
      {"QueueUrl", run.config.queue_url},
      {"MessageBody", fmt::format("long poll round {}", round)}};
  std::string send_error;
  try {
    const HttpResult sent =
        co_await PostSqs(sender, "AmazonSQS.SendMessage", send.dump());
    if (!IsSuccess(sent)) send_error = FailedResponse("SendMessage", sent).error;
  } catch (const std::exception& e) {
    send_error = fmt::format("SendMessage transport error: {}", e.what());
    sender.connection->Close();
  }

  if (!pending.done) {
    boost::system::error_code ignored;
    co_await wake.async_wait(asio::redirect_error(use_awaitable, ignored));
  }

  if (!send_error.empty()) {
    AddError(run.report, std::move(send_error));
    co_return;
  }
  if (!pending.error.empty()) {
    receiver.connection->Close();
    AddError(run.report,
             fmt::format("ReceiveMessage transport error: {}", pending.error));
    co_return;
  }
  if (!IsSuccess(pending.result)) {
    AddError(run.report, FailedResponse("ReceiveMessage", pending.result).error);
    co_return;
  }
  const Json output = Json::parse(pending.result.body, nullptr, false);
  const Json* message = nullptr;
  if (output.is_object() && output.contains("Messages") &&
      output["Messages"].is_array() && !output["Messages"].empty()) {
    message = &output["Messages"][0];
  }
  if (returned_early || message == nullptr) {
    AddError(run.report,
             fmt::format("ReceiveMessage with WaitTimeSeconds=20 returned {} "
                         "before a message arrived: {}",
                         message == nullptr ? "no message" : "a message",
                         pending.result.body.substr(0, 200)));
    co_return;
  }
  run.report.latency.Record(Nanoseconds(pending.finished - send_started));
  ++run.report.operations;

  // Untimed: delete the message so the next round starts on an empty queue.
  const Json remove = {{"QueueUrl", run.config.queue_url},
                       {"ReceiptHandle", message->value("ReceiptHandle", "")}};
  try {
    const HttpResult deleted =
        co_await PostSqs(receiver, "AmazonSQS.DeleteMessage", remove.dump());
    if (!IsSuccess(deleted)) {
      AddError(run.report, FailedResponse("DeleteMessage", deleted).error);
    }
  } catch (const std::exception& e) {
    receiver.connection->Close();
    AddError(run.report,
             fmt::format("DeleteMessage transport error: {}", e.what()));
  }
}

awaitable<void> LongPollLoop(LongPollRun& run) {
  Client receiver{run.receiver_connection, run.signing, 0};
  Client sender{run.sender_connection, run.signing, 1};
  run.start = Clock::now();
  const Clock::time_point end =
      run.start + Seconds(run.options.duration_seconds);
  for (uint64_t round = 0; Clock::now() < end && !run.timed_out; ++round) {
    co_await LongPollRound(run, receiver, sender, round);
  }
  run.last_finish = Clock::now();
  run.finished = true;
  run.watchdog->cancel();
}

}  // namespace

RunReport RunWorkload(const asio::ip::tcp::endpoint& endpoint,
                      const SigningConfig& signing, Workload& workload,
                      const std::string& name, const RunOptions& options) {
  asio::io_context io(1);
  asio::steady_timer watchdog(io);
  watchdog.expires_after(Seconds(options.timeout_seconds));

  WorkloadRun run;
  run.workload = &workload;
  run.options = options;
  run.watchdog = &watchdog;
  run.report.workload = name;
  run.report.connections = options.connections;
  for (int i = 0; i < options.connections; ++i) {
    run.connections.push_back(std::make_unique<HttpConnection>(io, endpoint));
    run.clients.push_back(Client{run.connections.back().get(), &signing, i});
  }

  asio::co_spawn(io, Watchdog(run), asio::detached);
  asio::co_spawn(io, PrepareAndStart(run), asio::detached);
  io.run();

  run.report.elapsed_seconds =
      std::chrono::duration<double>(run.last_finish - run.start).count();
  if (run.start == Clock::time_point{}) run.report.elapsed_seconds = 0;
  return run.report;
}

RunReport RunLongPoll(const asio::ip::tcp::endpoint& endpoint,
                      const SigningConfig& signing,
                      const WorkloadConfig& config, const RunOptions& options) {
  asio::io_context io(1);
  HttpConnection receiver(io, endpoint);
  HttpConnection sender(io, endpoint);
  asio::steady_timer watchdog(io);
  // A round takes at most the 20 s wait plus the send delay.
  watchdog.expires_after(Seconds(options.duration_seconds) +
                         Seconds(options.timeout_seconds + 20));

  LongPollRun run;
  run.config = config;
  run.options = options;
  run.receiver_connection = &receiver;
  run.sender_connection = &sender;
  run.signing = &signing;
  run.watchdog = &watchdog;
  run.report.workload = "sqs-long-poll";
  run.report.connections = 2;

  asio::co_spawn(io, LongPollLoop(run), asio::detached);
  asio::co_spawn(
      io,
      [&run, &receiver, &sender, &watchdog]() -> awaitable<void> {
        boost::system::error_code error;
        co_await watchdog.async_wait(
            asio::redirect_error(use_awaitable, error));
        if (run.finished) co_return;
        run.timed_out = true;
        receiver.Close();
        sender.Close();
      },
      asio::detached);
  io.run();

  run.report.elapsed_seconds =
      std::chrono::duration<double>(run.last_finish - run.start).count();
  return run.report;
}

Json ReportToJson(const RunReport& report) {
  const auto millis = [&](double q) {
    return static_cast<double>(report.latency.ValueAtQuantile(q)) / 1e6;
  };
  const double elapsed = report.elapsed_seconds;
  Json latency = {{"min", static_cast<double>(report.latency.min()) / 1e6},
                  {"mean", report.latency.mean() / 1e6},
                  {"p50", millis(0.50)},
                  {"p90", millis(0.90)},
                  {"p99", millis(0.99)},
                  {"p999", millis(0.999)},
                  {"max", static_cast<double>(report.latency.max()) / 1e6}};
  return {
      {"workload", report.workload},
      {"connections", report.connections},
      {"elapsed_s", elapsed},
      {"operations", report.operations},
      {"ops_per_s", elapsed > 0 ? report.operations / elapsed : 0.0},
      {"errors", report.errors},
      {"error_samples", report.error_samples},
      {"empty_receives", report.empty_receives},
      {"payload_bytes", report.payload_bytes},
      {"mb_per_s",
       elapsed > 0 ? report.payload_bytes / elapsed / (1024.0 * 1024.0) : 0.0},
      {"latency_ms", latency},
  };
}

}  // namespace brume::bench
