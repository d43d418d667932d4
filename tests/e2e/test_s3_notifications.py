"""S3 event notifications delivered to SQS queues, through boto3 and the AWS CLI."""

import json
import urllib.parse

import botocore.exceptions
import pytest

from conftest import http_request, unique

ACCOUNT = "000000000000"
REGION = "us-east-1"


@pytest.fixture
def s3(brume):
    return brume.client("s3")


@pytest.fixture
def sqs(brume):
    return brume.client("sqs")


def queue_policy(queue_arn, bucket):
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "SQS:SendMessage",
            "Resource": queue_arn,
            "Condition": {
                "ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{bucket}"},
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
            },
        }],
    })


def make_queue(sqs, bucket, with_policy=True):
    url = sqs.create_queue(QueueName=unique("events"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    if with_policy:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": queue_policy(arn, bucket)})
    return url, arn


def drain(sqs, url, expected, wait=2):
    """Receives until `expected` message bodies arrived (or nothing more comes)."""
    bodies = []
    while len(bodies) < expected:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                       WaitTimeSeconds=wait).get("Messages", [])
        if not messages:
            break
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


def records(bodies):
    return [record for body in bodies if "Records" in body for record in body["Records"]]


def configure(s3, bucket, queue_arn, events, rules=None, config_id=None):
    configuration = {"QueueArn": queue_arn, "Events": events}
    if rules:
        configuration["Filter"] = {"Key": {"FilterRules": rules}}
    if config_id:
        configuration["Id"] = config_id
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [configuration]})


def error_of(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**kwargs)
    return info.value.response


