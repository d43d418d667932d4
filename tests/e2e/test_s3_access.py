"""S3 access control end to end: ACLs, bucket policies, the public access
block and Object Ownership, with two accounts from a credentials file and
unsigned requests, as AWS enforces them."""

import json
import subprocess

import botocore
import botocore.exceptions
import pytest

from conftest import BRUME_BIN, Brume, unique

OWNER = ("AKIAOWNEREXAMPLE0001", "owner-secret", "111111111111")
OTHER = ("AKIAOTHEREXAMPLE0002", "other-secret", "222222222222")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    credentials = tmp_path_factory.mktemp("access") / "credentials"
    credentials.write_text(
        "[owner]\n"
        f"aws_access_key_id = {OWNER[0]}\n"
        f"aws_secret_access_key = {OWNER[1]}\n"
        f"aws_account_id = {OWNER[2]}\n"
        "\n"
        "[profile other]\n"
        f"aws_access_key_id = {OTHER[0]}\n"
        f"aws_secret_access_key = {OTHER[1]}\n"
        f"aws_account_id = {OTHER[2]}\n")
    brume = Brume(extra_args=["--verify-signatures", "--credentials-file", str(credentials)])
    brume.start()
    yield brume
    brume.stop()


@pytest.fixture(scope="module")
def owner(server):
    return server.client("s3", access_key=OWNER[0], secret_key=OWNER[1])


@pytest.fixture(scope="module")
def other(server):
    return server.client("s3", access_key=OTHER[0], secret_key=OTHER[1])


@pytest.fixture(scope="module")
def anonymous(server):
    return server.client("s3", signature_version=botocore.UNSIGNED)


@pytest.fixture
def bucket(owner):
    name = unique("acc").lower()
    owner.create_bucket(Bucket=name)
    owner.put_object(Bucket=name, Key="private.txt", Body=b"secret")
    return name


def acl_bucket(owner):
    """A bucket with ACLs enabled and no public access block, as buckets
    were before April 2023."""
    name = unique("aclb").lower()
    owner.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter")
    owner.delete_public_access_block(Bucket=name)
    return name


def error(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**kwargs)
    response = info.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


def public_policy(bucket, actions, resource_suffix="/*", **statement):
    return json.dumps({"Version": "2012-10-17", "Statement": [dict({
        "Effect": "Allow", "Principal": "*", "Action": actions,
        "Resource": f"arn:aws:s3:::{bucket}{resource_suffix}"}, **statement)]})


def test_accounts_come_from_credentials_file(owner, other):
    owner_id = owner.list_buckets()["Owner"]
    other_id = other.list_buckets()["Owner"]
    assert owner_id["DisplayName"] == OWNER[2]
    assert other_id["DisplayName"] == OTHER[2]
    assert owner_id["ID"] != other_id["ID"]
    assert len(owner_id["ID"]) == 64


def test_wrong_secret_fails_signature(server):
    client = server.client("s3", access_key=OWNER[0], secret_key="not-the-secret")
    status, code = error(client.list_buckets)
    assert (status, code) == (403, "SignatureDoesNotMatch")


def test_private_object_denied_to_others(bucket, owner, other, anonymous):
    assert owner.get_object(Bucket=bucket, Key="private.txt")["Body"].read() == b"secret"
    assert error(other.get_object, Bucket=bucket, Key="private.txt") == (403, "AccessDenied")
    assert error(anonymous.get_object, Bucket=bucket, Key="private.txt") == (403, "AccessDenied")
    assert error(other.list_objects_v2, Bucket=bucket) == (403, "AccessDenied")
    assert error(anonymous.list_objects, Bucket=bucket) == (403, "AccessDenied")
    assert error(other.put_object, Bucket=bucket, Key="new", Body=b"x") == (403, "AccessDenied")
    assert error(other.delete_object, Bucket=bucket, Key="private.txt") == (403, "AccessDenied")
    assert error(other.get_bucket_acl, Bucket=bucket) == (403, "AccessDenied")


def test_missing_bucket_is_not_found_for_anyone(other, anonymous):
    name = unique("nobkt").lower()
    assert error(other.list_objects, Bucket=name) == (404, "NoSuchBucket")
    assert error(anonymous.get_object, Bucket=name, Key="k") == (404, "NoSuchBucket")


