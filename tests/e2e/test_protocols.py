"""Operations brume does not implement get a well-formed AWS error in the
protocol of their service: status 501, code NotImplemented, and a message
naming the service and the operation. Checked through boto3, the AWS CLI and
raw HTTP for every protocol: query, ec2, json, rest-json, rest-xml and
smithy-rpc-v2-cbor."""

import json
import struct
import xml.etree.ElementTree as ElementTree

import pytest
from botocore.exceptions import ClientError

from conftest import http_request, service_running

# Services brume does not implement, one or more per protocol. A service that
# becomes implemented must be replaced here by one brume lacks.
NOT_IMPLEMENTED = [
    # (service id, boto3 method, operation, protocol)
    ("lambda", "list_functions", "ListFunctions", "rest-json"),
    ("kms", "list_keys", "ListKeys", "json"),
    ("ecs", "list_clusters", "ListClusters", "json"),
    ("iam", "list_users", "ListUsers", "query"),
    ("route53", "list_hosted_zones", "ListHostedZones", "rest-xml"),
    ("ec2", "describe_vpcs", "DescribeVpcs", "ec2"),
    ("cloudwatch", "list_dashboards", "ListDashboards", "smithy-rpc-v2-cbor"),
]


def require_unimplemented(brume, service):
    assert not service_running(brume, service), (
        f"{service} is implemented now: replace it in NOT_IMPLEMENTED with a service brume lacks")


def check_message(message, service, operation):
    assert operation in message
    assert service in message.lower()


def decode_cbor(data):
    """Decode one CBOR item (RFC 8949): enough of the format for error bodies."""
    def item(pos):
        initial = data[pos]
        major, info = initial >> 5, initial & 0x1F
        pos += 1
        if major == 7:
            if info == 20:
                return False, pos
            if info == 21:
                return True, pos
            if info in (22, 23):
                return None, pos
            if info == 25:
                return _half(data[pos:pos + 2]), pos + 2
            if info == 26:
                return struct.unpack(">f", data[pos:pos + 4])[0], pos + 4
            if info == 27:
                return struct.unpack(">d", data[pos:pos + 8])[0], pos + 8
            raise ValueError(f"unsupported simple value {info}")
        if info < 24:
            length = info
        elif info in (24, 25, 26, 27):
            size = 1 << (info - 24)
            length = int.from_bytes(data[pos:pos + size], "big")
            pos += size
        elif info == 31:
            length = None
        else:
            raise ValueError(f"invalid additional information {info}")
        if major == 0:
            return length, pos
        if major == 1:
            return -1 - length, pos
        if major in (2, 3):
            if length is None:
                chunks = []
                while data[pos] != 0xFF:
                    chunk, pos = item(pos)
                    chunks.append(chunk)
                joined = (b"" if major == 2 else "").join(chunks)
                return joined, pos + 1
            raw = data[pos:pos + length]
            return (raw if major == 2 else raw.decode()), pos + length
        if major == 4:
            values = []
            while (length is None and data[pos] != 0xFF) or (length is not None and len(values) < length):
                value, pos = item(pos)
                values.append(value)
            return values, pos + (1 if length is None else 0)
        if major == 5:
            result = {}
            while (length is None and data[pos] != 0xFF) or (length is not None and len(result) < length):
                key, pos = item(pos)
                result[key], pos = item(pos)
            return result, pos + (1 if length is None else 0)
        if major == 6:
            return item(pos)
        raise ValueError(f"unsupported major type {major}")

    value, end = item(0)
    assert end == len(data), "trailing bytes after the CBOR item"
    return value


def _half(raw):
    bits = int.from_bytes(raw, "big")
    sign = -1 if bits & 0x8000 else 1
    exponent, fraction = (bits >> 10) & 0x1F, bits & 0x3FF
    if exponent == 0:
        return sign * fraction * 2 ** -24
    if exponent == 31:
        return sign * float("inf") if fraction == 0 else float("nan")
    return sign * (1 + fraction / 1024) * 2 ** (exponent - 15)


def xml_child_text(element, path):
    """Text of the first element at `path`, matching local names in any namespace."""
    for step in path.split("/"):
        element = next(child for child in element if child.tag.split("}")[-1] == step)
    return element.text


# boto3 and the AWS CLI


@pytest.mark.parametrize("service,method,operation,protocol", NOT_IMPLEMENTED,
                         ids=[entry[0] for entry in NOT_IMPLEMENTED])
def test_not_implemented_boto3(brume, service, method, operation, protocol):
    require_unimplemented(brume, service)
    client = brume.client(service)
    assert client.meta.service_model.protocol == protocol
    with pytest.raises(ClientError) as excinfo:
        getattr(client, method)()
    response = excinfo.value.response
    assert response["Error"]["Code"] == "NotImplemented"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 501
    check_message(response["Error"]["Message"], service, operation)
    assert response["ResponseMetadata"]["RequestId"]


@pytest.mark.parametrize("args,operation", [
    (("lambda", "list-functions"), "ListFunctions"),
    (("ec2", "describe-vpcs"), "DescribeVpcs"),
    (("route53", "list-hosted-zones"), "ListHostedZones"),
])
def test_not_implemented_cli(brume, args, operation):
    require_unimplemented(brume, args[0])
    code, _, stderr = brume.cli(*args, check=False)
    # AWS CLI v1 exits 255 on a service error and v2 exits 254.
    assert code in (254, 255)
    assert f"An error occurred (NotImplemented) when calling the {operation} operation" in stderr


