#!/usr/bin/env python3
"""Benchmark brume against moto_server and a static nginx ceiling.

Starts each server on its own free loopback port, one at a time, and drives
it with brume_loadgen: SigV4-signed requests over keep-alive connections.
Reports requests/s, p50 and p99 latency and errors per workload, the ratios
brume/moto and brume/ceiling, startup time and resident memory. See
bench/README.md for what each number means.

Usage: python3 bench/run.py [--quick] [--connections N] [--duration S]
                            [--json OUT]
"""

import argparse
import datetime
import getpass
import json
import os
import pathlib
import platform
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import boto3
import botocore.config
import botocore.exceptions

REPO = pathlib.Path(__file__).resolve().parents[1]
DEFAULT_BRUME = REPO / "build" / "src" / "cli" / "brume"

REGION = "us-east-1"
ACCESS_KEY_ID = "test"  # brume's default credentials for --verify-signatures
SECRET_ACCESS_KEY = "test"
BUCKET = "bench"
QUEUE = "bench"
LONG_POLL_QUEUE = "bench-long-poll"
TABLE = "bench"
MEMORY_QUEUE = "bench-memory"
MEMORY_TABLE = "bench-memory"

MIB = 1024 * 1024
GIB = 1024 * MIB
STARTUP_SAMPLES = 5
NGINX_BODY = '{"ceiling":true}'

# (workload, service it needs, nginx serves it as the ceiling), in run
# order. The large-object workloads run last, so that the peak RSS of the
# small-request workloads does not include objects a server keeps in memory.
WORKLOADS = [
    ("sts-get-caller-identity", "sts", True),
    ("s3-put-1k", "s3", True),
    ("s3-get-1k", "s3", True),
    ("sqs-send", "sqs", True),
    ("sqs-receive-delete", "sqs", True),
    ("sqs-long-poll", "sqs", False),
    ("ddb-put", "dynamodb", True),
    ("ddb-get", "dynamodb", True),
    ("ddb-query", "dynamodb", True),
    ("ddb-transact", "dynamodb", True),
    ("s3-put-1m", "s3", False),
    ("s3-get-1m", "s3", False),
    ("s3-put-stream", "s3", False),
    ("s3-get-stream", "s3", False),
]
SMALL_WORKLOADS = [name for name, _, small in WORKLOADS if small]
STREAM_WORKLOADS = ("s3-put-stream", "s3-get-stream")

# Goals printed next to the measurements; never asserted.
GOAL_STARTUP_MS = 10
GOAL_IDLE_MIB = 10
GOAL_CEILING_RATIO = 0.5
GOAL_MOTO_RATIO = 20
GOAL_P99_MS = 2
GOAL_P99_CONNECTIONS = 32
GOAL_STREAM_RATIO = 0.5


def log(message):
    print(message, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_kib(pid):
    """Return VmRSS of a process in KiB, or None when it has exited."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def http_answers(port, path, timeout=1.0):
    """Return True once a request to 127.0.0.1:port gets any HTTP status line
    (only 200 when path is /_brume/health)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                "Connection: close\r\n\r\n".encode()
            )
            status_line = b""
            while b"\r\n" not in status_line:
                chunk = sock.recv(4096)
                if not chunk:
                    return False
                status_line += chunk
    except OSError:
        return False
    if path == "/_brume/health":
        return status_line.startswith(b"HTTP/1.1 200")
    return status_line.startswith(b"HTTP/")


class Server:
    """A server process on a loopback port. stop() ends it by PID."""

    name = "server"
    probe_path = "/"

    def __init__(self, work_dir):
        self.work_dir = work_dir
        self.port = None
        self.process = None
        self.log_path = work_dir / f"{self.name}.log"

    def command(self):
        raise NotImplementedError

    def start(self, timeout=60.0):
        """Start the server and return the seconds until it first responded."""
        self.port = free_port()
        log_file = open(self.log_path, "ab")
        started = time.perf_counter()
        self.process = subprocess.Popen(
            self.command(),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log_file.close()
        deadline = started + timeout
        while time.perf_counter() < deadline:
            if http_answers(self.port, self.probe_path):
                return time.perf_counter() - started
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with status {self.process.returncode} "
                    f"during startup; log: {self.log_path}"
                )
            time.sleep(0.0002)
        self.stop()
        raise RuntimeError(
            f"{self.name} did not respond to GET {self.probe_path} within {timeout} s; "
            f"see its log {self.log_path}"
        )

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            log(f"{self.name} (pid {self.process.pid}) ignored SIGTERM for 10 s; sending SIGKILL")
            self.process.kill()
            self.process.wait()

    @property
    def pid(self):
        return self.process.pid

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"