def test_list_buckets_shows_own_buckets_only(bucket, owner, other, anonymous):
    assert bucket in [b["Name"] for b in owner.list_buckets()["Buckets"]]
    assert bucket not in [b["Name"] for b in other.list_buckets()["Buckets"]]
    assert error(anonymous.list_buckets) == (403, "AccessDenied")


def test_bucket_name_taken_by_other_account(bucket, other):
    assert error(other.create_bucket, Bucket=bucket) == (409, "BucketAlreadyExists")


def test_new_bucket_defaults(bucket, owner):
    controls = owner.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]
    assert controls["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    block = owner.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == {"BlockPublicAcls": True, "IgnorePublicAcls": True,
                     "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    assert owner.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is False


def test_acls_disabled_by_default(bucket, owner):
    status, code = error(owner.put_bucket_acl, Bucket=bucket, ACL="public-read")
    assert (status, code) == (400, "AccessControlListNotSupported")
    status, code = error(owner.put_object, Bucket=bucket, Key="k", Body=b"x", ACL="private")
    assert (status, code) == (400, "AccessControlListNotSupported")
    owner.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="bucket-owner-full-control")


def test_create_bucket_public_acl_needs_ownership(owner):
    name = unique("crt").lower()
    status, code = error(owner.create_bucket, Bucket=name, ACL="public-read")
    assert (status, code) == (400, "InvalidBucketAclWithObjectOwnership")


def test_public_policy_blocked_until_block_removed(bucket, owner, anonymous):
    policy = public_policy(bucket, "s3:GetObject")
    assert error(owner.put_bucket_policy, Bucket=bucket, Policy=policy) == (403, "AccessDenied")
    owner.delete_public_access_block(Bucket=bucket)
    owner.put_bucket_policy(Bucket=bucket, Policy=policy)
    assert owner.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is True
    assert anonymous.get_object(Bucket=bucket, Key="private.txt")["Body"].read() == b"secret"
    # Listing is a bucket action the policy does not grant.
    assert error(anonymous.list_objects, Bucket=bucket) == (403, "AccessDenied")


def test_restrict_public_buckets_limits_policy_to_owner(bucket, owner, other):
    owner.delete_public_access_block(Bucket=bucket)
    owner.put_bucket_policy(Bucket=bucket, Policy=public_policy(bucket, "s3:GetObject"))
    assert other.get_object(Bucket=bucket, Key="private.txt")["Body"].read() == b"secret"
    owner.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": False, "IgnorePublicAcls": False,
        "BlockPublicPolicy": False, "RestrictPublicBuckets": True})
    assert error(other.get_object, Bucket=bucket, Key="private.txt") == (403, "AccessDenied")
    assert owner.get_object(Bucket=bucket, Key="private.txt")["Body"].read() == b"secret"


def test_policy_grants_account_and_deny_wins(bucket, owner, other):
    owner.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER[2]}:root"},
             "Action": ["s3:GetObject", "s3:ListBucket"],
             "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]},
            {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
             "Resource": f"arn:aws:s3:::{bucket}/hidden/*"},
        ]}))
    owner.put_object(Bucket=bucket, Key="hidden/h.txt", Body=b"h")
    assert other.get_object(Bucket=bucket, Key="private.txt")["Body"].read() == b"secret"
    keys = [o["Key"] for o in other.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == ["hidden/h.txt", "private.txt"]
    assert error(other.get_object, Bucket=bucket, Key="hidden/h.txt") == (403, "AccessDenied")
    # The explicit Deny applies to the owner's own account too.
    assert error(owner.get_object, Bucket=bucket, Key="hidden/h.txt") == (403, "AccessDenied")
    # A missing key is 404 for a requester who may list the bucket.
    assert error(other.head_object, Bucket=bucket, Key="absent") == (404, "404")
    # The owner can always change the policy that denies it.
    owner.delete_bucket_policy(Bucket=bucket)
    assert owner.get_object(Bucket=bucket, Key="hidden/h.txt")["Body"].read() == b"h"


def test_policy_conditions(bucket, owner, other):
    owner.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": OTHER[2]}, "Action": "s3:ListBucket",
             "Resource": f"arn:aws:s3:::{bucket}",
             "Condition": {"StringLike": {"s3:prefix": "public/*"}}},
            {"Effect": "Allow", "Principal": {"AWS": OTHER[2]}, "Action": "s3:PutObject",
             "Resource": f"arn:aws:s3:::{bucket}/*",
             "Condition": {"StringEquals": {"s3:x-amz-server-side-encryption": "AES256"}}},
        ]}))
    other.list_objects_v2(Bucket=bucket, Prefix="public/")
    assert error(other.list_objects_v2, Bucket=bucket, Prefix="private/") == (403, "AccessDenied")
    assert error(other.list_objects_v2, Bucket=bucket) == (403, "AccessDenied")
    other.put_object(Bucket=bucket, Key="enc", Body=b"x", ServerSideEncryption="AES256")
    assert error(other.put_object, Bucket=bucket, Key="plain", Body=b"x") == (403, "AccessDenied")


