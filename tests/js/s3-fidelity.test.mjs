// S3 object fidelity through the AWS SDK for JavaScript v3: the checksums
// the SDK sends by default and the ones it can be asked for, SSE-C keys
// (the SDK adds the key's MD5 itself) and x-amz-expiration.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { clientConfig, startBrume } from "./helpers.mjs";

let brume;
let s3;
const bucket = `fidelity-js-${process.pid}`;

before(async () => {
  brume = await startBrume();
  s3 = new S3Client({ ...clientConfig(brume), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});

after(async () => {
  s3?.destroy();
  await brume?.stop();
});

const base64 = (bytes) => Buffer.from(bytes).toString("base64");

test("default CRC32 request checksum is stored and returned", async () => {
  const body = "checksummed by default";
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "default", Body: body }));
  const response = await s3.send(
    new GetObjectCommand({ Bucket: bucket, Key: "default", ChecksumMode: "ENABLED" }),
  );
  assert.equal(await response.Body.transformToString(), body);
  assert.ok(response.ChecksumCRC32 ?? response.ChecksumCRC64NVME, "a full-object checksum is returned");
  assert.equal(response.ChecksumType, "FULL_OBJECT");
});

test("SHA512 and MD5 checksums are verified and kept", async () => {
  const body = Buffer.from("sha-512 and md5 body");
  const sha512 = base64(createHash("sha512").update(body).digest());
  const put = await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: "sha512", Body: body, ChecksumSHA512: sha512 }),
  );
  assert.equal(put.ChecksumSHA512, sha512);
  const head = await s3.send(
    new HeadObjectCommand({ Bucket: bucket, Key: "sha512", ChecksumMode: "ENABLED" }),
  );
  assert.equal(head.ChecksumSHA512, sha512);

  const md5 = base64(createHash("md5").update(body).digest());
  const putMd5 = await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: "md5", Body: body, ChecksumMD5: md5 }),
  );
  assert.equal(putMd5.ChecksumMD5, md5);

  await assert.rejects(
    s3.send(new PutObjectCommand({
      Bucket: bucket, Key: "bad", Body: body, ChecksumSHA512: base64(randomBytes(64)),
    })),
    (error) => error instanceof S3ServiceException && error.name === "BadDigest",
  );
});

test("XXHASH64 checksum of a known body", async () => {
  // xxHash64 of "abc" with seed 0, in canonical big-endian form.
  const expected = base64(Buffer.from("44bc2cf5ad770999", "hex"));
  const put = await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: "xxh", Body: "abc", ChecksumXXHASH64: expected }),
  );
  assert.equal(put.ChecksumXXHASH64, expected);
});

test("SSE-C object needs its key", async () => {
  const key = randomBytes(32);
  const put = await s3.send(new PutObjectCommand({
    Bucket: bucket, Key: "ssec", Body: "customer key", SSECustomerAlgorithm: "AES256",
    SSECustomerKey: key,
  }));
  assert.equal(put.SSECustomerKeyMD5, base64(createHash("md5").update(key).digest()));
  await assert.rejects(
    s3.send(new GetObjectCommand({ Bucket: bucket, Key: "ssec" })),
    (error) => error.$metadata.httpStatusCode === 400 && error.name === "InvalidRequest",
  );
  await assert.rejects(
    s3.send(new GetObjectCommand({
      Bucket: bucket, Key: "ssec", SSECustomerAlgorithm: "AES256", SSECustomerKey: randomBytes(32),
    })),
    (error) => error.$metadata.httpStatusCode === 403 && error.name === "AccessDenied",
  );
  const got = await s3.send(new GetObjectCommand({
    Bucket: bucket, Key: "ssec", SSECustomerAlgorithm: "AES256", SSECustomerKey: key,
  }));
  assert.equal(await got.Body.transformToString(), "customer key");
});

test("expiration header names the matching lifecycle rule", async () => {
  await s3.send(new PutBucketLifecycleConfigurationCommand({
    Bucket: bucket,
    LifecycleConfiguration: {
      Rules: [{ ID: "tmp-rule", Filter: { Prefix: "tmp/" }, Status: "Enabled", Expiration: { Days: 2 } }],
    },
  }));
  const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "tmp/a", Body: "x" }));
  assert.match(put.Expiration, /^expiry-date="[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} 00:00:00 GMT", rule-id="tmp-rule"$/);
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "tmp/a" }));
  assert.equal(head.Expiration, put.Expiration);
});
