"""Shared pieces of the hardening scripts (attack, faults, tlsgrade, soak).

Everything talks to 127.0.0.1 only, every loop is bounded in count and time, and every process
started here is stopped here. The server is started through Tests/e2e/server.py's `Server`.
"""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "Tests" / "e2e"))

from server import (HOST, Server, build_request, client_context, free_port, make_certs,  # noqa: E402,F401
                    read_response, serving_pair_from, wait_until)

PROFILE = ROOT / "config" / "eci-profile.yaml"
NAMESPACES = ROOT / "config" / "samples" / "namespaces.yaml"
REVIEW_PATH = ROOT / "config" / "samples" / "review-batch-offline.json"
REVIEW = json.loads(REVIEW_PATH.read_text())
REVIEW_BYTES = json.dumps(REVIEW).encode()


# -- the binary and a work directory ------------------------------------------------------------------

def workdir(name: str) -> pathlib.Path:
    """A fresh temporary directory for one script run (kept when HARDENING_KEEP=1)."""
    return pathlib.Path(tempfile.mkdtemp(prefix=f"eci-{name}-"))


def binary(work: pathlib.Path) -> pathlib.Path:
    """The release binary, copied into `work` so that a concurrent rebuild cannot swap it mid-run.

    ECI_PROFILE_BIN names a prebuilt binary; otherwise `swift build -c release` is run (3 tries,
    a minute apart: other engineers may be editing sources).
    """
    source = os.environ.get("ECI_PROFILE_BIN")
    if not source:
        for attempt in range(3):
            build = subprocess.run(["swift", "build", "-c", "release", "--product", "eci-profile"], cwd=ROOT,
                                   capture_output=True, text=True, timeout=1800)
            if build.returncode == 0:
                break
            print(f"build failed (try {attempt + 1}/3):\n{build.stdout[-2000:]}{build.stderr[-2000:]}", file=sys.stderr)
            if attempt == 2:
                raise SystemExit(2)
            time.sleep(60)
        source = ROOT / ".build" / "release" / "eci-profile"
    target = work / "eci-profile"
    shutil.copy2(source, target)
    return target


def certs(work: pathlib.Path) -> pathlib.Path:
    """A dev CA and serving pair for localhost/127.0.0.1 (certs/gen-certs.sh)."""
    return make_certs(work / "certs")


# -- the process ---------------------------------------------------------------------------------------

def rss_kib(pid: int):
    """VmRSS of `pid` in KiB, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def fd_count(pid: int):
    """Open file descriptors of `pid`, or None when it is gone."""
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


class RSSSampler(threading.Thread):
    """Samples VmRSS every `interval` seconds until stopped; `peak` is the largest sample (KiB)."""

    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak = pid, interval, 0
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            value = rss_kib(self.pid)
            if value is not None:
                self.peak = max(self.peak, value)
            self._halt.wait(self.interval)

    def stop(self) -> int:
        self._halt.set()
        self.join(5)
        return self.peak


def metric(server: Server, name: str, **labels):
    """The sum of the samples of metric `name` on /metrics whose labels include `labels`, or None when
    there is none (or the metrics port does not answer)."""
    import urllib.request
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"http://{HOST}:{server.metrics_port}/metrics", timeout=3) as response:
            text = response.read().decode()
    except OSError:
        return None
    total = None
    for line in text.splitlines():
        match = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$', line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(2) or ""))
        if all(found.get(key) == value for key, value in labels.items()):
            total = (total or 0.0) + float(match.group(3))
    return total


# -- the legitimate client: h2load over HTTP/1.1 keep-alive at a fixed rate -----------------------------

class LegitLoad:
    """h2load --h1 with `connections` keep-alive connections at `rate` requests/s in total, for `seconds`.

    h2load is a C client, so its latencies are the server's, not a Python client's scheduling noise.
    Every request is logged (--log-file) and `result()` gives the success rate against the number of
    requests the schedule asked for, and the p99 latency.
    """

    def __init__(self, server: Server, work: pathlib.Path, seconds: float, rate: int = 200, connections: int = 4,
                 name: str = "legit", review: pathlib.Path = REVIEW_PATH):
        self.seconds, self.rate, self.connections = seconds, rate, connections
        self.log = work / f"{name}.tsv"
        self.out = work / f"{name}.out"
        per_client = max(1, rate // connections)
        self.expected = per_client * connections * int(seconds)
        self.argv = ["h2load", "--h1", "-t1", f"-c{connections}", f"--rps={per_client}", "-D", str(int(seconds)),
                     "-d", str(review), "-H", "content-type: application/json", f"--log-file={self.log}",
                     f"https://127.0.0.1:{server.port}/mutate"]
        self.process = None

    def start(self) -> "LegitLoad":
        self._out = open(self.out, "wb")
        self.process = subprocess.Popen(self.argv, stdout=self._out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        return self

    def wait(self) -> dict:
        try:
            self.process.wait(self.seconds + 30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self._out.close()
        return self.result()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)

    def result(self) -> dict:
        durations, ok, bad, statuses = [], 0, 0, {}
        if self.log.exists():
            for line in self.log.read_text().splitlines():
                parts = line.split("\t")
                if len(parts) < 3:
                    continue
                status, micros = int(parts[1]), int(parts[2])
                durations.append(micros / 1000.0)
                statuses[status] = statuses.get(status, 0) + 1
                if status == 200:
                    ok += 1
                else:
                    bad += 1
        out = self.out.read_text(errors="replace") if self.out.exists() else ""
        summary = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, "
                            r"(\d+) errored, (\d+) timeout", out)
        errored, timeouts = (int(summary.group(6)), int(summary.group(7))) if summary else (0, 0)
        durations.sort()
        answered_or_lost = ok + bad + errored + timeouts
        return {"ok": ok, "bad": bad, "statuses": statuses, "errored": errored, "timeout": timeouts, "asked": self.expected,
                "success": 100.0 * ok / answered_or_lost if answered_or_lost else 0.0,
                "delivered": 100.0 * answered_or_lost / self.expected if self.expected else 0.0,
                "p99": percentile(durations, 99), "p50": percentile(durations, 50),
                "max": durations[-1] if durations else None, "h2load": summary.group(0) if summary else out[-300:]}


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[index]


# -- output -----------------------------------------------------------------------------------------------

def table(headers, rows) -> str:
    """A plain-text table."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(c.ljust(widths[i]) for i, c in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def mib(kib) -> str:
    return "-" if kib is None else f"{kib / 1024:.1f}"


def fmt_ms(value) -> str:
    return "-" if value is None else f"{value:.2f}"