def test_created_and_removed_events_reach_the_queue(s3, sqs):
    bucket = unique("notified")
    s3.create_bucket(Bucket=bucket)
    url, arn = make_queue(sqs, bucket)
    configure(s3, bucket, arn, ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"], config_id="all-objects")

    # Configuring sends one s3:TestEvent.
    test_events = drain(sqs, url, 1)
    assert len(test_events) == 1
    assert test_events[0]["Event"] == "s3:TestEvent"
    assert test_events[0]["Service"] == "Amazon S3"
    assert test_events[0]["Bucket"] == bucket

    put = s3.put_object(Bucket=bucket, Key="photos/cat 1.jpg", Body=b"meow")
    s3.copy_object(Bucket=bucket, Key="copy.jpg", CopySource={"Bucket": bucket, "Key": "photos/cat 1.jpg"})
    s3.delete_object(Bucket=bucket, Key="copy.jpg")

    got = records(drain(sqs, url, 3))
    assert [r["eventName"] for r in got] == ["ObjectCreated:Put", "ObjectCreated:Copy", "ObjectRemoved:Delete"]
    first = got[0]
    assert first["eventVersion"] == "2.1"
    assert first["eventSource"] == "aws:s3"
    assert first["awsRegion"] == REGION
    assert first["eventTime"].endswith("Z")
    assert first["s3"]["configurationId"] == "all-objects"
    assert first["s3"]["bucket"]["name"] == bucket
    assert first["s3"]["bucket"]["arn"] == f"arn:aws:s3:::{bucket}"
    obj = first["s3"]["object"]
    # Keys are URL-encoded with '+' for spaces; the ETag has no quotes.
    assert obj["key"] == "photos/cat+1.jpg"
    assert urllib.parse.unquote_plus(obj["key"]) == "photos/cat 1.jpg"
    assert obj["size"] == 4
    assert obj["eTag"] == put["ETag"].strip('"')
    assert "versionId" not in obj
    assert "size" not in got[2]["s3"]["object"]
    sequencers = [r["s3"]["object"]["sequencer"] for r in got]
    assert sequencers == sorted(sequencers)
    assert len(set(sequencers)) == 3


def test_multipart_versioned_and_tagging_events(s3, sqs):
    bucket = unique("notified-mp")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    url, arn = make_queue(sqs, bucket)
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "QueueConfigurations": [
            {"QueueArn": arn, "Events": ["s3:ObjectCreated:CompleteMultipartUpload",
                                         "s3:ObjectRemoved:DeleteMarkerCreated"]},
            {"QueueArn": arn, "Events": ["s3:ObjectTagging:*"]},
        ]})
    drain(sqs, url, 2)  # one test event per configuration

    upload = s3.create_multipart_upload(Bucket=bucket, Key="big")
    part = s3.upload_part(Bucket=bucket, Key="big", UploadId=upload["UploadId"], PartNumber=1, Body=b"x" * 10)
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="big", UploadId=upload["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    s3.put_object(Bucket=bucket, Key="plain", Body=b"not notified")
    s3.put_object_tagging(Bucket=bucket, Key="big", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    marker = s3.delete_object(Bucket=bucket, Key="big")

    got = records(drain(sqs, url, 3))
    assert [r["eventName"] for r in got] == [
        "ObjectCreated:CompleteMultipartUpload", "ObjectTagging:Put", "ObjectRemoved:DeleteMarkerCreated"]
    assert got[0]["s3"]["object"]["versionId"] == done["VersionId"]
    assert got[0]["s3"]["object"]["size"] == 10
    assert got[0]["s3"]["object"]["eTag"] == done["ETag"].strip('"')
    assert got[2]["s3"]["object"]["versionId"] == marker["VersionId"]
    # Configurations without an Id get one.
    stored = s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"]
    assert all(configuration["Id"] for configuration in stored)


def test_prefix_and_suffix_filters(s3, sqs):
    bucket = unique("notified-filter")
    s3.create_bucket(Bucket=bucket)
    url, arn = make_queue(sqs, bucket)
    configure(s3, bucket, arn, ["s3:ObjectCreated:Put"],
              rules=[{"Name": "prefix", "Value": "images/"}, {"Name": "Suffix", "Value": ".png"}])
    drain(sqs, url, 1)
    stored = s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"][0]
    names = sorted(rule["Name"] for rule in stored["Filter"]["Key"]["FilterRules"])
    assert names == ["Prefix", "Suffix"]

    for key in ["images/a.png", "images/a.jpg", "docs/a.png", "images/sub/b.png"]:
        s3.put_object(Bucket=bucket, Key=key, Body=b"1")
    got = records(drain(sqs, url, 2))
    assert sorted(r["s3"]["object"]["key"] for r in got) == ["images/a.png", "images/sub/b.png"]


def test_destination_is_validated(s3, sqs):
    bucket = unique("notified-bad")
    s3.create_bucket(Bucket=bucket)
    missing = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{unique('missing')}"
    response = error_of(s3.put_bucket_notification_configuration, Bucket=bucket,
                        NotificationConfiguration={"QueueConfigurations": [
                            {"QueueArn": missing, "Events": ["s3:ObjectCreated:*"]}]})
    assert response["Error"]["Code"] == "InvalidArgument"
    assert response["Error"]["Message"] == "Unable to validate the following destination configurations"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400

    # A queue whose policy does not let S3 send is rejected too, even in the
    # same account.
    _, no_policy_arn = make_queue(sqs, bucket, with_policy=False)
    response = error_of(s3.put_bucket_notification_configuration, Bucket=bucket,
                        NotificationConfiguration={"QueueConfigurations": [
                            {"QueueArn": no_policy_arn, "Events": ["s3:ObjectCreated:*"]}]})
    assert response["Error"]["Code"] == "InvalidArgument"

    # SkipDestinationValidation stores the configuration anyway.
    s3.put_bucket_notification_configuration(
        Bucket=bucket, SkipDestinationValidation=True,
        NotificationConfiguration={"QueueConfigurations": [
            {"QueueArn": missing, "Events": ["s3:ObjectCreated:*"]}]})
    # Writes still succeed when delivery fails.
    s3.put_object(Bucket=bucket, Key="k", Body=b"1")
    assert s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"][0]["QueueArn"] == missing


@pytest.mark.parametrize("events,rules,code_fragment", [
    (["s3:ObjectCreated:Nope"], None, "not supported"),
    (["s3:ObjectCreated:*"], [{"Name": "middle", "Value": "x"}], "prefix or suffix"),
    (["s3:ObjectCreated:*"], [{"Name": "prefix", "Value": "a"}, {"Name": "Prefix", "Value": "b"}],
     "more than one prefix"),
])
def test_invalid_configurations(s3, sqs, events, rules, code_fragment):
    bucket = unique("notified-invalid")
    s3.create_bucket(Bucket=bucket)
    _, arn = make_queue(sqs, bucket)
    configuration = {"QueueArn": arn, "Events": events}
    if rules:
        configuration["Filter"] = {"Key": {"FilterRules": rules}}
    response = error_of(s3.put_bucket_notification_configuration, Bucket=bucket,
                        NotificationConfiguration={"QueueConfigurations": [configuration]})
    assert response["Error"]["Code"] == "InvalidArgument"
    assert code_fragment in response["Error"]["Message"]


def test_overlapping_configurations_rejected(s3, sqs):
    bucket = unique("notified-overlap")
    s3.create_bucket(Bucket=bucket)
    _, arn = make_queue(sqs, bucket)
    response = error_of(s3.put_bucket_notification_configuration, Bucket=bucket,
                        NotificationConfiguration={"QueueConfigurations": [
                            {"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]},
                            {"QueueArn": arn, "Events": ["s3:ObjectCreated:Put"],
                             "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "a/"}]}}},
                        ]})
    assert response["Error"]["Code"] == "InvalidArgument"
    assert "overlap" in response["Error"]["Message"]
    # Disjoint prefixes do not overlap.
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [
        {"QueueArn": arn, "Events": ["s3:ObjectCreated:*"],
         "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "b/"}]}}},
        {"QueueArn": arn, "Events": ["s3:ObjectCreated:Put"],
         "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "a/"}]}}},
    ]})


def test_lifecycle_expiration_event(fresh_brume):
    # A brume of its own, because moving the clock would expire other
    # tests' presigned URLs.
    brume = fresh_brume
    s3 = brume.client("s3")
    sqs = brume.client("sqs")
    bucket = unique("notified-lifecycle")
    s3.create_bucket(Bucket=bucket)
    url, arn = make_queue(sqs, bucket)
    configure(s3, bucket, arn, ["s3:LifecycleExpiration:*"])
    drain(sqs, url, 1)
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 1}}]})
    s3.put_object(Bucket=bucket, Key="tmp/old", Body=b"1")
    brume.advance_clock(3 * 86400)
    got = records(drain(sqs, url, 1, wait=5))
    assert [r["eventName"] for r in got] == ["LifecycleExpiration:Delete"]
    assert got[0]["s3"]["object"]["key"] == "tmp/old"


