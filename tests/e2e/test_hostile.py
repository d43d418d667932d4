"""Hostile-client input against the HTTP server, the router, SigV4, the
protocol codecs and storage. Every case expects an AWS-shaped error (or an
RFC 9112 response for HTTP-level faults), no crash or hang, and a brume that
still responds to /_brume/health afterwards.

Cases that brume gets wrong are strict xfails whose reason names the defect,
so a fix turns them into failures that ask for the marker to be removed.
"""

import concurrent.futures
import datetime
import hashlib
import hmac
import json
import os
import pathlib
import re
import socket
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ElementTree

import botocore.config
import pytest
from botocore.exceptions import ClientError

from conftest import Brume, http_request, parse_raw_response, raw_exchange, sign_headers, unique
from test_protocols import decode_cbor, xml_child_text

STS_BODY = b"Action=GetCallerIdentity&Version=2011-06-15"
FORM = "application/x-www-form-urlencoded"
SQS_JSON = "application/x-amz-json-1.0"


@pytest.fixture(autouse=True)
def still_serving(brume):
    yield
    assert brume.health()["status"] == "running"


@pytest.fixture(scope="module")
def verifying_brume():
    """A brume that checks SigV4 signatures against test/test."""
    server = Brume(extra_args=["--verify-signatures"]).start()
    yield server
    server.stop()


def form_head(extra=b""):
    """Head of an unsigned STS query request with "Connection: close"."""
    return (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + FORM.encode()
            + b"\r\nConnection: close\r\n" + extra)


def split_responses(data):
    """Count the HTTP/1.1 status lines in a raw byte stream."""
    return data.count(b"HTTP/1.1 ")


def assert_plain_error(data, status):
    got_status, headers, body = parse_raw_response(data)
    assert got_status == status
    root = ElementTree.fromstring(body)
    assert root.tag == "Error"
    assert xml_child_text(root, "Code")


def sqs_call(server, target, body):
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    status, headers, raw = http_request(
        server, "POST", "/", payload,
        {"X-Amz-Target": f"AmazonSQS.{target}", "Content-Type": SQS_JSON}, service="sqs")
    return status, headers, json.loads(raw) if raw else {}


def error_type(document):
    return document["__type"].split("#")[-1]


def s3_client(server, **config):
    return server.client("s3", s3={"addressing_style": "path"}, **config)


# HTTP framing


def test_transfer_encoding_with_content_length(brume):
    body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(STS_BODY), STS_BODY)
    request = form_head(b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n") + body
    data = raw_exchange(brume, request)
    assert_plain_error(data, 400)
    assert split_responses(data) == 1


@pytest.mark.parametrize("size_line", [b"zz", b"ffffffffffffffffff", b"-5", b"3 junk"])
def test_bad_chunk_size(brume, size_line):
    request = form_head(b"Transfer-Encoding: chunked\r\n\r\n") + size_line + b"\r\nabc\r\n0\r\n\r\n"
    status, headers, _ = parse_raw_response(raw_exchange(brume, request))
    assert status == 400
    assert headers["connection"] == "close"


def test_chunk_data_longer_than_size(brume):
    request = form_head(b"Transfer-Encoding: chunked\r\n\r\n") + b"3\r\nabcXX\r\n0\r\n\r\n"
    status, _, _ = parse_raw_response(raw_exchange(brume, request))
    assert status == 400


def test_chunked_body_cut_short(brume):
    request = form_head(b"Transfer-Encoding: chunked\r\n\r\n") + b"10\r\nabc"
    data = raw_exchange(brume, request, shutdown_write=True)
    if data:
        assert parse_raw_response(data)[0] == 400


def test_unknown_transfer_coding_closes_connection(brume):
    # The body is a whole second request, which a smuggling-prone server responds to.
    smuggled = b"GET /_brume/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    request = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + FORM.encode()
               + b"\r\nTransfer-Encoding: foo\r\n\r\n" + smuggled)
    data = raw_exchange(brume, request)
    assert parse_raw_response(data)[0] == 400
    assert split_responses(data) == 1


