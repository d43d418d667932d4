"""Fixtures that run a real brume process and real AWS clients against it.

The binary comes from BRUME_BIN, or the README build (build/src/cli/brume).
Every server binds to 127.0.0.1 on a free port.
"""

import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3
import botocore.config
import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
BRUME_BIN = os.environ.get("BRUME_BIN", str(REPO / "build" / "src" / "cli" / "brume"))
REGION = "us-east-1"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Brume:
    """A brume process on a loopback port, restartable on the same data dir."""

    def __init__(self, data_dir=None, extra_args=()):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        self.extra_args = list(extra_args)
        self.process = None
        self.log_path = pathlib.Path(tempfile.mkstemp(prefix="brume-", suffix=".log")[1])

    def start(self, timeout=10.0):
        args = [BRUME_BIN, "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if self.data_dir:
            args += ["--data-dir", str(self.data_dir)]
        args += self.extra_args
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"brume exited with {self.process.returncode}; log:\n{self.log()}")
            try:
                self.health()
                return self
            except OSError:
                time.sleep(0.01)
        raise RuntimeError(f"brume did not answer /_brume/health within {timeout}s; log:\n{self.log()}")

    def log(self):
        return self.log_path.read_text(errors="replace")

    def health(self):
        with urllib.request.urlopen(self.endpoint + "/_brume/health", timeout=2) as response:
            return json.loads(response.read())

    def admin(self, path):
        request = urllib.request.Request(self.endpoint + path, data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read()

    def reset(self):
        self.admin("/_brume/reset")

    def advance_clock(self, seconds):
        self.admin(f"/_brume/clock?advance_seconds={seconds}")

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode if self.process else None

    def kill9(self):
        return self.stop(signal.SIGKILL)

    def restart(self):
        self.stop()
        return self.start()

    def client(self, service, access_key="test", secret_key="test", session_token=None, **config):
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=config.pop("region_name", REGION),
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            aws_session_token=session_token,
            config=botocore.config.Config(retries={"max_attempts": 0}, **config),
        )

    def env(self, **extra):
        env = dict(os.environ)
        env.update(
            AWS_ENDPOINT_URL=self.endpoint,
            AWS_ACCESS_KEY_ID="test",
            AWS_SECRET_ACCESS_KEY="test",
            AWS_DEFAULT_REGION=REGION,
            AWS_PAGER="",
        )
        env.pop("AWS_PROFILE", None)
        env.pop("AWS_SESSION_TOKEN", None)
        env.update(extra)
        return env

    def cli(self, *args, check=True, env=None):
        """Runs the AWS CLI against brume; returns (exit code, parsed JSON or text, stderr)."""
        result = subprocess.run(
            [sys.executable, "-m", "awscli", *args, "--output", "json"],
            capture_output=True, text=True, env=env or self.env(), timeout=120,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed ({result.returncode}): {result.stderr}")
        out = result.stdout.strip()
        try:
            parsed = json.loads(out) if out else None
        except json.JSONDecodeError:
            parsed = out
        return result.returncode, parsed, result.stderr


@pytest.fixture(scope="session")
def brume(tmp_path_factory):
    """One brume for the whole run, in memory. Tests use unique resource names."""
    server = Brume().start()
    yield server
    server.stop()


@pytest.fixture
def fresh_brume(tmp_path):
    """A brume of the test's own, on a data dir, for restart and crash tests."""
    server = Brume(data_dir=tmp_path / "data").start()
    yield server
    server.stop()


def unique(prefix):
    return f"{prefix}-{os.getpid()}-{time.monotonic_ns() % 10**9}"


# Raw HTTP helpers for tests that check wire formats or send malformed input.


def sign_headers(method, url, body=b"", headers=None, service="sts", region=REGION,
                 access_key="test", secret_key="test", session_token=None):
    """Sign a request with SigV4 as botocore does and return its headers as a dict."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    SigV4Auth(Credentials(access_key, secret_key, session_token), service, region).add_auth(request)
    return dict(request.headers.items())


def http_request(server, method, path, body=b"", headers=None, service=None, timeout=10,
                 **credentials):
    """Send one request over a new connection; sign it for `service` when given,
    with the access_key, secret_key and session_token in `credentials`.

    Returns (status, headers with lower-case names, body bytes).
    """
    import http.client

    headers = dict(headers or {})
    if service:
        headers = sign_headers(method, server.endpoint + path, body, headers, service=service,
                               **credentials)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def raw_exchange(server, data, timeout=5.0, shutdown_write=False):
    """Write raw bytes to a new connection and read until the server closes it or
    `timeout` passes. Returns the bytes received (b"" if the server closed silently)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
            if shutdown_write:
                sock.shutdown(socket.SHUT_WR)
        except OSError:
            # The server may respond and close before it has read every byte.
            pass
        received = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                break
            if not chunk:
                break
            received += chunk
        return received


def parse_raw_response(data):
    """Split a raw HTTP/1.1 response into (status, headers with lower-case names, body)."""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


def service_running(server, service_id):
    """True when brume serves `service_id` (its /_brume/health state is "running")."""
    return server.health().get("services", {}).get(service_id) == "running"
