"""S3 object fidelity: server-side encryption (SSE-C, SSE-KMS, SSE-S3
defaults), lifecycle expiration headers, bucket logging validation and
checksums, checked with boto3 and the AWS CLI against a real brume.

Expected answers are AWS's: status codes, error codes and messages as S3
returns them.
"""

import base64
import datetime
import email.utils
import hashlib
import re
import time

import botocore.exceptions
import pytest

from conftest import unique

KEY_A = base64.b64decode("pO3upElrwuEXSoFwCfnZPdSsmt/xWeFa0N9KgDijwVs=")
KEY_B = base64.b64decode("6b+WOZ1T3cqZMxgThRcXAQBrS5mXKdDUphvpxptl9/4=")


def b64(data):
    return base64.b64encode(data).decode()


def md5_b64(data):
    return b64(hashlib.md5(data).digest())


def sse_c(key):
    """SSE-C parameters as boto3 takes them; boto3 encodes the key and adds its MD5."""
    return {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": key}


def raw_sse_c_headers(key=KEY_A, algorithm="AES256", md5=None):
    headers = {
        "x-amz-server-side-encryption-customer-algorithm": algorithm,
        "x-amz-server-side-encryption-customer-key": b64(key),
        "x-amz-server-side-encryption-customer-key-MD5": md5 or md5_b64(key),
    }
    return {name: value for name, value in headers.items() if value is not None}


def error_of(call, **kwargs):
    """Runs a call that must fail; returns (HTTP status, error code, message)."""
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**kwargs)
    response = info.value.response
    return (response["ResponseMetadata"]["HTTPStatusCode"],
            response["Error"].get("Code"), response["Error"].get("Message"))


def with_headers(client, operation, headers):
    """Adds raw headers to every later call of `operation` on `client`."""
    def add(params, **_):
        params["headers"].update(headers)
    client.meta.events.register(f"before-call.s3.{operation}", add)


@pytest.fixture
def s3(brume):
    return brume.client("s3")


@pytest.fixture
def bucket(s3):
    name = unique("fidelity")
    s3.create_bucket(Bucket=name)
    return name


# SSE-C


def test_sse_c_put_echoes_algorithm_and_key_md5(s3, bucket):
    response = s3.put_object(Bucket=bucket, Key="k", Body=b"secret", **sse_c(KEY_A))
    assert response["SSECustomerAlgorithm"] == "AES256"
    assert response["SSECustomerKeyMD5"] == md5_b64(KEY_A)
    assert "ServerSideEncryption" not in response


def test_sse_c_get_requires_the_key(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"secret", **sse_c(KEY_A))

    status, code, message = error_of(s3.get_object, Bucket=bucket, Key="k")
    assert (status, code) == (400, "InvalidRequest")
    assert message.startswith("The object was stored using a form of Server Side Encryption.")

    status, code, _ = error_of(s3.get_object, Bucket=bucket, Key="k", **sse_c(KEY_B))
    assert (status, code) == (403, "AccessDenied")

    response = s3.get_object(Bucket=bucket, Key="k", **sse_c(KEY_A))
    assert response["Body"].read() == b"secret"
    assert response["SSECustomerKeyMD5"] == md5_b64(KEY_A)


def test_sse_c_head_and_attributes_require_the_key(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"secret", **sse_c(KEY_A))
    status, _, _ = error_of(s3.head_object, Bucket=bucket, Key="k")
    assert status == 400
    head = s3.head_object(Bucket=bucket, Key="k", **sse_c(KEY_A))
    assert head["SSECustomerAlgorithm"] == "AES256"

    status, code, _ = error_of(s3.get_object_attributes, Bucket=bucket, Key="k",
                               ObjectAttributes=["ETag"])
    assert (status, code) == (400, "InvalidRequest")


def test_sse_c_key_on_plain_object_is_rejected(s3, bucket):
    s3.put_object(Bucket=bucket, Key="plain", Body=b"x")
    status, code, message = error_of(s3.get_object, Bucket=bucket, Key="plain", **sse_c(KEY_A))
    assert (status, code) == (400, "InvalidRequest")
    assert message == "The encryption parameters are not applicable to this object."


