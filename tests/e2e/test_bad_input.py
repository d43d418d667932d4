"""Malformed requests get an AWS-shaped error, or a plain 400 for HTTP-level
garbage, and brume keeps serving: every test ends with a health check."""

import json
import xml.etree.ElementTree as ElementTree

import pytest

from conftest import http_request, parse_raw_response, raw_exchange, service_running, sign_headers
from test_protocols import decode_cbor, xml_child_text

STS_QUERY = b"Action=GetCallerIdentity&Version=2011-06-15"


@pytest.fixture(autouse=True)
def still_serving(brume):
    yield
    assert brume.health()["status"] == "running"


def signed_raw(brume, method, path, body, headers, service, content_length=None):
    """Build the bytes of a signed HTTP/1.1 request, optionally with a wrong Content-Length."""
    signed = sign_headers(method, brume.endpoint + path, body, headers, service=service)
    signed["Content-Length"] = str(len(body)) if content_length is None else content_length
    signed.setdefault("Host", f"127.0.0.1:{brume.port}")
    lines = [f"{method} {path} HTTP/1.1"] + [f"{name}: {value}" for name, value in signed.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def assert_plain_error(status, body, expected_status):
    assert status == expected_status
    root = ElementTree.fromstring(body)
    assert root.tag == "Error"
    assert xml_child_text(root, "Code")
    assert xml_child_text(root, "Message")


# Malformed payloads


def test_malformed_json(brume):
    if not service_running(brume, "sqs"):
        pytest.skip("needs SQS, brume's JSON-protocol service, which this binary lacks")
    status, headers, body = http_request(
        brume, "POST", "/", b'{"QueueNamePrefix": ',
        {"X-Amz-Target": "AmazonSQS.ListQueues", "Content-Type": "application/x-amz-json-1.0"},
        service="sqs")
    assert status == 400
    assert headers["x-amzn-requestid"]
    error = json.loads(body)
    assert error["__type"].split("#")[-1] == "SerializationException"


def test_json_body_not_object(brume):
    if not service_running(brume, "sqs"):
        pytest.skip("needs SQS, brume's JSON-protocol service, which this binary lacks")
    status, _, body = http_request(
        brume, "POST", "/", b'["not", "an", "object"]',
        {"X-Amz-Target": "AmazonSQS.ListQueues", "Content-Type": "application/x-amz-json-1.0"},
        service="sqs")
    assert status == 400
    assert "__type" in json.loads(body)


def test_malformed_xml(brume):
    if not service_running(brume, "s3"):
        pytest.skip("needs S3, brume's rest-xml service, which this binary lacks")
    status, headers, body = http_request(
        brume, "PUT", "/no-such-bucket-for-xml?tagging", b"<Tagging><TagSet><Tag>",
        {"Content-Type": "application/xml"}, service="s3")
    assert status == 400
    root = ElementTree.fromstring(body)
    assert root.tag == "Error"
    assert xml_child_text(root, "Code") == "MalformedXML"
    assert headers["x-amz-request-id"]


def test_malformed_cbor(brume):
    # No CBOR service is implemented yet, so the dispatcher rejects the
    # operation before decoding. Either way the error must be CBOR.
    if service_running(brume, "cloudwatch"):
        expected_status, expected_code = 400, "SerializationException"
    else:
        expected_status, expected_code = 501, "NotImplemented"
    status, headers, body = http_request(
        brume, "POST", "/service/GraniteServiceVersion20100801/operation/ListDashboards",
        b"\xbf\x63abc\xff\x1f\x00garbage",
        {"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor",
         "Accept": "application/cbor"}, service="monitoring")
    assert status == expected_status
    assert headers["content-type"] == "application/cbor"
    assert decode_cbor(body)["__type"].split("#")[-1] == expected_code


def test_malformed_form_body(brume):
    status, _, body = http_request(
        brume, "POST", "/", b"%%%&&&=%zz",
        {"Content-Type": "application/x-www-form-urlencoded"}, service="sts")
    assert 400 <= status < 500
    root = ElementTree.fromstring(body)
    assert root.tag.split("}")[-1] == "ErrorResponse"
    assert xml_child_text(root, "Error/Code")


def test_non_integer_duration(brume):
    body = (b"Action=AssumeRole&Version=2011-06-15&RoleSessionName=s1&DurationSeconds=abc"
            b"&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr")
    status, _, payload = http_request(
        brume, "POST", "/", body, {"Content-Type": "application/x-www-form-urlencoded"},
        service="sts")
    assert status == 400
    root = ElementTree.fromstring(payload)
    assert xml_child_text(root, "Error/Type") == "Sender"
    assert xml_child_text(root, "Error/Code")


# Routing


def test_unknown_target_operation(brume):
    status, _, body = http_request(
        brume, "POST", "/", b"{}",
        {"X-Amz-Target": "TrentService.NoSuchOperation",
         "Content-Type": "application/x-amz-json-1.1"}, service="kms")
    assert status == 400
    assert json.loads(body)["__type"].split("#")[-1] == "UnknownOperationException"


def test_unknown_target_prefix(brume):
    status, _, body = http_request(
        brume, "POST", "/", b"{}",
        {"X-Amz-Target": "NoSuchService_20200101.DoThing",
         "Content-Type": "application/x-amz-json-1.1"}, service="kms")
    assert 400 <= status < 500
    assert "__type" in json.loads(body)


def test_unknown_signing_service(brume):
    status, _, body = http_request(
        brume, "POST", "/", b"Action=DoThing&Version=2020-01-01",
        {"Content-Type": "application/x-www-form-urlencoded"}, service="nosuchservice")
    assert 400 <= status < 500
    assert body


# HTTP-level garbage


def test_truncated_body(brume):
    request = signed_raw(brume, "POST", "/", STS_QUERY,
                         {"Content-Type": "application/x-www-form-urlencoded"}, "sts",
                         content_length="100")
    received = raw_exchange(brume, request, timeout=5, shutdown_write=True)
    # The body ends early, so brume either closes the connection or responds 400.
    if received:
        status, _, _ = parse_raw_response(received)
        assert status == 400


def test_content_length_not_a_number(brume):
    request = signed_raw(brume, "POST", "/", STS_QUERY,
                         {"Content-Type": "application/x-www-form-urlencoded"}, "sts",
                         content_length="abc")
    status, _, body = parse_raw_response(raw_exchange(brume, request))
    assert_plain_error(status, body.split(b"HTTP/1.1")[0], 400)


def test_content_length_too_short(brume):
    # Only "Action=Get" is read as the body, so the action is unknown, and
    # the rest of the bytes arrive as a garbage request line.
    request = signed_raw(brume, "POST", "/", STS_QUERY,
                         {"Content-Type": "application/x-www-form-urlencoded"}, "sts",
                         content_length="10")
    received = raw_exchange(brume, request)
    status, _, body = parse_raw_response(received)
    assert status == 400
    assert b"<Code>InvalidAction</Code>" in body or b"<Code>BadRequest</Code>" in body


def test_conflicting_content_lengths(brume):
    request = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n"
               b"Content-Length: 7\r\n\r\nabcdefg")
    status, _, body = parse_raw_response(raw_exchange(brume, request))
    assert_plain_error(status, body, 400)