# Raw HTTP, one protocol at a time


def test_query_not_implemented_raw(brume):
    require_unimplemented(brume, "iam")
    status, headers, body = http_request(
        brume, "POST", "/", b"Action=ListUsers&Version=2010-05-08",
        {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, service="iam")
    assert status == 501
    assert headers["content-type"].startswith("text/xml")
    root = ElementTree.fromstring(body)
    assert root.tag == "{https://iam.amazonaws.com/doc/2010-05-08/}ErrorResponse"
    assert xml_child_text(root, "Error/Code") == "NotImplemented"
    assert xml_child_text(root, "Error/Type") == "Receiver"
    check_message(xml_child_text(root, "Error/Message"), "iam", "ListUsers")
    assert xml_child_text(root, "RequestId") == headers["x-amzn-requestid"]


def test_ec2_not_implemented_raw(brume):
    require_unimplemented(brume, "ec2")
    status, headers, body = http_request(
        brume, "POST", "/", b"Action=DescribeVpcs&Version=2016-11-15",
        {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, service="ec2")
    assert status == 501
    root = ElementTree.fromstring(body)
    assert root.tag == "Response"
    assert xml_child_text(root, "Errors/Error/Code") == "NotImplemented"
    check_message(xml_child_text(root, "Errors/Error/Message"), "ec2", "DescribeVpcs")
    assert xml_child_text(root, "RequestID")


@pytest.mark.parametrize("target,content_type,service,operation", [
    ("TrentService.ListKeys", "application/x-amz-json-1.1", "kms", "ListKeys"),
    ("GraniteServiceVersion20100801.ListDashboards", "application/x-amz-json-1.0",
     "cloudwatch", "ListDashboards"),
])
def test_json_not_implemented_raw(brume, target, content_type, service, operation):
    require_unimplemented(brume, service)
    signing_name = "monitoring" if service == "cloudwatch" else service
    status, headers, body = http_request(
        brume, "POST", "/", b"{}", {"X-Amz-Target": target, "Content-Type": content_type},
        service=signing_name)
    assert status == 501
    assert headers["content-type"] == content_type
    assert headers["x-amzn-requestid"]
    error = json.loads(body)
    assert error["__type"].split("#")[-1] == "NotImplemented"
    check_message(error.get("message", error.get("Message", "")), service, operation)


def test_rest_json_not_implemented_raw(brume):
    require_unimplemented(brume, "lambda")
    status, headers, body = http_request(brume, "GET", "/2015-03-31/functions/", service="lambda")
    assert status == 501
    assert headers["x-amzn-errortype"].split(":")[0] == "NotImplemented"
    assert headers["x-amzn-requestid"]
    error = json.loads(body)
    check_message(error.get("message", error.get("Message", "")), "lambda", "ListFunctions")


def test_rest_xml_not_implemented_raw(brume):
    require_unimplemented(brume, "route53")
    status, headers, body = http_request(brume, "GET", "/2013-04-01/hostedzone", service="route53")
    assert status == 501
    root = ElementTree.fromstring(body)
    assert root.tag.split("}")[-1] == "ErrorResponse"
    assert xml_child_text(root, "Error/Code") == "NotImplemented"
    check_message(xml_child_text(root, "Error/Message"), "route53", "ListHostedZones")
    assert xml_child_text(root, "RequestId") == headers["x-amzn-requestid"]


def test_cbor_not_implemented_raw(brume):
    require_unimplemented(brume, "cloudwatch")
    status, headers, body = http_request(
        brume, "POST", "/service/GraniteServiceVersion20100801/operation/ListDashboards", b"\xa0",
        {"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor",
         "Accept": "application/cbor"}, service="monitoring")
    assert status == 501
    assert headers["smithy-protocol"] == "rpc-v2-cbor"
    assert headers["content-type"] == "application/cbor"
    error = decode_cbor(body)
    assert error["__type"].split("#")[-1] == "NotImplemented"
    check_message(error.get("message", error.get("Message", "")), "cloudwatch", "ListDashboards")


def test_cloudwatch_query_not_implemented_raw(brume):
    require_unimplemented(brume, "cloudwatch")
    status, _, body = http_request(
        brume, "POST", "/", b"Action=ListDashboards&Version=2010-08-01",
        {"Content-Type": "application/x-www-form-urlencoded"}, service="monitoring")
    assert status == 501
    root = ElementTree.fromstring(body)
    assert xml_child_text(root, "Error/Code") == "NotImplemented"


def test_cbor_decoder_reads_rfc_examples():
    # Examples from RFC 8949 appendix A, so the decoder itself is trustworthy.
    assert decode_cbor(bytes.fromhex("a26161016162820203")) == {"a": 1, "b": [2, 3]}
    assert decode_cbor(bytes.fromhex("7f657374726561646d696e67ff")) == "streaming"
    assert decode_cbor(bytes.fromhex("f93c00")) == 1.0
    assert decode_cbor(bytes.fromhex("3903e7")) == -1000
