"""Faults injected into a running `eci-profile serve` (file mode) while clients keep sending reviews.

Each fault asserts: no pod denied (every review answered 200 with allowed:true), no request dropped that
a healthy server would answer, and the state recovered. Exit status 1 when one is missed.

- invalid profile: the profile file is overwritten in place with a semantically invalid profile, then with
  YAML garbage, then with half of a valid file (what a write interrupted by a full disk leaves: a real
  ENOSPC is not simulated, it needs a size-limited mount); each time the last good profile must stay in
  force (same patch) and /metrics eci_profile_profile_valid must turn 0; a valid file restores 1.
- unreadable files: we run as root, where chmod 000 does not stop reads, so the profile file (and then the
  namespace-labels file and the key) is replaced by a dangling symlink; the last good state must stay.
  A FIFO in place of the profile file is tried too (a reader that blocks on it would stall the server).
- broken certificate pair: a key that does not match, then garbage, into --cert-dir; the old certificate
  must still be served; then a good new pair must be picked up.
- SIGTERM during load (--shutdown-delay 2s): every request sent during the delay and one whose body is
  still arriving when the listeners close are answered; exit status 0.
- kill -9 and restart on the same port: ready (/readyz 200 and a review answered) within 1 s.
"""
import argparse
import base64
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time

from common import (HOST, NAMESPACES, PROFILE, REVIEW, REVIEW_BYTES, Server, binary, build_request, certs,
                    client_context, metric, read_response, serving_pair_from, table, wait_until, workdir)

INVALID_PROFILE = PROFILE.read_text().replace('"operator": "NotIn"', '"operator": "Sometimes"')
# A write cut short halfway through the selectors' JSON (a cut between two keys would leave a
# valid, shorter ConfigMap, which is not this fault).
_SELECTORS_AT = PROFILE.read_text().index("  selectors: |")
HALF_WRITTEN_PROFILE = PROFILE.read_text()[: _SELECTORS_AT + (len(PROFILE.read_text()) - _SELECTORS_AT) // 2]
assert INVALID_PROFILE != PROFILE.read_text()
GARBAGE_PROFILE = "apiVersion: v1\nkind: ConfigMap\ndata: {selectors: [unterminated\n  ::: :\n"


class Clients:
    """`keepalive` threads on one connection each, plus `fresh` threads opening a connection per request,
    each sending a review every `interval` s; every answer is checked (200, uid echoed, allowed:true)."""

    def __init__(self, server, keepalive=2, fresh=1, interval=0.02, body=REVIEW_BYTES):
        self.server, self.interval, self.body = server, interval, body
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.sent = self.ok = 0
        self.failures, self.patches = [], set()
        self.paused = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(True,), daemon=True) for _ in range(keepalive)] + \
                       [threading.Thread(target=self._run, args=(False,), daemon=True) for _ in range(fresh)]

    def start(self):
        for thread in self.threads:
            thread.start()
        return self

    def stop(self):
        self.stop_event.set()
        for thread in self.threads:
            thread.join(15)
        return self

    def _run(self, keepalive):
        sock = stream = None
        n = 0
        while not self.stop_event.is_set() and n < 200_000:
            n += 1
            if self.paused.is_set():
                if sock:
                    sock.close()
                    sock = None
                time.sleep(self.interval)
                continue
            try:
                if sock is None:
                    sock = self.server.tls_socket(client_context(self.server.ca), timeout=10)
                    stream = sock.makefile("rb")
            except (OSError, ssl.SSLError) as error:
                with self.lock:
                    self.failures.append(f"connect: {error!r}")
                sock = None
                time.sleep(0.1)
                continue
            with self.lock:
                self.sent += 1
            try:
                sock.sendall(build_request("POST", "/mutate", self.body))
                status, headers, body = read_response(stream)
                answer = json.loads(body)
                response = answer["response"]
                if status != 200 or response["allowed"] is not True or response["uid"] != REVIEW["request"]["uid"]:
                    raise ValueError(f"status {status} {body[:200]!r}")
                with self.lock:
                    self.ok += 1
                    self.patches.add(response.get("patch", ""))
                if not keepalive or headers.get("connection", "").lower() == "close":
                    sock.close()
                    sock = None
            except (OSError, ssl.SSLError, ValueError, KeyError, ConnectionError) as error:
                with self.lock:
                    self.failures.append(repr(error)[:200])
                if sock:
                    sock.close()
                sock = None
            time.sleep(self.interval)
        if sock:
            sock.close()


