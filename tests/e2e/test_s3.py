"""S3 end to end: boto3 and the AWS CLI against a real brume."""

import base64
import hashlib
import http.client
import json
import os
import pathlib
import threading
import time
import urllib.error
import urllib.request
import zlib

import boto3
import boto3.s3.transfer
import botocore.config
import botocore.exceptions
import pytest

from conftest import http_request, unique

MIB = 1024 * 1024


@pytest.fixture(scope="module")
def s3(brume):
    return brume.client("s3")


@pytest.fixture
def bucket(s3):
    name = unique("bkt").lower()
    s3.create_bucket(Bucket=name)
    return name


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def allow_anonymous(s3, bucket, actions):
    """Opens a bucket to unsigned requests for `actions`, as a public bucket
    policy does once the default public access block is removed."""
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": actions,
                       "Resource": f"arn:aws:s3:::{bucket}/*"}]}))


def status_of(excinfo):
    return excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]


# Buckets


def test_create_list_head_delete_bucket(s3):
    name = unique("life").lower()
    created = s3.create_bucket(Bucket=name)
    assert created["Location"] == f"/{name}"
    assert name in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    head = s3.head_bucket(Bucket=name)
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == "us-east-1"
    s3.delete_bucket(Bucket=name)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.head_bucket(Bucket=name)
    assert status_of(excinfo) == 404


def test_invalid_bucket_name(s3):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.create_bucket(Bucket="Invalid_Name")
    assert error_code(excinfo) == "InvalidBucketName"


def test_bucket_in_other_region(brume):
    client = brume.client("s3", region_name="eu-west-1")
    name = unique("eu").lower()
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert client.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert error_code(excinfo) == "BucketAlreadyOwnedByYou"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        client.create_bucket(Bucket=unique("eu2").lower())
    assert error_code(excinfo) == "IllegalLocationConstraintException"


def test_delete_non_empty_bucket(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.delete_bucket(Bucket=bucket)
    assert error_code(excinfo) == "BucketNotEmpty"


def test_virtual_hosted_addressing(brume, s3, bucket):
    # *.localhost names need no DNS here: connect to 127.0.0.1 and send the
    # virtual-hosted Host header a client would send. The requests are
    # unsigned, so the bucket lets anyone put objects.
    allow_anonymous(s3, bucket, ["s3:PutObject"])
    for host in (f"{bucket}.localhost:{brume.port}", f"{bucket}.s3.localhost",
                 f"{bucket}.s3.amazonaws.com", f"{bucket}.s3.eu-west-1.amazonaws.com"):
        connection = http.client.HTTPConnection("127.0.0.1", brume.port, timeout=10)
        connection.request("PUT", "/vhost/key.txt", body=host.encode(), headers={"Host": host})
        response = connection.getresponse()
        response.read()
        assert response.status == 200, host
        connection.close()
        assert s3.get_object(Bucket=bucket, Key="vhost/key.txt")["Body"].read() == host.encode()


# Objects


def test_put_get_head_metadata(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="dir/file.txt", Body=b"hello world",
                        ContentType="text/plain", Metadata={"Color": "blue"},
                        CacheControl="max-age=60")
    assert put["ETag"] == '"5eb63bbbe01eeed093cb22bb8f5acdc3"'
    got = s3.get_object(Bucket=bucket, Key="dir/file.txt")
    assert got["Body"].read() == b"hello world"
    assert got["ContentType"] == "text/plain"
    assert got["Metadata"] == {"color": "blue"}
    assert got["CacheControl"] == "max-age=60"
    assert got["ContentLength"] == 11
    head = s3.head_object(Bucket=bucket, Key="dir/file.txt")
    assert head["ETag"] == put["ETag"]
    assert head["ContentLength"] == 11


def test_missing_key_and_bucket(s3, bucket):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="absent")
    assert error_code(excinfo) == "NoSuchKey"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.head_object(Bucket=bucket, Key="absent")
    assert status_of(excinfo) == 404
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.get_object(Bucket=unique("nobucket").lower(), Key="k")
    assert error_code(excinfo) == "NoSuchBucket"


