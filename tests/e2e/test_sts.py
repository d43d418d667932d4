"""STS through the AWS CLI and boto3: every operation of the model, its
output formats and its error paths."""

import base64
import datetime
import json
import re
import urllib.request
import xml.etree.ElementTree as ElementTree

import botocore
import botocore.config
import pytest
from botocore.exceptions import ClientError

from conftest import Brume, http_request

ROLE_ARN = "arn:aws:iam::111122223333:role/app/deployer"
SAML_PROVIDER_ARN = "arn:aws:iam::111122223333:saml-provider/Corp"
ACCESS_KEY_RE = re.compile(r"^ASIA[A-Z0-9]{16}$")


def error_of(excinfo):
    """Return (code, message, HTTP status) of a botocore ClientError."""
    response = excinfo.value.response
    return (response["Error"]["Code"], response["Error"]["Message"],
            response["ResponseMetadata"]["HTTPStatusCode"])


def seconds_until(server, expiration):
    """Seconds from brume's clock to `expiration`. Other tests may have moved
    that clock ahead of real time through /_brume/clock."""
    with urllib.request.urlopen(server.endpoint + "/_brume/clock", timeout=5) as response:
        now_ms = json.loads(response.read())["now_ms"]
    now = datetime.datetime.fromtimestamp(now_ms / 1000, datetime.timezone.utc)
    return (expiration - now).total_seconds()