def test_malformed_policies_rejected(bucket, owner):
    cases = [
        "not json",
        json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*",
                                   "Action": "s3:NoSuchAction",
                                   "Resource": f"arn:aws:s3:::{bucket}/*"}]}),
        json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"AWS": OTHER[2]},
                                   "Action": "s3:GetObject",
                                   "Resource": "arn:aws:s3:::some-other-bucket/*"}]}),
        json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "nobody"},
                                   "Action": "s3:GetObject",
                                   "Resource": f"arn:aws:s3:::{bucket}/*"}]}),
    ]
    for policy in cases:
        assert error(owner.put_bucket_policy, Bucket=bucket, Policy=policy) == (400, "MalformedPolicy")


def test_canned_acls_grant_access(owner, other, anonymous):
    name = acl_bucket(owner)
    owner.put_object(Bucket=name, Key="open.txt", Body=b"open", ACL="public-read")
    owner.put_object(Bucket=name, Key="members.txt", Body=b"m", ACL="authenticated-read")
    owner.put_object(Bucket=name, Key="closed.txt", Body=b"c")
    assert anonymous.get_object(Bucket=name, Key="open.txt")["Body"].read() == b"open"
    assert other.get_object(Bucket=name, Key="members.txt")["Body"].read() == b"m"
    assert error(anonymous.get_object, Bucket=name, Key="members.txt") == (403, "AccessDenied")
    assert error(other.get_object, Bucket=name, Key="closed.txt") == (403, "AccessDenied")
    assert error(anonymous.list_objects, Bucket=name) == (403, "AccessDenied")
    owner.put_bucket_acl(Bucket=name, ACL="public-read")
    keys = [o["Key"] for o in anonymous.list_objects(Bucket=name)["Contents"]]
    assert keys == ["closed.txt", "members.txt", "open.txt"]
    owner.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True,
        "BlockPublicPolicy": False, "RestrictPublicBuckets": False})
    assert error(anonymous.get_object, Bucket=name, Key="open.txt") == (403, "AccessDenied")
    assert error(owner.put_object_acl, Bucket=name, Key="closed.txt",
                 ACL="public-read") == (403, "AccessDenied")


def test_grant_to_other_account_and_object_writer(owner, other):
    name = acl_bucket(owner)
    other_id = other.list_buckets()["Owner"]["ID"]
    owner.put_bucket_acl(Bucket=name, GrantWrite=f'id="{other_id}"',
                         GrantFullControl=f'id="{owner.list_buckets()["Owner"]["ID"]}"')
    other.put_object(Bucket=name, Key="theirs", Body=b"t", ACL="bucket-owner-read")
    acl = other.get_object_acl(Bucket=name, Key="theirs")
    assert acl["Owner"]["DisplayName"] == OTHER[2]
    grants = {(g["Grantee"]["DisplayName"], g["Permission"]) for g in acl["Grants"]}
    assert grants == {(OTHER[2], "FULL_CONTROL"), (OWNER[2], "READ")}
    assert owner.get_object(Bucket=name, Key="theirs")["Body"].read() == b"t"
    assert error(owner.put_object_acl, Bucket=name, Key="theirs",
                 ACL="private") == (403, "AccessDenied")


