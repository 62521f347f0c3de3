"""Certificate rotation under load (kubelet's `..data` symlink swap and a plain in-place rewrite) and
graceful shutdown on SIGTERM while clients keep sending."""
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time

import pytest

from conftest import FIXTURES
from server import HOST, build_request, read_response, serving_pair_from, wait_until

REVIEW = json.loads((FIXTURES / "reviews" / "002-CREATE-batch-labels-only.json").read_text())
REVIEW_BYTES = json.dumps(REVIEW).encode()


def serial_of_file(cert):
    out = subprocess.run(["openssl", "x509", "-noout", "-serial", "-in", str(cert)],
                         capture_output=True, text=True, check=True, timeout=10).stdout
    return normalize(out.strip().split("=", 1)[1])


def normalize(serial):
    return serial.upper().lstrip("0")


def serial_seen(server):
    """The serial of the certificate a new connection gets."""
    with server.tls_socket() as sock:
        return normalize(sock.getpeercert()["serialNumber"])


def serial_seen_by_openssl(server):
    s_client = subprocess.run(["openssl", "s_client", "-connect", f"{HOST}:{server.port}", "-servername", "localhost"],
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
    x509 = subprocess.run(["openssl", "x509", "-noout", "-serial"], input=s_client.stdout, capture_output=True, timeout=10)
    assert x509.returncode == 0, s_client.stdout[-2000:]
    return normalize(x509.stdout.decode().strip().split("=", 1)[1])


class Hammer(threading.Thread):
    """`count` requests, each on a new connection, one after another; counts failures."""

    def __init__(self, server, count):
        super().__init__(daemon=True)
        self.server, self.count, self.done, self.failures = server, count, 0, []

    def run(self):
        for _ in range(self.count):
            try:
                status, answer = self.server.post_review(REVIEW)
                if status != 200 or answer["response"]["uid"] != REVIEW["request"]["uid"]:
                    self.failures.append(f"status {status}")
            except (OSError, ssl.SSLError, ValueError) as error:
                self.failures.append(repr(error))
            self.done += 1


def write_kubelet_dir(root, source, generation):
    """kubelet's atomic writer: files in `..<generation>`, `..data` pointing at it, and top-level
    symlinks through `..data`; the previous generation directory is removed."""
    new = root / f"..2026_{generation}"
    new.mkdir()
    for name in ("tls.crt", "tls.key"):
        shutil.copy(source / name, new / name)
    old = os.readlink(root / "..data") if (root / "..data").is_symlink() else None
    (root / "..data_tmp").symlink_to(new.name)
    os.rename(root / "..data_tmp", root / "..data")
    for name in ("tls.crt", "tls.key"):
        if not (root / name).is_symlink():
            (root / name).symlink_to(f"..data/{name}")
    if old:
        shutil.rmtree(root / old)


def rotate_under_load(server, swap, new_serial):
    """Runs `swap` while a client makes 300 requests on new connections; checks the new serial is
    served within 2 s, nothing failed, and a connection opened before the swap keeps working."""
    old_serial = serial_seen(server)
    assert old_serial != new_serial
    with server.tls_socket() as live:
        live_stream = live.makefile("rb")
        hammer = Hammer(server, 300)
        hammer.start()
        assert wait_until(lambda: hammer.done >= 100 or not hammer.is_alive(), 60)
        swap()
        swapped_at = time.monotonic()
        assert wait_until(lambda: serial_seen(server) == new_serial, 2.0), "new connections still get the old certificate"
        assert time.monotonic() - swapped_at <= 2.5
        hammer.join(120)
        assert not hammer.is_alive()
        assert hammer.failures == [], hammer.failures[:5]
        assert hammer.done == 300
        live.sendall(build_request("POST", "/mutate", REVIEW_BYTES))
        assert read_response(live_stream)[0] == 200
        assert normalize(live.getpeercert()["serialNumber"]) == old_serial
    assert serial_seen_by_openssl(server) == new_serial


def test_kubelet_style_symlink_swap_rotates_the_certificate(serve, certs, tmp_path):
    cert_dir = tmp_path / "cert-dir"
    cert_dir.mkdir()
    write_kubelet_dir(cert_dir, certs, "01")
    renewed = serving_pair_from(certs, tmp_path / "renewed")
    server = serve(cert_args=["--cert-dir", str(cert_dir)])
    rotate_under_load(server, lambda: write_kubelet_dir(cert_dir, renewed, "02"), serial_of_file(renewed / "tls.crt"))
    # and once more, to a third pair
    third = serving_pair_from(certs, tmp_path / "third")
    write_kubelet_dir(cert_dir, third, "03")
    assert wait_until(lambda: serial_seen(server) == serial_of_file(third / "tls.crt"), 2.0)


def test_in_place_rewrite_of_the_files_rotates_the_certificate(serve, certs, tmp_path):
    files = tmp_path / "files"
    files.mkdir()
    for name in ("tls.crt", "tls.key"):
        shutil.copy(certs / name, files / name)
    renewed = serving_pair_from(certs, tmp_path / "renewed")

    def rewrite():
        for name in ("tls.key", "tls.crt"):
            with open(files / name, "wb") as out:  # same inode, truncated and rewritten
                out.write((renewed / name).read_bytes())

    server = serve(cert_args=["--tls-cert-file", str(files / "tls.crt"), "--tls-private-key-file", str(files / "tls.key")])
    rotate_under_load(server, rewrite, serial_of_file(renewed / "tls.crt"))


class KeepAliveClient(threading.Thread):
    """Requests in a loop on one keep-alive connection (reconnecting after a clean close) until the
    server is gone; records (sent at, status or error)."""

    def __init__(self, server, stop):
        super().__init__(daemon=True)
        self.server, self.stop, self.records = server, stop, []

    def run(self):
        while not self.stop.is_set():
            try:
                sock = self.server.tls_socket(timeout=10)
            except (OSError, ssl.SSLError) as error:
                self.records.append((time.monotonic(), f"connect: {error!r}"))
                return  # the listener is closed
            with sock:
                stream = sock.makefile("rb")
                while not self.stop.is_set():
                    sent_at = time.monotonic()
                    try:
                        sock.sendall(build_request("POST", "/mutate", REVIEW_BYTES))
                        status, headers, body = read_response(stream)
                    except (OSError, ssl.SSLError) as error:
                        self.records.append((sent_at, f"request: {error!r}"))
                        break
                    self.records.append((sent_at, status))
                    if headers.get("connection", "").lower() == "close":
                        break
                    time.sleep(0.01)


def test_sigterm_drains_and_exits_zero(serve):
    # margin: a request stamped just before the delay ends may reach the server after it (busy CI)
    delay, grace, margin = 1.0, 10.0, 0.25
    server = serve("--shutdown-delay", "1s", "--shutdown-grace", "10s")
    stop = threading.Event()
    clients = [KeepAliveClient(server, stop) for _ in range(25)]
    try:
        for client in clients:
            client.start()
        assert wait_until(lambda: all(c.records for c in clients), 20), "every client is served before SIGTERM"
        # an in-flight request: head and half the body before SIGTERM, the rest after the listener closed
        slow = server.tls_socket(timeout=10)
        request = build_request("POST", "/mutate", REVIEW_BYTES)
        slow.sendall(request[:len(request) - len(REVIEW_BYTES) // 2])
        term_at = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        # "at once": the signal is handled asynchronously, so poll briefly, well inside the delay
        assert wait_until(lambda: server.metrics_status("/readyz", timeout=1.0) == 503, delay / 2, interval=0.01)
        ready_503_after = time.monotonic() - term_at
        assert ready_503_after < delay / 2, ready_503_after
        assert server.metrics_status("/healthz") == 200
        assert wait_until(lambda: refuses_connections(server), delay + 5), "the listener must close after the delay"
        assert time.monotonic() - term_at >= delay
        with slow:
            slow.sendall(request[len(request) - len(REVIEW_BYTES) // 2:])
            status, _, body = read_response(slow.makefile("rb"))
            assert status == 200 and json.loads(body)["response"]["uid"] == REVIEW["request"]["uid"]
        try:
            returncode = server.process.wait(delay + grace + 5)
        except subprocess.TimeoutExpired:
            pytest.fail(f"no exit within delay + grace:\n{server.log()}")
        exited_after = time.monotonic() - term_at
        assert returncode == 0, server.log()
        assert exited_after >= delay - 0.1, "the listener must stay open for --shutdown-delay"
    finally:
        stop.set()
        for client in clients:
            client.join(30)
        server.stop()

    records = [record for client in clients for record in client.records]
    statuses = [outcome for _, outcome in records if isinstance(outcome, int)]
    assert len(statuses) > 0
    assert set(statuses) == {200}, sorted(set(statuses))
    during_delay = [outcome for sent_at, outcome in records if term_at <= sent_at < term_at + delay - margin]
    assert during_delay and all(outcome == 200 for outcome in during_delay), \
        [outcome for outcome in during_delay if outcome != 200][:5]
    early_errors = [(round(t - term_at, 3), outcome) for t, outcome in records
                    if isinstance(outcome, str) and t < term_at + delay - margin]
    assert early_errors == []
    assert refuses_connections(server)


def refuses_connections(server):
    try:
        socket.create_connection((HOST, server.port), timeout=2).close()
    except OSError:
        return True
    return False


def test_a_second_server_on_a_taken_port_fails_to_start(serve, launch, tmp_path):
    """Two processes must not share a port silently (a stale or duplicate instance would take part
    of the connections): the second one reports the address in use and exits non-zero."""
    first = serve()
    log_dir = tmp_path / "second"
    log_dir.mkdir()
    second = launch(log_dir, port=first.port)
    try:
        second.start()  # raises AssertionError when the process exits before it is ready
        pytest.fail("a second server became ready on the port of a running one")
    except AssertionError:
        assert second.process.returncode not in (None, 0), second.log()
    finally:
        second.stop()
    assert first.request("GET", "/healthz")[0] == 200