class BrumeServer(Server):
    name = "brume"
    probe_path = "/_brume/health"

    def __init__(self, work_dir, binary, verify_signatures):
        super().__init__(work_dir)
        self.binary = binary
        self.verify_signatures = verify_signatures

    def command(self):
        args = [str(self.binary), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if self.verify_signatures:
            args.append("--verify-signatures")
        return args


class MotoServer(Server):
    name = "moto"

    def command(self):
        # moto_server's own entry point, run by this python3 directly so that
        # a version manager's shim script does not add to the startup time.
        return [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]


class NginxServer(Server):
    name = "nginx"

    def __init__(self, work_dir, binary):
        super().__init__(work_dir)
        self.binary = binary
        self.prefix = work_dir / "nginx"

    def write_config(self):
        self.prefix.mkdir(exist_ok=True)
        temp_paths = "\n".join(
            f"  {kind}_temp_path {self.prefix / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        # A master running as root would start its workers as "nobody".
        user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
        config = f"""
{user}
worker_processes auto;
pid {self.prefix / 'nginx.pid'};
error_log {self.prefix / 'error.log'} warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
{temp_paths}
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  client_max_body_size 0;
  server {{
    listen 127.0.0.1:{self.port};
    location / {{
      default_type application/json;
      return 200 '{NGINX_BODY}';
    }}
  }}
}}
"""
        path = self.prefix / "nginx.conf"
        path.write_text(config)
        return path

    def command(self):
        config = self.write_config()
        return [
            str(self.binary), "-p", str(self.prefix), "-c", str(config),
            "-e", str(self.prefix / "error.log"), "-g", "daemon off;",
        ]


class MemorySampler:
    """Sampler of a process's VmRSS every 50 ms in a thread, keeping the peak."""

    def __init__(self, pid):
        self.pid = pid
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            value = rss_kib(self.pid)
            if value is not None:
                self.peak_kib = max(self.peak_kib, value)
            self._stop.wait(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def aws_client(service, endpoint):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY_ID,
        aws_secret_access_key=SECRET_ACCESS_KEY,
        config=botocore.config.Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30),
    )


def create_table(client, name):
    client.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = client.describe_table(TableName=name)["Table"]["TableStatus"]
        if status == "ACTIVE":
            return
        time.sleep(0.05)
    raise RuntimeError(f"timed out after 30 s waiting for table {name} to become ACTIVE")


def describe_error(error):
    if isinstance(error, botocore.exceptions.ClientError):
        info = error.response.get("Error", {})
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        text = f"HTTP {status} {info.get('Code', '?')}: {info.get('Message', '')}"
    else:
        text = f"{type(error).__name__}: {error}"
    return " ".join(text.split())[:200]


def prepare_services(server):
    """Probe each service with real signed requests that also create the
    bucket, queues and table the workloads use. Return (served, missing,
    resources): {service: True}, {service: why it is not served} and the
    queue URLs."""
    endpoint = server.endpoint
    served, missing = {}, {}
    resources = {}

    def probe(service, action):
        try:
            action()
            served[service] = True
        except Exception as error:  # any failure counts as not served
            missing[service] = describe_error(error)

    probe("sts", lambda: aws_client("sts", endpoint).get_caller_identity())
    probe("s3", lambda: aws_client("s3", endpoint).create_bucket(Bucket=BUCKET))

    def create_queues():
        sqs = aws_client("sqs", endpoint)
        resources["queue_url"] = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
        resources["long_poll_queue_url"] = sqs.create_queue(QueueName=LONG_POLL_QUEUE)["QueueUrl"]

    probe("sqs", create_queues)
    probe("dynamodb", lambda: create_table(aws_client("dynamodb", endpoint), TABLE))
    return served, missing, resources


class Loadgen:
    """Runs brume_loadgen and returns its JSON report."""

    def __init__(self, binary, connections, duration):
        self.binary = binary
        self.connections = connections
        self.duration = duration

    def run(self, server, workload, extra=(), connections=None, timeout=30):
        args = [
            str(self.binary), "--port", str(server.port), "--workload", workload,
            "--connections", str(connections or self.connections),
            "--duration", str(self.duration), "--timeout", str(timeout),
            "--access-key-id", ACCESS_KEY_ID, "--secret-access-key", SECRET_ACCESS_KEY,
            "--region", REGION, *extra,
        ]
        # The loadgen bounds itself (duration plus timeout); this outer limit
        # only catches a hung loadgen.
        limit = self.duration + timeout + 60
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=limit)
        except subprocess.TimeoutExpired:
            return failed_report(workload, f"brume_loadgen did not exit within {limit:.0f} s")
        if done.returncode != 0:
            return failed_report(
                workload, f"brume_loadgen failed with exit status {done.returncode}: {done.stderr.strip()[:300]}"
            )
        try:
            return json.loads(done.stdout)
        except json.JSONDecodeError:
            return failed_report(workload, f"brume_loadgen printed invalid JSON: {done.stdout[:300]}")