def test_gzip_transfer_coding_not_ignored(brume):
    body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(STS_BODY), STS_BODY)
    request = form_head(b"Transfer-Encoding: gzip, chunked\r\n\r\n") + body
    assert parse_raw_response(raw_exchange(brume, request))[0] == 501


@pytest.mark.parametrize("value", [b"-1", b"99999999999999999999999", b"1 2", b"0x10"])
def test_bad_content_length(brume, value):
    request = form_head(b"Content-Length: " + value + b"\r\n\r\n") + STS_BODY
    assert_plain_error(raw_exchange(brume, request), 400)


def test_repeated_equal_content_length(brume):
    # RFC 9110 section 8.6 lets a recipient accept a repeated identical value.
    length = b"%d" % len(STS_BODY)
    request = form_head(b"Content-Length: " + length + b"\r\nContent-Length: " + length
                        + b"\r\n\r\n") + STS_BODY
    assert parse_raw_response(raw_exchange(brume, request))[0] == 200


@pytest.mark.parametrize("line", [b"NoColonHere", b"Bad Name: x", b"X-Nul: a\x00b"])
def test_malformed_header_line(brume, line):
    request = form_head(line + b"\r\nContent-Length: 0\r\n\r\n")
    assert_plain_error(raw_exchange(brume, request), 400)


def test_five_thousand_headers(brume):
    headers = b"".join(b"X-H%d: v\r\n" % i for i in range(5000))
    request = form_head(headers + b"Content-Length: %d\r\n\r\n" % len(STS_BODY)) + STS_BODY
    assert parse_raw_response(raw_exchange(brume, request))[0] == 200


def test_expect_continue_without_body(brume):
    request = form_head(b"Expect: 100-continue\r\nContent-Length: 0\r\n\r\n")
    started = time.monotonic()
    status, _, body = parse_raw_response(raw_exchange(brume, request))
    assert time.monotonic() - started < 2
    assert status == 400
    assert xml_child_text(ElementTree.fromstring(body), "Error/Code") == "MissingAction"


def test_pipelined_requests(brume):
    one = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + FORM.encode()
           + b"\r\nContent-Length: %d\r\n\r\n" % len(STS_BODY) + STS_BODY)
    data = raw_exchange(brume, one * 2 + form_head(b"Content-Length: %d\r\n\r\n" % len(STS_BODY))
                        + STS_BODY)
    assert data.count(b"HTTP/1.1 200 OK") == 3


def test_absolute_form_target(brume):
    request = (f"GET http://127.0.0.1:{brume.port}/_brume/health HTTP/1.1\r\n"
               f"Host: 127.0.0.1\r\nConnection: close\r\n\r\n").encode()
    assert parse_raw_response(raw_exchange(brume, request))[0] == 200


def test_slow_loris_does_not_block_others(brume):
    sockets = [socket.create_connection(("127.0.0.1", brume.port), timeout=5) for _ in range(4)]
    try:
        partial = b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
        for step in range(10):
            for sock in sockets:
                sock.sendall(partial[step:step + 1] if step < len(partial) else b"a")
            started = time.monotonic()
            assert brume.health()["status"] == "running"
            assert time.monotonic() - started < 1
            time.sleep(0.1)
    finally:
        for sock in sockets:
            sock.close()


# Codecs


def test_json_nested_100000_arrays(brume):
    started = time.monotonic()
    status, headers, document = sqs_call(brume, "ListQueues", b"[" * 100_000 + b"]" * 100_000)
    assert time.monotonic() - started < 5
    assert status == 400
    assert error_type(document) == "SerializationException"
    assert headers["x-amzn-query-error"] == "SerializationException;Sender"


def test_json_nested_100000_objects_in_unknown_member(brume):
    body = b'{"Unknown":' + b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b"}"
    status, _, _ = sqs_call(brume, "ListQueues", body)
    assert status == 200


@pytest.mark.parametrize("body", [
    b'{"MaxResults":1e999999}',
    b'{"MaxResults":' + b"9" * 5000 + b"}",
    b'{"QueueName":"a\xff\xfeb"}',
    b'{"QueueName":"a\x00b"}',
    b'{"QueueName":"\\ud800"}',
])
def test_json_unparseable(brume, body):
    status, _, document = sqs_call(brume, "CreateQueue", body)
    assert status == 400
    assert error_type(document) == "SerializationException"