@pytest.mark.parametrize("key", [
    "with space", "plus+sign", "percent%20literal", "unicode-é-日本", "double//slash",
    "trailing/", "../../etc/passwd", "a%2F..%2Fb", "?query#hash", "x" * 1024,
])
def test_hostile_and_unusual_keys(s3, bucket, key):
    s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == key.encode()
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=key)["Contents"]]
    assert key in listed


def test_key_too_long(s3, bucket):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="k" * 1025, Body=b"x")
    assert error_code(excinfo) == "KeyTooLongError"


def test_ranges(s3, bucket):
    s3.put_object(Bucket=bucket, Key="r", Body=b"0123456789")
    cases = {"bytes=2-4": b"234", "bytes=7-": b"789", "bytes=-3": b"789", "bytes=5-100": b"56789"}
    for header, expected in cases.items():
        got = s3.get_object(Bucket=bucket, Key="r", Range=header)
        assert got["Body"].read() == expected, header
        assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="r", Range="bytes=20-30")
    assert error_code(excinfo) == "InvalidRange"
    assert status_of(excinfo) == 416


def test_conditional_reads(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="c", Body=b"data")["ETag"]
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="c", IfNoneMatch=etag)
    assert status_of(excinfo) == 304
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="c", IfMatch='"0000"')
    assert status_of(excinfo) == 412
    assert error_code(excinfo) == "PreconditionFailed"
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=etag)["Body"].read() == b"data"


def test_conditional_writes(s3, bucket):
    s3.put_object(Bucket=bucket, Key="once", Body=b"1", IfNoneMatch="*")
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="once", Body=b"2", IfNoneMatch="*")
    assert status_of(excinfo) == 412


def test_content_md5_mismatch(s3, bucket):
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="md5", Body=b"data", ContentMD5=wrong)
    assert error_code(excinfo) == "BadDigest"


# CRC32C and CRC64NVME need botocore[crt] on the client side; the JS tests
# and the unit tests cover them.
@pytest.mark.parametrize("algorithm", ["CRC32", "SHA1", "SHA256"])
def test_flexible_checksums(s3, bucket, algorithm):
    put = s3.put_object(Bucket=bucket, Key=f"sum-{algorithm}", Body=b"checksummed", ChecksumAlgorithm=algorithm)
    member = f"Checksum{algorithm}"
    assert member in put
    got = s3.get_object(Bucket=bucket, Key=f"sum-{algorithm}", ChecksumMode="ENABLED")
    assert got[member] == put[member]
    assert got["Body"].read() == b"checksummed"


def test_crc32_header_value_is_verified(s3, bucket):
    good = base64.b64encode(zlib.crc32(b"abc").to_bytes(4, "big")).decode()
    s3.put_object(Bucket=bucket, Key="crc", Body=b"abc", ChecksumCRC32=good)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="crc", Body=b"abd", ChecksumCRC32=good)
    assert error_code(excinfo) == "BadDigest"


def put_aws_chunked(brume, bucket, key, data, trailer_value):
    """Sends an unsigned aws-chunked PUT with a trailing CRC32, as SDKs stream uploads."""
    body = f"{len(data):x}\r\n".encode() + data + b"\r\n0\r\n"
    body += f"x-amz-checksum-crc32:{trailer_value}\r\n\r\n".encode()
    connection = http.client.HTTPConnection("127.0.0.1", brume.port, timeout=10)
    connection.request("PUT", f"/{bucket}/{key}", body=body, headers={
        "Content-Encoding": "aws-chunked",
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "x-amz-decoded-content-length": str(len(data)),
        "x-amz-trailer": "x-amz-checksum-crc32",
    })
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    return response.status, payload


