"""The HTTP front end and the CLI: keep-alive, chunked and 100-continue
bodies, many concurrent connections, admin endpoints, logs and shutdown."""

import http.client
import json
import re
import signal
import socket
import subprocess
import threading
import time

import pytest

from conftest import BRUME_BIN, Brume

STS_BODY = b"Action=GetCallerIdentity&Version=2011-06-15"
FORM = "application/x-www-form-urlencoded; charset=utf-8"


def raw_exchange(port, payload, read_timeout=5.0):
    """Sends raw bytes and returns everything read until the peer closes or goes quiet."""
    with socket.create_connection(("127.0.0.1", port), timeout=read_timeout) as sock:
        sock.sendall(payload)
        chunks = []
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                chunks.append(data)
                if b"</GetCallerIdentityResponse>" in b"".join(chunks):
                    break
        except socket.timeout:
            pass
        return b"".join(chunks)


def test_keep_alive_serves_many_requests_on_one_connection(brume):
    connection = http.client.HTTPConnection("127.0.0.1", brume.port, timeout=5)
    for _ in range(50):
        connection.request("POST", "/", body=STS_BODY, headers={"Content-Type": FORM})
        response = connection.getresponse()
        body = response.read()
        assert response.status == 200
        assert b"<Account>000000000000</Account>" in body
    connection.close()


def test_chunked_request_body(brume):
    body = STS_BODY
    chunked = b"".join(
        b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:10], body[10:25], body[25:])
    ) + b"0\r\n\r\n"
    request = (
        b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + FORM.encode()
        + b"\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked
    )
    response = raw_exchange(brume.port, request)
    assert response.startswith(b"HTTP/1.1 200")
    assert b"<Account>000000000000</Account>" in response


def test_expect_100_continue(brume):
    head = (
        b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + FORM.encode()
        + b"\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(STS_BODY)
    )
    with socket.create_connection(("127.0.0.1", brume.port), timeout=5) as sock:
        sock.sendall(head)
        interim = sock.recv(4096)
        assert interim.startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(STS_BODY)
        response = b""
        while b"</GetCallerIdentityResponse>" not in response:
            data = sock.recv(65536)
            if not data:
                break
            response += data
    assert b"200 OK" in response


def test_thousand_concurrent_connections(brume):
    sockets = []
    try:
        for _ in range(1000):
            sock = socket.create_connection(("127.0.0.1", brume.port), timeout=10)
            sockets.append(sock)
        request = (
            b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + FORM.encode()
            + b"\r\nContent-Length: %d\r\n\r\n" % len(STS_BODY) + STS_BODY
        )
        for sock in sockets:
            sock.sendall(request)
        ok = 0
        for sock in sockets:
            data = b""
            while b"</GetCallerIdentityResponse>" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
            ok += data.startswith(b"HTTP/1.1 200")
        assert ok == 1000
    finally:
        for sock in sockets:
            sock.close()
    assert brume.health()["status"] == "running"


def test_oversize_headers_get_431_and_server_keeps_serving(brume):
    request = b"GET /_brume/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n"
    response = raw_exchange(brume.port, request)
    assert response.startswith(b"HTTP/1.1 431")
    assert b"<Code>RequestHeaderSectionTooLarge</Code>" in response
    assert brume.health()["status"] == "running"


def test_oversize_body_gets_413(brume):
    connection = http.client.HTTPConnection("127.0.0.1", brume.port, timeout=5)
    connection.putrequest("POST", "/")
    connection.putheader("Content-Type", FORM)
    connection.putheader("Content-Length", str(1 << 40))
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413
    assert b"RequestEntityTooLarge" in response.read()
    assert brume.health()["status"] == "running"


def test_health_lists_every_service(brume):
    health = brume.health()
    assert health["status"] == "running"
    assert health["services"]["sts"] == "running"
    assert health["services"]["lambda"] == "not implemented"
    assert health["models"].startswith("botocore ")
    assert health["uptime_seconds"] >= 0


