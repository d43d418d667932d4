// SQS through the AWS SDK for JavaScript v3 (JSON protocol), whose
// middleware-sdk-sqs verifies every MD5Of* digest brume returns.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import {
  SQSClient,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  QueueDoesNotExist,
} from "@aws-sdk/client-sqs";

import { startBrume } from "./helpers.mjs";

let brume;
let sqs;

before(async () => {
  brume = await startBrume();
  sqs = new SQSClient({
    endpoint: brume.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
});

after(async () => {
  sqs?.destroy();
  await brume?.stop();
});

const uniqueName = (prefix) => `${prefix}-${process.pid}-${Date.now() % 1e9}`;

test("send and receive with attributes pass the SDK's MD5 checks", async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName("js") }));
  const sent = await sqs.send(
    new SendMessageCommand({
      QueueUrl,
      MessageBody: "from js",
      MessageAttributes: {
        text: { DataType: "String", StringValue: "héllo" },
        raw: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 254]) },
        count: { DataType: "Number", StringValue: "42" },
      },
    }),
  );
  assert.ok(sent.MessageId);
  assert.equal(sent.MD5OfMessageBody.length, 32);

  const batch = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl,
      Entries: [
        { Id: "one", MessageBody: "b1", MessageAttributes: { a: { DataType: "String", StringValue: "x" } } },
        { Id: "two", MessageBody: "b2" },
      ],
    }),
  );
  assert.deepEqual(batch.Successful.map((entry) => entry.Id).sort(), ["one", "two"]);

  const received = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl,
      MaxNumberOfMessages: 10,
      MessageAttributeNames: ["All"],
      MessageSystemAttributeNames: ["All"],
    }),
  );
  assert.equal(received.Messages.length, 3);
  const first = received.Messages.find((message) => message.Body === "from js");
  assert.equal(first.MessageAttributes.text.StringValue, "héllo");
  assert.deepEqual([...first.MessageAttributes.raw.BinaryValue], [0, 1, 254]);
  assert.equal(first.Attributes.ApproximateReceiveCount, "1");

  const deleted = await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl,
      Entries: received.Messages.map((message, i) => ({ Id: `d${i}`, ReceiptHandle: message.ReceiptHandle })),
    }),
  );
  assert.equal(deleted.Successful.length, 3);
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
  assert.equal(attributes.Attributes.ApproximateNumberOfMessages, "0");
  assert.equal(attributes.Attributes.ApproximateNumberOfMessagesNotVisible, "0");
});

test("a missing queue raises QueueDoesNotExist", async () => {
  await assert.rejects(
    sqs.send(new GetQueueUrlCommand({ QueueName: uniqueName("absent") })),
    (error) => {
      assert.ok(error instanceof QueueDoesNotExist, `got ${error.name}`);
      assert.equal(error.$metadata.httpStatusCode, 400);
      return true;
    },
  );
});

test("a long poll returns soon after a send", async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName("jspoll") }));
  const started = Date.now();
  const waiting = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
  await sleep(500);
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "ping" }));
  const result = await waiting;
  assert.equal(result.Messages[0].Body, "ping");
  assert.ok(Date.now() - started < 5000, `long poll took ${Date.now() - started} ms`);
});