def test_aws_chunked_trailing_checksum(brume, s3, bucket):
    data = os.urandom(70000)
    good = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
    allow_anonymous(s3, bucket, ["s3:PutObject"])
    status, _ = put_aws_chunked(brume, bucket, "chunked", data, good)
    assert status == 200
    got = s3.get_object(Bucket=bucket, Key="chunked", ChecksumMode="ENABLED")
    assert got["Body"].read() == data
    assert got["ChecksumCRC32"] == good
    assert "ContentEncoding" not in got
    bad = base64.b64encode(b"\0\0\0\0").decode()
    status, payload = put_aws_chunked(brume, bucket, "chunked-bad", data, bad)
    assert status == 400
    assert b"<Code>BadDigest</Code>" in payload


def test_copy_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"payload", Metadata={"a": "1"}, Tagging="t=1")
    s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    copied = s3.get_object(Bucket=bucket, Key="dst")
    assert copied["Body"].read() == b"payload"
    assert copied["Metadata"] == {"a": "1"}
    s3.copy_object(Bucket=bucket, Key="dst2", CopySource=f"{bucket}/src",
                   MetadataDirective="REPLACE", Metadata={"b": "2"})
    assert s3.head_object(Bucket=bucket, Key="dst2")["Metadata"] == {"b": "2"}
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.copy_object(Bucket=bucket, Key="src", CopySource=f"{bucket}/src")
    assert error_code(excinfo) == "InvalidRequest"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.copy_object(Bucket=bucket, Key="dst3", CopySource=f"{bucket}/src", CopySourceIfMatch='"nope"')
    assert status_of(excinfo) == 412


