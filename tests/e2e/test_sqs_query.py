"""SQS over the query protocol: raw signed form requests, and Debian's
python3-boto3 (or python3-botocore alone), whose SQS model still speaks
query."""

import hashlib
import json
import os
import subprocess
import textwrap
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ElementTree

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest

from conftest import unique

DEBIAN_PYTHON = "/usr/bin/python3"
NAMESPACE = "{http://queue.amazonaws.com/doc/2012-11-05/}"


def query(brume, params):
    """Sends a SigV4-signed query request; returns (status, headers, XML root)."""
    body = urllib.parse.urlencode({"Version": "2012-11-05", **params})
    request = botocore.awsrequest.AWSRequest(
        method="POST", url=brume.endpoint + "/", data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    botocore.auth.SigV4Auth(botocore.credentials.Credentials("test", "test"), "sqs", "us-east-1").add_auth(request)
    prepared = urllib.request.Request(request.url, data=body.encode(), method="POST",
                                      headers=dict(request.headers.items()))
    try:
        with urllib.request.urlopen(prepared, timeout=30) as response:
            return response.status, response.headers, ElementTree.fromstring(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers, ElementTree.fromstring(error.read())


def test_raw_query_round_trip(brume):
    name = unique("query")
    status, _, root = query(brume, {"Action": "CreateQueue", "QueueName": name,
                                    "Attribute.1.Name": "VisibilityTimeout", "Attribute.1.Value": "45"})
    assert status == 200
    assert root.tag == NAMESPACE + "CreateQueueResponse"
    url = root.find(f"{NAMESPACE}CreateQueueResult/{NAMESPACE}QueueUrl").text
    assert url.endswith(f"/000000000000/{name}")

    status, _, root = query(brume, {
        "Action": "SendMessage", "QueueUrl": url, "MessageBody": "via query",
        "MessageAttribute.1.Name": "k", "MessageAttribute.1.Value.DataType": "String",
        "MessageAttribute.1.Value.StringValue": "v"})
    assert status == 200
    result = root.find(f"{NAMESPACE}SendMessageResult")
    assert result.find(f"{NAMESPACE}MD5OfMessageBody").text == hashlib.md5(b"via query").hexdigest()
    assert result.find(f"{NAMESPACE}MessageId").text

    status, _, root = query(brume, {"Action": "ReceiveMessage", "QueueUrl": url,
                                    "AttributeName.1": "All", "MessageAttributeName.1": "All"})
    assert status == 200
    message = root.find(f"{NAMESPACE}ReceiveMessageResult/{NAMESPACE}Message")
    assert message.find(f"{NAMESPACE}Body").text == "via query"
    attributes = {a.find(f"{NAMESPACE}Name").text: a.find(f"{NAMESPACE}Value").text
                  for a in message.findall(f"{NAMESPACE}Attribute")}
    assert attributes["ApproximateReceiveCount"] == "1"
    user = message.find(f"{NAMESPACE}MessageAttribute")
    assert user.find(f"{NAMESPACE}Name").text == "k"
    assert user.find(f"{NAMESPACE}Value/{NAMESPACE}StringValue").text == "v"

    handle = message.find(f"{NAMESPACE}ReceiptHandle").text
    status, _, root = query(brume, {"Action": "DeleteMessage", "QueueUrl": url, "ReceiptHandle": handle})
    assert status == 200
    assert root.tag == NAMESPACE + "DeleteMessageResponse"

    status, _, root = query(brume, {"Action": "GetQueueAttributes", "QueueUrl": url, "AttributeName.1": "All"})
    values = {a.find(f"{NAMESPACE}Name").text: a.find(f"{NAMESPACE}Value").text
              for a in root.iter(f"{NAMESPACE}Attribute")}
    assert values["VisibilityTimeout"] == "45"


def test_raw_query_errors(brume):
    status, _, root = query(brume, {"Action": "GetQueueUrl", "QueueName": unique("absent")})
    assert status == 400
    assert root.tag == NAMESPACE + "ErrorResponse"
    error = root.find(f"{NAMESPACE}Error")
    assert error.find(f"{NAMESPACE}Type").text == "Sender"
    assert error.find(f"{NAMESPACE}Code").text == "AWS.SimpleQueueService.NonExistentQueue"

    url = query(brume, {"Action": "CreateQueue", "QueueName": unique("qerr")})[2] \
        .find(f"{NAMESPACE}CreateQueueResult/{NAMESPACE}QueueUrl").text
    status, _, root = query(brume, {"Action": "ReceiveMessage", "QueueUrl": url, "MaxNumberOfMessages": "11"})
    assert status == 400
    assert root.find(f"{NAMESPACE}Error/{NAMESPACE}Code").text == "InvalidParameterValue"
    query(brume, {"Action": "PurgeQueue", "QueueUrl": url})
    status, _, root = query(brume, {"Action": "PurgeQueue", "QueueUrl": url})
    assert status == 403
    assert root.find(f"{NAMESPACE}Error/{NAMESPACE}Code").text == "AWS.SimpleQueueService.PurgeQueueInProgress"


DEBIAN_SCRIPT = textwrap.dedent("""
    import json, sys
    import botocore
    endpoint, name = sys.argv[1], sys.argv[2]
    options = dict(region_name="us-east-1", endpoint_url=endpoint,
                   aws_access_key_id="test", aws_secret_access_key="test")
    try:
        import boto3
        sqs = boto3.client("sqs", **options)
        client = "boto3 " + boto3.__version__
    except ImportError:
        import botocore.session
        sqs = botocore.session.get_session().create_client("sqs", **options)
        client = "botocore " + botocore.__version__
    out = {"client": client, "protocol": sqs.meta.service_model.protocol}
    url = sqs.create_queue(QueueName=name, Attributes={"DelaySeconds": "0"})["QueueUrl"]
    out["url"] = url
    sent = sqs.send_message(QueueUrl=url, MessageBody="debian",
                            MessageAttributes={"n": {"DataType": "Number", "StringValue": "7"}})
    out["sent"] = {k: sent[k] for k in ("MessageId", "MD5OfMessageBody", "MD5OfMessageAttributes")}
    batch = sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "b1"},
                                                          {"Id": "b", "MessageBody": "b2"}])
    out["batch_ok"] = sorted(e["Id"] for e in batch["Successful"])
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"],
                                   MessageAttributeNames=["All"])["Messages"]
    out["bodies"] = sorted(m["Body"] for m in received)
    out["md5_attributes"] = [m.get("MD5OfMessageAttributes") for m in received if m["Body"] == "debian"]
    out["receive_counts"] = sorted(m["Attributes"]["ApproximateReceiveCount"] for m in received)
    deleted = sqs.delete_message_batch(QueueUrl=url, Entries=[
        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(received)])
    out["deleted"] = len(deleted["Successful"])
    out["attributes"] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    out["listed"] = url in sqs.list_queues(QueueNamePrefix=name).get("QueueUrls", [])
    if "--tags" in sys.argv:
        sqs.tag_queue(QueueUrl=url, Tags={"k": "v"})
        out["tags"] = sqs.list_queue_tags(QueueUrl=url).get("Tags")
    try:
        sqs.get_queue_url(QueueName=name + "-missing")
    except sqs.exceptions.QueueDoesNotExist as error:
        out["missing_code"] = error.response["Error"]["Code"]
    sqs.delete_queue(QueueUrl=url)
    print(json.dumps(out))
""")


def debian_botocore_available():
    if not os.path.exists(DEBIAN_PYTHON):
        return False
    probe = subprocess.run([DEBIAN_PYTHON, "-c", "import botocore"], capture_output=True)
    return probe.returncode == 0


def run_debian_client(brume, *args):
    result = subprocess.run([DEBIAN_PYTHON, "-c", DEBIAN_SCRIPT, brume.endpoint, unique("debian"), *args],
                            capture_output=True, text=True, timeout=120,
                            env={"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp")})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


needs_debian_client = pytest.mark.skipif(
    not debian_botocore_available(),
    reason="/usr/bin/python3 lacks botocore: install Debian's python3-boto3")


@needs_debian_client
def test_debian_client_speaks_query(brume):
    out = run_debian_client(brume)
    assert out["protocol"] == "query"
    assert out["url"].startswith(f"{brume.endpoint}/000000000000/debian-")
    assert out["batch_ok"] == ["a", "b"]
    assert out["bodies"] == ["b1", "b2", "debian"]
    assert out["md5_attributes"] == [out["sent"]["MD5OfMessageAttributes"]]
    assert out["receive_counts"] == ["1", "1", "1"]
    assert out["deleted"] == 3
    assert out["attributes"]["ApproximateNumberOfMessages"] == "0"
    assert out["listed"] is True
    assert out["missing_code"] == "AWS.SimpleQueueService.NonExistentQueue"


@needs_debian_client
def test_debian_client_tags_over_query(brume):
    out = run_debian_client(brume, "--tags")
    assert out["tags"] == {"k": "v"}