def jwt(payload):
    def b64url(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    header = b64url(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    return f"{header}.{b64url(json.dumps(payload).encode())}.c2lnbmF0dXJl"


def saml_response(session_name, role_pair, not_on_or_after="2999-01-01T00:00:00Z"):
    xml = f"""<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">
  <saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion">
    <saml2:Issuer>https://idp.example.com/saml</saml2:Issuer>
    <saml2:Subject>
      <saml2:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">alice</saml2:NameID>
      <saml2:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
        <saml2:SubjectConfirmationData NotOnOrAfter="{not_on_or_after}" Recipient="https://signin.aws.amazon.com/saml"/>
      </saml2:SubjectConfirmation>
    </saml2:Subject>
    <saml2:AttributeStatement>
      <saml2:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role">
        <saml2:AttributeValue>{role_pair}</saml2:AttributeValue>
      </saml2:Attribute>
      <saml2:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName">
        <saml2:AttributeValue>{session_name}</saml2:AttributeValue>
      </saml2:Attribute>
      <saml2:Attribute Name="https://aws.amazon.com/SAML/Attributes/SessionDuration">
        <saml2:AttributeValue>1800</saml2:AttributeValue>
      </saml2:Attribute>
    </saml2:AttributeStatement>
  </saml2:Assertion>
</samlp:Response>"""
    return base64.b64encode(xml.encode()).decode()


@pytest.fixture
def sts(brume):
    return brume.client("sts")


@pytest.fixture
def unsigned_sts(brume):
    return brume.client("sts", signature_version=botocore.UNSIGNED)


def assume(sts, **extra):
    params = {"RoleArn": ROLE_ARN, "RoleSessionName": "build-1", **extra}
    return sts.assume_role(**params)


def client_for(brume, credentials, service="sts"):
    return brume.client(service, access_key=credentials["AccessKeyId"],
                        secret_key=credentials["SecretAccessKey"],
                        session_token=credentials["SessionToken"])


# AWS CLI


def test_cli_caller_identity_default_account(brume):
    _, identity, _ = brume.cli("sts", "get-caller-identity")
    assert identity["Account"] == "000000000000"
    assert identity["Arn"] == "arn:aws:iam::000000000000:root"
    assert identity["UserId"] == "000000000000"


def test_cli_twelve_digit_key_is_account(brume):
    env = brume.env(AWS_ACCESS_KEY_ID="123456789012")
    _, identity, _ = brume.cli("sts", "get-caller-identity", env=env)
    assert identity["Account"] == "123456789012"
    assert identity["Arn"] == "arn:aws:iam::123456789012:root"


def test_cli_assume_role(brume):
    _, output, _ = brume.cli("sts", "assume-role", "--role-arn", ROLE_ARN,
                             "--role-session-name", "cli-session")
    assert ACCESS_KEY_RE.match(output["Credentials"]["AccessKeyId"])
    assert output["AssumedRoleUser"]["Arn"] == \
        "arn:aws:sts::111122223333:assumed-role/deployer/cli-session"


def test_cli_web_identity_unsigned(brume):
    # The CLI sends AssumeRoleWithWebIdentity unsigned, as its model allows.
    token = jwt({"iss": "https://issuer.example.com", "sub": "cli-subject", "aud": "cli"})
    _, output, _ = brume.cli("sts", "assume-role-with-web-identity", "--role-arn", ROLE_ARN,
                             "--role-session-name", "cli-web", "--web-identity-token", token)
    assert output["SubjectFromWebIdentityToken"] == "cli-subject"
    assert output["AssumedRoleUser"]["Arn"] == \
        "arn:aws:sts::111122223333:assumed-role/deployer/cli-web"


def test_cli_validation_error_exit_code(brume):
    code, _, stderr = brume.cli("sts", "assume-role", "--role-arn", "arn:aws:iam::1:role/short-account-id",
                                "--role-session-name", "s1", check=False)
    # AWS CLI v1 exits 255 on a service error and v2 exits 254.
    assert code in (254, 255)
    assert "(ValidationError)" in stderr
    assert "AssumeRole" in stderr


# GetCallerIdentity and AssumeRole


def test_caller_identity_boto3(sts):
    identity = sts.get_caller_identity()
    assert identity["Account"] == "000000000000"
    assert identity["Arn"] == "arn:aws:iam::000000000000:root"
    assert identity["UserId"] == "000000000000"
    assert re.match(r"^[0-9a-f-]{36}$", identity["ResponseMetadata"]["RequestId"])


def test_assume_role_output_formats(brume, sts):
    output = assume(sts)
    credentials = output["Credentials"]
    assert ACCESS_KEY_RE.match(credentials["AccessKeyId"])
    assert len(credentials["SecretAccessKey"]) == 40
    assert len(credentials["SessionToken"]) > 100
    assert 3590 <= seconds_until(brume, credentials["Expiration"]) <= 3610
    user = output["AssumedRoleUser"]
    assert re.match(r"^AROA[A-Z0-9]{17}:build-1$", user["AssumedRoleId"])
    assert user["Arn"] == "arn:aws:sts::111122223333:assumed-role/deployer/build-1"
    assert "PackedPolicySize" not in output


def test_assume_role_duration_seconds(brume, sts):
    output = assume(sts, DurationSeconds=900)
    assert 890 <= seconds_until(brume, output["Credentials"]["Expiration"]) <= 910
    output = assume(sts, DurationSeconds=43200)
    assert 43190 <= seconds_until(brume, output["Credentials"]["Expiration"]) <= 43210


def test_assumed_role_credentials_work(brume, sts):
    output = assume(sts, RoleSessionName="worker")
    identity = client_for(brume, output["Credentials"]).get_caller_identity()
    assert identity["Arn"] == "arn:aws:sts::111122223333:assumed-role/deployer/worker"
    assert identity["Account"] == "111122223333"
    assert identity["UserId"] == output["AssumedRoleUser"]["AssumedRoleId"]


def test_assume_role_same_role_id(sts):
    first = assume(sts)["AssumedRoleUser"]["AssumedRoleId"]
    second = assume(sts, RoleSessionName="other")["AssumedRoleUser"]["AssumedRoleId"]
    assert first.split(":")[0] == second.split(":")[0]


def test_assume_role_policy_and_tags(sts):
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
    output = assume(sts, Policy=policy,
                    PolicyArns=[{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
                    Tags=[{"Key": "team", "Value": "core"}], TransitiveTagKeys=["team"],
                    SourceIdentity="alice", ExternalId="ext-123")
    assert 0 < output["PackedPolicySize"] <= 100
    assert output["SourceIdentity"] == "alice"


def test_source_identity_passes_to_chained_role(brume, sts):
    first = assume(sts, SourceIdentity="alice")
    chained = client_for(brume, first["Credentials"]).assume_role(
        RoleArn="arn:aws:iam::111122223333:role/next", RoleSessionName="hop")
    assert chained["SourceIdentity"] == "alice"
    assert chained["AssumedRoleUser"]["Arn"] == "arn:aws:sts::111122223333:assumed-role/next/hop"


def test_role_chaining_limited_to_one_hour(brume, sts):
    first = assume(sts)
    with pytest.raises(ClientError) as excinfo:
        client_for(brume, first["Credentials"]).assume_role(
            RoleArn=ROLE_ARN, RoleSessionName="hop", DurationSeconds=7200)
    code, message, status = error_of(excinfo)
    assert code == "ValidationError"
    assert status == 400
    assert "1 hour session limit for roles assumed by role chaining" in message


# AssumeRole errors


def test_assume_role_invalid_arn(sts):
    arn = "arn:aws:iam::111122223333:user/not-a-role"
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=arn, RoleSessionName="s1")
    assert error_of(excinfo) == ("ValidationError", f"{arn} is invalid", 400)
    assert excinfo.value.response["Error"]["Type"] == "Sender"


def test_assume_role_session_name_pattern(sts):
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="has space")
    assert error_of(excinfo) == (
        "ValidationError",
        "1 validation error detected: Value 'has space' at 'roleSessionName' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
        400)


def test_assume_role_session_name_length(brume):
    # botocore checks minimum lengths itself, so its validation is off here.
    sts = brume.client("sts", parameter_validation=False)
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="x")
    code, message, status = error_of(excinfo)
    assert code == "ValidationError"
    assert status == 400
    assert "'roleSessionName'" in message
    assert "greater than or equal to 2" in message
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="x" * 65)
    assert "less than or equal to 64" in error_of(excinfo)[1]