@pytest.mark.parametrize("number", [b"1e300", b"18446744073709551617", b"-99999999999999999999"])
def test_json_integer_out_of_range(brume, number):
    status, _, document = sqs_call(brume, "ListQueues", b'{"MaxResults":' + number + b"}")
    assert status == 400
    assert error_type(document) == "SerializationException"
    assert "-9223372036854775808" not in document.get("message", "")


def put_bucket_tagging_raw(server, body):
    s3 = s3_client(server)
    bucket = unique("hostile-xml")
    s3.create_bucket(Bucket=bucket)
    started = time.monotonic()
    status, _, payload = http_request(server, "PUT", f"/{bucket}?tagging", body,
                                      {"Content-Type": "application/xml"}, service="s3")
    assert time.monotonic() - started < 5
    return status, payload


def test_xml_nested_100000_unclosed_elements(brume):
    status, payload = put_bucket_tagging_raw(brume, b"<Tagging>" + b"<a>" * 100_000 + b"</Tagging>")
    assert status == 400
    assert xml_child_text(ElementTree.fromstring(payload), "Code") == "MalformedXML"


@pytest.mark.parametrize("body", [
    pytest.param(
        b"<Tagging><TagSet><Tag><Key>k</Key><Value>" + b"<a>" * 100_000 + b"</a>" * 100_000
        + b"</Value></Tag></TagSet></Tagging>",
        id="nested-in-value",
        marks=pytest.mark.xfail(strict=True, reason=(
            "the rest-xml input path (xml_binding.cc) accepts element content inside a "
            "string member, so the Value is stored empty; S3 returns 400 MalformedXML"))),
    pytest.param(b"<Tagging><TagSet>" + b"<Tag>" * 100_000 + b"</Tag>" * 100_000
                 + b"</TagSet></Tagging>", id="nested-tags"),
    pytest.param(b"<Tagging><a/></Tagging>", id="no-tagset"),
])
def test_xml_invalid_tagging_rejected(brume, body):
    status, payload = put_bucket_tagging_raw(brume, body)
    assert status == 400
    assert xml_child_text(ElementTree.fromstring(payload), "Code") == "MalformedXML"


def test_xml_entity_expansion(brume):
    s3 = s3_client(brume)
    bucket = unique("hostile-ent")
    s3.create_bucket(Bucket=bucket)
    entities = "".join(f'<!ENTITY e{i} "&e{i - 1};&e{i - 1};&e{i - 1};&e{i - 1};">'
                       for i in range(1, 12))
    body = (f'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY e0 "lol">{entities}]>'
            f"<Tagging><TagSet><Tag><Key>k</Key><Value>&e11;</Value></Tag></TagSet></Tagging>")
    status, _, _ = http_request(brume, "PUT", f"/{bucket}?tagging", body.encode(),
                                {"Content-Type": "application/xml"}, service="s3")
    assert status < 500
    if status == 200:
        value = s3.get_bucket_tagging(Bucket=bucket)["TagSet"][0]["Value"]
        assert len(value) < 1000


def test_cbor_nested_100000_arrays(brume):
    status, headers, body = http_request(
        brume, "POST", "/service/GraniteServiceVersion20100801/operation/ListDashboards",
        b"\x81" * 100_000 + b"\x00",
        {"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor",
         "Accept": "application/cbor"}, service="monitoring")
    assert status in (400, 501)
    assert headers["content-type"] == "application/cbor"
    assert decode_cbor(body)["__type"]


def test_query_deeply_dotted_parameter(brume):
    name = ".".join(["Tags", "member", "1"] * 5000)
    body = STS_BODY + b"&" + name.encode() + b"=x"
    status, _, _ = http_request(brume, "POST", "/", body, {"Content-Type": FORM}, service="sts")
    assert status in (200, 400)


