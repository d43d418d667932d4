// A worker built on sqs-consumer (a consumer library from npm) processing
// messages end to end against brume: receive, handle, delete, and a failing
// handler whose message is retried.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import {
  SQSClient,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
} from "@aws-sdk/client-sqs";
import { Consumer } from "sqs-consumer";

import { startBrume } from "./helpers.mjs";

let brume;
let sqs;

before(async () => {
  brume = await startBrume();
  sqs = new SQSClient({
    endpoint: brume.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
});

after(async () => {
  sqs?.destroy();
  await brume?.stop();
});

test("sqs-consumer processes every message once and retries a failure", async () => {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: `worker-${process.pid}`,
      Attributes: { VisibilityTimeout: "1" },
    }),
  );
  const total = 25;
  for (let start = 0; start < total; start += 10) {
    const entries = [];
    for (let i = start; i < Math.min(start + 10, total); i++) {
      entries.push({ Id: `m${i}`, MessageBody: JSON.stringify({ n: i }) });
    }
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries }));
  }

  const processed = new Map();
  let failedOnce = false;
  const done = new Promise((resolve, reject) => {
    const consumer = Consumer.create({
      queueUrl: QueueUrl,
      sqs,
      batchSize: 10,
      waitTimeSeconds: 1,
      handleMessage: async (message) => {
        const { n } = JSON.parse(message.Body);
        // Message 7 fails on its first delivery, so it must come back after
        // its one-second visibility timeout.
        if (n === 7 && !failedOnce) {
          failedOnce = true;
          throw new Error("simulated failure");
        }
        processed.set(n, (processed.get(n) ?? 0) + 1);
        if (processed.size === total) {
          consumer.stop();
          resolve();
        }
        return message;
      },
    });
    consumer.on("error", (error) => reject(error));
    consumer.on("processing_error", () => {});
    consumer.start();
    setTimeout(() => {
      consumer.stop();
      reject(new Error(`timed out with ${processed.size} of ${total} processed`));
    }, 30000);
  });
  await done;

  assert.equal(processed.size, total);
  assert.ok(failedOnce);
  for (const [n, count] of processed) assert.equal(count, 1, `message ${n} processed ${count} times`);

  // Deletions by the consumer leave the queue empty.
  await sleep(200);
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
  assert.equal(attributes.Attributes.ApproximateNumberOfMessages, "0");
  assert.equal(attributes.Attributes.ApproximateNumberOfMessagesNotVisible, "0");
});