@pytest.mark.parametrize("headers, code, message", [
    (raw_sse_c_headers(md5="AAAAAAAAAAAAAAAAAAAAAA=="), "InvalidArgument",
     "The calculated MD5 hash of the key did not match the hash that was provided."),
    ({"x-amz-server-side-encryption-customer-algorithm": "AES256",
      "x-amz-server-side-encryption-customer-key": b64(KEY_A)}, "InvalidArgument",
     "Requests specifying Server Side Encryption with Customer provided keys must provide "
     "the client calculated MD5 of the secret key."),
    ({"x-amz-server-side-encryption-customer-algorithm": "AES256"}, "InvalidArgument",
     "Requests specifying Server Side Encryption with Customer provided keys must provide "
     "an appropriate secret key."),
    ({"x-amz-server-side-encryption-customer-key": b64(KEY_A),
      "x-amz-server-side-encryption-customer-key-MD5": md5_b64(KEY_A)}, "InvalidArgument",
     "Requests specifying Server Side Encryption with Customer provided keys must provide "
     "a valid encryption algorithm."),
    (raw_sse_c_headers(algorithm="AES128"), "InvalidEncryptionAlgorithmError",
     "The Encryption request you specified is not valid. Supported value: AES256."),
    (raw_sse_c_headers(key=b"short key"), "InvalidArgument",
     "The secret key was invalid for the specified algorithm."),
])
def test_sse_c_put_header_errors(brume, bucket, headers, code, message):
    client = brume.client("s3")
    with_headers(client, "PutObject", headers)
    status, got_code, got_message = error_of(client.put_object, Bucket=bucket, Key="k", Body=b"x")
    assert status == 400
    assert got_code == code
    assert got_message == message


def test_sse_c_with_sse_s3_header_is_incompatible(s3, bucket):
    status, code, _ = error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"x",
                               ServerSideEncryption="AES256", **sse_c(KEY_A))
    assert (status, code) == (400, "InvalidArgument")


def test_sse_c_multipart_parts_must_repeat_the_key(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp", **sse_c(KEY_A))
    assert upload["SSECustomerKeyMD5"] == md5_b64(KEY_A)
    upload_id = upload["UploadId"]

    status, code, message = error_of(s3.upload_part, Bucket=bucket, Key="mp", UploadId=upload_id,
                                     PartNumber=1, Body=b"a")
    assert (status, code) == (400, "InvalidRequest")
    assert message.startswith("The multipart upload initiate requested encryption.")

    status, code, message = error_of(s3.upload_part, Bucket=bucket, Key="mp", UploadId=upload_id,
                                     PartNumber=1, Body=b"a", **sse_c(KEY_B))
    assert (status, code) == (400, "InvalidRequest")
    assert message == "The provided encryption parameters did not match the ones used originally."

    part = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload_id, PartNumber=1,
                          Body=b"abc", **sse_c(KEY_A))
    assert part["SSECustomerAlgorithm"] == "AES256"
    # Complete needs no key for an upload created without a checksum algorithm,
    # and does not echo SSE-C.
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=upload_id,
        MultipartUpload={"Parts": [{"ETag": part["ETag"], "PartNumber": 1}]})
    assert "SSECustomerAlgorithm" not in done
    assert s3.get_object(Bucket=bucket, Key="mp", **sse_c(KEY_A))["Body"].read() == b"abc"


def test_sse_c_copy_source_needs_its_key(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"data", **sse_c(KEY_A))
    status, code, _ = error_of(s3.copy_object, Bucket=bucket, Key="dst",
                               CopySource={"Bucket": bucket, "Key": "src"})
    assert (status, code) == (400, "InvalidRequest")

    response = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"},
                              CopySourceSSECustomerAlgorithm="AES256",
                              CopySourceSSECustomerKey=KEY_A, **sse_c(KEY_B))
    assert response["SSECustomerKeyMD5"] == md5_b64(KEY_B)
    body = s3.get_object(Bucket=bucket, Key="dst", **sse_c(KEY_B))["Body"].read()
    assert body == b"data"


def test_sse_c_blocked_by_bucket_encryption(s3, bucket):
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
        "BlockedEncryptionTypes": {"EncryptionType": ["SSE-C"]}}]})
    status, code, message = error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"x",
                                     **sse_c(KEY_A))
    assert (status, code) == (403, "AccessDenied")
    assert "blocked upload requests that specify Server Side Encryption" in message
    assert s3.put_object(Bucket=bucket, Key="k", Body=b"x")["ServerSideEncryption"] == "AES256"