def test_delete_objects(s3, bucket):
    for key in ("a", "b"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a"}, {"Key": "b"}, {"Key": "c"}]})
    assert sorted(d["Key"] for d in result["Deleted"]) == ["a", "b", "c"]
    quiet = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a"}], "Quiet": True})
    assert "Deleted" not in quiet
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_get_object_attributes(s3, bucket):
    s3.put_object(Bucket=bucket, Key="attrs", Body=b"12345", ChecksumAlgorithm="SHA256")
    attributes = s3.get_object_attributes(Bucket=bucket, Key="attrs",
                                          ObjectAttributes=["ETag", "ObjectSize", "StorageClass", "Checksum"])
    assert attributes["ObjectSize"] == 5
    assert attributes["ETag"] == hashlib.md5(b"12345").hexdigest()
    assert "ChecksumSHA256" in attributes["Checksum"]


# Listing


def test_list_objects_v2_delimiter_and_pages(s3, bucket):
    for key in ("a/1", "a/2", "b", "c/x/1", "d"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    page = s3.list_objects_v2(Bucket=bucket, Delimiter="/", MaxKeys=2)
    assert page["IsTruncated"] is True
    assert [p["Prefix"] for p in page["CommonPrefixes"]] == ["a/"]
    assert [o["Key"] for o in page["Contents"]] == ["b"]
    rest = s3.list_objects_v2(Bucket=bucket, Delimiter="/", MaxKeys=2,
                              ContinuationToken=page["NextContinuationToken"])
    assert [p["Prefix"] for p in rest["CommonPrefixes"]] == ["c/"]
    assert [o["Key"] for o in rest["Contents"]] == ["d"]
    paginator = s3.get_paginator("list_objects_v2")
    keys = [o["Key"] for p in paginator.paginate(Bucket=bucket, PaginationConfig={"PageSize": 1}) for o in p["Contents"]]
    assert keys == ["a/1", "a/2", "b", "c/x/1", "d"]
    after = s3.list_objects_v2(Bucket=bucket, StartAfter="b")
    assert [o["Key"] for o in after["Contents"]] == ["c/x/1", "d"]


def test_list_objects_v1_markers(s3, bucket):
    for key in ("k1", "k2", "k3"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    page = s3.list_objects(Bucket=bucket, MaxKeys=2)
    assert [o["Key"] for o in page["Contents"]] == ["k1", "k2"]
    assert page["IsTruncated"] is True
    assert "Owner" in page["Contents"][0]
    rest = s3.list_objects(Bucket=bucket, Marker="k2")
    assert [o["Key"] for o in rest["Contents"]] == ["k3"]


def test_list_url_encoding(s3, bucket):
    s3.put_object(Bucket=bucket, Key="sp ace+plus", Body=b"x")
    # botocore requests encoding-type=url and decodes the keys itself.
    listed = s3.list_objects_v2(Bucket=bucket)
    assert [o["Key"] for o in listed["Contents"]] == ["sp ace+plus"]


# Multipart


def test_multipart_upload_and_part_reads(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")
    part1 = os.urandom(5 * MIB)
    part2 = b"tail"
    etags = []
    for number, data in ((1, part1), (2, part2)):
        etags.append(s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload["UploadId"],
                                    PartNumber=number, Body=data)["ETag"])
    listed = s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload["UploadId"])
    assert [p["PartNumber"] for p in listed["Parts"]] == [1, 2]
    uploads = s3.list_multipart_uploads(Bucket=bucket)
    assert upload["UploadId"] in [u["UploadId"] for u in uploads["Uploads"]]
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=upload["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e} for n, e in ((1, etags[0]), (2, etags[1]))]})
    expected = hashlib.md5(hashlib.md5(part1).digest() + hashlib.md5(part2).digest()).hexdigest() + "-2"
    assert done["ETag"] == f'"{expected}"'
    assert s3.get_object(Bucket=bucket, Key="mp")["Body"].read() == part1 + part2
    second = s3.get_object(Bucket=bucket, Key="mp", PartNumber=2)
    assert second["Body"].read() == part2
    assert second["PartsCount"] == 2


def test_multipart_errors(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="bad")
    upload_id = upload["UploadId"]
    etag1 = s3.upload_part(Bucket=bucket, Key="bad", UploadId=upload_id, PartNumber=1, Body=b"small")["ETag"]
    etag2 = s3.upload_part(Bucket=bucket, Key="bad", UploadId=upload_id, PartNumber=2, Body=b"small")["ETag"]
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.complete_multipart_upload(Bucket=bucket, Key="bad", UploadId=upload_id, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": etag1}, {"PartNumber": 2, "ETag": etag2}]})
    assert error_code(excinfo) == "EntityTooSmall"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.complete_multipart_upload(Bucket=bucket, Key="bad", UploadId=upload_id, MultipartUpload={
            "Parts": [{"PartNumber": 2, "ETag": etag2}, {"PartNumber": 1, "ETag": etag1}]})
    assert error_code(excinfo) == "InvalidPartOrder"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.complete_multipart_upload(Bucket=bucket, Key="bad", UploadId=upload_id, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": '"00000000000000000000000000000000"'}]})
    assert error_code(excinfo) == "InvalidPart"
    s3.abort_multipart_upload(Bucket=bucket, Key="bad", UploadId=upload_id)
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.upload_part(Bucket=bucket, Key="bad", UploadId=upload_id, PartNumber=1, Body=b"x")
    assert error_code(excinfo) == "NoSuchUpload"


def test_upload_part_copy_with_range(s3, bucket):
    source = os.urandom(6 * MIB)
    s3.put_object(Bucket=bucket, Key="source", Body=source)
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="assembled")["UploadId"]
    first = s3.upload_part_copy(Bucket=bucket, Key="assembled", UploadId=upload_id, PartNumber=1,
                                CopySource={"Bucket": bucket, "Key": "source"},
                                CopySourceRange=f"bytes=0-{5 * MIB - 1}")
    second = s3.upload_part_copy(Bucket=bucket, Key="assembled", UploadId=upload_id, PartNumber=2,
                                 CopySource={"Bucket": bucket, "Key": "source"},
                                 CopySourceRange=f"bytes={5 * MIB}-{6 * MIB - 1}")
    s3.complete_multipart_upload(Bucket=bucket, Key="assembled", UploadId=upload_id, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": first["CopyPartResult"]["ETag"]},
        {"PartNumber": 2, "ETag": second["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket=bucket, Key="assembled")["Body"].read() == source


def test_multipart_full_object_crc32(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="crc", ChecksumAlgorithm="CRC32",
                                        ChecksumType="FULL_OBJECT")
    parts = [os.urandom(5 * MIB), b"end"]
    etags = []
    for number, data in enumerate(parts, start=1):
        etags.append(s3.upload_part(Bucket=bucket, Key="crc", UploadId=upload["UploadId"], PartNumber=number,
                                    Body=data, ChecksumAlgorithm="CRC32"))
    done = s3.complete_multipart_upload(Bucket=bucket, Key="crc", UploadId=upload["UploadId"], MultipartUpload={
        "Parts": [{"PartNumber": n, "ETag": r["ETag"], "ChecksumCRC32": r["ChecksumCRC32"]}
                  for n, r in enumerate(etags, start=1)]})
    whole = b"".join(parts)
    assert done["ChecksumCRC32"] == base64.b64encode(zlib.crc32(whole).to_bytes(4, "big")).decode()
    assert done["ChecksumType"] == "FULL_OBJECT"


def test_transfer_manager_multipart(brume, s3, bucket, tmp_path):
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(12 * MIB + 123))
    config = boto3.s3.transfer.TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB)
    s3.upload_file(str(source), bucket, "big.bin", Config=config)
    head = s3.head_object(Bucket=bucket, Key="big.bin")
    assert head["ETag"].endswith('-3"')
    target = tmp_path / "back.bin"
    s3.download_file(bucket, "big.bin", str(target), Config=config)
    assert target.read_bytes() == source.read_bytes()


# Versioning


def test_versioning_and_delete_markers(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=bucket, Key="k", Body=b"two")["VersionId"]
    assert v1 != v2
    marker = s3.delete_object(Bucket=bucket, Key="k")
    assert marker["DeleteMarker"] is True
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="k")
    assert error_code(excinfo) == "NoSuchKey"
    assert excinfo.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"
    assert s3.get_object(Bucket=bucket, Key="k", VersionId=v1)["Body"].read() == b"one"
    versions = s3.list_object_versions(Bucket=bucket)
    assert [v["VersionId"] for v in versions["Versions"]] == [v2, v1]
    assert versions["DeleteMarkers"][0]["IsLatest"] is True
    s3.delete_object(Bucket=bucket, Key="k", VersionId=marker["VersionId"])
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"two"
    s3.delete_object(Bucket=bucket, Key="k", VersionId=v2)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"one"


def test_suspended_versioning_null_version(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    kept = s3.put_object(Bucket=bucket, Key="k", Body=b"versioned")["VersionId"]
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    s3.put_object(Bucket=bucket, Key="k", Body=b"null-1")
    s3.put_object(Bucket=bucket, Key="k", Body=b"null-2")
    versions = s3.list_object_versions(Bucket=bucket)["Versions"]
    assert [v["VersionId"] for v in versions] == ["null", kept]
    assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"null-2"


# Configuration


def test_bucket_tagging_and_errors(s3, bucket):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.get_bucket_tagging(Bucket=bucket)
    assert error_code(excinfo) == "NoSuchTagSet"
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "team", "Value": "core"}]})
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "team", "Value": "core"}]
    s3.delete_bucket_tagging(Bucket=bucket)
    with pytest.raises(botocore.exceptions.ClientError):
        s3.get_bucket_tagging(Bucket=bucket)