def test_assume_role_duration_out_of_range(brume):
    sts = brume.client("sts", parameter_validation=False)
    for duration, bound in [(899, "greater than or equal to 900"),
                            (43201, "less than or equal to 43200")]:
        with pytest.raises(ClientError) as excinfo:
            sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="s1", DurationSeconds=duration)
        code, message, status = error_of(excinfo)
        assert code == "ValidationError"
        assert status == 400
        assert f"Value '{duration}' at 'durationSeconds'" in message
        assert bound in message


def test_assume_role_missing_session_name(brume):
    sts = brume.client("sts", parameter_validation=False)
    with pytest.raises(ClientError) as excinfo:
        sts.assume_role(RoleArn=ROLE_ARN)
    code, message, status = error_of(excinfo)
    assert code == "ValidationError"
    assert status == 400
    assert "roleSessionName" in message


def test_assume_role_malformed_policy(sts):
    with pytest.raises(ClientError) as excinfo:
        assume(sts, Policy="{not json")
    code, _, status = error_of(excinfo)
    assert code == "MalformedPolicyDocument"
    assert status == 400


def test_assume_role_packed_policy_too_large(sts):
    # Random statement ids do not compress, so the packed size exceeds the limit.
    import secrets
    statements = [{"Sid": secrets.token_hex(16), "Effect": "Allow", "Action": "s3:GetObject",
                   "Resource": "*"} for _ in range(200)]
    policy = json.dumps({"Version": "2012-10-17", "Statement": statements})
    with pytest.raises(ClientError) as excinfo:
        assume(sts, Policy=policy)
    code, message, status = error_of(excinfo)
    assert code == "PackedPolicyTooLarge"
    assert status == 400
    assert re.match(r"^Packed policy consumes \d+% of allotted space", message)


def test_transitive_tag_key_without_tag(sts):
    with pytest.raises(ClientError) as excinfo:
        assume(sts, TransitiveTagKeys=["team"])
    code, _, status = error_of(excinfo)
    assert code == "InvalidParameterValue"
    assert status == 400


def test_expired_credentials_rejected(fresh_brume):
    # A brume of its own, because moving the clock would skew the expiration
    # checks of the other tests.
    output = assume(fresh_brume.client("sts"), DurationSeconds=900)
    client = client_for(fresh_brume, output["Credentials"])
    assert client.get_caller_identity()["Account"] == "111122223333"
    fresh_brume.advance_clock(901)
    with pytest.raises(ClientError) as excinfo:
        client.get_caller_identity()
    assert error_of(excinfo) == ("ExpiredToken",
                                 "The security token included in the request is expired", 403)


# GetSessionToken and GetFederationToken


def test_session_token_for_root_lasts_one_hour(brume, sts):
    output = sts.get_session_token(DurationSeconds=7200)
    credentials = output["Credentials"]
    assert ACCESS_KEY_RE.match(credentials["AccessKeyId"])
    assert 3590 <= seconds_until(brume, credentials["Expiration"]) <= 3610
    identity = client_for(brume, credentials).get_caller_identity()
    assert identity["Arn"] == "arn:aws:iam::000000000000:root"
    assert identity["Account"] == "000000000000"


def test_session_token_rejects_session_credentials(brume, sts):
    client = client_for(brume, assume(sts)["Credentials"])
    with pytest.raises(ClientError) as excinfo:
        client.get_session_token()
    assert error_of(excinfo) == ("AccessDenied",
                                 "Cannot call GetSessionToken with session credentials", 403)
    with pytest.raises(ClientError) as excinfo:
        client.get_federation_token(Name="bob")
    assert error_of(excinfo) == ("AccessDenied",
                                 "Cannot call GetFederationToken with session credentials", 403)