def test_query_error_for_malformed_authorization(brume):
    status, _, body = http_request(
        brume, "POST", "/", STS_BODY,
        {"Content-Type": FORM, "X-Amz-Date": "20200101T000000Z",
         "Authorization": "AWS4-HMAC-SHA256 Credential=test/x/y, SignedHeaders=host, Signature=zz"})
    assert status == 400
    assert b"IncompleteSignature" in body


def test_sts_authorization_error_is_xml(brume):
    status, headers, body = http_request(
        brume, "POST", "/", STS_BODY,
        {"Content-Type": FORM, "X-Amz-Date": "20200101T000000Z",
         "Authorization": "AWS4-HMAC-SHA256 Credential=test/20200101/us-east-1/sts/aws4_request"})
    assert status == 400
    root = ElementTree.fromstring(body)
    assert root.tag.split("}")[-1] == "ErrorResponse"
    assert xml_child_text(root, "Error/Code") == "IncompleteSignature"


def test_sts_bad_chunked_body_error_is_xml(brume):
    headers = sign_headers("POST", brume.endpoint + "/", STS_BODY, {"Content-Type": FORM},
                           service="sts")
    headers.pop("Content-Length", None)
    head = ("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
            "Connection: close\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()))
    data = raw_exchange(brume, head.encode() + b"\r\nzz\r\nabc\r\n0\r\n\r\n")
    status, _, body = parse_raw_response(data)
    assert status == 400
    assert ElementTree.fromstring(body).tag.split("}")[-1] == "ErrorResponse"


# SQS names and contents


@pytest.mark.parametrize("name", ["../../etc", "a" * 81, "", "q\u00e9", "a/b", "a\u0000b",
                                  "x.fifo.fifo", "%2F..%2F"])
def test_hostile_queue_name(brume, name):
    status, _, document = sqs_call(brume, "CreateQueue", {"QueueName": name})
    assert status == 400
    assert error_type(document) == "InvalidParameterValue"


@pytest.mark.parametrize("text", ["a\u0000b", "a\uffffb", "\u0001"])
def test_sqs_message_invalid_characters(brume, text):
    _, _, created = sqs_call(brume, "CreateQueue", {"QueueName": unique("hostile-body")})
    status, _, document = sqs_call(brume, "SendMessage",
                                   {"QueueUrl": created["QueueUrl"], "MessageBody": text})
    assert status == 400
    assert error_type(document) == "InvalidMessageContents"


# S3 keys and the data directory


HOSTILE_KEYS = ["../escape", "../../../../../tmp/brume-hostile-escape", "a/../../b",
                "%2F..%2F", "..", ".", "/leading", "//double", "nul\x00key", "\n\r\t",
                "k" * 1024]


def test_hostile_keys_stay_in_data_dir(fresh_brume, tmp_path):
    s3 = s3_client(fresh_brume)
    s3.create_bucket(Bucket="hostile-keys")
    for key in HOSTILE_KEYS:
        body = hashlib.sha256(key.encode()).digest()
        s3.put_object(Bucket="hostile-keys", Key=key, Body=body)
        assert s3.get_object(Bucket="hostile-keys", Key=key)["Body"].read() == body
    listed = {item["Key"] for item in s3.list_objects_v2(Bucket="hostile-keys")["Contents"]}
    assert listed == set(HOSTILE_KEYS)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["data"]
    assert not pathlib.Path("/tmp/brume-hostile-escape").exists()
    for path in (tmp_path / "data").rglob("*"):
        assert "escape" not in path.name
    assert fresh_brume.health()["status"] == "running"


@pytest.mark.parametrize("length", [1025, 5000])
def test_key_too_long(brume, length):
    s3 = s3_client(brume)
    bucket = unique("hostile-long")
    s3.create_bucket(Bucket=bucket)
    with pytest.raises(ClientError) as raised:
        s3.put_object(Bucket=bucket, Key="k" * length, Body=b"x")
    error = raised.value.response["Error"]
    assert error["Code"] == "KeyTooLongError"
    assert error["Size"] == str(length)
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_encoded_traversal_key_is_literal(brume):
    s3 = s3_client(brume)
    bucket = unique("hostile-enc")
    s3.create_bucket(Bucket=bucket)
    status, _, _ = http_request(brume, "PUT", f"/{bucket}/..%2F..%2Fraw", b"raw", service="s3")
    assert status == 200
    assert s3.get_object(Bucket=bucket, Key="../../raw")["Body"].read() == b"raw"
    status, _, body = http_request(brume, "GET", f"/%2e%2e/{bucket}/..%2F..%2Fraw", service="s3")
    assert status == 404
    assert xml_child_text(ElementTree.fromstring(body), "Code") == "NoSuchBucket"


@pytest.mark.parametrize("suffix", ["a%ZZb", "%"])
def test_invalid_percent_escape_in_key(brume, suffix):
    s3 = s3_client(brume)
    bucket = unique("hostile-pct")
    s3.create_bucket(Bucket=bucket)
    status, _, body = http_request(brume, "PUT", f"/{bucket}/{suffix}", b"raw", service="s3")
    assert status == 400
    assert xml_child_text(ElementTree.fromstring(body), "Code") == "InvalidURI"


# SigV4 with --verify-signatures


def test_wrong_secret_rejected(verifying_brume):
    cases = [("sts", lambda c: c.get_caller_identity(), "SignatureDoesNotMatch"),
             ("sqs", lambda c: c.list_queues(), "InvalidSignatureException"),
             ("s3", lambda c: c.list_buckets(), "SignatureDoesNotMatch")]
    for service, call, code in cases:
        client = verifying_brume.client(service, secret_key="wrong")
        with pytest.raises(ClientError) as raised:
            call(client)
        assert raised.value.response["Error"]["Code"] == code
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert verifying_brume.health()["status"] == "running"


@pytest.fixture(scope="module")
def signed_object(verifying_brume):
    s3 = s3_client(verifying_brume, signature_version="s3v4")
    s3.create_bucket(Bucket="hostile-signed")
    s3.put_object(Bucket="hostile-signed", Key="k", Body=b"secret")
    return s3


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_presigned_v4_expired(verifying_brume, signed_object):
    url = signed_object.generate_presigned_url(
        "get_object", Params={"Bucket": "hostile-signed", "Key": "k"}, ExpiresIn=60)
    assert fetch(url)[0] == 200
    # Within the 15-minute skew that header signatures of later tests allow.
    verifying_brume.advance_clock(120)
    status, body = fetch(url)
    assert status == 403
    root = ElementTree.fromstring(body)
    assert xml_child_text(root, "Code") == "AccessDenied"
    assert xml_child_text(root, "Message") == "Request has expired"


@pytest.mark.parametrize("edit", [
    lambda url: url.replace("X-Amz-Signature=", "X-Amz-Signature=0"),
    lambda url: re.sub(r"X-Amz-Expires=\d+", "X-Amz-Expires=600", url),
    lambda url: url.replace("/hostile-signed/k", "/hostile-signed/other"),
])
def test_presigned_v4_tampered(verifying_brume, signed_object, edit):
    url = signed_object.generate_presigned_url(
        "get_object", Params={"Bucket": "hostile-signed", "Key": "k"}, ExpiresIn=300)
    status, body = fetch(edit(url))
    assert status == 403
    assert xml_child_text(ElementTree.fromstring(body), "Code") == "SignatureDoesNotMatch"


def test_presigned_v2_forged_signature(verifying_brume, signed_object):
    expires = int(time.time()) + 300
    status, _ = fetch(f"{verifying_brume.endpoint}/hostile-signed/k?AWSAccessKeyId=test"
                      f"&Signature=forged&Expires={expires}")
    assert status == 403


def test_unsigned_s3_write_rejected(verifying_brume, signed_object):
    status, _, body = http_request(verifying_brume, "PUT", "/hostile-signed/anonymous", b"x")
    assert status == 403
    assert xml_child_text(ElementTree.fromstring(body), "Code") == "AccessDenied"


def test_unsigned_sts_rejected(verifying_brume):
    status, _, body = http_request(verifying_brume, "POST", "/", STS_BODY,
                                   {"Content-Type": FORM})
    assert status == 403
    assert xml_child_text(ElementTree.fromstring(body), "Error/Code") == \
        "MissingAuthenticationToken"


# aws-chunked uploads


def aws_chunked_put(server, path, chunks, decoded_length=None, tamper=None, size_line=None,
                    tail=b""):
    """Raw bytes of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD PUT signed for test/test.

    `tamper` replaces the signature of that chunk index; `size_line` replaces the
    size of every data chunk; `tail` is appended after the final chunk.
    """
    def hmac_sha256(key, message):
        return hmac.new(key, message.encode(), hashlib.sha256).digest()

    amz_date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    scope = f"{amz_date[:8]}/us-east-1/s3/aws4_request"
    key = b"AWS4test"
    for part in (amz_date[:8], "us-east-1", "s3", "aws4_request"):
        key = hmac_sha256(key, part)
    frames = chunks + [b""]

    def frame(signatures):
        out = b""
        for data, signature in zip(frames, signatures):
            size = size_line if size_line is not None and data else b"%x" % len(data)
            out += size + b";chunk-signature=" + signature.encode() + b"\r\n" + data + b"\r\n"
        return out + tail

    total = sum(len(chunk) for chunk in chunks)
    headers = {
        "host": f"127.0.0.1:{server.port}",
        "content-encoding": "aws-chunked",
        "content-length": str(len(frame(["0" * 64] * len(frames)))),
        "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        "x-amz-date": amz_date,
        "x-amz-decoded-content-length": str(total if decoded_length is None else decoded_length),
    }
    names = sorted(headers)
    canonical = "\n".join(["PUT", path, "", "".join(f"{n}:{headers[n]}\n" for n in names),
                           ";".join(names), "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"])
    string_to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                                hashlib.sha256(canonical.encode()).hexdigest()])
    seed = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential=test/{scope}, "
                                f"SignedHeaders={';'.join(names)}, Signature={seed}")
    previous, signatures = seed, []
    for data in frames:
        chunk_string = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, previous,
                                  hashlib.sha256(b"").hexdigest(),
                                  hashlib.sha256(data).hexdigest()])
        previous = hmac.new(key, chunk_string.encode(), hashlib.sha256).hexdigest()
        signatures.append(previous)
    if tamper is not None:
        signatures[tamper] = "0" * 64
    head = f"PUT {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (head + "Connection: close\r\n\r\n").encode() + frame(signatures)