def test_object_tagging(s3, bucket):
    s3.put_object(Bucket=bucket, Key="t", Body=b"x", Tagging="a=1&b=2")
    assert s3.get_object(Bucket=bucket, Key="t")["TagCount"] == 2
    s3.put_object_tagging(Bucket=bucket, Key="t", Tagging={"TagSet": [{"Key": "c", "Value": "3"}]})
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == [{"Key": "c", "Value": "3"}]


def test_bucket_policy_validation(s3, bucket):
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.get_bucket_policy(Bucket=bucket)
    assert error_code(excinfo) == "NoSuchBucketPolicy"
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.put_bucket_policy(Bucket=bucket, Policy="not json")
    assert error_code(excinfo) == "MalformedPolicy"
    policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}'
    # New buckets block public policies until their public access block goes.
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.put_bucket_policy(Bucket=bucket, Policy=policy)
    assert error_code(excinfo) == "AccessDenied"
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=policy)
    assert s3.get_bucket_policy(Bucket=bucket)["Policy"] == policy


def test_acl_canned_and_default(s3, bucket):
    acl = s3.get_bucket_acl(Bucket=bucket)
    assert acl["Grants"][0]["Permission"] == "FULL_CONTROL"
    # New buckets have ACLs disabled (BucketOwnerEnforced) and public ACLs
    # blocked; both must be lifted before a public-read ACL is accepted.
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    assert error_code(excinfo) == "AccessControlListNotSupported"
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={
        "Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    assert error_code(excinfo) == "AccessDenied"
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    grants = s3.get_bucket_acl(Bucket=bucket)["Grants"]
    assert any(g["Grantee"].get("URI", "").endswith("AllUsers") and g["Permission"] == "READ" for g in grants)


def test_encryption_defaults_and_echo(s3, bucket):
    default = s3.get_bucket_encryption(Bucket=bucket)
    rule = default["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    put = s3.put_object(Bucket=bucket, Key="enc", Body=b"x", ServerSideEncryption="aws:kms")
    assert put["ServerSideEncryption"] == "aws:kms"
    assert "SSEKMSKeyId" in put


def test_cors_headers_on_lists_and_errors(brume, s3, bucket):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [{
        "AllowedOrigins": ["*.example"], "AllowedMethods": ["GET"]}]})
    origin = {"Origin": "app.example"}
    # A signed listing of the bucket, then an unsigned read that S3 denies:
    # both carry the matching rule's headers.
    status, headers, _ = http_request(brume, "GET", f"/{bucket}", headers=dict(origin), service="s3")
    assert status == 200
    assert headers["access-control-allow-origin"] == "app.example"
    assert headers["access-control-allow-methods"] == "GET"
    status, headers, body = http_request(brume, "GET", f"/{bucket}/absent", headers=dict(origin))
    assert status == 403
    assert b"AccessDenied" in body
    assert headers["access-control-allow-origin"] == "app.example"
    status, headers, _ = http_request(brume, "GET", f"/{bucket}", headers={"Origin": "other.test"},
                                      service="s3")
    assert "access-control-allow-origin" not in headers


