"""SQS through boto3 (JSON protocol) and the AWS CLI against a real brume."""

import hashlib
import json
import struct
import threading
import time

import botocore.exceptions
import pytest

from conftest import unique

ACCOUNT = "000000000000"


@pytest.fixture
def sqs(brume):
    return brume.client("sqs")


def error_of(call, *args, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(*args, **kwargs)
    return info.value.response


def attributes_md5(attributes):
    """MD5OfMessageAttributes as the SQS documentation specifies it."""
    encoded = b""
    for name in sorted(attributes):
        value = attributes[name]
        data_type = value["DataType"]
        encoded += struct.pack(">I", len(name)) + name.encode()
        encoded += struct.pack(">I", len(data_type)) + data_type.encode()
        if "BinaryValue" in value:
            encoded += b"\x02" + struct.pack(">I", len(value["BinaryValue"])) + value["BinaryValue"]
        else:
            raw = value["StringValue"].encode()
            encoded += b"\x01" + struct.pack(">I", len(raw)) + raw
    return hashlib.md5(encoded).hexdigest()


def test_queue_lifecycle(sqs, brume):
    name = unique("life")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    assert url == f"{brume.endpoint}/{ACCOUNT}/{name}"
    assert sqs.create_queue(QueueName=name)["QueueUrl"] == url
    assert sqs.get_queue_url(QueueName=name)["QueueUrl"] == url
    assert sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=ACCOUNT)["QueueUrl"] == url
    assert url in sqs.list_queues(QueueNamePrefix=name)["QueueUrls"]

    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["QueueArn"] == f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}"
    assert attributes["VisibilityTimeout"] == "30"
    assert attributes["MaximumMessageSize"] == "1048576"
    assert attributes["MessageRetentionPeriod"] == "345600"
    assert attributes["ApproximateNumberOfMessages"] == "0"

    sqs.delete_queue(QueueUrl=url)
    response = error_of(sqs.get_queue_url, QueueName=name)
    assert response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    headers = response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amzn-query-error"] == "AWS.SimpleQueueService.NonExistentQueue;Sender"


def test_create_queue_conflicts_and_names(sqs):
    name = unique("conflict")
    sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "10"})
    response = error_of(sqs.create_queue, QueueName=name, Attributes={"VisibilityTimeout": "11"})
    assert response["Error"]["Code"] == "QueueAlreadyExists"
    response = error_of(sqs.create_queue, QueueName="bad name!")
    assert response["Error"]["Code"] == "InvalidParameterValue"
    response = error_of(sqs.create_queue, QueueName=unique("v"), Attributes={"VisibilityTimeout": "43201"})
    assert response["Error"]["Code"] == "InvalidAttributeValue"


def test_send_receive_delete_with_md5(sqs):
    url = sqs.create_queue(QueueName=unique("msg"))["QueueUrl"]
    attributes = {
        "City": {"DataType": "String", "StringValue": "Any City"},
        "Count": {"DataType": "Number", "StringValue": "12"},
        "Raw": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
    }
    sent = sqs.send_message(
        QueueUrl=url,
        MessageBody="hello",
        MessageAttributes=attributes,
        MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-abc"}},
    )
    assert sent["MD5OfMessageBody"] == hashlib.md5(b"hello").hexdigest()
    assert sent["MD5OfMessageAttributes"] == attributes_md5(attributes)
    assert sent["MD5OfMessageSystemAttributes"] == attributes_md5(
        {"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-abc"}})

    received = sqs.receive_message(
        QueueUrl=url, MessageAttributeNames=["All"], MessageSystemAttributeNames=["All"]
    )["Messages"]
    assert len(received) == 1
    message = received[0]
    assert message["MessageId"] == sent["MessageId"]
    assert message["Body"] == "hello"
    assert message["MD5OfBody"] == sent["MD5OfMessageBody"]
    assert message["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert message["MessageAttributes"]["Raw"]["BinaryValue"] == b"\x00\x01\xff"
    assert message["Attributes"]["ApproximateReceiveCount"] == "1"
    assert message["Attributes"]["AWSTraceHeader"] == "Root=1-abc"
    assert int(message["Attributes"]["SentTimestamp"]) > 0
    assert int(message["Attributes"]["ApproximateFirstReceiveTimestamp"]) > 0
    assert message["Attributes"]["SenderId"]

    # Only the requested attribute comes back, with the digest of that subset.
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    subset = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["City"])["Messages"][0]
    assert list(subset["MessageAttributes"]) == ["City"]
    assert subset["MD5OfMessageAttributes"] == attributes_md5({"City": attributes["City"]})

    sqs.delete_message(QueueUrl=url, ReceiptHandle=subset["ReceiptHandle"])
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert counts["ApproximateNumberOfMessages"] == "0"
    assert counts["ApproximateNumberOfMessagesNotVisible"] == "0"

    response = error_of(sqs.delete_message, QueueUrl=url, ReceiptHandle="not-a-handle")
    assert response["Error"]["Code"] == "ReceiptHandleIsInvalid"


