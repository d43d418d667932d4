// STS through the AWS SDK for JavaScript v3.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  GetFederationTokenCommand,
  GetSessionTokenCommand,
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

function secondsUntil(date) {
  return (date.getTime() - Date.now()) / 1000;
}

function temporaryClient(credentials) {
  return new STSClient(
    clientConfig(brume, {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
    }),
  );
}

function jwt(payload) {
  const encode = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${encode({ alg: "RS256", typ: "JWT" })}.${encode(payload)}.c2lnbmF0dXJl`;
}

test("GetCallerIdentity returns the default account", async () => {
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  assert.equal(identity.Account, "000000000000");
  assert.equal(identity.Arn, "arn:aws:iam::000000000000:root");
  assert.equal(identity.UserId, "000000000000");
  assert.equal(identity.$metadata.httpStatusCode, 200);
  assert.match(identity.$metadata.requestId, /^[0-9a-f-]{36}$/);
});

test("twelve-digit access key is the account", async () => {
  const client = new STSClient(
    clientConfig(brume, { accessKeyId: "123456789012", secretAccessKey: "test" }),
  );
  const identity = await client.send(new GetCallerIdentityCommand({}));
  assert.equal(identity.Account, "123456789012");
});

test("AssumeRole credentials authenticate as the role", async () => {
  const output = await sts.send(
    new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: "js-session", DurationSeconds: 900 }),
  );
  assert.match(output.Credentials.AccessKeyId, /^ASIA[A-Z0-9]{16}$/);
  assert.equal(output.Credentials.SecretAccessKey.length, 40);
  assert.ok(output.Credentials.Expiration instanceof Date);
  const remaining = secondsUntil(output.Credentials.Expiration);
  assert.ok(remaining > 890, `expires in ${remaining} s`);
  assert.ok(remaining < 910, `expires in ${remaining} s`);
  assert.equal(
    output.AssumedRoleUser.Arn,
    "arn:aws:sts::111122223333:assumed-role/deployer/js-session",
  );
  assert.match(output.AssumedRoleUser.AssumedRoleId, /^AROA[A-Z0-9]{17}:js-session$/);

  const identity = await temporaryClient(output.Credentials).send(new GetCallerIdentityCommand({}));
  assert.equal(identity.Arn, output.AssumedRoleUser.Arn);
  assert.equal(identity.Account, "111122223333");
});

test("GetSessionToken for the root user lasts one hour", async () => {
  const output = await sts.send(new GetSessionTokenCommand({ DurationSeconds: 129600 }));
  const remaining = secondsUntil(output.Credentials.Expiration);
  assert.ok(remaining > 3590, `expires in ${remaining} s`);
  assert.ok(remaining < 3610, `expires in ${remaining} s`);
});

test("GetFederationToken names the federated user", async () => {
  const output = await sts.send(new GetFederationTokenCommand({ Name: "js-user" }));
  assert.equal(output.FederatedUser.Arn, "arn:aws:sts::000000000000:federated-user/js-user");
  assert.equal(output.FederatedUser.FederatedUserId, "000000000000:js-user");
});

test("AssumeRoleWithWebIdentity returns the token claims", async () => {
  const token = jwt({ iss: "https://issuer.example.com", sub: "js-subject", aud: "my-app" });
  const output = await sts.send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: ROLE_ARN,
      RoleSessionName: "js-web",
      WebIdentityToken: token,
    }),
  );
  assert.equal(output.SubjectFromWebIdentityToken, "js-subject");
  assert.equal(output.Provider, "https://issuer.example.com");
  assert.equal(output.Audience, "my-app");
  assert.equal(output.AssumedRoleUser.Arn, "arn:aws:sts::111122223333:assumed-role/deployer/js-web");
});