def test_sse_c_cli_round_trip(brume, bucket, tmp_path):
    key_file = tmp_path / "key.bin"
    key_file.write_bytes(KEY_A)
    source = tmp_path / "in.txt"
    source.write_bytes(b"from the cli")
    brume.cli("s3", "cp", str(source), f"s3://{bucket}/cli.txt", "--sse-c", "AES256",
              "--sse-c-key", f"fileb://{key_file}")
    code, _, stderr = brume.cli("s3", "cp", f"s3://{bucket}/cli.txt", str(tmp_path / "no.txt"),
                                check=False)
    assert code != 0
    assert "400" in stderr or "Bad Request" in stderr
    brume.cli("s3", "cp", f"s3://{bucket}/cli.txt", str(tmp_path / "out.txt"), "--sse-c",
              "AES256", "--sse-c-key", f"fileb://{key_file}")
    assert (tmp_path / "out.txt").read_bytes() == b"from the cli"


# SSE-KMS and SSE-S3


def test_sse_s3_is_the_default(s3, bucket):
    assert s3.put_object(Bucket=bucket, Key="k", Body=b"x")["ServerSideEncryption"] == "AES256"
    assert s3.head_object(Bucket=bucket, Key="k")["ServerSideEncryption"] == "AES256"
    config = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    rule = config["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert rule["BucketKeyEnabled"] is False


def test_sse_kms_without_key_uses_managed_key(s3, bucket):
    response = s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms")
    assert response["ServerSideEncryption"] == "aws:kms"
    assert re.fullmatch(r"arn:aws:kms:us-east-1:\d{12}:key/[0-9a-f-]{36}", response["SSEKMSKeyId"])
    assert "BucketKeyEnabled" not in response
    again = s3.put_object(Bucket=bucket, Key="k2", Body=b"x", ServerSideEncryption="aws:kms")
    assert again["SSEKMSKeyId"] == response["SSEKMSKeyId"]


def test_sse_kms_key_id_becomes_arn(s3, bucket):
    key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"
    response = s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms",
                             SSEKMSKeyId=key_id, BucketKeyEnabled=True)
    assert response["SSEKMSKeyId"].endswith(f":key/{key_id}")
    assert response["SSEKMSKeyId"].startswith("arn:aws:kms:us-east-1:")
    assert response["BucketKeyEnabled"] is True
    head = s3.head_object(Bucket=bucket, Key="k")
    assert head["SSEKMSKeyId"] == response["SSEKMSKeyId"]
    assert head["BucketKeyEnabled"] is True


def test_sse_headers_rejected_on_reads(brume, bucket):
    client = brume.client("s3")
    client.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms")
    with_headers(client, "HeadObject", {"x-amz-server-side-encryption": "aws:kms"})
    with_headers(client, "GetObject", {"x-amz-server-side-encryption": "AES256"})
    status, _, _ = error_of(client.head_object, Bucket=bucket, Key="k")
    assert status == 400
    status, code, _ = error_of(client.get_object, Bucket=bucket, Key="k")
    assert (status, code) == (400, "InvalidArgument")


def test_sse_kms_key_id_needs_aws_kms(s3, bucket):
    status, code, message = error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"x",
                                     ServerSideEncryption="AES256", SSEKMSKeyId="some-key")
    assert (status, code) == (400, "InvalidArgument")
    assert "requires HTTP header x-amz-server-side-encryption : aws:kms" in message


def test_bucket_default_kms_applies_to_new_objects(s3, bucket):
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                               "KMSMasterKeyID": "alias/my-key"},
        "BucketKeyEnabled": True}]})
    response = s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert response["ServerSideEncryption"] == "aws:kms"
    assert response["SSEKMSKeyId"] == "alias/my-key"
    assert response["BucketKeyEnabled"] is True
    # A request-level aws:kms takes the bucket's Bucket Key setting.
    explicit = s3.put_object(Bucket=bucket, Key="k2", Body=b"x", ServerSideEncryption="aws:kms")
    assert explicit["BucketKeyEnabled"] is True

    s3.delete_bucket_encryption(Bucket=bucket)
    config = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    assert config["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert s3.put_object(Bucket=bucket, Key="k3", Body=b"x")["ServerSideEncryption"] == "AES256"


def test_put_bucket_encryption_validation(s3, bucket):
    status, code, message = error_of(
        s3.put_bucket_encryption, Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256",
                                                   "KMSMasterKeyID": "key"}}]})
    assert (status, code) == (400, "InvalidArgument")
    assert message.startswith("a KMSMasterKeyID is not applicable")
    rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
    status, code, _ = error_of(s3.put_bucket_encryption, Bucket=bucket,
                               ServerSideEncryptionConfiguration={"Rules": [rule, rule]})
    assert (status, code) == (400, "MalformedXML")