def test_message_limits(sqs):
    url = sqs.create_queue(QueueName=unique("limits"))["QueueUrl"]
    assert sqs.send_message(QueueUrl=url, MessageBody="x" * 1048576)["MessageId"]
    response = error_of(sqs.send_message, QueueUrl=url, MessageBody="x" * 1048577)
    assert response["Error"]["Code"] == "InvalidParameterValue"
    response = error_of(sqs.receive_message, QueueUrl=url, MaxNumberOfMessages=11)
    assert response["Error"]["Code"] == "InvalidParameterValue"
    response = error_of(sqs.receive_message, QueueUrl=url, VisibilityTimeout=43201)
    assert response["Error"]["Code"] == "InvalidParameterValue"
    response = error_of(sqs.send_message, QueueUrl=url, MessageBody="bad \x01 char")
    assert response["Error"]["Code"] == "InvalidMessageContents"
    response = error_of(sqs.send_message, QueueUrl=url, MessageBody="x", DelaySeconds=901)
    assert response["Error"]["Code"] == "InvalidParameterValue"


def test_batches(sqs):
    url = sqs.create_queue(QueueName=unique("batch"))["QueueUrl"]
    result = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "a", "MessageBody": "one"},
            {"Id": "b", "MessageBody": "two"},
            {"Id": "c", "MessageBody": "three", "DelaySeconds": 1000},
        ],
    )
    assert sorted(entry["Id"] for entry in result["Successful"]) == ["a", "b"]
    assert result["Failed"][0]["Id"] == "c"
    assert result["Failed"][0]["Code"] == "InvalidParameterValue"
    assert result["Failed"][0]["SenderFault"] is True

    response = error_of(sqs.send_message_batch, QueueUrl=url,
                        Entries=[{"Id": "x", "MessageBody": "1"}, {"Id": "x", "MessageBody": "2"}])
    assert response["Error"]["Code"] == "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"
    entries = [{"Id": f"e{i}", "MessageBody": "m"} for i in range(11)]
    response = error_of(sqs.send_message_batch, QueueUrl=url, Entries=entries)
    assert response["Error"]["Code"] == "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"
    response = error_of(sqs.send_message_batch, QueueUrl=url, Entries=[{"Id": "bad.id", "MessageBody": "m"}])
    assert response["Error"]["Code"] == "AWS.SimpleQueueService.InvalidBatchEntryId"

    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 2
    changed = sqs.change_message_visibility_batch(
        QueueUrl=url,
        Entries=[{"Id": "m0", "ReceiptHandle": messages[0]["ReceiptHandle"], "VisibilityTimeout": 60},
                 {"Id": "bad", "ReceiptHandle": "garbage", "VisibilityTimeout": 60}],
    )
    assert [entry["Id"] for entry in changed["Successful"]] == ["m0"]
    assert changed["Failed"][0]["Code"] == "ReceiptHandleIsInvalid"
    deleted = sqs.delete_message_batch(
        QueueUrl=url,
        Entries=[{"Id": f"d{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
    )
    assert len(deleted["Successful"]) == 2
    assert deleted.get("Failed", []) == []


def test_visibility_delay_and_retention_on_the_clock(sqs, brume):
    url = sqs.create_queue(QueueName=unique("clock"), Attributes={"MessageRetentionPeriod": "120"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=30)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesDelayed"])
    assert counts["Attributes"]["ApproximateNumberOfMessagesDelayed"] == "1"
    brume.advance_clock(31)
    message = sqs.receive_message(QueueUrl=url, VisibilityTimeout=10)["Messages"][0]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    brume.advance_clock(11)
    again = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["ApproximateReceiveCount"])["Messages"][0]
    assert again["MessageId"] == message["MessageId"]
    assert again["Attributes"]["ApproximateReceiveCount"] == "2"
    brume.advance_clock(121)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert counts["ApproximateNumberOfMessages"] == "0"
    assert counts["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_receive_attribute_names_accepts_message_attributes(sqs):
    # The deprecated AttributeNames member is typed as QueueAttributeName in
    # the model, but AWS accepts message system attribute names in it.
    url = sqs.create_queue(QueueName=unique("names"))["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x")
    message = sqs.receive_message(QueueUrl=url, AttributeNames=["SentTimestamp"])["Messages"][0]
    assert list(message["Attributes"]) == ["SentTimestamp"]


def test_long_poll_wakes_on_send(sqs, brume):
    url = sqs.create_queue(QueueName=unique("poll"))["QueueUrl"]
    poller = brume.client("sqs", read_timeout=40)
    result = {}

    def receive():
        started = time.monotonic()
        result["response"] = poller.receive_message(QueueUrl=url, WaitTimeSeconds=20)
        result["elapsed"] = time.monotonic() - started

    thread = threading.Thread(target=receive)
    thread.start()
    time.sleep(1.0)
    sent_at = time.monotonic()
    sqs.send_message(QueueUrl=url, MessageBody="wake up")
    thread.join(30)
    assert not thread.is_alive()
    assert result["response"]["Messages"][0]["Body"] == "wake up"
    # The receive returned within about a second of the send, not after 20 s.
    assert time.monotonic() - sent_at < 2.0
    assert result["elapsed"] < 5.0


def test_long_poll_times_out_empty(sqs):
    url = sqs.create_queue(QueueName=unique("empty"))["QueueUrl"]
    started = time.monotonic()
    response = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)
    elapsed = time.monotonic() - started
    assert "Messages" not in response
    assert 0.9 <= elapsed < 5


def test_fifo_order_dedup_and_groups(sqs, brume):
    name = unique("order") + ".fifo"
    url = sqs.create_queue(QueueName=name, Attributes={"FifoQueue": "true"})["QueueUrl"]
    response = error_of(sqs.send_message, QueueUrl=url, MessageBody="x", MessageGroupId="g")
    assert response["Error"]["Code"] == "InvalidParameterValue"
    response = error_of(sqs.send_message, QueueUrl=url, MessageBody="x", MessageDeduplicationId="d")
    assert response["Error"]["Code"] == "MissingParameter"

    numbers = []
    for i in range(5):
        sent = sqs.send_message(QueueUrl=url, MessageBody=f"a{i}", MessageGroupId="a",
                                MessageDeduplicationId=f"a{i}")
        numbers.append(int(sent["SequenceNumber"]))
    assert numbers == sorted(numbers)
    duplicate = sqs.send_message(QueueUrl=url, MessageBody="a0", MessageGroupId="a", MessageDeduplicationId="a0")
    assert int(duplicate["SequenceNumber"]) == numbers[0]
    sqs.send_message(QueueUrl=url, MessageBody="b0", MessageGroupId="b", MessageDeduplicationId="b0")

    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2, AttributeNames=["All"])["Messages"]
    assert [m["Body"] for m in first] == ["a0", "a1"]
    assert first[0]["Attributes"]["MessageGroupId"] == "a"
    # Group a stays locked while a0 and a1 are in flight.
    second = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in second] == ["b0"]
    for message in first:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    rest = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in rest] == ["a2", "a3", "a4"]

    # After the 5-minute window the same deduplication id is new again.
    brume.advance_clock(301)
    again = sqs.send_message(QueueUrl=url, MessageBody="a0", MessageGroupId="a", MessageDeduplicationId="a0")
    assert int(again["SequenceNumber"]) > numbers[-1]


