"""Signatures of S3 POST form policies, checked under --verify-signatures."""

import base64
import json

import pytest
import requests

from conftest import Brume, unique


@pytest.fixture(scope="module")
def verifying_brume():
    server = Brume(extra_args=("--verify-signatures",)).start()
    yield server
    server.stop()


def make_bucket(server):
    s3 = server.client("s3", signature_version="s3v4")
    bucket = unique("post-signed")
    s3.create_bucket(Bucket=bucket)
    return s3, bucket


def test_sigv4_form_with_valid_signature_uploads(verifying_brume):
    s3, bucket = make_bucket(verifying_brume)
    post = s3.generate_presigned_post(bucket, "a.txt", ExpiresIn=60)
    assert "x-amz-signature" in post["fields"]
    response = requests.post(post["url"], data=post["fields"], files={"file": ("a", b"ok")}, timeout=10)
    assert response.status_code == 204, response.text
    assert s3.get_object(Bucket=bucket, Key="a.txt")["Body"].read() == b"ok"


def test_sigv4_form_with_forged_signature_rejected(verifying_brume):
    s3, bucket = make_bucket(verifying_brume)
    post = s3.generate_presigned_post(bucket, "a.txt", ExpiresIn=60)
    fields = dict(post["fields"], **{"x-amz-signature": "0" * 64})
    response = requests.post(post["url"], data=fields, files={"file": ("a", b"forged")}, timeout=10)
    assert response.status_code == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in response.text
    listed = s3.list_objects_v2(Bucket=bucket)
    assert listed["KeyCount"] == 0


def test_form_signed_with_wrong_secret_rejected(verifying_brume):
    _, bucket = make_bucket(verifying_brume)
    forger = verifying_brume.client("s3", secret_key="not-the-secret", signature_version="s3v4")
    post = forger.generate_presigned_post(bucket, "a.txt", ExpiresIn=60)
    response = requests.post(post["url"], data=post["fields"], files={"file": ("a", b"x")}, timeout=10)
    assert response.status_code == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in response.text


def test_form_with_unknown_access_key_rejected(verifying_brume):
    _, bucket = make_bucket(verifying_brume)
    stranger = verifying_brume.client("s3", access_key="AKIAUNKNOWN000000000",
                                      signature_version="s3v4")
    post = stranger.generate_presigned_post(bucket, "a.txt", ExpiresIn=60)
    response = requests.post(post["url"], data=post["fields"], files={"file": ("a", b"x")}, timeout=10)
    assert response.status_code == 403
    assert "<Code>InvalidAccessKeyId</Code>" in response.text


def test_sigv2_form_signature_checked(verifying_brume):
    s3, bucket = make_bucket(verifying_brume)
    v2 = verifying_brume.client("s3", signature_version="s3")
    post = v2.generate_presigned_post(bucket, "v2.txt", ExpiresIn=60)
    assert "signature" in post["fields"]
    good = requests.post(post["url"], data=post["fields"], files={"file": ("a", b"v2")}, timeout=10)
    assert good.status_code == 204, good.text
    forged = dict(post["fields"], signature=base64.b64encode(b"\0" * 20).decode())
    bad = requests.post(post["url"], data=forged, files={"file": ("a", b"x")}, timeout=10)
    assert bad.status_code == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in bad.text
    assert s3.get_object(Bucket=bucket, Key="v2.txt")["Body"].read() == b"v2"


@pytest.mark.parametrize("policy", [
    {"expiration": 12345, "conditions": [["eq", "$key", "a"]]},
    {"expiration": "2099-01-01T00:00:00Z", "conditions": [[1, 2, 3]]},
    {"expiration": "2099-01-01T00:00:00Z", "conditions": [["content-length-range", "a", "b"]]},
])
def test_mistyped_policy_is_client_error(brume, policy):
    bucket = unique("post-types")
    brume.client("s3").create_bucket(Bucket=bucket)
    encoded = base64.b64encode(json.dumps(policy).encode()).decode()
    fields = {"key": "a", "policy": encoded, "AWSAccessKeyId": "test", "signature": "x"}
    response = requests.post(f"{brume.endpoint}/{bucket}", data=fields, files={"file": ("a", b"x")}, timeout=10)
    assert response.status_code == 400, response.text
    assert "<Code>InvalidArgument</Code>" in response.text


def test_deeply_nested_policy_is_client_error(brume):
    bucket = unique("post-deep")
    brume.client("s3").create_bucket(Bucket=bucket)
    deep = '{"expiration": "2099-01-01T00:00:00Z", "conditions": ' + "[" * 100000 + "]" * 100000 + "}"
    fields = {"key": "a", "policy": base64.b64encode(deep.encode()).decode(),
              "AWSAccessKeyId": "test", "signature": "x"}
    response = requests.post(f"{brume.endpoint}/{bucket}", data=fields, files={"file": ("a", b"x")}, timeout=30)
    assert response.status_code == 400
    # The server is still up.
    assert brume.health()


def test_preflight_to_presigned_url_needs_no_signature(verifying_brume):
    s3, bucket = make_bucket(verifying_brume)
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": ["https://app.example"], "AllowedMethods": ["PUT"], "AllowedHeaders": ["*"]}]})
    url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=60)
    response = requests.options(url, headers={"Origin": "https://app.example",
                                              "Access-Control-Request-Method": "PUT"}, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.example"


def test_form_without_policy_is_anonymous(verifying_brume):
    s3, bucket = make_bucket(verifying_brume)
    s3.put_object(Bucket=bucket, Key="secret", Body=b"kept")
    for credential in [{"x-amz-credential": "test/20261204/us-east-1/s3/aws4_request",
                        "x-amz-signature": "0" * 64},
                       {"AWSAccessKeyId": "test"}]:
        fields = dict({"key": "secret"}, **credential)
        response = requests.post(f"{verifying_brume.endpoint}/{bucket}", data=fields,
                                 files={"file": ("a", b"overwritten")}, timeout=10)
        assert response.status_code == 403, response.text
    assert s3.get_object(Bucket=bucket, Key="secret")["Body"].read() == b"kept"


def test_form_field_with_line_break_rejected(brume):
    bucket = unique("post-crlf")
    brume.client("s3").create_bucket(Bucket=bucket)
    fields = {"key": "a", "Content-Type": "text/html\r\nSet-Cookie: x=1"}
    response = requests.post(f"{brume.endpoint}/{bucket}", data=fields,
                             files={"file": ("a", b"x")}, timeout=10)
    assert response.status_code == 400
    assert "<Code>InvalidArgument</Code>" in response.text