def test_copy_in_place_allowed_with_bucket_encryption(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    status, code, _ = error_of(s3.copy_object, Bucket=bucket, Key="k",
                               CopySource={"Bucket": bucket, "Key": "k"})
    assert (status, code) == (400, "InvalidRequest")
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
    response = s3.copy_object(Bucket=bucket, Key="k", CopySource={"Bucket": bucket, "Key": "k"})
    assert response["ServerSideEncryption"] == "aws:kms"


# Lifecycle


def expiration_of(response):
    header = response["ResponseMetadata"]["HTTPHeaders"].get("x-amz-expiration")
    if header is None:
        return None
    match = re.fullmatch(r'expiry-date="(.+)", rule-id="(.+)"', header)
    assert match, header
    return email.utils.parsedate_to_datetime(match.group(1)), match.group(2)


def test_expiration_header_on_put_head_and_get(s3, bucket):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "expire-logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled",
         "Expiration": {"Days": 3}}]})
    put = s3.put_object(Bucket=bucket, Key="logs/a", Body=b"x")
    expiry, rule_id = expiration_of(put)
    assert rule_id == "expire-logs"
    # S3 adds the days to the creation time and rounds up to midnight UTC.
    assert (expiry.hour, expiry.minute, expiry.second) == (0, 0, 0)
    modified = s3.head_object(Bucket=bucket, Key="logs/a")["LastModified"]
    assert datetime.timedelta(days=3) < expiry - modified <= datetime.timedelta(days=4)
    assert expiration_of(s3.head_object(Bucket=bucket, Key="logs/a")) == (expiry, rule_id)
    assert expiration_of(s3.get_object(Bucket=bucket, Key="logs/a")) == (expiry, rule_id)

    other = s3.put_object(Bucket=bucket, Key="data/b", Body=b"x")
    assert expiration_of(other) is None


def test_expiration_header_follows_tag_filter(s3, bucket):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "tagged", "Filter": {"Tag": {"Key": "temp", "Value": "yes"}}, "Status": "Enabled",
         "Expiration": {"Days": 1}}]})
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert expiration_of(s3.head_object(Bucket=bucket, Key="k")) is None
    s3.put_object_tagging(Bucket=bucket, Key="k",
                          Tagging={"TagSet": [{"Key": "temp", "Value": "yes"}]})
    assert expiration_of(s3.head_object(Bucket=bucket, Key="k"))[1] == "tagged"


def test_expiration_header_for_date_rule(s3, bucket):
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "by-date", "Filter": {"Prefix": ""}, "Status": "Enabled",
         "Expiration": {"Date": datetime.datetime(2040, 1, 1, tzinfo=datetime.timezone.utc)}}]})
    expiry, rule_id = expiration_of(s3.put_object(Bucket=bucket, Key="k", Body=b"x"))
    assert expiry == datetime.datetime(2040, 1, 1, tzinfo=datetime.timezone.utc)
    assert rule_id == "by-date"


@pytest.mark.parametrize("rule", [
    {"Expiration": {"Date": "2020-01-01T12:00:00Z"}},
    {"Expiration": {"Days": 30},
     "Transitions": [{"Date": "2030-01-01T06:00:00Z", "StorageClass": "GLACIER"}]},
])
def test_lifecycle_date_must_be_midnight(s3, bucket, rule):
    rule = {"ID": "r", "Filter": {"Prefix": ""}, "Status": "Enabled", **rule}
    status, code, message = error_of(s3.put_bucket_lifecycle_configuration, Bucket=bucket,
                                     LifecycleConfiguration={"Rules": [rule]})
    assert (status, code) == (400, "InvalidArgument")
    assert message == "'Date' must be at midnight GMT"


def test_expired_delete_marker_removed_after_clock_advance(fresh_brume):
    # Advancing the clock would expire other tests' presigned URLs, so this
    # test has a brume of its own.
    brume = fresh_brume
    s3 = brume.client("s3")
    bucket = unique("fidelity")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.delete_object(Bucket=bucket, Key="k")
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "markers", "Filter": {"Prefix": ""}, "Status": "Enabled",
         "Expiration": {"ExpiredObjectDeleteMarker": True}},
        {"ID": "noncurrent", "Filter": {"Prefix": ""}, "Status": "Enabled",
         "NoncurrentVersionExpiration": {"NoncurrentDays": 1}}]})
    brume.advance_clock(3 * 86400)
    # The first pass expires the noncurrent version and a later one removes
    # the delete marker that is then alone. Lifecycle passes run on the timer
    # thread, so wait a bounded time for them.
    deadline = time.monotonic() + 5
    while True:
        brume.advance_clock(86400)
        versions = s3.list_object_versions(Bucket=bucket, Prefix="k")
        if not versions.get("DeleteMarkers") or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert versions.get("Versions", []) == []
    assert versions.get("DeleteMarkers", []) == []