def test_fifo_content_based_dedup_and_attempt_id(sqs):
    url = sqs.create_queue(QueueName=unique("content") + ".fifo",
                           Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true",
                                       "DeduplicationScope": "messageGroup",
                                       "FifoThroughputLimit": "perMessageGroupId"})["QueueUrl"]
    first = sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
    second = sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
    assert first["MessageId"] == second["MessageId"]
    other_group = sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="h")
    assert other_group["MessageId"] != first["MessageId"]

    one = sqs.receive_message(QueueUrl=url, ReceiveRequestAttemptId="attempt-1")["Messages"]
    retry = sqs.receive_message(QueueUrl=url, ReceiveRequestAttemptId="attempt-1")["Messages"]
    assert one[0]["ReceiptHandle"] == retry[0]["ReceiptHandle"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["FifoQueue"] == "true"
    assert attributes["DeduplicationScope"] == "messageGroup"
    assert attributes["FifoThroughputLimit"] == "perMessageGroupId"


def test_dead_letter_queue_and_move_task(sqs, brume):
    dlq_name = unique("dlq")
    dlq_url = sqs.create_queue(QueueName=dlq_name)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"})
    url = sqs.create_queue(QueueName=unique("src"), Attributes={"RedrivePolicy": policy})["QueueUrl"]
    stored = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])
                        ["Attributes"]["RedrivePolicy"])
    assert stored == {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}

    sqs.send_message(QueueUrl=url, MessageBody="poison")
    for _ in range(2):
        assert len(sqs.receive_message(QueueUrl=url, VisibilityTimeout=5)["Messages"]) == 1
        brume.advance_clock(6)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    moved = sqs.receive_message(QueueUrl=dlq_url, AttributeNames=["All"], VisibilityTimeout=0)["Messages"]
    assert moved[0]["Body"] == "poison"
    assert moved[0]["Attributes"]["DeadLetterQueueSourceArn"].endswith(url.rsplit("/", 1)[1])
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq_url)["queueUrls"] == [url]

    handle = sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
    assert handle
    tasks = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
    assert tasks[0]["Status"] == "COMPLETED"
    assert tasks[0]["ApproximateNumberOfMessagesMoved"] == 1
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "poison"

    response = error_of(sqs.start_message_move_task, SourceArn=f"arn:aws:sqs:us-east-1:{ACCOUNT}:missing")
    assert response["Error"]["Code"] == "ResourceNotFoundException"
    bad_policy = json.dumps({"deadLetterTargetArn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:missing",
                             "maxReceiveCount": 1})
    response = error_of(sqs.set_queue_attributes, QueueUrl=url, Attributes={"RedrivePolicy": bad_policy})
    assert response["Error"]["Code"] == "InvalidParameterValue"