def failed_report(workload, message):
    return {
        "workload": workload, "operations": 0, "ops_per_s": 0.0, "errors": 1,
        "error_samples": [message], "empty_receives": 0, "mb_per_s": 0.0,
        "latency_ms": {"p50": 0.0, "p99": 0.0},
    }


def workload_args(name, resources, stream_file, stream_bytes, download_file, static):
    args = ["--bucket", BUCKET, "--table", TABLE]
    if name == "sqs-long-poll":
        args += ["--queue-url", resources.get("long_poll_queue_url", "")]
    else:
        args += ["--queue-url", resources.get("queue_url", "http://127.0.0.1/000000000000/static")]
    if name == "s3-put-stream":
        args += ["--file", str(stream_file), "--stream-bytes", str(stream_bytes)]
    if name == "s3-get-stream":
        args += ["--file", str(download_file), "--stream-bytes", str(stream_bytes)]
    if static:
        args.append("--static")
    return args


def measure_startup(server_factory, samples):
    """Start and stop a fresh server `samples` times and return the startup
    times in ms."""
    times = []
    for _ in range(samples):
        server = server_factory()
        try:
            times.append(server.start() * 1000)
        finally:
            server.stop()
    return times


def make_stream_file(path, size):
    """Write `size` bytes of incompressible data (a random 1 MiB block
    repeated) to `path`."""
    block = os.urandom(MIB)
    with open(path, "wb") as out:
        remaining = size
        while remaining > 0:
            out.write(block[: min(remaining, MIB)])
            remaining -= min(remaining, MIB)


def measure_copy_rate(source, work_dir, size):
    """Return the median MB/s of three `cp --reflink=never` runs of `source`
    to a file in the same directory (page cache included, no fsync)."""
    rates = []
    target = work_dir / "copy-target.bin"
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(["cp", "--reflink=never", str(source), str(target)], check=True)
        elapsed = time.perf_counter() - started
        rates.append(size / MIB / elapsed)
        target.unlink()
    return statistics.median(rates)


def measure_memory(server_factory, servers, loadgen, service, count):
    """Start a fresh brume, write `count` SQS messages or DynamoDB items to
    it and return its resident memory before and after, so that earlier
    workloads do not count."""
    server = server_factory()
    servers.append(server)
    try:
        server.start()
        endpoint = server.endpoint
        if service == "sqs":
            queue_url = aws_client("sqs", endpoint).create_queue(QueueName=MEMORY_QUEUE)["QueueUrl"]
            extra = ["--queue-url", queue_url, "--count", str(count)]
            workload = "sqs-fill"
        else:
            create_table(aws_client("dynamodb", endpoint), MEMORY_TABLE)
            extra = ["--table", MEMORY_TABLE, "--count", str(count)]
            workload = "ddb-fill"
        time.sleep(0.2)
        before = rss_kib(server.pid)
        report = loadgen.run(server, workload, extra, connections=max(loadgen.connections, 4), timeout=900)
        time.sleep(0.5)
        after = rss_kib(server.pid) if not report["errors"] else None
    finally:
        server.stop()
        servers.remove(server)
    return {"count": count, "rss_before_kib": before, "rss_kib": after, "fill": report}