# Bucket logging


def test_put_bucket_logging_checks_target(s3, bucket):
    status, code, message = error_of(s3.put_bucket_logging, Bucket=bucket, BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": unique("missing"), "TargetPrefix": "logs/"}})
    assert (status, code) == (400, "InvalidTargetBucketForLogging")
    assert message == "The target bucket for logging does not exist"

    status, code, _ = error_of(s3.put_bucket_logging, Bucket=unique("missing"),
                               BucketLoggingStatus={"LoggingEnabled": {
                                   "TargetBucket": bucket, "TargetPrefix": "logs/"}})
    assert (status, code) == (404, "NoSuchBucket")


def test_bucket_logging_round_trip_and_removal(s3, bucket):
    target = unique("fidelity-logs")
    s3.create_bucket(Bucket=target)
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)
    enabled = {"TargetBucket": target, "TargetPrefix": "logs/",
               "TargetObjectKeyFormat": {"PartitionedPrefix": {"PartitionDateSource": "EventTime"}}}
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={"LoggingEnabled": enabled})
    assert s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"] == enabled
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={})
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)


def test_bucket_logging_rejects_two_key_formats(s3, bucket):
    target = unique("fidelity-logs")
    s3.create_bucket(Bucket=target)
    status, code, _ = error_of(s3.put_bucket_logging, Bucket=bucket, BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": target, "TargetPrefix": "logs/",
                           "TargetObjectKeyFormat": {
                               "SimplePrefix": {},
                               "PartitionedPrefix": {"PartitionDateSource": "EventTime"}}}})
    assert (status, code) == (400, "MalformedXML")


# Checksums


def test_sha512_checksum_verified(s3, bucket):
    body = b"sha-512 body"
    digest = b64(hashlib.sha512(body).digest())
    response = s3.put_object(Bucket=bucket, Key="k", Body=body, ChecksumSHA512=digest)
    assert response["ChecksumSHA512"] == digest
    head = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert head["ChecksumSHA512"] == digest
    status, code, _ = error_of(s3.put_object, Bucket=bucket, Key="k", Body=body,
                               ChecksumSHA512=b64(hashlib.sha512(b"other").digest()))
    assert (status, code) == (400, "BadDigest")


@pytest.mark.parametrize("member, hex_digest", [
    # xxHash 0.8.1 of "abc" with seed 0, canonical big-endian form.
    ("ChecksumXXHASH64", "44bc2cf5ad770999"),
    ("ChecksumXXHASH3", "78af5f94892f3950"),
    ("ChecksumXXHASH128", "06b05ab6733a618578af5f94892f3950"),
])
def test_xxhash_checksums_verified(s3, bucket, member, hex_digest):
    value = b64(bytes.fromhex(hex_digest))
    response = s3.put_object(Bucket=bucket, Key=member, Body=b"abc", **{member: value})
    assert response[member] == value
    status, code, _ = error_of(s3.put_object, Bucket=bucket, Key=member, Body=b"abd",
                               **{member: value})
    assert (status, code) == (400, "BadDigest")


def test_composite_multipart_part_checksums(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp", ChecksumAlgorithm="SHA256")
    parts = []
    bodies = [b"a" * (5 * 1024 * 1024), b"tail"]
    for number, body in enumerate(bodies, start=1):
        part = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload["UploadId"],
                              PartNumber=number, Body=body, ChecksumAlgorithm="SHA256")
        assert part["ChecksumSHA256"] == b64(hashlib.sha256(body).digest())
        parts.append({"ETag": part["ETag"], "PartNumber": number,
                      "ChecksumSHA256": part["ChecksumSHA256"]})
    done = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload["UploadId"],
                                        MultipartUpload={"Parts": parts})
    assert done["ChecksumType"] == "COMPOSITE"
    second = s3.get_object(Bucket=bucket, Key="mp", PartNumber=2, ChecksumMode="ENABLED")
    assert second["ChecksumSHA256"] == parts[1]["ChecksumSHA256"]
    assert second["ChecksumType"] == "COMPOSITE"
    assert second["Body"].read() == b"tail"