def test_move_task_rate_limit_and_cancel(sqs, brume):
    dlq_url = sqs.create_queue(QueueName=unique("movedlq"))["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})
    url = sqs.create_queue(QueueName=unique("movesrc"), Attributes={"RedrivePolicy": policy})["QueueUrl"]
    src_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.send_message_batch(QueueUrl=dlq_url, Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(3)])

    def counts(queue_url):
        return int(sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"])
                   ["Attributes"]["ApproximateNumberOfMessages"])

    # One message per second: the first moves at once and the task keeps running.
    handle = sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=src_arn,
                                         MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
    task = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]
    assert task["Status"] == "RUNNING"
    assert task["TaskHandle"] == handle
    assert task["ApproximateNumberOfMessagesToMove"] == 3
    assert task["MaxNumberOfMessagesPerSecond"] == 1
    response = error_of(sqs.start_message_move_task, SourceArn=dlq_arn, DestinationArn=src_arn)
    assert response["Error"]["Code"] == "InvalidParameterValue"

    moved = sqs.cancel_message_move_task(TaskHandle=handle)["ApproximateNumberOfMessagesMoved"]
    assert 1 <= moved < 3
    task = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]
    assert task["Status"] == "CANCELLED"
    assert "TaskHandle" not in task
    assert counts(url) == moved
    assert counts(dlq_url) == 3 - moved
    response = error_of(sqs.cancel_message_move_task, TaskHandle=handle)
    assert response["Error"]["Code"] == "AWS.SimpleQueueService.UnsupportedOperation"

    # A new task finishes as the service clock advances.
    sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=src_arn, MaxNumberOfMessagesPerSecond=1)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        tasks = sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=10)["Results"]
        if tasks[0]["Status"] == "COMPLETED":
            break
        brume.advance_clock(1)
        time.sleep(0.05)
    assert [task["Status"] for task in tasks] == ["COMPLETED", "CANCELLED"]
    assert counts(url) == 3
    assert counts(dlq_url) == 0


