"""HTTP/2 on the TLS port (--enable-http2) with the Python `h2` library as the client: multiplexed
requests, and the flood protections (rapid reset, SETTINGS and PING floods) that end a connection
with GOAWAY(ENHANCE_YOUR_CALM) while other clients keep being served."""
import json
import select
import ssl
import threading
import time

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.settings
import pytest

from conftest import FIXTURES
from server import client_context

ENHANCE_YOUR_CALM = 0xB
GOAWAY = 0x7
REVIEW_PATH = FIXTURES / "reviews" / "002-CREATE-batch-labels-only.json"
REVIEW = json.loads(REVIEW_PATH.read_text())


@pytest.fixture(scope="module")
def server(launch, tmp_path_factory):
    with launch(tmp_path_factory.mktemp("h2"), "--enable-http2") as running:
        yield running


class H2Client:
    """One HTTP/2 connection: h2 encodes what we send; `frames` keeps (type, flags, stream, payload)
    of everything received, parsed independently of h2's state machine."""

    def __init__(self, server):
        self.sock = server.tls_socket(client_context(server.ca, alpn=("h2",)))
        assert self.sock.selected_alpn_protocol() == "h2"
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
        self.conn.initiate_connection()
        self.buffer = b""
        self.frames = []
        self.closed = False  # EOF or an error while reading
        self.write_failed = False  # the server stopped reading; what it sent can still be read
        self.flush()

    def flush(self):
        data = self.conn.data_to_send()
        if data and not self.write_failed:
            try:
                self.sock.sendall(data)
            except (ConnectionError, ssl.SSLError):
                self.write_failed = True

    def exchange(self, timeout):
        """Reads for up to `timeout`, lets h2 process it and sends h2's answers; returns h2's events."""
        data = self.pump(timeout)
        events = self.conn.receive_data(data) if data else []
        self.flush()
        return events

    def pump(self, timeout):
        """Reads what arrives within `timeout` (returns early on EOF); returns the bytes read."""
        received = b""
        deadline = time.monotonic() + timeout
        while not self.closed:
            remaining = deadline - time.monotonic()
            if self.sock.pending() == 0 and not select.select([self.sock], [], [], max(remaining, 0))[0]:
                break
            try:
                chunk = self.sock.recv(65536)
            except (ConnectionError, ssl.SSLError):
                chunk = b""
            if not chunk:
                self.closed = True
                break
            received += chunk
            self._parse(chunk)
            if remaining <= 0:
                break
        return received

    def _parse(self, chunk):
        self.buffer += chunk
        while len(self.buffer) >= 9:
            length = int.from_bytes(self.buffer[0:3], "big")
            if len(self.buffer) < 9 + length:
                break
            kind, flags = self.buffer[3], self.buffer[4]
            stream = int.from_bytes(self.buffer[5:9], "big") & 0x7FFFFFFF
            self.frames.append((kind, flags, stream, self.buffer[9:9 + length]))
            self.buffer = self.buffer[9 + length:]

    def goaway_code(self):
        for kind, _, _, payload in self.frames:
            if kind == GOAWAY:
                return int.from_bytes(payload[4:8], "big")
        return None

    def flood(self, send_one, count, batch=50):
        """Calls `send_one(i)` `count` times, writing every `batch` and reading what came back, until
        the server sends GOAWAY or closes; then waits (bounded) for the close."""
        for start in range(0, count, batch):
            for i in range(start, min(start + batch, count)):
                send_one(i)
            self.flush()
            self.pump(0)
            if self.closed or self.write_failed or self.goaway_code() is not None:
                break
        deadline = time.monotonic() + 10
        while not self.closed and time.monotonic() < deadline:
            self.pump(deadline - time.monotonic())

    def close(self):
        self.sock.close()


def request_headers(uid_path="/mutate"):
    return [(":method", "POST"), (":scheme", "https"), (":authority", "localhost"), (":path", uid_path),
            ("content-type", "application/json")]