@pytest.mark.parametrize("variant, status, code", [
    ({"tamper": 0}, 403, "SignatureDoesNotMatch"),
    ({"tamper": 2}, 403, "SignatureDoesNotMatch"),
    ({"size_line": b"10"}, 403, "SignatureDoesNotMatch"),
    ({"size_line": b"zz"}, 400, "IncompleteBody"),
    ({"tail": b"garbage"}, 400, "IncompleteBody"),
])
def test_aws_chunked_bad_upload_keeps_object(verifying_brume, signed_object, variant, status,
                                             code):
    chunks = [b"N" * 8192, b"n" * 100]
    data = raw_exchange(verifying_brume,
                        aws_chunked_put(verifying_brume, "/hostile-signed/chunked", chunks))
    assert parse_raw_response(data)[0] == 200
    data = raw_exchange(verifying_brume, aws_chunked_put(
        verifying_brume, "/hostile-signed/chunked", [b"X" * 8192, b"x" * 100], **variant))
    got_status, _, body = parse_raw_response(data)
    assert got_status == status
    assert xml_child_text(ElementTree.fromstring(body), "Code") == code
    stored = signed_object.get_object(Bucket="hostile-signed", Key="chunked")["Body"].read()
    assert stored == b"".join(chunks)


def test_aws_chunked_small_chunk(verifying_brume, signed_object):
    data = raw_exchange(verifying_brume, aws_chunked_put(
        verifying_brume, "/hostile-signed/small", [b"s" * 100, b"t" * 100]))
    status, _, body = parse_raw_response(data)
    assert status == 403
    root = ElementTree.fromstring(body)
    assert xml_child_text(root, "Code") == "InvalidChunkSizeError"
    assert xml_child_text(root, "BadChunkSize") == "100"


