"""Issued credentials survive a crash: AssumeRole runs in a loop, brume is
killed with SIGKILL mid-loop, and after a restart on the same data dir every
credential whose response arrived still authenticates."""

import signal
import threading
import time

ROLE_ARN = "arn:aws:iam::111122223333:role/durable"
# Bounds of the AssumeRole loop: it stops at whichever comes first.
MAX_CALLS = 5000
MAX_LOOP_SECONDS = 20.0
# Acknowledged calls before the kill, so the check covers many commits.
MIN_ACKNOWLEDGED = 200


def identity_client(server, credentials):
    return server.client("sts", access_key=credentials["AccessKeyId"],
                         secret_key=credentials["SecretAccessKey"],
                         session_token=credentials["SessionToken"])


def test_credentials_survive_sigkill(fresh_brume):
    sts = fresh_brume.client("sts")
    acknowledged = []  # (session name, credentials) whose response arrived
    failures = []
    enough = threading.Event()

    def assume_loop():
        deadline = time.monotonic() + MAX_LOOP_SECONDS
        for index in range(MAX_CALLS):
            if time.monotonic() > deadline:
                return
            name = f"s{index}"
            try:
                output = sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName=name)
            except Exception as error:  # connection errors once the process is gone
                failures.append(error)
                return
            acknowledged.append((name, output["Credentials"]))
            if len(acknowledged) >= MIN_ACKNOWLEDGED:
                enough.set()

    worker = threading.Thread(target=assume_loop)
    worker.start()
    assert enough.wait(MAX_LOOP_SECONDS), \
        f"fewer than {MIN_ACKNOWLEDGED} AssumeRole calls succeeded in {MAX_LOOP_SECONDS} s"
    fresh_brume.kill9()
    worker.join(MAX_LOOP_SECONDS + 10)
    assert not worker.is_alive()
    assert fresh_brume.process.returncode == -signal.SIGKILL
    assert failures, "the loop ended before the kill, so the crash hit no write in flight"

    fresh_brume.start()
    for name, credentials in acknowledged:
        identity = identity_client(fresh_brume, credentials).get_caller_identity()
        assert identity["Arn"] == f"arn:aws:sts::111122223333:assumed-role/durable/{name}"
        assert identity["Account"] == "111122223333"


def test_sigterm_exits_zero_and_keeps_credentials(fresh_brume):
    output = fresh_brume.client("sts").assume_role(RoleArn=ROLE_ARN, RoleSessionName="graceful")
    assert fresh_brume.stop(signal.SIGTERM) == 0
    fresh_brume.start()
    identity = identity_client(fresh_brume, output["Credentials"]).get_caller_identity()
    assert identity["Arn"] == "arn:aws:sts::111122223333:assumed-role/durable/graceful"


def test_reset_forgets_credentials(fresh_brume):
    output = fresh_brume.client("sts").assume_role(RoleArn=ROLE_ARN, RoleSessionName="gone")
    client = identity_client(fresh_brume, output["Credentials"])
    assert client.get_caller_identity()["Account"] == "111122223333"
    fresh_brume.reset()
    fresh_brume.restart()
    # The key is unknown after the reset, so it is treated as a long-term key
    # of the default account rather than as the assumed role.
    identity = client.get_caller_identity()
    assert identity["Arn"] == "arn:aws:iam::000000000000:root"


def test_repeated_crashes(fresh_brume):
    sts = fresh_brume.client("sts")
    issued = []
    for round_index in range(3):
        output = sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName=f"round{round_index}")
        issued.append((f"round{round_index}", output["Credentials"]))
        fresh_brume.kill9()
        fresh_brume.start()
    for name, credentials in issued:
        identity = identity_client(fresh_brume, credentials).get_caller_identity()
        assert identity["Arn"].endswith(f"/durable/{name}")