def patch_of(server):
    status, answer = server.post_review(REVIEW)
    assert status == 200 and answer["response"]["allowed"] is True, (status, answer)
    return base64.b64decode(answer["response"].get("patch", "")).decode()


def rejected_loads(server):
    """Profile loads rejected: result "invalid" (validation) plus "error" (unreadable, not YAML, empty)."""
    return sum(metric(server, "eci_profile_profile_reloads_total", result=kind) or 0 for kind in ("invalid", "error"))


def error_signals(server):
    """Reload errors visible from outside: rejected profile loads, TLS reload errors, and (namespace labels
    have no metric) "namespace labels not read" lines in the log."""
    return rejected_loads(server) + (metric(server, "eci_profile_tls_reloads_total", result="error") or 0) + \
        server.log_path.read_text(errors="replace").count("namespace labels not read")


def valid_metric(server):
    return metric(server, "eci_profile_profile_valid")


def served_serial(server):
    with server.tls_socket() as sock:
        return sock.getpeercert()["serialNumber"].upper().lstrip("0")


def file_serial(path):
    out = subprocess.run(["openssl", "x509", "-noout", "-serial", "-in", str(path)], capture_output=True, text=True,
                         check=True, timeout=10).stdout
    return out.strip().split("=", 1)[1].upper().lstrip("0")


class Result:
    def __init__(self, name):
        self.name, self.checks, self.notes = name, [], []

    def check(self, what, ok, detail=""):
        self.checks.append((what, bool(ok), detail))
        print(f"   {'ok  ' if ok else 'FAIL'} {what}{': ' + str(detail) if detail else ''}", flush=True)

    def clients(self, clients, expected_failures_ok=False):
        detail = f"{clients.ok}/{clients.sent} answered allowed:true"
        if clients.failures:
            detail += f"; failures: {clients.failures[:3]}"
        self.check("no review failed or denied", expected_failures_ok or (not clients.failures and clients.ok > 0),
                   detail)

    @property
    def passed(self):
        return all(ok for _, ok, _ in self.checks)


def setup(work, exe, ca_dir, *flags, port=None):
    profile_dir = work / "profile"
    profile_dir.mkdir(exist_ok=True)
    profile = profile_dir / "eci-profile.yaml"
    profile.write_text(PROFILE.read_text())
    labels = work / "labels" / "namespaces.yaml"
    labels.parent.mkdir(exist_ok=True)
    labels.write_text(NAMESPACES.read_text())
    serving = work / "serving"
    serving.mkdir(exist_ok=True)
    for name in ("tls.crt", "tls.key"):
        shutil.copy(ca_dir / name, serving / name)
    server = Server(exe, ca_dir, "--log-level", "info", *flags, profile=profile, namespaces=labels, log_dir=work,
                    cert_args=["--cert-dir", str(serving)], port=port)
    return server, profile, labels, serving


def fault_invalid_profile(work, exe, ca_dir):
    result = Result("invalid profile pushed (in-place overwrite)")
    server, profile, _, _ = setup(work / "invalid", exe, ca_dir) if (work / "invalid").mkdir() is None else None
    with server:
        good_patch = patch_of(server)
        clients = Clients(server).start()
        for label, text in (("semantic error", INVALID_PROFILE), ("YAML garbage", GARBAGE_PROFILE),
                            ("empty file (an in-place rewrite just truncated)", ""),
                            ("half-written file (disk full)", HALF_WRITTEN_PROFILE)):
            before = rejected_loads(server)
            profile.write_text(text)
            seen = wait_until(lambda: rejected_loads(server) > before, 15)
            result.check(f"{label}: rejected, eci_profile_profile_valid 0", seen and valid_metric(server) == 0,
                         f"valid={valid_metric(server)}")
            result.check(f"{label}: last good profile still applied", patch_of(server) == good_patch)
            profile.write_text(PROFILE.read_text())
            result.check(f"{label}: valid file restores eci_profile_profile_valid 1",
                         wait_until(lambda: valid_metric(server) == 1, 15))
        clients.stop()
        result.clients(clients)
        result.check("one patch throughout (old behaviour kept)", len(clients.patches) == 1, f"{len(clients.patches)} distinct")
    return result


