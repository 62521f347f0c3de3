"""Starting `eci-profile serve` on free loopback ports, and small HTTP/1.1 clients for the server tests.

Everything talks to 127.0.0.1 only; every wait has a deadline.
"""
import json
import pathlib
import shutil
import signal
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
READY_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy


def free_port() -> int:
    """A port the kernel considers free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def make_certs(out: pathlib.Path, *clients: str) -> pathlib.Path:
    """A CA and a dev serving certificate (localhost, 127.0.0.1) in `out`, plus client certificates."""
    script = ROOT / "certs" / "gen-certs.sh"
    subprocess.run(["bash", str(script), "--dev", "--out", str(out)], check=True, capture_output=True, timeout=60)
    for name in clients:
        subprocess.run(["bash", str(script), "--client", name, "--out", str(out)], check=True, capture_output=True, timeout=60)
    return out


def serving_pair_from(ca_dir: pathlib.Path, out: pathlib.Path) -> pathlib.Path:
    """A new serving certificate (new serial) in `out`, signed by the CA of `ca_dir`."""
    out.mkdir(parents=True, exist_ok=True)
    for name in ("ca.crt", "ca.key"):
        shutil.copy(ca_dir / name, out / name)
    return make_certs(out)


def client_context(ca: pathlib.Path, alpn=("http/1.1",), cert=None, key=None) -> ssl.SSLContext:
    """A verifying client context for `localhost` with the given ALPN list (None: offer none)."""
    context = ssl.create_default_context(cafile=str(ca))
    if alpn:
        context.set_alpn_protocols(list(alpn))
    if cert:
        context.load_cert_chain(str(cert), str(key))
    return context


class Server:
    """One `eci-profile serve` process on a free TLS port and a free metrics port."""

    def __init__(self, binary, certs: pathlib.Path, *args: str, profile=None, namespaces=None,
                 cert_args=None, log_dir: pathlib.Path = None, port: int = None):
        self.binary = pathlib.Path(binary)
        self.certs = certs
        self.ca = certs / "ca.crt"
        self.port = port or free_port()
        self.metrics_port = free_port()
        self.log_path = (log_dir or certs) / f"server-{self.port}.log"
        cert_args = cert_args if cert_args is not None else [
            "--tls-cert-file", str(certs / "tls.crt"), "--tls-private-key-file", str(certs / "tls.key")]
        self.argv = [str(self.binary), "serve", "--bind-address", HOST, "--port", str(self.port),
                     "--metrics-bind-address", f"{HOST}:{self.metrics_port}", *cert_args]
        if profile:
            self.argv += ["--profile-file", str(profile)]
        if namespaces:
            self.argv += ["--namespace-labels-file", str(namespaces)]
        if "--shutdown-delay" not in args:
            self.argv += ["--shutdown-delay", "0s"]
        self.argv += list(args)
        self.process = None

    # -- lifecycle ---------------------------------------------------------------------------------

    def spawn(self) -> "Server":
        """Starts the process without waiting for readiness (`stop` still cleans up)."""
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(self.argv, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        return self

    def start(self) -> "Server":
        self.spawn()
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited with {self.process.returncode}:\n{self.log()}")
            if self.metrics_status("/readyz") == 200:
                return self
            time.sleep(0.05)
        self.stop()
        raise AssertionError(f"server not ready within {READY_TIMEOUT}s:\n{self.log()}")

    def stop(self) -> int:
        """SIGTERM, then SIGKILL after STOP_TIMEOUT; returns the exit status."""
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._log.close()
        return self.process.returncode

    def log(self, tail: int | None = 4000) -> str:
        """The server's output: its last `tail` characters (for failure messages), or all of it (None)."""
        try:
            text = self.log_path.read_text(errors="replace")
            return text if tail is None else text[-tail:]
        except OSError:
            return ""

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- clients -----------------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return f"https://localhost:{self.port}{path}"

    def curl(self, *args: str, timeout: float = 20.0) -> subprocess.CompletedProcess:
        """curl against this server, trusting its CA."""
        return curl(self.port, "--cacert", str(self.ca), *args, timeout=timeout)

    def metrics_status(self, path: str, timeout: float = 2.0):
        """Status of a plain GET on the metrics port, or None when nothing answers."""
        try:
            with _DIRECT.open(f"http://{HOST}:{self.metrics_port}{path}", timeout=timeout) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except (OSError, ValueError):
            return None

    def metrics_page(self, timeout: float = 5.0):
        """GET /metrics on the metrics port: (Content-Type, text)."""
        with _DIRECT.open(f"http://{HOST}:{self.metrics_port}/metrics", timeout=timeout) as response:
            return response.headers["Content-Type"], response.read().decode()

    def metric_samples(self, text: str = None) -> dict:
        """Every sample of the /metrics page (`text`, or fetched now): {(name, sorted label pairs): value}."""
        # Imported here so the suites that never read metrics run without prometheus_client.
        from prometheus_client.parser import text_string_to_metric_families

        if text is None:
            text = self.metrics_page()[1]
        found = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
        return found

    def tls_socket(self, context: ssl.SSLContext = None, timeout: float = 10.0) -> ssl.SSLSocket:
        """A TLS connection to the webhook port (handshake done)."""
        context = context or client_context(self.ca)
        raw = socket.create_connection((HOST, self.port), timeout=timeout)
        try:
            return context.wrap_socket(raw, server_hostname="localhost")
        except BaseException:
            raw.close()
            raise

    def request(self, method: str, path: str, body: bytes = b"", headers=None, context=None, timeout: float = 10.0):
        """One request on a new connection: (status, headers, body)."""
        with self.tls_socket(context, timeout) as sock:
            sock.sendall(build_request(method, path, body, headers))
            return read_response(sock.makefile("rb"))

    def post_review(self, review: dict, path: str = "/mutate"):
        """POST an AdmissionReview on a new connection: (status, decoded JSON or raw body)."""
        status, _, body = self.request("POST", path, json.dumps(review).encode())
        try:
            return status, json.loads(body)
        except ValueError:
            return status, body