def test_cli_configures_notifications(brume, sqs):
    bucket = unique("notified-cli")
    brume.cli("s3api", "create-bucket", "--bucket", bucket)
    url, arn = make_queue(sqs, bucket)
    config = json.dumps({"QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]})
    brume.cli("s3api", "put-bucket-notification-configuration", "--bucket", bucket,
              "--notification-configuration", config)
    _, shown, _ = brume.cli("s3api", "get-bucket-notification-configuration", "--bucket", bucket)
    assert shown["QueueConfigurations"][0]["QueueArn"] == arn
    drain(sqs, url, 1)
    brume.cli("s3api", "put-object", "--bucket", bucket, "--key", "from-cli.txt")
    got = records(drain(sqs, url, 1))
    assert got[0]["eventName"] == "ObjectCreated:Put"
    assert got[0]["s3"]["object"]["key"] == "from-cli.txt"
    assert got[0]["s3"]["object"]["size"] == 0


def test_deep_or_oversize_queue_policy_rejected(sqs):
    url = sqs.create_queue(QueueName=unique("deep-policy"))["QueueUrl"]
    deep = '{"Statement": ' + "[" * 5000 + "]" * 5000 + "}"
    oversize = json.dumps({"Statement": [], "Padding": "x" * 9000})
    for policy in [deep, oversize]:
        with pytest.raises(botocore.exceptions.ClientError) as info:
            sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
        assert info.value.response["Error"]["Code"] == "InvalidAttributeValue"


def test_policy_with_wrong_types_fails_validation(s3, sqs):
    bucket = unique("notified-types")
    s3.create_bucket(Bucket=bucket)
    url, arn = make_queue(sqs, bucket, with_policy=False)
    policy = json.dumps({"Statement": [{"Effect": 1, "Principal": "*", "Action": "*", "Resource": "*"}]})
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
    response = error_of(s3.put_bucket_notification_configuration, Bucket=bucket,
                        NotificationConfiguration={"QueueConfigurations": [
                            {"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]})
    assert response["Error"]["Code"] == "InvalidArgument"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize("text", [b"bad\xff\xfeid", b"ctl&#x1;id", b"ctl&#1;id"])
def test_configuration_xml_with_invalid_characters(brume, text):
    bucket = unique("notified-xml")
    brume.client("s3").create_bucket(Bucket=bucket)
    body = (b'<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            b"<QueueConfiguration><Id>" + text + b"</Id>"
            b"<Queue>arn:aws:sqs:us-east-1:000000000000:q</Queue><Event>s3:ObjectCreated:*</Event>"
            b"</QueueConfiguration></NotificationConfiguration>")
    status, _, payload = http_request(brume, "PUT", f"/{bucket}?notification", body=body, service="s3")
    assert status == 400
    assert b"<Code>MalformedXML</Code>" in payload