@pytest.mark.parametrize("declared", [5, 99_999])
def test_aws_chunked_decoded_length_mismatch(brume, declared):
    s3 = s3_client(brume)
    bucket = unique("hostile-decoded")
    s3.create_bucket(Bucket=bucket)
    data = raw_exchange(brume, aws_chunked_put(brume, f"/{bucket}/k", [b"d" * 8192, b"e" * 10],
                                               decoded_length=declared))
    status, _, body = parse_raw_response(data)
    assert status == 400
    assert xml_child_text(ElementTree.fromstring(body), "Code") == "IncompleteBody"


# Concurrency and crashes


def test_concurrent_writers_one_s3_key(brume):
    s3 = s3_client(brume, max_pool_connections=8)
    bucket = unique("hostile-race")
    s3.create_bucket(Bucket=bucket)
    bodies = {}

    def writer(thread):
        for i in range(50):
            body = f"{thread}-{i}-".encode() * 512
            bodies[hashlib.md5(body).hexdigest()] = body
            s3.put_object(Bucket=bucket, Key="contended", Body=body)

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(writer, range(8)))
    got = s3.get_object(Bucket=bucket, Key="contended")
    data = got["Body"].read()
    digest = hashlib.md5(data).hexdigest()
    assert digest in bodies
    assert got["ETag"].strip('"') == digest
    listed = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert len(listed) == 1
    assert listed[0]["Size"] == len(data)