def test_purge_tags_and_permissions(sqs):
    url = sqs.create_queue(QueueName=unique("misc"), tags={"team": "core"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x")
    sqs.purge_queue(QueueUrl=url)
    response = error_of(sqs.purge_queue, QueueUrl=url)
    assert response["Error"]["Code"] == "AWS.SimpleQueueService.PurgeQueueInProgress"
    assert "Messages" not in sqs.receive_message(QueueUrl=url)

    sqs.tag_queue(QueueUrl=url, Tags={"env": "dev"})
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "core", "env": "dev"}
    sqs.untag_queue(QueueUrl=url, TagKeys=["team"])
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"env": "dev"}

    sqs.add_permission(QueueUrl=url, Label="share", AWSAccountIds=["111122223333"],
                       Actions=["SendMessage", "ReceiveMessage"])
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"])
    statement = policy["Statement"][0]
    assert statement["Sid"] == "share"
    assert statement["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    assert statement["Action"] == ["SQS:SendMessage", "SQS:ReceiveMessage"]
    sqs.remove_permission(QueueUrl=url, Label="share")
    response = error_of(sqs.remove_permission, QueueUrl=url, Label="share")
    assert response["Error"]["Code"] == "InvalidParameterValue"


def test_set_attributes_and_list_pagination(sqs):
    prefix = unique("pg")
    urls = [sqs.create_queue(QueueName=f"{prefix}-{i}")["QueueUrl"] for i in range(4)]
    sqs.set_queue_attributes(QueueUrl=urls[0], Attributes={"VisibilityTimeout": "99", "DelaySeconds": "5",
                                                           "KmsMasterKeyId": "alias/aws/sqs"})
    attributes = sqs.get_queue_attributes(QueueUrl=urls[0], AttributeNames=["All"])["Attributes"]
    assert attributes["VisibilityTimeout"] == "99"
    assert attributes["DelaySeconds"] == "5"
    assert attributes["KmsMasterKeyId"] == "alias/aws/sqs"
    assert attributes["KmsDataKeyReusePeriodSeconds"] == "300"
    assert attributes["SqsManagedSseEnabled"] == "false"
    response = error_of(sqs.set_queue_attributes, QueueUrl=urls[0], Attributes={"FifoQueue": "true"})
    assert response["Error"]["Code"] == "InvalidAttributeName"

    page = sqs.list_queues(QueueNamePrefix=prefix, MaxResults=3)
    assert len(page["QueueUrls"]) == 3
    rest = sqs.list_queues(QueueNamePrefix=prefix, MaxResults=3, NextToken=page["NextToken"])
    assert len(rest["QueueUrls"]) == 1
    assert "NextToken" not in rest
    assert sorted(page["QueueUrls"] + rest["QueueUrls"]) == sorted(urls)


def test_concurrent_consumers_never_share_a_message(sqs, brume):
    url = sqs.create_queue(QueueName=unique("race"), Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    total = 300
    for start in range(0, total, 10):
        sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "MessageBody": str(start + i)} for i in range(10)])
    seen = []
    lock = threading.Lock()

    def consume():
        client = brume.client("sqs")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            messages = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                return
            with lock:
                seen.extend(m["Body"] for m in messages)

    threads = [threading.Thread(target=consume) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(40)
    assert len(seen) == total
    assert len(set(seen)) == total


def test_restart_and_sigkill_keep_messages(fresh_brume):
    sqs = fresh_brume.client("sqs")
    url = sqs.create_queue(QueueName="durable", Attributes={"VisibilityTimeout": "300"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="waiting")
    sqs.send_message(QueueUrl=url, MessageBody="in flight")
    in_flight = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1)["Messages"][0]

    fresh_brume.kill9()
    fresh_brume.start()
    sqs = fresh_brume.client("sqs")
    url = sqs.get_queue_url(QueueName="durable")["QueueUrl"]
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert counts["ApproximateNumberOfMessages"] == "1"
    assert counts["ApproximateNumberOfMessagesNotVisible"] == "1"
    waiting = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    assert [m["Body"] for m in waiting] == ["waiting" if in_flight["Body"] == "in flight" else "in flight"]
    # The handle from before the crash still deletes the in-flight message.
    sqs.delete_message(QueueUrl=url, ReceiptHandle=in_flight["ReceiptHandle"])

    fresh_brume.restart()
    sqs = fresh_brume.client("sqs")
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert counts["ApproximateNumberOfMessages"] == "0"
    assert counts["ApproximateNumberOfMessagesNotVisible"] == "1"


def test_cli_round_trip(brume):
    # AWS CLI v1 sends SQS commands in us-east-1 to queue.amazonaws.com
    # unless --endpoint-url is given, ignoring AWS_ENDPOINT_URL.
    endpoint = ("--endpoint-url", brume.endpoint)
    name = unique("cli")
    _, created, _ = brume.cli("sqs", "create-queue", "--queue-name", name, *endpoint)
    url = created["QueueUrl"]
    _, sent, _ = brume.cli("sqs", "send-message", "--queue-url", url, "--message-body", "from cli",
                           "--message-attributes", '{"k":{"DataType":"String","StringValue":"v"}}', *endpoint)
    assert sent["MD5OfMessageBody"] == hashlib.md5(b"from cli").hexdigest()
    _, received, _ = brume.cli("sqs", "receive-message", "--queue-url", url, "--message-attribute-names", "All",
                               *endpoint)
    assert received["Messages"][0]["Body"] == "from cli"
    assert received["Messages"][0]["MessageAttributes"]["k"]["StringValue"] == "v"
    brume.cli("sqs", "delete-message", "--queue-url", url, "--receipt-handle",
              received["Messages"][0]["ReceiptHandle"], *endpoint)
    code, _, stderr = brume.cli("sqs", "get-queue-url", "--queue-name", unique("absent"), *endpoint, check=False)
    assert code != 0
    assert "NonExistentQueue" in stderr or "QueueDoesNotExist" in stderr
