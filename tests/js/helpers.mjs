// Starts a real brume on a free loopback port for the node --test suites.
// The binary comes from BRUME_BIN, or the README build (build/src/cli/brume).

import { spawn } from "node:child_process";
import { mkdtempSync, openSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BRUME_BIN = process.env.BRUME_BIN ?? path.join(repo, "build", "src", "cli", "brume");
export const REGION = "us-east-1";

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Starts brume and resolves once GET /_brume/health succeeds. `dataDir` makes
// its state persistent. Returns { endpoint, port, pid, logPath, stop }.
export async function startBrume({ dataDir, timeoutMs = 10000 } = {}) {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const args = ["serve", "--host", "127.0.0.1", "--port", String(port)];
  if (dataDir) args.push("--data-dir", dataDir);
  const logPath = path.join(mkdtempSync(path.join(os.tmpdir(), "brume-js-")), "brume.log");
  const log = openSync(logPath, "a");
  const child = spawn(BRUME_BIN, args, { stdio: ["ignore", log, log] });
  let exited = null;
  const exit = new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
  });

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`brume exited early (${JSON.stringify(exited)}); log: ${logPath}`);
    try {
      const response = await fetch(`${endpoint}/_brume/health`);
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`brume did not respond to /_brume/health within ${timeoutMs} ms; log: ${logPath}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }

  // Stops this brume by its PID and resolves with its exit status.
  async function stop(signal = "SIGTERM") {
    if (!exited) process.kill(child.pid, signal);
    return exit;
  }
  return { endpoint, port, pid: child.pid, logPath, stop };
}

// Client options for an AWS SDK v3 client that talks to `brume`.
export function clientConfig(brume, credentials = { accessKeyId: "test", secretAccessKey: "test" }) {
  return { endpoint: brume.endpoint, region: REGION, credentials, maxAttempts: 1 };
}