def test_concurrent_senders_one_queue(brume):
    sqs = brume.client("sqs", max_pool_connections=8)
    url = sqs.create_queue(QueueName=unique("hostile-race"))["QueueUrl"]
    sent = set()
    lock = threading.Lock()

    def sender(thread):
        for i in range(50):
            message_id = sqs.send_message(QueueUrl=url, MessageBody=f"{thread}-{i}")["MessageId"]
            with lock:
                sent.add(message_id)

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(sender, range(8)))
    assert len(sent) == 400
    received = set()
    bodies = set()
    for _ in range(200):
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                       VisibilityTimeout=60).get("Messages", [])
        if not messages:
            break
        for message in messages:
            received.add(message["MessageId"])
            bodies.add(message["Body"])
    assert received == sent
    assert len(bodies) == 400


def test_sigkill_during_writes(fresh_brume, tmp_path):
    s3 = s3_client(fresh_brume)
    sqs = fresh_brume.client("sqs")
    s3.create_bucket(Bucket="hostile-crash")
    url = sqs.create_queue(QueueName="hostile-crash")["QueueUrl"]
    acknowledged_objects = {}
    acknowledged_messages = set()
    stop = threading.Event()

    def write_objects():
        for i in range(100_000):
            if stop.is_set():
                return
            body = os.urandom(64 * 1024)
            try:
                s3.put_object(Bucket="hostile-crash", Key=f"k{i}", Body=body)
            except Exception:  # the connection breaks when brume is killed
                return
            acknowledged_objects[f"k{i}"] = body

    def send_messages():
        for i in range(100_000):
            if stop.is_set():
                return
            try:
                sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
            except Exception:
                return
            acknowledged_messages.add(f"m{i}")

    threads = [threading.Thread(target=write_objects), threading.Thread(target=send_messages)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    fresh_brume.kill9()
    stop.set()
    for thread in threads:
        thread.join(timeout=10)
    assert acknowledged_objects
    assert acknowledged_messages

    fresh_brume.start()
    s3 = s3_client(fresh_brume)
    sqs = fresh_brume.client("sqs")
    for key, body in acknowledged_objects.items():
        assert s3.get_object(Bucket="hostile-crash", Key=key)["Body"].read() == body
    received = set()
    for _ in range(500):
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                       VisibilityTimeout=60).get("Messages", [])
        if not messages:
            break
        received.update(message["Body"] for message in messages)
    assert acknowledged_messages <= received
    assert sorted(path.name for path in tmp_path.iterdir()) == ["data"]
    assert fresh_brume.health()["status"] == "running"