def fault_unreadable(work, exe, ca_dir):
    result = Result("unreadable files (dangling symlink, FIFO, directory)")
    (work / "unreadable").mkdir()
    server, profile, labels, serving = setup(work / "unreadable", exe, ca_dir)
    with server:
        good_patch = patch_of(server)
        serial = served_serial(server)
        clients = Clients(server).start()
        for path, label in ((profile, "profile"), (labels, "namespace labels"), (serving / "tls.key", "TLS key")):
            saved = path.read_bytes()
            errors_before = error_signals(server)
            path.unlink()
            tmp = path.with_name(".dangling")
            tmp.symlink_to(path.parent / "does-not-exist")
            os.rename(tmp, path)
            noticed = wait_until(lambda: error_signals(server) > errors_before, 15)
            time.sleep(1)
            result.check(f"{label} a dangling symlink: error counted (metric, or log for labels)", noticed)
            result.check(f"{label} a dangling symlink: last good state kept",
                         patch_of(server) == good_patch and served_serial(server) == serial)
            path.unlink()
            path.write_bytes(saved)
            if label == "TLS key":
                os.chmod(path, 0o600)
            time.sleep(1)
        # a FIFO in place of the profile file: the server must not block reading it
        saved = profile.read_bytes()
        profile.unlink()
        os.mkfifo(profile)
        time.sleep(3)
        result.check("profile a FIFO: server still answers within 3 s", server.metrics_status("/healthz") == 200
                     and patch_of(server) == good_patch)
        try:  # release a reader blocked on the FIFO, if any
            fd = os.open(profile, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)
        except OSError:
            pass
        profile.unlink()
        profile.write_bytes(saved)
        # a directory in place of the file: a directory is a mounted ConfigMap, here one with no keys
        profile.unlink()
        profile.mkdir()
        time.sleep(3)
        replaced = patch_of(server)
        result.notes.append("profile replaced by an empty directory: read as a mounted ConfigMap with no keys; "
                            f"patch {'unchanged' if replaced == good_patch else 'now ' + repr(replaced[:80])}, "
                            f"eci_profile_profile_valid {valid_metric(server)}")
        print("   note: " + result.notes[-1])
        profile.rmdir()
        profile.write_bytes(saved)
        result.check("state recovered after the files are back",
                     wait_until(lambda: patch_of(server) == good_patch and valid_metric(server) == 1, 15))
        clients.stop()
        result.clients(clients)
    return result


def fault_broken_cert(work, exe, ca_dir):
    result = Result("certificate replaced by a broken pair")
    (work / "cert").mkdir()
    server, _, _, serving = setup(work / "cert", exe, ca_dir)
    with server:
        serial = served_serial(server)
        clients = Clients(server, keepalive=2, fresh=2).start()
        other = serving_pair_from(ca_dir, work / "cert" / "other")
        good = serving_pair_from(ca_dir, work / "cert" / "good")
        saved_key = (serving / "tls.key").read_bytes()
        for label, crt, key in (("key not matching", None, (other / "tls.key").read_bytes()),
                                ("garbage certificate", b"-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n", saved_key),
                                ("empty files", b"", b"")):
            errors = metric(server, "eci_profile_tls_reloads_total", result="error") or 0
            if key is not None:
                (serving / "tls.key").write_bytes(key)
            if crt is not None:
                (serving / "tls.crt").write_bytes(crt)
            counted = wait_until(lambda: (metric(server, "eci_profile_tls_reloads_total", result="error") or 0) > errors, 15)
            result.check(f"{label}: reload error counted", counted)
            result.check(f"{label}: old certificate still served", served_serial(server) == serial)
        (serving / "tls.key").write_bytes((good / "tls.key").read_bytes())
        (serving / "tls.crt").write_bytes((good / "tls.crt").read_bytes())
        wanted = file_serial(good / "tls.crt")
        started = time.monotonic()
        picked = wait_until(lambda: served_serial(server) == wanted, 15, 0.1)
        result.check("good pair picked up", picked, f"after {time.monotonic() - started:.1f} s")
        time.sleep(1)
        clients.stop()
        result.clients(clients)
    return result