def test_oversize_headers(brume):
    request = (b"GET /_brume/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * (70 * 1024)
               + b"\r\n\r\n")
    status, _, body = parse_raw_response(raw_exchange(brume, request))
    assert_plain_error(status, body, 431)


def test_garbage_request_line(brume):
    for garbage in [b"HELLO WORLD\r\n\r\n", b"\x00\x01\x02\x03\r\n\r\n",
                    b"GET / HTTP/9.9 extra\r\n\r\n", b"GET\r\n\r\n"]:
        received = raw_exchange(brume, garbage)
        assert received, f"no response to {garbage!r}"
        status, _, body = parse_raw_response(received)
        assert_plain_error(status, body, 400)


def test_binary_noise(brume):
    import os
    received = raw_exchange(brume, os.urandom(4096), shutdown_write=True)
    if received:
        assert parse_raw_response(received)[0] == 400


def test_missing_host(brume):
    # RFC 9112 section 3.2: a server must respond 400 to an HTTP/1.1 request
    # without a Host header.
    request = (b"POST / HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
               b"Content-Length: " + str(len(STS_QUERY)).encode() + b"\r\n\r\n" + STS_QUERY)
    status, _, _ = parse_raw_response(raw_exchange(brume, request))
    assert status == 400


def test_many_bad_connections(brume):
    # A bounded burst of garbage connections must not exhaust the server.
    for _ in range(50):
        raw_exchange(brume, b"NOT HTTP\r\n\r\n", timeout=2)
    assert brume.health()["status"] == "running"
