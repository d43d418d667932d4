// S3 access control through the AWS SDK for JavaScript v3: another account
// is denied a private object, then reads it once a bucket policy grants
// that account access. The 12-digit access keys are the account ids.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  S3Client,
  CreateBucketCommand,
  GetObjectCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";

import { clientConfig, startBrume } from "./helpers.mjs";

const OWNER = "111111111111";
const READER = "222222222222";

let brume;
let owner;
let reader;

before(async () => {
  brume = await startBrume();
  owner = new S3Client({
    ...clientConfig(brume, { accessKeyId: OWNER, secretAccessKey: "owner-secret" }),
    forcePathStyle: true,
  });
  reader = new S3Client({
    ...clientConfig(brume, { accessKeyId: READER, secretAccessKey: "reader-secret" }),
    forcePathStyle: true,
  });
});

after(async () => {
  owner?.destroy();
  reader?.destroy();
  await brume?.stop();
});

test("another account reads a private object only after a policy grant", async () => {
  const bucket = `access-${Date.now()}`;
  await owner.send(new CreateBucketCommand({ Bucket: bucket }));
  await owner.send(new PutObjectCommand({ Bucket: bucket, Key: "report.txt", Body: "quarterly" }));

  await assert.rejects(
    reader.send(new GetObjectCommand({ Bucket: bucket, Key: "report.txt" })),
    (error) => {
      assert.equal(error.name, "AccessDenied");
      assert.equal(error.$metadata.httpStatusCode, 403);
      return true;
    },
  );

  const policy = {
    Version: "2012-10-17",
    Statement: [{
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${READER}:root` },
      Action: "s3:GetObject",
      Resource: `arn:aws:s3:::${bucket}/*`,
    }],
  };
  await owner.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
  const response = await reader.send(new GetObjectCommand({ Bucket: bucket, Key: "report.txt" }));
  assert.equal(await response.Body.transformToString(), "quarterly");
});