def test_grants_must_name_known_grantees(owner):
    name = acl_bucket(owner)
    unknown = "a" * 64
    status, code = error(owner.put_bucket_acl, Bucket=name, GrantRead=f'id="{unknown}"')
    assert (status, code) == (400, "InvalidArgument")
    status, code = error(owner.put_bucket_acl, Bucket=name,
                         GrantRead='emailAddress="someone@example.com"')
    assert (status, code) == (400, "UnresolvableGrantByEmailAddress")


def test_bucket_owner_enforced_makes_bucket_owner_own_objects(bucket, owner, other):
    owner.delete_public_access_block(Bucket=bucket)
    owner.put_bucket_policy(Bucket=bucket, Policy=public_policy(bucket, "s3:PutObject"))
    other.put_object(Bucket=bucket, Key="uploaded", Body=b"u")
    acl = owner.get_object_acl(Bucket=bucket, Key="uploaded")
    assert acl["Owner"]["DisplayName"] == OWNER[2]
    assert owner.get_object(Bucket=bucket, Key="uploaded")["Body"].read() == b"u"


def test_cli_without_signing(server, owner, bucket):
    owner.delete_public_access_block(Bucket=bucket)
    owner.put_bucket_policy(Bucket=bucket, Policy=public_policy(bucket, "s3:GetObject"))
    code, _, _ = server.cli("s3api", "get-object", "--bucket", bucket, "--key", "private.txt",
                            "--no-sign-request", "/dev/null")
    assert code == 0
    code, _, stderr = server.cli("s3api", "list-objects-v2", "--bucket", bucket,
                                 "--no-sign-request", check=False)
    assert code != 0
    assert "AccessDenied" in stderr


def test_malformed_credentials_file_fails_start(tmp_path):
    path = tmp_path / "credentials"
    path.write_text("[broken]\naws_access_key_id = AKIA\nthis line is wrong\n")
    result = subprocess.run([BRUME_BIN, "serve", "--port", "0", "--credentials-file", str(path)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert f"{path} line 3" in result.stdout + result.stderr


def test_anonymous_form_upload_needs_public_write(server, owner, bucket):
    import requests

    fields = [("key", "form.txt"), ("acl", "public-read"),
              ("Content-Type", "text/plain"), ("file", "form body")]
    response = requests.post(f"{server.endpoint}/{bucket}", files=fields, timeout=10)
    assert response.status_code == 403
    assert b"<Code>AccessDenied</Code>" in response.content

    name = acl_bucket(owner)
    owner.put_bucket_acl(Bucket=name, ACL="public-read-write")
    response = requests.post(f"{server.endpoint}/{name}", files=fields, timeout=10)
    assert response.status_code == 204
    assert owner.get_object(Bucket=name, Key="form.txt")["Body"].read() == b"form body"


def test_role_principal_covers_its_sessions(server, bucket, owner):
    role_arn = f"arn:aws:iam::{OTHER[2]}:role/readers/reader"
    owner.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": role_arn},
                       "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    sts = server.client("sts", access_key=OTHER[0], secret_key=OTHER[1])
    session = sts.assume_role(RoleArn=role_arn, RoleSessionName="job")["Credentials"]
    as_role = server.client("s3", access_key=session["AccessKeyId"],
                            secret_key=session["SecretAccessKey"],
                            session_token=session["SessionToken"])
    assert as_role.get_object(Bucket=bucket, Key="private.txt")["Body"].read() == b"secret"
    # The account's other identities are not that role.
    other_root = server.client("s3", access_key=OTHER[0], secret_key=OTHER[1])
    assert error(other_root.get_object, Bucket=bucket, Key="private.txt") == (403, "AccessDenied")


def test_partial_wildcard_principal_rejected(bucket, owner):
    for principal in ["arn:aws:iam::2222*", "arn:aws:iam::*:root"]:
        policy = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "s3:GetObject",
             "Resource": f"arn:aws:s3:::{bucket}/*"}]})
        assert error(owner.put_bucket_policy, Bucket=bucket, Policy=policy) == (400, "MalformedPolicy")
