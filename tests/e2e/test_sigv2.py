"""S3 requests signed with Signature Version 2, by hand and by boto3.

The hand signer follows "Signing and authenticating REST requests" in the
S3 API reference: HMAC-SHA1 over the verb, Content-MD5, Content-Type, the
date, the x-amz-* headers and the canonicalized resource.
"""

import base64
import email.utils
import hashlib
import hmac
import http.client
import time
import urllib.parse
import xml.etree.ElementTree as ET

import boto3
import botocore.config
import pytest
import requests

from conftest import REGION, Brume, unique

ACCESS_KEY = "AKIASIGV2TEST0000001"
SECRET_KEY = "sigv2SecretKey0000000000000000000000000a"
SUB_RESOURCES = {"acl", "tagging", "uploads", "uploadId", "partNumber", "versionId",
                 "versioning", "location", "response-content-type"}


@pytest.fixture(scope="module")
def verifying():
    """A brume that checks signatures against one known key."""
    server = Brume(extra_args=["--verify-signatures", "--access-key-id", ACCESS_KEY,
                               "--secret-access-key", SECRET_KEY]).start()
    yield server
    server.stop()


def string_to_sign(method, path, query, headers, bucket_from_host=None):
    lower = {}
    for name, value in headers.items():
        lower.setdefault(name.lower(), []).append(value.strip())
    date = "" if "x-amz-date" in lower else ",".join(lower.get("date", []))
    amz = "".join(f"{name}:{','.join(values)}\n" for name, values in sorted(lower.items())
                  if name.startswith("x-amz-"))
    resource = (f"/{bucket_from_host}" if bucket_from_host else "") + path
    subs = sorted((name, value) for name, value in urllib.parse.parse_qsl(query, keep_blank_values=True)
                  if name in SUB_RESOURCES)
    if subs:
        resource += "?" + "&".join(name + (f"={value}" if value else "") for name, value in subs)
    return "\n".join([method, ",".join(lower.get("content-md5", [])),
                      ",".join(lower.get("content-type", [])), date, amz + resource])


def signature(text, secret=SECRET_KEY):
    digest = hmac.new(secret.encode(), text.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def send(server, method, path, query="", body=b"", headers=None, secret=SECRET_KEY,
         host=None, bucket_from_host=None, date=None):
    """Signs with SigV2 and sends; returns (status, headers, body)."""
    headers = dict(headers or {})
    headers.setdefault("Date", date or email.utils.formatdate(usegmt=True))
    if host:
        headers["Host"] = host
    text = string_to_sign(method, path, query, headers, bucket_from_host)
    headers["Authorization"] = f"AWS {ACCESS_KEY}:{signature(text, secret)}"
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        target = path + (f"?{query}" if query else "")
        connection.request(method, target, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def error_of(body):
    root = ET.fromstring(body)
    return {child.tag: child.text for child in root}


def v2_client(server, secret=SECRET_KEY):
    return boto3.client("s3", endpoint_url=server.endpoint, region_name=REGION,
                        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=secret,
                        config=botocore.config.Config(signature_version="s3",
                                                      retries={"max_attempts": 0}))


def test_put_and_get_with_amz_headers(verifying):
    bucket = unique("v2hand")
    status, _, body = send(verifying, "PUT", f"/{bucket}")
    assert status == 200, body
    status, _, body = send(verifying, "PUT", f"/{bucket}/note.txt", body=b"hello",
                           headers={"Content-Type": "text/plain", "x-amz-meta-Color": "blue",
                                    "X-Amz-Meta-Size": "  large "})
    assert status == 200, body
    status, headers, body = send(verifying, "GET", f"/{bucket}/note.txt")
    assert status == 200, body
    assert body == b"hello"
    assert headers["x-amz-meta-color"] == "blue"


def test_sub_resource_is_signed(verifying):
    bucket = unique("v2sub")
    assert send(verifying, "PUT", f"/{bucket}")[0] == 200
    assert send(verifying, "PUT", f"/{bucket}/k", body=b"x")[0] == 200
    tagging = (b"<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>")
    status, _, body = send(verifying, "PUT", f"/{bucket}/k", query="tagging", body=tagging)
    assert status == 200, body
    status, _, body = send(verifying, "GET", f"/{bucket}/k", query="tagging")
    assert status == 200, body
    assert b"<Key>a</Key>" in body


def test_virtual_hosted_bucket(verifying):
    bucket = unique("v2vhost")
    assert send(verifying, "PUT", f"/{bucket}")[0] == 200
    host = f"{bucket}.localhost:{verifying.port}"
    status, _, body = send(verifying, "PUT", "/vk", body=b"virtual", host=host,
                           bucket_from_host=bucket)
    assert status == 200, body
    status, _, body = send(verifying, "GET", "/vk", host=host, bucket_from_host=bucket)
    assert status == 200, body
    assert body == b"virtual"


def test_amz_date_replaces_date(verifying):
    bucket = unique("v2amzdate")
    headers = {"x-amz-date": email.utils.formatdate(usegmt=True),
               "Date": "Thu, 01 Jan 2015 00:00:00 GMT"}
    status, _, body = send(verifying, "PUT", f"/{bucket}", headers=headers)
    assert status == 200, body


def test_boto3_sigv2_client(verifying):
    client = v2_client(verifying)
    bucket = unique("v2boto")
    client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=bucket, Key="a b.txt", Body=b"spaced", ContentType="text/plain")
    got = client.get_object(Bucket=bucket, Key="a b.txt", ResponseContentType="text/x-test")
    assert got["Body"].read() == b"spaced"
    assert got["ContentType"] == "text/x-test"
    keys = [item["Key"] for item in client.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == ["a b.txt"]
    assert bucket in [b["Name"] for b in client.list_buckets()["Buckets"]]


def test_presigned_get_and_put(verifying):
    client = v2_client(verifying)
    bucket = unique("v2presign")
    client.create_bucket(Bucket=bucket)
    put_url = client.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "p"},
                                            ExpiresIn=300)
    assert "AWSAccessKeyId=" in put_url
    assert "Signature=" in put_url
    assert requests.put(put_url, data=b"presigned body").status_code == 200
    get_url = client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "p"},
                                            ExpiresIn=300)
    response = requests.get(get_url)
    assert response.status_code == 200
    assert response.content == b"presigned body"