def test_cors_preflight_and_response_headers(brume, s3, bucket):
    url = f"{brume.endpoint}/{bucket}/obj"
    request = urllib.request.Request(url, method="OPTIONS", headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "GET"})
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(request)
    assert excinfo.value.code == 403
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [{
        "AllowedOrigins": ["https://*.example"], "AllowedMethods": ["GET", "PUT"],
        "AllowedHeaders": ["*"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 300}]})
    with urllib.request.urlopen(request) as response:
        assert response.status == 200
        assert response.headers["Access-Control-Allow-Origin"] == "https://app.example"
        assert "GET" in response.headers["Access-Control-Allow-Methods"]
        assert response.headers["Access-Control-Max-Age"] == "300"
    s3.put_object(Bucket=bucket, Key="obj", Body=b"x")
    allow_anonymous(s3, bucket, ["s3:GetObject"])
    plain = urllib.request.Request(url, headers={"Origin": "https://app.example"})
    with urllib.request.urlopen(plain) as response:
        assert response.headers["Access-Control-Allow-Origin"] == "https://app.example"


def test_lifecycle_expiration_runs_on_clock(fresh_brume):
    # A brume of its own: moving the clock would expire other tests'
    # presigned URLs.
    brume = fresh_brume
    s3 = brume.client("s3")
    bucket = "lifecycle"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [{
        "ID": "tmp", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 1}}]})
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert rules[0]["ID"] == "tmp"
    s3.put_object(Bucket=bucket, Key="tmp/a", Body=b"x")
    s3.put_object(Bucket=bucket, Key="keep", Body=b"x")
    brume.advance_clock(3 * 86400)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
        if keys == ["keep"]:
            break
        time.sleep(0.1)
    assert keys == ["keep"]