def test_list_v2_empty_continuation_token(s3, bucket):
    s3.put_object(Bucket=bucket, Key="a", Body=b"x")
    response = s3.list_objects_v2(Bucket=bucket, ContinuationToken="")
    assert response["ContinuationToken"] == ""
    assert [entry["Key"] for entry in response["Contents"]] == ["a"]


def test_sse_kms_encryption_context(s3, bucket):
    context = b64(b'{"project":"brume"}')
    response = s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms",
                             SSEKMSEncryptionContext=context)
    assert response["SSEKMSEncryptionContext"] == context
    # GetObject and HeadObject never return the context.
    assert "SSEKMSEncryptionContext" not in s3.head_object(Bucket=bucket, Key="k")
    status, code, _ = error_of(s3.put_object, Bucket=bucket, Key="k2", Body=b"x",
                               ServerSideEncryption="aws:kms",
                               SSEKMSEncryptionContext=b64(b'["not", "a", "map"]'))
    assert (status, code) == (400, "InvalidArgument")


def test_access_log_delivered_after_clock_advance(fresh_brume):
    brume = fresh_brume
    s3 = brume.client("s3")
    bucket = unique("fidelity")
    s3.create_bucket(Bucket=bucket)
    target = unique("fidelity-logs")
    s3.create_bucket(Bucket=target)
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": target, "TargetPrefix": "access/"}})
    s3.put_object(Bucket=bucket, Key="logged.txt", Body=b"12345")
    s3.get_object(Bucket=bucket, Key="logged.txt")["Body"].read()
    error_of(s3.get_object, Bucket=bucket, Key="missing.txt")

    # Delivery runs on the timer service; wait a bounded time for it.
    deadline = time.monotonic() + 5
    while True:
        brume.advance_clock(600)
        listed = s3.list_objects_v2(Bucket=target, Prefix="access/").get("Contents", [])
        if listed or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert listed, "no access log object was delivered"
    assert re.fullmatch(r"access/\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9A-Z]{16}",
                        listed[0]["Key"])
    lines = []
    for entry in listed:
        body = s3.get_object(Bucket=target, Key=entry["Key"])["Body"].read().decode()
        lines += body.splitlines()
    put = [line for line in lines if " REST.PUT.OBJECT logged.txt " in line]
    get = [line for line in lines if " REST.GET.OBJECT logged.txt " in line]
    missing = [line for line in lines if " REST.GET.OBJECT missing.txt " in line]
    assert len(put) == 1
    assert len(get) == 1
    assert len(missing) == 1
    fields = put[0].split(" ")
    assert fields[1] == bucket
    assert re.fullmatch(r"\[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2}", fields[2])
    assert f'"PUT /{bucket}/logged.txt HTTP/1.1" 200 - - 5 ' in put[0]
    assert f'"GET /{bucket}/logged.txt HTTP/1.1" 200 - 5 5 ' in get[0]
    assert " 404 NoSuchKey " in missing[0]
    assert " SigV4 - AuthHeader " in put[0]


def test_etag_is_md5_only_for_sse_s3(s3, bucket):
    body = b"etag body"
    md5 = '"' + hashlib.md5(body).hexdigest() + '"'
    assert s3.put_object(Bucket=bucket, Key="s3", Body=body)["ETag"] == md5
    kms = s3.put_object(Bucket=bucket, Key="kms", Body=body, ServerSideEncryption="aws:kms")
    assert re.fullmatch(r'"[0-9a-f]{32}"', kms["ETag"])
    assert kms["ETag"] != md5
    ssec = s3.put_object(Bucket=bucket, Key="ssec", Body=body, **sse_c(KEY_A))
    assert ssec["ETag"] != md5
    assert s3.head_object(Bucket=bucket, Key="ssec", **sse_c(KEY_A))["ETag"] == ssec["ETag"]
    # The same data under the same key keeps its ETag, so retried parts match.
    again = s3.put_object(Bucket=bucket, Key="ssec-again", Body=body, **sse_c(KEY_A))
    assert again["ETag"] == ssec["ETag"]
    # A copy to SSE-S3 gets the MD5 of its data again.
    copy = s3.copy_object(Bucket=bucket, Key="plain-copy",
                          CopySource={"Bucket": bucket, "Key": "ssec"},
                          CopySourceSSECustomerAlgorithm="AES256",
                          CopySourceSSECustomerKey=KEY_A)
    assert copy["CopyObjectResult"]["ETag"] == md5
