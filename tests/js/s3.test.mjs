// S3 through the AWS SDK for JavaScript v3: default request checksums
// (aws-chunked bodies with trailing CRC32 in current SDK versions),
// lib-storage multipart uploads, presigned URLs and the error classes.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { once } from "node:events";
import { randomBytes, createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import {
  S3Client,
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  DeleteObjectCommand,
  NoSuchKey,
  NotFound,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";

const BRUME_BIN = process.env.BRUME_BIN ?? new URL("../../build/src/cli/brume", import.meta.url).pathname;
const MIB = 1024 * 1024;

async function freePort() {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  server.close();
  return port;
}

// Starts brume on a loopback port and waits for /_brume/health.
async function startBrume() {
  const port = await freePort();
  const child = spawn(BRUME_BIN, ["serve", "--host", "127.0.0.1", "--port", String(port)], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const endpoint = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 500; i++) {
    try {
      const response = await fetch(`${endpoint}/_brume/health`);
      if (response.ok) return { child, endpoint };
    } catch {
      await sleep(20);
    }
  }
  child.kill();
  throw new Error(`brume at ${BRUME_BIN} did not answer /_brume/health`);
}

let brume;
let s3;
const bucket = `js-${process.pid}-${Date.now()}`;

before(async () => {
  brume = await startBrume();
  s3 = new S3Client({
    endpoint: brume.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});

after(() => {
  brume?.child.kill();
});

test("put with default checksum then get", async () => {
  const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "hello.txt", Body: "hello from js" }));
  assert.equal(put.ETag, `"${createHash("md5").update("hello from js").digest("hex")}"`);
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "hello.txt", ChecksumMode: "ENABLED" }));
  assert.equal(await got.Body.transformToString(), "hello from js");
  assert.equal(got.ContentLength, 13);
});

test("streamed body uses aws-chunked with a trailing checksum", async () => {
  const data = randomBytes(300 * 1024);
  async function* chunks() {
    for (let offset = 0; offset < data.length; offset += 64 * 1024) {
      yield data.subarray(offset, offset + 64 * 1024);
    }
  }
  const { Readable } = await import("node:stream");
  await s3.send(new PutObjectCommand({
    Bucket: bucket, Key: "streamed.bin", Body: Readable.from(chunks()), ContentLength: data.length,
    ChecksumAlgorithm: "CRC32",
  }));
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "streamed.bin" }));
  assert.deepEqual(Buffer.from(await got.Body.transformToByteArray()), data);
});

test("CRC32C checksum round trip", async () => {
  const put = await s3.send(new PutObjectCommand({
    Bucket: bucket, Key: "crc32c.txt", Body: "castagnoli", ChecksumAlgorithm: "CRC32C",
  }));
  assert.ok(put.ChecksumCRC32C);
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "crc32c.txt", ChecksumMode: "ENABLED" }));
  assert.equal(got.ChecksumCRC32C, put.ChecksumCRC32C);
  assert.equal(await got.Body.transformToString(), "castagnoli");
});

test("lib-storage Upload goes multipart", async () => {
  const data = randomBytes(11 * MIB);
  const upload = new Upload({
    client: s3,
    params: { Bucket: bucket, Key: "big.bin", Body: data },
    partSize: 5 * MIB,
    queueSize: 2,
  });
  const result = await upload.done();
  assert.match(result.ETag, /-3"$/);
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "big.bin" }));
  assert.equal(head.ContentLength, data.length);
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "big.bin" }));
  assert.deepEqual(Buffer.from(await got.Body.transformToByteArray()), data);
});

test("missing key raises NoSuchKey and NotFound", async () => {
  await assert.rejects(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "absent" })), NoSuchKey);
  await assert.rejects(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "absent" })), NotFound);
});

test("presigned PUT and GET", async () => {
  const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: "presigned.txt" }), { expiresIn: 60 });
  const put = await fetch(putUrl, { method: "PUT", body: "via presigned url" });
  assert.equal(put.status, 200);
  const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: "presigned.txt" }), { expiresIn: 60 });
  const got = await fetch(getUrl);
  assert.equal(await got.text(), "via presigned url");
});

test("list and delete", async () => {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "hello" }));
  assert.deepEqual(listed.Contents.map((o) => o.Key), ["hello.txt"]);
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "hello.txt" }));
  const after = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "hello" }));
  assert.equal(after.KeyCount, 0);
});