def test_wrong_secret_is_signature_mismatch(verifying):
    status, _, body = send(verifying, "PUT", f"/{unique('v2bad')}", secret="wrong-secret")
    assert status == 403
    error = error_of(body)
    assert error["Code"] == "SignatureDoesNotMatch"
    assert error["AWSAccessKeyId"] == ACCESS_KEY
    assert error["StringToSign"].startswith("PUT\n\n\n")
    assert error["SignatureProvided"]
    assert error["StringToSignBytes"].startswith("50 55 54 0a")


def test_boto3_wrong_secret_fails(verifying):
    client = v2_client(verifying, secret="not-the-secret")
    with pytest.raises(client.exceptions.ClientError) as caught:
        client.list_buckets()
    assert caught.value.response["Error"]["Code"] == "SignatureDoesNotMatch"


def test_unknown_access_key(verifying):
    headers = {"Date": email.utils.formatdate(usegmt=True)}
    headers["Authorization"] = "AWS AKIAUNKNOWN000000000:" + signature("x")
    connection = http.client.HTTPConnection("127.0.0.1", verifying.port, timeout=10)
    connection.request("GET", "/", headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status == 403
    assert error_of(body)["Code"] == "InvalidAccessKeyId"


def test_skewed_date(verifying):
    status, _, body = send(verifying, "GET", "/", date="Tue, 07 Jul 2010 21:53:04 GMT")
    assert status == 403
    error = error_of(body)
    assert error["Code"] == "RequestTimeTooSkewed"
    assert error["RequestTime"] == "Tue, 07 Jul 2010 21:53:04 GMT"
    assert error["MaxAllowedSkewMilliseconds"] == "900000"


@pytest.mark.parametrize("amz_date", ["Bad Date", "", "Tue, 07 Jul 1950 21:53:04 GMT"])
def test_invalid_date_is_access_denied(verifying, amz_date):
    status, _, body = send(verifying, "GET", "/", headers={"x-amz-date": amz_date})
    assert status == 403
    error = error_of(body)
    assert error["Code"] == "AccessDenied"
    assert error["Message"] == "AWS authentication requires a valid Date or x-amz-date header"


@pytest.mark.parametrize("header,message", [
    ("AWS HAHAHA", "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature"),
    ("AWS", "Authorization header is invalid -- one and only one ' ' (space) required"),
])
def test_malformed_header(verifying, header, message):
    connection = http.client.HTTPConnection("127.0.0.1", verifying.port, timeout=10)
    connection.request("PUT", f"/{unique('v2malformed')}", headers={"Authorization": header})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status == 400
    error = error_of(body)
    assert error["Code"] == "InvalidArgument"
    assert error["Message"] == message
    assert error["ArgumentName"] == "Authorization"
    assert error["ArgumentValue"] == header


def test_expired_presigned_url(verifying):
    client = v2_client(verifying)
    bucket = unique("v2expired")
    client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=bucket, Key="k", Body=b"x")
    url = client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"},
                                        ExpiresIn=60)
    assert requests.get(url).status_code == 200
    verifying.advance_clock(120)
    response = requests.get(url)
    assert response.status_code == 403
    error = error_of(response.content)
    assert error["Code"] == "AccessDenied"
    assert error["Message"] == "Request has expired"
    assert "ServerTime" in error