def test_object_lock_retention_blocks_delete(s3):
    name = unique("lock").lower()
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    version = s3.put_object(Bucket=name, Key="k", Body=b"x", ChecksumAlgorithm="CRC32")["VersionId"]
    s3.put_object_legal_hold(Bucket=name, Key="k", VersionId=version, LegalHold={"Status": "ON"})
    with pytest.raises(botocore.exceptions.ClientError) as excinfo:
        s3.delete_object(Bucket=name, Key="k", VersionId=version)
    assert error_code(excinfo) == "AccessDenied"
    s3.put_object_legal_hold(Bucket=name, Key="k", VersionId=version, LegalHold={"Status": "OFF"})
    s3.delete_object(Bucket=name, Key="k", VersionId=version)


# Presigned URLs


def test_presigned_get_and_put(s3, bucket):
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "pre"}, ExpiresIn=60)
    request = urllib.request.Request(put_url, data=b"presigned body", method="PUT")
    with urllib.request.urlopen(request) as response:
        assert response.status == 200
    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "pre"}, ExpiresIn=60)
    with urllib.request.urlopen(get_url) as response:
        assert response.read() == b"presigned body"


def test_presigned_url_expires(brume, s3, bucket):
    s3.put_object(Bucket=bucket, Key="soon", Body=b"x")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "soon"}, ExpiresIn=1)
    time.sleep(2.1)
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(url)
    assert excinfo.value.code == 403
    body = excinfo.value.read().decode()
    assert "<Code>AccessDenied</Code>" in body
    assert "Request has expired" in body


def test_post_policy_form_upload(brume, s3, bucket):
    import requests

    post = s3.generate_presigned_post(
        bucket, "uploads/${filename}",
        Fields={"Content-Type": "text/plain", "success_action_status": "201"},
        Conditions=[{"Content-Type": "text/plain"}, {"success_action_status": "201"},
                    ["starts-with", "$key", "uploads/"], ["content-length-range", 1, 1024]],
        ExpiresIn=60)
    response = requests.post(post["url"], data=post["fields"],
                             files={"file": ("note.txt", b"form upload body")}, timeout=10)
    assert response.status_code == 201, response.text
    assert "<Key>uploads/note.txt</Key>" in response.text
    got = s3.get_object(Bucket=bucket, Key="uploads/note.txt")
    assert got["Body"].read() == b"form upload body"
    assert got["ContentType"] == "text/plain"

    too_big = requests.post(post["url"], data=post["fields"],
                            files={"file": ("big.txt", b"x" * 2048)}, timeout=10)
    assert too_big.status_code == 400
    assert "<Code>EntityTooLarge</Code>" in too_big.text

    fields = dict(post["fields"], key="elsewhere/file.txt")
    outside = requests.post(post["url"], data=fields, files={"file": ("f", b"x")}, timeout=10)
    assert outside.status_code == 403
    assert "Policy Condition failed" in outside.text


# Concurrency and durability


def test_concurrent_writers_last_complete_write_wins(s3, bucket):
    bodies = [bytes([65 + i]) * (256 * 1024) for i in range(6)]
    errors = []

    def write(body):
        try:
            s3.put_object(Bucket=bucket, Key="race", Body=body)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(b,)) for b in bodies]
    for thread in threads:
        thread.start()
    for _ in range(20):
        data = s3.get_object(Bucket=bucket, Key="race")["Body"].read() if s3.list_objects_v2(
            Bucket=bucket, Prefix="race")["KeyCount"] else None
        assert data is None or data in bodies
    for thread in threads:
        thread.join()
    assert not errors
    assert s3.get_object(Bucket=bucket, Key="race")["Body"].read() in bodies