def test_clock_advances(brume):
    before = json.loads(brume.admin("/_brume/clock"))
    after = json.loads(brume.admin("/_brume/clock?advance_seconds=30"))
    assert after["offset_ms"] - before["offset_ms"] == 30_000


def test_clock_rejects_bad_value(brume):
    with pytest.raises(Exception) as raised:
        brume.admin("/_brume/clock?advance_seconds=soon")
    assert "400" in str(raised.value)


def test_services_subset_disables_others():
    server = Brume(extra_args=["--services", "sqs"]).start()
    try:
        assert server.health()["services"]["sts"] == "disabled"
        sts = server.client("sts")
        with pytest.raises(Exception) as raised:
            sts.get_caller_identity()
        error = raised.value.response
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 501
        assert error["Error"]["Code"] == "NotImplemented"
    finally:
        server.stop()


def test_unknown_service_in_services_flag_fails_fast():
    result = subprocess.run([BRUME_BIN, "serve", "--services", "nope", "--port", "0"],
                            capture_output=True, text=True, timeout=10)
    assert result.returncode == 2
    assert "unknown service 'nope'" in result.stderr


def test_request_log_line(brume):
    brume.client("sts").get_caller_identity()
    time.sleep(0.1)
    line = [l for l in brume.log().splitlines() if " sts GetCallerIdentity " in l][-1]
    assert re.search(r"sts GetCallerIdentity 200 - [0-9.]+ms req=[0-9a-f-]{36}$", line), line


def test_json_log_format():
    server = Brume(extra_args=["--log-format", "json"]).start()
    try:
        server.client("sts").get_caller_identity()
        time.sleep(0.1)
        records = [json.loads(l) for l in server.log().splitlines() if l.startswith("{")]
        request = [r for r in records if r.get("operation") == "GetCallerIdentity"][-1]
        assert request["service"] == "sts"
        assert request["status"] == 200
        assert "latency_ms" in request
        assert "request_id" in request
        assert any("listening on" in r.get("message", "") for r in records)
    finally:
        server.stop()


def test_startup_prints_endpoint_and_services(brume):
    log = brume.log()
    assert f"listening on http://127.0.0.1:{brume.port}" in log
    assert re.search(r"services: .*sts", log)


def test_sigterm_finishes_and_exits_zero():
    server = Brume().start()
    assert server.stop(signal.SIGTERM) == 0
    assert "brume stopped" in server.log()


def test_sigint_exits_zero():
    server = Brume().start()
    assert server.stop(signal.SIGINT) == 0


def test_status_and_version_commands(brume):
    status = subprocess.run([BRUME_BIN, "status", "--endpoint", brume.endpoint],
                            capture_output=True, text=True, timeout=10)
    assert status.returncode == 0
    assert json.loads(status.stdout)["status"] == "running"
    version = subprocess.run([BRUME_BIN, "version"], capture_output=True, text=True, timeout=10)
    assert version.returncode == 0
    assert re.search(r"botocore \d+\.\d+\.\d+", version.stdout)


def test_status_of_stopped_brume_fails():
    result = subprocess.run([BRUME_BIN, "status", "--endpoint", "http://127.0.0.1:1"],
                            capture_output=True, text=True, timeout=10)
    assert result.returncode == 1
    assert "not reachable" in result.stderr


def test_port_in_use_is_reported(brume):
    result = subprocess.run([BRUME_BIN, "serve", "--port", str(brume.port)],
                            capture_output=True, text=True, timeout=10)
    assert result.returncode == 1
    assert "--port" in result.stderr


def test_parallel_clients_get_distinct_request_ids(brume):
    ids = []
    lock = threading.Lock()

    def call():
        client = brume.client("sts")
        for _ in range(20):
            request_id = client.get_caller_identity()["ResponseMetadata"]["RequestId"]
            with lock:
                ids.append(request_id)

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ids) == 160
    assert len(set(ids)) == 160