def fault_sigterm(work, exe, ca_dir):
    result = Result("SIGTERM during load (--shutdown-delay 2s)")
    (work / "term").mkdir()
    server, _, _, _ = setup(work / "term", exe, ca_dir, "--shutdown-delay", "2s", "--shutdown-grace", "10s")
    server.start()
    clients = Clients(server, keepalive=4, fresh=2, interval=0.005).start()
    time.sleep(2)
    # a request whose body is still arriving when the listeners close (2 s after SIGTERM)
    slow = {"status": None}

    def slow_request():
        try:
            with server.tls_socket(timeout=15) as sock:
                head = build_request("POST", "/mutate", REVIEW_BYTES)
                split = len(head) - len(REVIEW_BYTES) // 2
                sock.sendall(head[:split])
                time.sleep(3.0)
                sock.sendall(head[split:])
                slow["status"], _, body = read_response(sock.makefile("rb"))
                slow["allowed"] = json.loads(body)["response"]["allowed"]
        except Exception as error:
            slow["status"] = repr(error)

    slow_thread = threading.Thread(target=slow_request, daemon=True)
    slow_thread.start()
    time.sleep(0.3)
    sent_at = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    readyz = wait_until(lambda: server.metrics_status("/readyz") == 503, 1.5, 0.02)
    result.check("/readyz 503 at once after SIGTERM", readyz)
    time.sleep(1.0)  # the endpoint is gone from the Service by now: clients stop sending new requests
    clients.stop()
    slow_thread.join(15)
    try:
        code = server.process.wait(15)
    except subprocess.TimeoutExpired:
        code = "still running"
    elapsed = time.monotonic() - sent_at
    server.stop()
    result.clients(clients)
    result.check("request in progress when the listeners closed answered 200 allowed:true",
                 slow["status"] == 200 and slow.get("allowed") is True, slow["status"])
    result.check("exit status 0", code == 0, f"{code} after {elapsed:.1f} s")
    return result


def fault_kill9(work, exe, ca_dir):
    result = Result("kill -9 and restart on the same port")
    (work / "kill").mkdir()
    server, profile, labels, serving = setup(work / "kill", exe, ca_dir)
    server.start()
    port = server.port
    clients = Clients(server, keepalive=2, fresh=1).start()
    time.sleep(1)
    clients.stop()
    result.clients(clients)
    server.process.kill()
    server.process.wait(5)
    server.stop()
    timings = []
    for attempt in range(3):
        again = Server(exe, ca_dir, "--log-level", "info", profile=profile, namespaces=labels, log_dir=work / "kill",
                       cert_args=["--cert-dir", str(serving)], port=port)
        started = time.monotonic()
        again.argv  # same flags, same TLS port
        again.start()
        ready = time.monotonic() - started
        status, answer = again.post_review(REVIEW)
        answered = time.monotonic() - started
        timings.append((ready, answered))
        result.check(f"restart {attempt + 1}: ready {ready * 1000:.0f} ms, first review answered "
                     f"{answered * 1000:.0f} ms after exec", answered < 1.0 and status == 200
                     and answer["response"]["allowed"] is True)
        if attempt < 2:
            again.process.kill()
            again.process.wait(5)
        again.stop()
    return result


FAULTS = [fault_invalid_profile, fault_unreadable, fault_broken_cert, fault_sigterm, fault_kill9]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="", help="run only faults whose function name contains this text")
    args = parser.parse_args()
    work = workdir("faults")
    exe = binary(work)
    ca_dir = certs(work)
    results = []
    try:
        for fault in FAULTS:
            if args.only and args.only not in fault.__name__:
                continue
            print(f"== {fault.__doc__ or fault.__name__}", flush=True)
            try:
                results.append(fault(work, exe, ca_dir))
            except Exception as error:
                broken = Result(fault.__name__)
                broken.check("ran to the end", False, repr(error)[:300])
                results.append(broken)
    finally:
        if os.environ.get("HARDENING_KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)
    rows = []
    for r in results:
        for what, ok, detail in r.checks:
            rows.append([r.name, what, "PASS" if ok else "FAIL", str(detail)[:90]])
    print("\nfault results")
    print(table(["fault", "check", "verdict", "detail"], rows))
    for r in results:
        for note in r.notes:
            print(f"note ({r.name}): {note}")
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