def test_expired_presigned_url_without_verification(brume):
    client = v2_client(brume)
    bucket = unique("v2expiredanon")
    client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=bucket, Key="k", Body=b"x")
    url = client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"},
                                        ExpiresIn=-10)
    response = requests.get(url)
    assert response.status_code == 403
    assert error_of(response.content)["Message"] == "Request has expired"


def test_any_secret_without_verification(brume):
    client = v2_client(brume, secret="whatever")
    bucket = unique("v2anysecret")
    client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=bucket, Key="k", Body=b"ok")
    assert client.get_object(Bucket=bucket, Key="k")["Body"].read() == b"ok"


def test_other_service_rejects_sigv2_header(brume):
    headers = {"Date": email.utils.formatdate(usegmt=True),
               "Authorization": f"AWS {ACCESS_KEY}:{signature('x')}",
               "Content-Type": "application/x-www-form-urlencoded"}
    connection = http.client.HTTPConnection("127.0.0.1", brume.port, timeout=10)
    connection.request("POST", "/", body="Action=GetCallerIdentity&Version=2011-06-15",
                       headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status == 400
    assert b"IncompleteSignature" in body


def test_expired_sigv4_presigned_url_fields():
    # The dispatcher checks SigV4 presigned URLs' expiry as it does SigV2's.
    # A server of its own, because advancing the clock would disturb others.
    server = Brume().start()
    try:
        client = server.client("s3", signature_version="s3v4")
        bucket = unique("v4expired")
        client.create_bucket(Bucket=bucket)
        client.put_object(Bucket=bucket, Key="k", Body=b"x")
        url = client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"},
                                            ExpiresIn=30)
        assert "X-Amz-Expires=30" in url
        assert requests.get(url).status_code == 200
        server.advance_clock(60)
        response = requests.get(url)
    finally:
        server.stop()
    assert response.status_code == 403
    error = error_of(response.content)
    assert error["Message"] == "Request has expired"
    assert error["X-Amz-Expires"] == "30"
    assert "Expires" in error
    assert "ServerTime" in error


def test_botocore_hmacv1_virtual_host(verifying):
    # botocore's own SigV2 signer, on a virtual-hosted request: it signs the
    # bucket from the Host as the first path segment (its auth_path).
    from botocore.auth import HmacV1Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    bucket = unique("v2botocore")
    assert send(verifying, "PUT", f"/{bucket}")[0] == 200
    host = f"{bucket}.s3.localhost:{verifying.port}"
    request = AWSRequest(method="PUT", url=f"http://{host}/dir/k?tagging",
                         data=b"<Tagging><TagSet/></Tagging>",
                         headers={"x-amz-meta-ignored": "1"})
    request.auth_path = f"/{bucket}/dir/k"
    assert send(verifying, "PUT", f"/{bucket}/dir/k", body=b"x")[0] == 200
    HmacV1Auth(Credentials(ACCESS_KEY, SECRET_KEY)).add_auth(request)
    headers = dict(request.headers.items())
    headers["Host"] = host
    connection = http.client.HTTPConnection("127.0.0.1", verifying.port, timeout=10)
    connection.request("PUT", "/dir/k?tagging", body=request.body, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status == 200, body