def run_system(server, loadgen, stream, results, notes):
    """Run every workload the server serves and store each report in
    results[workload][server name]."""
    name = server.name
    static = name == "nginx"
    if static:
        served, missing, resources = {s: True for _, s, _ in WORKLOADS}, {}, {}
    else:
        served, missing, resources = prepare_services(server)
        for service, reason in missing.items():
            note = f"skipped: {name} does not serve {service} yet ({reason})"
            notes.append(note)
            log(note)

    peaks = {}
    for workload, service, small in WORKLOADS:
        if static and not small:
            continue
        if not served.get(service):
            continue
        extra = workload_args(workload, resources, stream["file"], stream["bytes"], stream["download"], static)
        connections = 1 if workload in STREAM_WORKLOADS else None
        timeout = 900 if workload in STREAM_WORKLOADS else 30
        log(f"{name}: {workload}")
        with MemorySampler(server.pid) as sampler:
            report = loadgen.run(server, workload, extra, connections=connections, timeout=timeout)
        report["peak_rss_kib"] = sampler.peak_kib
        peaks[workload] = sampler.peak_kib
        if workload == "sqs-receive-delete" and report.get("empty_receives"):
            notes.append(
                f"{name} sqs-receive-delete: {report['empty_receives']} receives found the queue "
                "empty (sqs-send did not leave enough messages); those count as operations"
            )
        if report["errors"]:
            sample = report["error_samples"][0][:160].replace("\n", " ") if report["error_samples"] else ""
            log(f"  {report['errors']} errors, first: {sample}")
        results.setdefault(workload, {})[name] = report
    return served, peaks


def start_measured(server_factory, system_info, samples, servers):
    """Measure the startup time, then start the server that the workloads
    use (added to `servers`) and record its idle memory."""
    times = measure_startup(server_factory, samples)
    system_info["startup_ms"] = {"median": statistics.median(times), "samples": times}
    server = server_factory()
    servers.append(server)
    server.start()
    time.sleep(0.2)
    system_info["idle_rss_kib"] = rss_kib(server.pid)
    return server


def parse_args():
    parser = argparse.ArgumentParser(
        description="Benchmark brume against moto_server and a static nginx ceiling."
    )
    parser.add_argument("--quick", action="store_true",
                        help="run every workload briefly (1 s, 4 connections, 10,000 messages and items, "
                             "16 MiB streams); exit non-zero only when a workload had errors")
    parser.add_argument("--connections", type=int, help="keep-alive connections per workload (default 32, --quick 4)")
    parser.add_argument("--duration", type=float, help="seconds per workload (default 10, --quick 1)")
    parser.add_argument("--json", metavar="OUT", help="also write the results as JSON to this file")
    parser.add_argument("--systems", default="brume,moto,nginx",
                        help="comma-separated systems to run (default brume,moto,nginx)")
    parser.add_argument("--verify-signatures", action="store_true",
                        help="start brume with --verify-signatures (default: brume's default, off)")
    args = parser.parse_args()
    args.connections = args.connections or (4 if args.quick else 32)
    args.duration = args.duration or (1.0 if args.quick else 10.0)
    args.systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = set(args.systems) - {"brume", "moto", "nginx"}
    if unknown:
        parser.error(f"unknown --systems entries {sorted(unknown)}; expected brume, moto or nginx")
    if args.connections < 1:
        parser.error("--connections must be at least 1")
    if args.duration <= 0:
        parser.error("--duration must be positive")
    return args


def find_binaries(args):
    brume = pathlib.Path(os.environ.get("BRUME_BIN", DEFAULT_BRUME))
    # brume_loadgen sits in the same build tree as brume: <build>/bench.
    loadgen = pathlib.Path(
        os.environ.get("BRUME_LOADGEN", brume.parent.parent.parent / "bench" / "brume_loadgen")
    )
    missing = []
    if "brume" in args.systems and not brume.is_file():
        missing.append(f"brume binary not found at {brume}")
    if not loadgen.is_file():
        missing.append(f"brume_loadgen not found at {loadgen}")
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if "nginx" in args.systems and nginx is None:
        missing.append("nginx not found; install the Debian package nginx-light")
    if missing:
        sys.exit(
            "error: " + "; ".join(missing) + ".\nBuild with: cmake -S . -B build -G Ninja "
            "-DCMAKE_BUILD_TYPE=Release && ninja -C build brume brume_loadgen "
            "(or set BRUME_BIN and BRUME_LOADGEN)"
        )
    return brume, loadgen, nginx


