// S3 event notifications delivered to an SQS queue, configured and read
// with the AWS SDK for JavaScript v3.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  S3Client,
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  DeleteObjectCommand,
} from "@aws-sdk/client-s3";
import {
  SQSClient,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  ReceiveMessageCommand,
  DeleteMessageCommand,
} from "@aws-sdk/client-sqs";

import { clientConfig, startBrume } from "./helpers.mjs";

let brume;
let s3;
let sqs;

before(async () => {
  brume = await startBrume();
  s3 = new S3Client({ ...clientConfig(brume), forcePathStyle: true });
  sqs = new SQSClient(clientConfig(brume));
});

after(async () => {
  await brume?.stop();
});

async function receiveBodies(queueUrl, count) {
  const bodies = [];
  while (bodies.length < count) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 2 }),
    );
    if (Messages.length === 0) break;
    for (const message of Messages) {
      bodies.push(JSON.parse(message.Body));
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
  }
  return bodies;
}

test("object writes and deletes arrive in the queue as S3 event records", async () => {
  const bucket = `js-notified-${Date.now()}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `js-events-${Date.now()}` }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  const queueArn = Attributes.QueueArn;
  const policy = {
    Version: "2012-10-17",
    Statement: [{
      Effect: "Allow",
      Principal: { Service: "s3.amazonaws.com" },
      Action: "sqs:SendMessage",
      Resource: queueArn,
      Condition: { ArnEquals: { "aws:SourceArn": `arn:aws:s3:::${bucket}` } },
    }],
  };
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: JSON.stringify(policy) } }));
  await s3.send(new PutBucketNotificationConfigurationCommand({
    Bucket: bucket,
    NotificationConfiguration: {
      QueueConfigurations: [{ Id: "js", QueueArn: queueArn, Events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"] }],
    },
  }));
  const [testEvent] = await receiveBodies(QueueUrl, 1);
  assert.equal(testEvent.Event, "s3:TestEvent");

  const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "a b.txt", Body: "hello" }));
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "a b.txt" }));
  const records = (await receiveBodies(QueueUrl, 2)).flatMap((body) => body.Records);
  assert.deepEqual(records.map((record) => record.eventName), ["ObjectCreated:Put", "ObjectRemoved:Delete"]);
  assert.equal(records[0].s3.configurationId, "js");
  assert.equal(records[0].s3.object.key, "a+b.txt");
  assert.equal(records[0].s3.object.size, 5);
  assert.equal(`"${records[0].s3.object.eTag}"`, put.ETag);
});
