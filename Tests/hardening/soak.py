"""Soak: ~50 % of peak HTTP/1.1 throughput for --minutes, a profile reload every 10 s and a certificate
rotation every minute; RSS, open fds and p99 sampled every 30 s and printed as a curve.

Peak is measured first with a short wrk run (25 keep-alive connections, as scripts/bench). The load is
h2load --h1 --rps (wrk has no rate limit and Debian has no wrk2): 25 keep-alive connections, a fixed
per-connection rate, one h2load run per sample window so each window has its own p99.
The soak reports; it exits non-zero only when it could not run (or the server died).
"""
import argparse
import os
import re
import shutil
import ssl
import socket
import subprocess
import sys
import threading
import time

from common import (HOST, LegitLoad, NAMESPACES, PROFILE, REVIEW_PATH, Server, binary, certs, fd_count, fmt_ms,
                    metric, mib, rss_kib, serving_pair_from, table, wait_until, workdir)

CONNECTIONS = 25
PROFILE_A = PROFILE.read_text()
PROFILE_B = PROFILE_A.replace('"2-4Gi,ecs.c6.large"', '"4-8Gi,ecs.c6.xlarge"')
assert PROFILE_A != PROFILE_B


def atomic_write(path, text):
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.rename(tmp, path)


def atomic_copy(source, target):
    tmp = target.with_name(f".{target.name}.tmp")
    shutil.copy(source, tmp)
    os.rename(tmp, target)