def machine_info():
    cpu = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_kib = 0
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                memory_kib = int(line.split()[1])
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(memory_kib / MIB, 1),
        "kernel": platform.release(),
        # Other work on the machine skews every figure; this shows how much.
        "load_average_1m_at_end": round(os.getloadavg()[0], 2),
    }


def interrupt_on_sigterm(signum, frame):
    """End the run as Ctrl-C does, so that the servers are stopped."""
    raise KeyboardInterrupt


def measure_brume_memory(factory, servers, loadgen, served, count, notes):
    """Return {service: memory figures} for SQS and DynamoDB, each measured
    on a fresh brume. A service that brume does not serve gets a note."""
    memory = {}
    for service, label in (("sqs", "messages"), ("dynamodb", "items")):
        if not served.get(service):
            note = f"skipped: brume does not serve {service} yet, so no memory figure for {count:,} {label}"
            notes.append(note)
            log(note)
            continue
        log(f"brume: memory holding {count:,} {service} {label} (fresh process)")
        memory[service] = measure_memory(factory, servers, loadgen, service, count)
    return memory


def run_benchmark(args, binaries, work_dir, servers):
    """Run every measurement and return the results document.

    `servers` lists the running servers, so that the caller can stop them
    when the run is interrupted."""
    brume_bin, loadgen_bin, nginx_bin = binaries
    memory_count = 10_000 if args.quick else 1_000_000
    stream_bytes = 16 * MIB if args.quick else GIB
    loadgen = Loadgen(loadgen_bin, args.connections, args.duration)
    stream = {
        "file": work_dir / "stream.bin",
        "download": work_dir / "stream-download.bin",
        "bytes": stream_bytes,
    }
    log(f"writing a {stream_bytes // MIB} MiB stream file in {work_dir}")
    make_stream_file(stream["file"], stream_bytes)
    copy_rate = measure_copy_rate(stream["file"], work_dir, stream_bytes)

    factories = {
        "brume": lambda: BrumeServer(work_dir, brume_bin, args.verify_signatures),
        "moto": lambda: MotoServer(work_dir),
        "nginx": lambda: NginxServer(work_dir, nginx_bin),
    }
    results, systems, memory, notes = {}, {}, {}, []
    for name in args.systems:
        info = systems.setdefault(name, {})
        log(f"{name}: measuring startup ({STARTUP_SAMPLES} starts)")
        server = start_measured(factories[name], info, STARTUP_SAMPLES, servers)
        served, peaks = run_system(server, loadgen, stream, results, notes)
        small_peaks = [peaks[w] for w in SMALL_WORKLOADS if w in peaks]
        info["loaded_rss_kib"] = max(small_peaks) if small_peaks else None
        server.stop()
        servers.remove(server)
        stream["download"].unlink(missing_ok=True)
        if name == "brume":
            memory = measure_brume_memory(factories[name], servers, loadgen, served, memory_count, notes)

    output = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": "python3 bench/run.py " + " ".join(shlex.quote(a) for a in sys.argv[1:]),
        "machine": machine_info(),
        "settings": {
            "quick": args.quick, "connections": args.connections, "duration_s": args.duration,
            "stream_bytes": stream_bytes, "memory_count": memory_count,
            "verify_signatures": args.verify_signatures,
        },
        "systems": systems,
        "workloads": results,
        "copy_mb_per_s": copy_rate,
        "memory": memory,
        "notes": notes,
    }
    add_ratios(output)
    output["goals"] = evaluate_goals(output)
    return output


def failed_workloads(output):
    """List the brume and nginx workloads that had errors. moto's own
    failures are printed but do not count, because moto is only the
    comparison."""
    failed = [
        f"{system} {workload}"
        for workload, by_system in output["workloads"].items()
        for system, report in by_system.items()
        if system != "moto" and report["errors"]
    ]
    failed += [
        f"brume {entry['fill']['workload']}"
        for entry in output["memory"].values()
        if entry["fill"]["errors"]
    ]
    return failed