def test_objects_survive_sigkill(fresh_brume):
    client = fresh_brume.client("s3")
    client.create_bucket(Bucket="durable")
    body = os.urandom(3 * MIB)
    client.put_object(Bucket="durable", Key="k", Body=body)
    upload_id = client.create_multipart_upload(Bucket="durable", Key="mp")["UploadId"]
    client.upload_part(Bucket="durable", Key="mp", UploadId=upload_id, PartNumber=1, Body=b"part")
    fresh_brume.kill9()
    fresh_brume.start()
    client = fresh_brume.client("s3")
    assert client.get_object(Bucket="durable", Key="k")["Body"].read() == body
    parts = client.list_parts(Bucket="durable", Key="mp", UploadId=upload_id)["Parts"]
    assert [p["PartNumber"] for p in parts] == [1]


# AWS CLI


def test_cli_cp_sync_mv_rm_ls(brume, tmp_path):
    name = unique("cli").lower()
    brume.cli("s3", "mb", f"s3://{name}")
    big = tmp_path / "src" / "big.bin"
    big.parent.mkdir()
    big.write_bytes(os.urandom(20 * MIB))
    (tmp_path / "src" / "small.txt").write_text("small file")
    config = tmp_path / "config"
    config.write_text("[default]\ns3 =\n  multipart_threshold = 5MB\n  multipart_chunksize = 5MB\n")
    env = brume.env(AWS_CONFIG_FILE=str(config))
    brume.cli("s3", "cp", str(big), f"s3://{name}/big.bin", env=env)
    head = brume.cli("s3api", "head-object", "--bucket", name, "--key", "big.bin", env=env)[1]
    assert head["ETag"].endswith('-4"')
    brume.cli("s3", "sync", str(tmp_path / "src"), f"s3://{name}/synced/", env=env)
    listing = brume.cli("s3", "ls", f"s3://{name}/synced/", env=env)[1]
    assert "small.txt" in listing
    assert "big.bin" in listing
    brume.cli("s3", "cp", f"s3://{name}/big.bin", str(tmp_path / "back.bin"), env=env)
    assert (tmp_path / "back.bin").read_bytes() == big.read_bytes()
    brume.cli("s3", "mv", f"s3://{name}/synced/small.txt", f"s3://{name}/moved.txt", env=env)
    brume.cli("s3", "rm", f"s3://{name}/big.bin", env=env)
    keys = brume.cli("s3api", "list-objects-v2", "--bucket", name, env=env)[1]
    assert sorted(o["Key"] for o in keys["Contents"]) == ["moved.txt", "synced/big.bin"]
    url = brume.cli("s3", "presign", f"s3://{name}/moved.txt", "--expires-in", "60", env=env)[1]
    with urllib.request.urlopen(url) as response:
        assert response.read() == b"small file"
    brume.cli("s3", "rb", f"s3://{name}", "--force", env=env)


def test_non_ascii_metadata_round_trips(brume, bucket):
    # Python's http.client sends non-ASCII header text as Latin-1 bytes, the
    # JavaScript SDK as UTF-8 bytes: both come back exactly as sent.
    for key, value in [("latin1", "Hello World\u00e9"),
                       ("utf8", "Z\u00fcrich".encode().decode("latin-1"))]:
        status, _, _ = http_request(brume, "PUT", f"/{bucket}/{key}", body=b"x", service="s3",
                                    headers={"x-amz-meta-text": value})
        assert status == 200
        status, headers, _ = http_request(brume, "HEAD", f"/{bucket}/{key}", service="s3")
        assert status == 200
        assert headers["x-amz-meta-text"] == value