def test_session_token_mfa_format(brume):
    sts = brume.client("sts", parameter_validation=False)
    with pytest.raises(ClientError) as excinfo:
        sts.get_session_token(SerialNumber="arn:aws:iam::123456789012:mfa/user", TokenCode="12ab56")
    code, message, status = error_of(excinfo)
    assert code == "ValidationError"
    assert status == 400
    assert "'tokenCode'" in message


def test_federation_token(brume):
    sts = brume.client("sts", access_key="123456789012")
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]})
    output = sts.get_federation_token(Name="bob", Policy=policy, DurationSeconds=900)
    assert output["FederatedUser"] == {
        "FederatedUserId": "123456789012:bob",
        "Arn": "arn:aws:sts::123456789012:federated-user/bob",
    }
    assert 0 < output["PackedPolicySize"] <= 100
    assert 890 <= seconds_until(brume, output["Credentials"]["Expiration"]) <= 910
    identity = client_for(brume, output["Credentials"]).get_caller_identity()
    assert identity["Arn"] == "arn:aws:sts::123456789012:federated-user/bob"
    assert identity["UserId"] == "123456789012:bob"


def test_federation_token_name_pattern(sts):
    with pytest.raises(ClientError) as excinfo:
        sts.get_federation_token(Name="bob smith")
    code, message, _ = error_of(excinfo)
    assert code == "ValidationError"
    assert "'name'" in message


# GetAccessKeyInfo and DecodeAuthorizationMessage


def test_access_key_info(sts):
    key = assume(sts)["Credentials"]["AccessKeyId"]
    assert sts.get_access_key_info(AccessKeyId=key)["Account"] == "111122223333"
    assert sts.get_access_key_info(AccessKeyId="AKIAIOSFODNN7EXAMPLE")["Account"] == "000000000000"