def main():
    args = parse_args()
    binaries = find_binaries(args)
    signal.signal(signal.SIGTERM, interrupt_on_sigterm)
    servers = []
    with tempfile.TemporaryDirectory(prefix="brume-bench-") as temp:
        try:
            output = run_benchmark(args, binaries, pathlib.Path(temp), servers)
        except KeyboardInterrupt:
            log("interrupted; stopping servers")
            return 130
        finally:
            for server in servers:
                server.stop()

    print_report(output)
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(output, indent=2) + "\n")
    failed = failed_workloads(output)
    if failed:
        log("workloads with errors: " + ", ".join(failed))
        return 1
    return 0


def add_ratios(output):
    for workload, by_system in output["workloads"].items():
        brume = by_system.get("brume")
        if not brume or brume["errors"]:
            continue
        rate_key = "mb_per_s" if workload in STREAM_WORKLOADS else "ops_per_s"
        ratios = {}
        for other, key in (("moto", "vs_moto"), ("nginx", "vs_ceiling")):
            report = by_system.get(other)
            if report and not report["errors"] and report[rate_key] > 0:
                ratios[key] = brume[rate_key] / report[rate_key]
        if workload in STREAM_WORKLOADS and output["copy_mb_per_s"] > 0:
            ratios["vs_copy"] = brume["mb_per_s"] / output["copy_mb_per_s"]
        brume["ratios"] = ratios


def evaluate_goals(output):
    """List each goal with brume's measured value. `met` is None when the
    value was not measured."""
    goals = []
    brume = output["systems"].get("brume", {})

    def add(goal, value, met):
        goals.append({"goal": goal, "value": value, "met": met})

    startup = brume.get("startup_ms", {}).get("median")
    add(f"startup < {GOAL_STARTUP_MS} ms", fmt_ms(startup),
        None if startup is None else startup < GOAL_STARTUP_MS)
    idle = brume.get("idle_rss_kib")
    add(f"idle memory < {GOAL_IDLE_MIB} MiB", fmt_mib(idle),
        None if idle is None else idle / 1024 < GOAL_IDLE_MIB)
    connections = output["settings"]["connections"]
    for workload in SMALL_WORKLOADS:
        report = output["workloads"].get(workload, {}).get("brume")
        if not report:
            continue
        ratios = report.get("ratios", {})
        ceiling = ratios.get("vs_ceiling")
        moto = ratios.get("vs_moto")
        add(f"{workload} >= {GOAL_CEILING_RATIO:.0%} of ceiling", fmt_ratio(ceiling),
            None if ceiling is None else ceiling >= GOAL_CEILING_RATIO)
        add(f"{workload} >= {GOAL_MOTO_RATIO}x moto", fmt_ratio(moto),
            None if moto is None else moto >= GOAL_MOTO_RATIO)
        p99 = report["latency_ms"]["p99"] if not report["errors"] else None
        goal = f"{workload} p99 < {GOAL_P99_MS} ms at {GOAL_P99_CONNECTIONS} connections"
        if connections != GOAL_P99_CONNECTIONS:
            add(goal, f"{fmt_ms(p99)} at {connections} connections", None)
        else:
            add(goal, fmt_ms(p99), None if p99 is None else p99 < GOAL_P99_MS)
    for workload in STREAM_WORKLOADS:
        report = output["workloads"].get(workload, {}).get("brume")
        ratio = report.get("ratios", {}).get("vs_copy") if report else None
        add(f"{workload} >= {GOAL_STREAM_RATIO:.0%} of cp rate", fmt_ratio(ratio),
            None if ratio is None else ratio >= GOAL_STREAM_RATIO)
    return goals


def fmt_ms(value):
    if value is None:
        return "-"
    return f"{value:.3f} ms" if value < 1 else f"{value:.1f} ms"


def fmt_mib(kib):
    return "-" if kib is None else f"{kib / 1024:.1f} MiB"


def fmt_ratio(value):
    return "-" if value is None else f"{value:.2f}x"


def fmt_rate(value):
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}"