def test_fifty_multiplexed_requests_on_one_connection(server):
    client = H2Client(server)
    try:
        # the server's SETTINGS and connection WINDOW_UPDATE open room for 50 bodies at once
        deadline = time.monotonic() + 5
        while client.conn.outbound_flow_control_window < 50 * 4096 and time.monotonic() < deadline:
            client.exchange(0.1)
        assert client.conn.outbound_flow_control_window >= 50 * 4096
        bodies, uids = {}, {}
        for i in range(50):
            stream = client.conn.get_next_available_stream_id()
            review = json.loads(json.dumps(REVIEW))
            review["request"]["uid"] = uids[stream] = f"22222222-0000-4000-8000-{i:012d}"
            client.conn.send_headers(stream, request_headers())
            client.conn.send_data(stream, json.dumps(review).encode(), end_stream=True)
            bodies[stream] = b""
        client.flush()
        statuses, ended = {}, set()
        deadline = time.monotonic() + 20
        while len(ended) < 50 and time.monotonic() < deadline and not client.closed:
            for event in client.exchange(0.5):
                if isinstance(event, h2.events.ResponseReceived):
                    statuses[event.stream_id] = dict(event.headers)[":status"]
                elif isinstance(event, h2.events.DataReceived):
                    bodies[event.stream_id] += event.data
                    client.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, h2.events.StreamEnded):
                    ended.add(event.stream_id)
        assert len(ended) == 50
        assert set(statuses.values()) == {"200"}
        assert {stream: json.loads(body)["response"]["uid"] for stream, body in bodies.items()} == uids
    finally:
        client.close()


class CurlLoop(threading.Thread):
    """Sequential `curl --http2` POSTs from another connection, while a flood runs."""

    def __init__(self, server):
        super().__init__(daemon=True)
        self.server, self.results, self.stop = server, [], threading.Event()

    def run(self):
        while not self.stop.is_set() and len(self.results) < 50:
            self.results.append(post_with_curl(self.server))

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.join(60)


def post_with_curl(server):
    result = server.curl("--http2", "-o", "/dev/null", "-w", "%{http_code} %{http_version}", "-H",
                         "Content-Type: application/json", "--data-binary", f"@{REVIEW_PATH}", server.url("/mutate"))
    return result.stdout if result.returncode == 0 else f"error: {result.stderr}"


def assert_others_served(server, loop):
    assert loop.results and set(loop.results) == {"200 2"}, loop.results
    assert post_with_curl(server) == "200 2"


def test_rapid_reset_ends_the_connection_with_enhance_your_calm(server):
    client = H2Client(server)
    try:
        def open_and_reset(_):
            stream = client.conn.get_next_available_stream_id()
            client.conn.send_headers(stream, request_headers())
            client.conn.reset_stream(stream, error_code=h2.errors.ErrorCodes.CANCEL)

        with CurlLoop(server) as loop:
            client.flood(open_and_reset, 1000)
        assert client.goaway_code() == ENHANCE_YOUR_CALM, client.frames[-5:]
        assert client.closed, "the server must close the connection after GOAWAY"
        assert_others_served(server, loop)
    finally:
        client.close()


def test_settings_flood_ends_the_connection_with_enhance_your_calm(server):
    client = H2Client(server)
    try:
        with CurlLoop(server) as loop:
            client.flood(lambda _: client.conn.update_settings({h2.settings.SettingCodes.ENABLE_PUSH: 0}), 5000)
        assert client.goaway_code() == ENHANCE_YOUR_CALM, client.frames[-5:]
        assert client.closed
        assert_others_served(server, loop)
    finally:
        client.close()


def test_ping_flood_ends_the_connection_with_enhance_your_calm(server):
    client = H2Client(server)
    try:
        with CurlLoop(server) as loop:
            client.flood(lambda i: client.conn.ping(i.to_bytes(8, "big")), 5000)
        assert client.goaway_code() == ENHANCE_YOUR_CALM, client.frames[-5:]
        assert client.closed
        assert_others_served(server, loop)
    finally:
        client.close()


def test_a_polite_connection_with_a_few_pings_and_resets_is_not_cut(server):
    client = H2Client(server)
    try:
        for i in range(20):
            client.conn.ping(i.to_bytes(8, "big"))
            stream = client.conn.get_next_available_stream_id()
            client.conn.send_headers(stream, request_headers())
            client.conn.reset_stream(stream, error_code=h2.errors.ErrorCodes.CANCEL)
            client.flush()
            client.pump(0.05)
        client.pump(0.5)
        assert client.goaway_code() is None and not client.closed
        assert sum(1 for kind, flags, _, _ in client.frames if kind == 0x6 and flags & 0x1) == 20  # PING ACKs
    finally:
        client.close()