def served_serial(server):
    context = ssl.create_default_context(cafile=str(server.ca))
    with socket.create_connection((HOST, server.port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as sock:
            return sock.getpeercert()["serialNumber"].upper().lstrip("0")


def file_serial(cert):
    out = subprocess.run(["openssl", "x509", "-noout", "-serial", "-in", str(cert)], capture_output=True, text=True,
                         timeout=10, check=True).stdout
    return out.strip().split("=", 1)[1].upper().lstrip("0")


def measure_peak(server, work, seconds=5):
    lua = work / "post.lua"
    lua.write_text('local f = assert(io.open(os.getenv("BODY"), "rb"))\nwrk.method = "POST"\nwrk.body = f:read("*a")\n'
                   'f:close()\nwrk.headers["Content-Type"] = "application/json"\n')
    out = subprocess.run(["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "-s", str(lua),
                          f"https://127.0.0.1:{server.port}/mutate"], capture_output=True, text=True,
                         timeout=seconds + 30, env={**os.environ, "BODY": str(REVIEW_PATH)}).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match or "Non-2xx" in out:
        raise SystemExit(f"soak: wrk peak run failed:\n{out}")
    return float(match.group(1))


class Periodic(threading.Thread):
    """Calls `action(n)` every `period` seconds until stopped (bounded by the soak's end)."""

    def __init__(self, period, action, deadline):
        super().__init__(daemon=True)
        self.period, self.action, self.deadline = period, action, deadline
        self.stop_event, self.count, self.errors = threading.Event(), 0, []

    def run(self):
        while not self.stop_event.wait(self.period) and time.monotonic() < self.deadline:
            self.count += 1
            try:
                self.action(self.count)
            except Exception as error:  # recorded and reported, the soak goes on
                self.errors.append(f"{type(error).__name__}: {error}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--sample-seconds", type=int, default=30)
    parser.add_argument("--fraction", type=float, default=0.5, help="share of the measured peak to drive")
    args = parser.parse_args()
    if not 0.5 <= args.minutes <= 240 or not 5 <= args.sample_seconds <= 300:
        raise SystemExit("soak: --minutes must be 0.5-240 and --sample-seconds 5-300")

    work = workdir("soak")
    exe = binary(work)
    ca_dir = certs(work)
    serving = work / "serving"
    serving.mkdir()
    for name in ("tls.crt", "tls.key"):
        shutil.copy(ca_dir / name, serving / name)
    profile = work / "profile" / "eci-profile.yaml"
    profile.parent.mkdir()
    profile.write_text(PROFILE_A)

    server = Server(exe, ca_dir, "--log-level", "warning", profile=profile, namespaces=NAMESPACES, log_dir=work,
                    cert_args=["--cert-dir", str(serving)]).start()
    pid = server.process.pid
    loads = []
    try:
        peak = measure_peak(server, work)
        target = int(peak * args.fraction)
        per_connection = max(1, target // CONNECTIONS)
        print(f"soak: peak {peak:.0f} req/s (wrk -c{CONNECTIONS} 5 s); driving {per_connection * CONNECTIONS} req/s "
              f"for {args.minutes:g} min; work dir {work}", flush=True)
        time.sleep(2)
        samples = [{"t": 0, "rss": rss_kib(pid), "fds": fd_count(pid)}]
        end = time.monotonic() + args.minutes * 60
        rotation_log = []

        def reload_profile(n):
            before = metric(server, "eci_profile_profile_reloads_total", result="success") or 0
            atomic_write(profile, PROFILE_B if n % 2 else PROFILE_A)
            if not wait_until(lambda: (metric(server, "eci_profile_profile_reloads_total", result="success")
                                       or 0) > before, 12):
                raise RuntimeError(f"reload {n} not seen within 12 s")

        def rotate_certificate(n):
            fresh = serving_pair_from(ca_dir, work / f"pair-{n}")
            atomic_copy(fresh / "tls.key", serving / "tls.key")
            atomic_copy(fresh / "tls.crt", serving / "tls.crt")
            wanted, started = file_serial(fresh / "tls.crt"), time.monotonic()
            if not wait_until(lambda: served_serial(server) == wanted, 15, 0.2):
                raise RuntimeError(f"rotation {n}: serial {wanted} not served within 15 s")
            rotation_log.append(time.monotonic() - started)

        reloader = Periodic(10, reload_profile, end)
        rotator = Periodic(60, rotate_certificate, end)
        reloader.start()
        rotator.start()
        n = 0
        while time.monotonic() + 1 < end and n < 10_000:
            n += 1
            window = min(args.sample_seconds, int(end - time.monotonic()))
            if window < 2:
                break
            load = LegitLoad(server, work, window, rate=per_connection * CONNECTIONS, connections=CONNECTIONS,
                             name=f"soak-{n}")
            loads.append(load)
            result = load.start().wait()
            if server.process.poll() is not None:
                print(f"soak: SERVER DIED (exit {server.process.returncode})\n{server.log()}")
                break
            samples.append({"t": int(args.minutes * 60 - (end - time.monotonic())), "rss": rss_kib(pid),
                            "fds": fd_count(pid), **result})
            last = samples[-1]
            print(f"  t={last['t']:>4}s rss {mib(last['rss'])} MiB fds {last['fds']} p99 {fmt_ms(last['p99'])} ms "
                  f"ok {last['success']:.3f}% delivered {last['delivered']:.2f}% errored {last['errored']}", flush=True)
        for thread in (reloader, rotator):
            thread.stop_event.set()
            thread.join(30)

        rows = [[s["t"], mib(s["rss"]), s["fds"], fmt_ms(s.get("p99")), fmt_ms(s.get("p50")), fmt_ms(s.get("max")),
                 f"{s['success']:.3f}" if "success" in s else "-", s.get("ok", "-"), s.get("bad", "-"),
                 s.get("errored", "-"), f"{s['delivered']:.1f}" if "delivered" in s else "-"]
                for s in samples]
        print("\nsoak curve (t = seconds since the load started; row 0 before the load)")
        print(table(["t s", "RSS MiB", "fds", "p99 ms", "p50 ms", "max ms", "ok %", "200", "non-200", "errored",
                     "delivered %"], rows))
        measured = [s for s in samples if "p99" in s]
        total_ok = sum(s["ok"] for s in measured)
        total_lost = sum(s["bad"] + s["errored"] + s["timeout"] for s in measured)
        total_asked = sum(s["asked"] for s in measured)
        print(f"\nrequests: {total_ok} answered 200, {total_lost} non-200/errored/timed out "
              f"({100.0 * total_ok / max(1, total_ok + total_lost):.3f} % ok); the schedule asked for {total_asked}")
        print(f"profile reloads: {reloader.count} written, {reloader.count - len(reloader.errors)} seen; "
              f"errors: {reloader.errors or 'none'}; eci_profile_profile_valid "
              f"{metric(server, 'eci_profile_profile_valid')}")
        tls_errors = metric(server, "eci_profile_tls_reloads_total", result="error") or 0
        print(f"certificate rotations: {rotator.count} written, {len(rotation_log)} served "
              f"(max {max(rotation_log, default=0):.2f} s to be served); errors: {rotator.errors or 'none'}; "
              f"tls reload errors metric {tls_errors}")
        if len(measured) >= 2:
            first, last = measured[0], measured[-1]
            print(f"RSS first window {mib(first['rss'])} MiB -> last {mib(last['rss'])} MiB "
                  f"(max {mib(max(s['rss'] for s in measured))}); fds {first['fds']} -> {last['fds']}")
    finally:
        for load in loads:
            load.stop()
        code = server.stop()
        print(f"server exit status {code}")
        if os.environ.get("HARDENING_KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