def print_table(headers, rows):
    widths = [max(len(str(row[i])) for row in [headers] + rows) for i in range(len(headers))]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths))
    print(line.rstrip())
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())
    print()


def print_report(output):
    settings = output["settings"]
    machine = output["machine"]
    print(f"brume benchmark, {output['date']}")
    print(f"machine: {machine['nproc']} CPUs, {machine['cpu']}, {machine['memory_gib']} GiB memory, "
          f"load average {machine['load_average_1m_at_end']} at the end")
    print(f"command: {output['command']}")
    print(f"{settings['connections']} connections, {settings['duration_s']:g} s per workload"
          f"{' (--quick)' if settings['quick'] else ''}")
    print()

    rows = []
    for workload, _, _ in WORKLOADS:
        by_system = output["workloads"].get(workload, {})
        stream = workload in STREAM_WORKLOADS
        for system in ("brume", "moto", "nginx"):
            report = by_system.get(system)
            if not report:
                continue
            ratios = report.get("ratios", {})
            rate = report["mb_per_s"] if stream else report["ops_per_s"]
            rows.append([
                workload if system == next(iter(by_system)) else "",
                system,
                fmt_rate(rate) + (" MB/s" if stream else ""),
                fmt_ms(report["latency_ms"]["p50"]),
                fmt_ms(report["latency_ms"]["p99"]),
                report["errors"],
                fmt_ratio(ratios.get("vs_moto")) if system == "brume" else "",
                fmt_ratio(ratios.get("vs_ceiling") or ratios.get("vs_copy")) if system == "brume" else "",
            ])
    print_table(["workload", "system", "req/s", "p50", "p99", "errors", "brume/moto", "brume/ceiling"], rows)
    print(f"Streams are one {settings['stream_bytes'] // MIB} MiB object over one connection; "
          f"their ceiling is cp --reflink=never of the same file: {output['copy_mb_per_s']:,.0f} MB/s. "
          "sqs-long-poll latency runs from SendMessage to the waiting ReceiveMessage's response.")
    print()

    systems = output["systems"]
    rows = []
    for name in ("brume", "moto", "nginx"):
        info = systems.get(name)
        if not info:
            continue
        startup = info.get("startup_ms", {})
        rows.append([
            name,
            fmt_ms(startup.get("median")),
            fmt_mib(info.get("idle_rss_kib")) if name != "nginx" else "-",
            fmt_mib(info.get("loaded_rss_kib")) if name != "nginx" else "-",
        ])
    print_table(["system", f"startup (median of {STARTUP_SAMPLES})", "idle RSS", "peak RSS under load"], rows)

    for service, label in (("sqs", "SQS messages"), ("dynamodb", "DynamoDB items")):
        entry = output["memory"].get(service)
        if not entry:
            continue
        fill = entry["fill"]
        if fill["errors"]:
            print(f"brume RSS holding {entry['count']:,} {label}: not measured, the fill had {fill['errors']} errors")
            continue
        per_entry = (entry["rss_kib"] - entry["rss_before_kib"]) * 1024 / entry["count"]
        print(f"brume RSS holding {entry['count']:,} {label}: {fmt_mib(entry['rss_kib'])} "
              f"({fmt_mib(entry['rss_before_kib'])} before, about {per_entry:,.0f} bytes each; "
              f"written at {fill['ops_per_s']:,.0f} batch requests/s)")
    if settings["quick"]:
        print(f"(--quick: memory figures hold {settings['memory_count']:,} instead of 1,000,000)")
    print()

    rows = [[g["goal"], g["value"], {True: "met", False: "not met", None: "not measured"}[g["met"]]]
            for g in output["goals"]]
    print_table(["goal", "brume", "status"], rows)

    for note in output["notes"]:
        print(f"note: {note}")
    if any(r["errors"] for by_system in output["workloads"].values()
           for system, r in by_system.items() if system == "moto"):
        print("note: moto's own errors are shown but do not fail the run; brume's and nginx's do")
    for workload, by_system in output["workloads"].items():
        for system, report in by_system.items():
            if report["errors"]:
                sample = report["error_samples"][0][:160].replace("\n", " ") if report["error_samples"] else ""
                print(f"errors: {system} {workload}: {report['errors']}, first: {sample}")


if __name__ == "__main__":
    sys.exit(main())