def ready_client(server):
    """An h2 connection that has seen the server's SETTINGS and its connection WINDOW_UPDATE."""
    client = H2Client(server)
    deadline = time.monotonic() + 5
    while client.conn.outbound_flow_control_window <= 65535 and time.monotonic() < deadline:
        client.exchange(0.1)
    return client


def response_status(client, stream, send_more=None, timeout=20):
    """Exchanges until `stream` gets its response headers (calling `send_more()` whenever it can send);
    returns (:status, stream reset by the server)."""
    status, reset = None, False
    deadline = time.monotonic() + timeout
    while status is None and not reset and not client.closed and time.monotonic() < deadline:
        if send_more:
            send_more()
            client.flush()
        for event in client.exchange(0.05):
            if isinstance(event, h2.events.ResponseReceived) and event.stream_id == stream:
                status = dict(event.headers)[":status"]
            elif isinstance(event, h2.events.StreamReset) and event.stream_id == stream:
                reset = True
    return status, reset


def rejected_by_transport(server, code):
    """eci_profile_http_requests_total for HTTP/2 requests the transport answered itself with `code`."""
    labels = (("code", code), ("path", "other"), ("protocol", "HTTP/2"))
    return server.metric_samples().get(("eci_profile_http_requests_total", labels), 0.0)


def test_a_declared_body_over_the_limit_gets_413(server):
    counted = rejected_by_transport(server, "413")
    client = ready_client(server)
    try:
        stream = client.conn.get_next_available_stream_id()
        client.conn.send_headers(stream, request_headers() + [("content-length", str(9 << 20))])
        client.flush()
        assert response_status(client, stream)[0] == "413"
    finally:
        client.close()
    assert rejected_by_transport(server, "413") == counted + 1


def test_a_streamed_body_over_the_limit_gets_413(server):
    """No content-length: the server counts DATA and answers 413 once 8 MiB are passed."""
    client = ready_client(server)
    sent = [0]
    try:
        stream = client.conn.get_next_available_stream_id()
        client.conn.send_headers(stream, request_headers())

        def send_more():
            while sent[0] < 10 << 20:
                room = min(client.conn.local_flow_control_window(stream), 16384)
                if room <= 0:
                    return
                client.conn.send_data(stream, b" " * room)
                sent[0] += room

        status, _ = response_status(client, stream, send_more)
        assert status == "413"
        assert sent[0] > 8 << 20
    finally:
        client.close()


def test_a_header_block_over_64_kib_gets_431(server):
    counted = rejected_by_transport(server, "431")
    client = ready_client(server)
    try:
        stream = client.conn.get_next_available_stream_id()
        client.conn.send_headers(stream, request_headers() + [("x-big", "a" * (70 << 10))], end_stream=True)
        client.flush()
        assert response_status(client, stream)[0] == "431"
    finally:
        client.close()
    assert post_with_curl(server) == "200 2"
    assert rejected_by_transport(server, "431") == counted + 1


def frame(kind, flags, stream, payload):
    return len(payload).to_bytes(3, "big") + bytes([kind, flags]) + stream.to_bytes(4, "big") + payload


def test_continuation_flood_ends_the_connection_with_enhance_your_calm(server):
    """One header field whose value is spread over a HEADERS frame and 40 CONTINUATION frames."""
    client = ready_client(server)
    try:
        value = b"c" * 4000
        # HPACK literal header field without indexing, new name "x-long", 4000-byte value (RFC 7541 5.1, 6.2.2)
        block = b"\x00\x06x-long\x7f" + bytes([((4000 - 127) % 128) | 0x80, (4000 - 127) // 128]) + value
        pieces = [block[i:i + 100] for i in range(0, len(block), 100)]
        stream = client.conn.get_next_available_stream_id()
        data = frame(0x1, 0x1, stream, pieces[0])  # HEADERS with END_STREAM, without END_HEADERS
        data += b"".join(frame(0x9, 0x0, stream, piece) for piece in pieces[1:])  # CONTINUATION, never END_HEADERS
        client.sock.sendall(data)
        deadline = time.monotonic() + 10
        while not client.closed and time.monotonic() < deadline:
            client.pump(deadline - time.monotonic())
        assert client.goaway_code() == ENHANCE_YOUR_CALM, client.frames[-5:]
        assert client.closed
    finally:
        client.close()
    assert post_with_curl(server) == "200 2"