def test_sigkill_mid_upload_leaves_no_spool(fresh_brume, tmp_path):
    s3 = s3_client(fresh_brume)
    s3.create_bucket(Bucket="hostile-spool")
    length = 50 << 20
    headers = sign_headers("PUT", fresh_brume.endpoint + "/hostile-spool/big", b"",
                           {"x-amz-content-sha256": "UNSIGNED-PAYLOAD"}, service="s3")
    head = (f"PUT /hostile-spool/big HTTP/1.1\r\nHost: 127.0.0.1:{fresh_brume.port}\r\n"
            f"Content-Length: {length}\r\n"
            + "".join(f"{k}: {v}\r\n" for k, v in headers.items() if k.lower() != "host"))
    with socket.create_connection(("127.0.0.1", fresh_brume.port), timeout=5) as sock:
        sock.sendall(head.encode() + b"\r\n" + b"x" * (8 << 20))
        time.sleep(0.3)
        fresh_brume.kill9()
    fresh_brume.start()
    with pytest.raises(ClientError) as raised:
        s3_client(fresh_brume).head_object(Bucket="hostile-spool", Key="big")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    leftovers = [path for path in (tmp_path / "data").rglob("upload-*")]
    assert leftovers == []
    assert fresh_brume.health()["status"] == "running"


def test_bucket_policy_deep_or_oversize_rejected(brume):
    s3 = brume.client("s3")
    bucket = unique("hostile-policy")
    s3.create_bucket(Bucket=bucket)
    deep = '{"Statement": ' + "[" * 300000 + "]" * 300000 + "}"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.put_bucket_policy(Bucket=bucket, Policy=deep)
    assert info.value.response["Error"]["Code"] == "MalformedPolicy"
    statement = {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
                 "Resource": f"arn:aws:s3:::{bucket}/*"}
    statements = [dict(statement, Sid=f"s{i}") for i in range(300)]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Statement": statements}))
    assert info.value.response["Error"]["Code"] == "PolicyTooLarge"
    assert brume.health()


def test_empty_content_md5_is_invalid_digest(brume):
    bucket = unique("hostile-md5")
    brume.client("s3").create_bucket(Bucket=bucket)
    status, _, body = http_request(brume, "PUT", f"/{bucket}/k", body=b"data",
                                   headers={"Content-MD5": ""}, service="s3")
    assert status == 400
    assert b"<Code>InvalidDigest</Code>" in body


def test_key_that_is_not_utf8_rejected(brume):
    bucket = unique("hostile-utf8")
    s3 = brume.client("s3")
    s3.create_bucket(Bucket=bucket)
    status, _, body = http_request(brume, "PUT", f"/{bucket}/bad%FFkey", body=b"x", service="s3")
    assert status == 400
    assert b"<Code>InvalidURI</Code>" in body
    # The bucket still lists as valid XML.
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_anonymous_response_overrides_rejected(brume):
    bucket = unique("hostile-override")
    s3 = brume.client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    query = "response-content-type=text/html%0D%0ASet-Cookie:%20session=evil"
    status, headers, body = http_request(brume, "GET", f"/{bucket}/k?{query}")
    assert status in (400, 403)
    assert "set-cookie" not in headers
    # Signed, the override is honoured but a CR/LF value never reaches the
    # wire as a header line of its own.
    status, headers, _ = http_request(brume, "GET", f"/{bucket}/k?{query}", service="s3")
    assert "set-cookie" not in headers


def test_header_that_is_not_utf8_is_client_error(brume):
    bucket = unique("hostile-header")
    brume.client("s3").create_bucket(Bucket=bucket)
    status, _, body = http_request(brume, "PUT", f"/{bucket}/k", body=b"x", service="s3",
                                   headers={"Content-Type": "text/\xff"})
    assert status == 400
    assert b"InvalidArgument" in body


def test_metadata_over_2kb_rejected(brume):
    bucket = unique("hostile-meta")
    s3 = brume.client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="fits", Body=b"x", Metadata={"a": "v" * 2000})
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3.put_object(Bucket=bucket, Key="big", Body=b"x", Metadata={"a": "v" * 2100})
    assert info.value.response["Error"]["Code"] == "MetadataTooLarge"