def test_decode_authorization_message(sts):
    message = {"allowed": False, "explicitDeny": False,
               "context": {"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}}
    encoded = base64.b64encode(json.dumps(message).encode()).decode()
    decoded = sts.decode_authorization_message(EncodedMessage=encoded)["DecodedMessage"]
    assert json.loads(decoded) == message


def test_decode_authorization_message_invalid(sts):
    with pytest.raises(ClientError) as excinfo:
        sts.decode_authorization_message(EncodedMessage="not-an-encoded-message")
    code, _, status = error_of(excinfo)
    assert code == "InvalidAuthorizationMessageException"
    assert status == 400


# Web identity and SAML (unsigned requests)


def test_web_identity(brume, unsigned_sts):
    token = jwt({"iss": "https://token.actions.example.com", "sub": "repo:org/app",
                 "aud": "sts.amazonaws.com", "exp": 4102444800})
    output = unsigned_sts.assume_role_with_web_identity(
        RoleArn=ROLE_ARN, RoleSessionName="ci", WebIdentityToken=token, DurationSeconds=1200)
    assert output["SubjectFromWebIdentityToken"] == "repo:org/app"
    assert output["Provider"] == "https://token.actions.example.com"
    assert output["Audience"] == "sts.amazonaws.com"
    assert output["AssumedRoleUser"]["Arn"] == "arn:aws:sts::111122223333:assumed-role/deployer/ci"
    assert 1190 <= seconds_until(brume, output["Credentials"]["Expiration"]) <= 1210
    identity = client_for(brume, output["Credentials"]).get_caller_identity()
    assert identity["Arn"] == output["AssumedRoleUser"]["Arn"]


def test_web_identity_errors(unsigned_sts):
    with pytest.raises(ClientError) as excinfo:
        unsigned_sts.assume_role_with_web_identity(
            RoleArn=ROLE_ARN, RoleSessionName="ci", WebIdentityToken="opaque-access-token")
    code, _, status = error_of(excinfo)
    assert code == "InvalidIdentityToken"
    assert status == 400

    with pytest.raises(ClientError) as excinfo:
        unsigned_sts.assume_role_with_web_identity(
            RoleArn=ROLE_ARN, RoleSessionName="ci", WebIdentityToken=jwt({"sub": "u", "exp": 1000}))
    code, message, status = error_of(excinfo)
    assert code == "ExpiredTokenException"
    assert status == 400
    assert message.startswith("Token expired: current date/time ")

    with pytest.raises(ClientError) as excinfo:
        unsigned_sts.assume_role_with_web_identity(
            RoleArn="arn:aws:iam::111122223333:oidc-provider/token.example.com",
            RoleSessionName="ci", WebIdentityToken=jwt({"sub": "u"}))
    assert error_of(excinfo) == ("ValidationError", "Request ARN is invalid", 400)


def test_saml(brume, unsigned_sts):
    assertion = saml_response("alice", f"{ROLE_ARN},{SAML_PROVIDER_ARN}")
    output = unsigned_sts.assume_role_with_saml(
        RoleArn=ROLE_ARN, PrincipalArn=SAML_PROVIDER_ARN, SAMLAssertion=assertion)
    assert output["Subject"] == "alice"
    assert output["SubjectType"] == "persistent"
    assert output["Issuer"] == "https://idp.example.com/saml"
    assert output["Audience"] == "https://signin.aws.amazon.com/saml"
    expected_qualifier = base64.b64encode(__import__("hashlib").sha1(
        b"https://idp.example.com/saml111122223333/Corp").digest()).decode()
    assert output["NameQualifier"] == expected_qualifier
    assert output["AssumedRoleUser"]["Arn"] == \
        "arn:aws:sts::111122223333:assumed-role/deployer/alice"
    # The SessionDuration attribute sets the duration when DurationSeconds is absent.
    assert 1790 <= seconds_until(brume, output["Credentials"]["Expiration"]) <= 1810
    identity = client_for(brume, output["Credentials"]).get_caller_identity()
    assert identity["Arn"] == output["AssumedRoleUser"]["Arn"]


def test_saml_errors(unsigned_sts):
    other_role = "arn:aws:iam::111122223333:role/other"
    with pytest.raises(ClientError) as excinfo:
        unsigned_sts.assume_role_with_saml(
            RoleArn=ROLE_ARN, PrincipalArn=SAML_PROVIDER_ARN,
            SAMLAssertion=saml_response("alice", f"{other_role},{SAML_PROVIDER_ARN}"))
    code, _, status = error_of(excinfo)
    assert code == "AccessDenied"
    assert status == 403

    with pytest.raises(ClientError) as excinfo:
        unsigned_sts.assume_role_with_saml(
            RoleArn=ROLE_ARN, PrincipalArn=ROLE_ARN,
            SAMLAssertion=saml_response("alice", f"{ROLE_ARN},{SAML_PROVIDER_ARN}"))
    assert error_of(excinfo) == ("ValidationError", "Request ARN is invalid", 400)

    with pytest.raises(ClientError) as excinfo:
        unsigned_sts.assume_role_with_saml(
            RoleArn=ROLE_ARN, PrincipalArn=SAML_PROVIDER_ARN,
            SAMLAssertion=base64.b64encode(b"<not-saml").decode())
    code, _, status = error_of(excinfo)
    assert code == "InvalidIdentityToken"
    assert status == 400


# AssumeRoot and the operations brume lacks


def test_assume_root(brume, sts):
    output = sts.assume_root(
        TargetPrincipal="444455556666",
        TaskPolicyArn={"arn": "arn:aws:iam::aws:policy/root-task/SQSUnlockQueuePolicy"})
    assert ACCESS_KEY_RE.match(output["Credentials"]["AccessKeyId"])
    assert 890 <= seconds_until(brume, output["Credentials"]["Expiration"]) <= 910
    identity = client_for(brume, output["Credentials"]).get_caller_identity()
    assert identity["Arn"] == "arn:aws:iam::444455556666:root"
    assert identity["Account"] == "444455556666"


def test_assume_root_unknown_task_policy(sts):
    with pytest.raises(ClientError) as excinfo:
        sts.assume_root(TargetPrincipal="444455556666",
                        TaskPolicyArn={"arn": "arn:aws:iam::aws:policy/AdministratorAccess"})
    code, _, status = error_of(excinfo)
    assert code == "ValidationError"
    assert status == 400


def test_get_web_identity_token_not_implemented(sts):
    with pytest.raises(ClientError) as excinfo:
        sts.get_web_identity_token(Audience=["https://api.example.com"], SigningAlgorithm="RS256")
    code, message, status = error_of(excinfo)
    assert code == "NotImplemented"
    assert status == 501
    assert "GetWebIdentityToken" in message


# Query wire format


def test_query_response_xml(brume):
    body = b"Action=GetCallerIdentity&Version=2011-06-15"
    status, headers, payload = http_request(
        brume, "POST", "/", body,
        {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, service="sts")
    assert status == 200
    assert headers["content-type"].startswith("text/xml")
    assert re.match(r"^[0-9a-f-]{36}$", headers["x-amzn-requestid"])
    text = payload.decode()
    assert '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">' in text
    assert "<GetCallerIdentityResult>" in text
    assert "<Account>000000000000</Account>" in text
    assert f"<RequestId>{headers['x-amzn-requestid']}</RequestId>" in text


def test_query_get_request(brume):
    path = "/?Action=GetCallerIdentity&Version=2011-06-15"
    status, _, payload = http_request(brume, "GET", path, service="sts")
    assert status == 200
    assert b"<Arn>arn:aws:iam::000000000000:root</Arn>" in payload


def test_query_error_xml(brume):
    body = (b"Action=AssumeRole&Version=2011-06-15&RoleSessionName=s1"
            b"&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Auser%2Fbob")
    status, headers, payload = http_request(
        brume, "POST", "/", body, {"Content-Type": "application/x-www-form-urlencoded"},
        service="sts")
    assert status == 400
    text = payload.decode()
    assert '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">' in text
    assert "<Type>Sender</Type>" in text
    assert "<Code>ValidationError</Code>" in text
    assert "<Message>arn:aws:iam::111122223333:user/bob is invalid</Message>" in text
    assert f"<RequestId>{headers['x-amzn-requestid']}</RequestId>" in text


def test_query_unknown_action(brume):
    body = b"Action=GetNothing&Version=2011-06-15"
    status, _, payload = http_request(
        brume, "POST", "/", body, {"Content-Type": "application/x-www-form-urlencoded"},
        service="sts")
    assert status == 400
    assert b"<Code>InvalidAction</Code>" in payload


def test_region_in_arns(brume):
    sts = brume.client("sts", region_name="cn-north-1")
    assert sts.get_caller_identity()["Arn"] == "arn:aws-cn:iam::000000000000:root"


# Signature verification with issued credentials


@pytest.fixture
def verifying_brume():
    server = Brume(extra_args=["--verify-signatures"]).start()
    yield server
    server.stop()


def query_get(server, action, params=(), **credentials):
    """Call an STS action with a signed GET, whose signature covers no body."""
    from urllib.parse import urlencode
    query = urlencode([("Action", action), ("Version", "2011-06-15"), *params])
    status, _, body = http_request(server, "GET", f"/?{query}", service="sts", **credentials)
    return status, ElementTree.fromstring(body)


def find_text(root, name):
    return next(element.text for element in root.iter() if element.tag.endswith("}" + name))


def issue_verified(server, session_name):
    """AssumeRole on a verifying brume; returns the credentials as query_get takes them."""
    status, root = query_get(server, "AssumeRole",
                             [("RoleArn", ROLE_ARN), ("RoleSessionName", session_name)])
    assert status == 200
    return {"access_key": find_text(root, "AccessKeyId"),
            "secret_key": find_text(root, "SecretAccessKey"),
            "session_token": find_text(root, "SessionToken")}


def test_issued_secret_verifies_signatures(verifying_brume):
    # GET requests, whose signatures cover the query string instead of a body.
    credentials = issue_verified(verifying_brume, "verified")
    status, root = query_get(verifying_brume, "GetCallerIdentity", **credentials)
    assert status == 200
    assert find_text(root, "Arn") == "arn:aws:sts::111122223333:assumed-role/deployer/verified"

    status, root = query_get(verifying_brume, "GetCallerIdentity",
                             **dict(credentials, secret_key="x" * 40))
    assert status == 403
    assert find_text(root, "Code") == "SignatureDoesNotMatch"


def test_verified_post_accepted(verifying_brume):
    identity = verifying_brume.client("sts").get_caller_identity()
    assert identity["Account"] == "000000000000"


def test_verified_post_wrong_secret(verifying_brume):
    output = assume(verifying_brume.client("sts"))
    wrong_secret = dict(output["Credentials"], SecretAccessKey="x" * 40)
    with pytest.raises(ClientError) as excinfo:
        client_for(verifying_brume, wrong_secret).get_caller_identity()
    code, _, status = error_of(excinfo)
    assert code == "SignatureDoesNotMatch"
    assert status == 403


def test_wrong_session_token_rejected(verifying_brume):
    credentials = issue_verified(verifying_brume, "token-check")
    status, root = query_get(verifying_brume, "GetCallerIdentity",
                             **dict(credentials, session_token="not-the-issued-token"))
    assert status == 403
    assert find_text(root, "Code") == "InvalidClientTokenId"
