// AWS errors as the AWS SDK for JavaScript v3 parses them: STS errors in the
// query protocol, and NotImplemented for operations brume lacks.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  GetWebIdentityTokenCommand,
  STSClient,
} from "@aws-sdk/client-sts";

import { clientConfig, startBrume } from "./helpers.mjs";

const ROLE_ARN = "arn:aws:iam::111122223333:role/app/deployer";

let brume;
let sts;

before(async () => {
  brume = await startBrume();
  sts = new STSClient(clientConfig(brume));
});

after(async () => {
  await brume?.stop();
});

async function serviceState(id) {
  const health = await (await fetch(`${brume.endpoint}/_brume/health`)).json();
  return health.services?.[id];
}

test("ValidationError for an invalid role ARN", async () => {
  const arn = "arn:aws:iam::111122223333:user/not-a-role";
  await assert.rejects(sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: "s1" })), (error) => {
    assert.equal(error.name, "ValidationError");
    assert.equal(error.message, `${arn} is invalid`);
    assert.equal(error.$fault, "client");
    assert.equal(error.$metadata.httpStatusCode, 400);
    assert.match(error.$metadata.requestId, /^[0-9a-f-]{36}$/);
    return true;
  });
});

test("modeled error maps to its exception class", async () => {
  await assert.rejects(
    sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: ROLE_ARN,
        RoleSessionName: "s1",
        WebIdentityToken: "not-a-jwt",
      }),
    ),
    (error) => {
      assert.equal(error.name, "InvalidIdentityTokenException");
      assert.equal(error.$metadata.httpStatusCode, 400);
      return true;
    },
  );
});

test("expired credentials get ExpiredToken", async () => {
  const output = await sts.send(
    new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: "short", DurationSeconds: 900 }),
  );
  const client = new STSClient(
    clientConfig(brume, {
      accessKeyId: output.Credentials.AccessKeyId,
      secretAccessKey: output.Credentials.SecretAccessKey,
      sessionToken: output.Credentials.SessionToken,
    }),
  );
  await client.send(new GetCallerIdentityCommand({}));
  const advanced = await fetch(`${brume.endpoint}/_brume/clock?advance_seconds=901`, { method: "POST" });
  assert.equal(advanced.status, 200);
  await assert.rejects(client.send(new GetCallerIdentityCommand({})), (error) => {
    assert.equal(error.name, "ExpiredToken");
    assert.equal(error.$metadata.httpStatusCode, 403);
    return true;
  });
});

test("NotImplemented for an STS operation brume lacks", async () => {
  await assert.rejects(
    sts.send(new GetWebIdentityTokenCommand({ Audience: ["https://api.example.com"], SigningAlgorithm: "RS256" })),
    (error) => {
      assert.equal(error.name, "NotImplemented");
      assert.equal(error.$fault, "server");
      assert.equal(error.$metadata.httpStatusCode, 501);
      assert.match(error.message, /GetWebIdentityToken/);
      return true;
    },
  );
});

test("NotImplemented for a JSON service brume lacks", async () => {
  assert.notEqual(
    await serviceState("dynamodb"),
    "running",
    "dynamodb is implemented now: use a service brume lacks in this test",
  );
  const dynamodb = new DynamoDBClient(clientConfig(brume));
  await assert.rejects(dynamodb.send(new ListTablesCommand({})), (error) => {
    assert.equal(error.name, "NotImplemented");
    assert.equal(error.$metadata.httpStatusCode, 501);
    assert.match(error.message, /ListTables/);
    assert.match(error.message, /dynamodb/i);
    return true;
  });
});