def build_request(method: str, path: str, body: bytes = b"", headers=None, content_type="application/json") -> bytes:
    """An HTTP/1.1 request with Host, Content-Type and Content-Length unless `headers` gives them."""
    fields = {"Host": "localhost"}
    if method in ("POST", "PUT"):
        if content_type:
            fields["Content-Type"] = content_type
        fields["Content-Length"] = str(len(body))
    fields.update(headers or {})
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items() if v is not None)
    return head.encode("latin-1") + b"\r\n" + body


def read_response(stream):
    """Reads one HTTP/1.1 response from a binary file object: (status, {lower name: value}, body).

    Raises ConnectionError when the connection ends before a status line.
    """
    line = stream.readline(65537)
    if not line:
        raise ConnectionError("connection closed before a response")
    parts = line.decode("latin-1").rstrip("\r\n").split(" ", 2)
    assert parts[0] == "HTTP/1.1", f"bad status line {line!r}"
    status = int(parts[1])
    headers = {}
    while True:
        line = stream.readline(65537)
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int(stream.readline().split(b";")[0].strip(), 16)
            if size == 0:
                while stream.readline() not in (b"\r\n", b"\n", b""):
                    pass
                break
            body += stream.read(size)
            stream.readline()
    else:
        body = stream.read(int(headers.get("content-length", "0")))
    return status, headers, body


def wait_until(predicate, timeout: float, interval: float = 0.05):
    """Polls `predicate` until it returns something truthy or `timeout` passes; returns the last value."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value


def curl(port: int, *args: str, timeout: float = 20.0) -> subprocess.CompletedProcess:
    """curl -sS with a bounded run time, no proxy, and `localhost:port` pinned to 127.0.0.1."""
    return subprocess.run(["curl", "-sS", "--noproxy", "*", "--max-time", str(int(timeout)),
                           "--resolve", f"localhost:{port}:{HOST}", *args],
                          capture_output=True, text=True, timeout=timeout + 5)
