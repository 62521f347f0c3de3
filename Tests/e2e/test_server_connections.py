"""Connection handling on the TLS port: keep-alive, pipelining, timeouts, many idle connections and
the connection limit."""
import json
import select
import socket
import ssl
import time

import pytest

from conftest import FIXTURES
from server import build_request, read_response

REVIEW = json.loads((FIXTURES / "reviews" / "002-CREATE-batch-labels-only.json").read_text())


def review_with_uid(uid):
    review = json.loads(json.dumps(REVIEW))
    review["request"]["uid"] = uid
    return json.dumps(review).encode()


def uid_of(body):
    return json.loads(body)["response"]["uid"]


@pytest.fixture(scope="module")
def server(launch, tmp_path_factory):
    """Default timeouts (idle 120 s, request head 10 s)."""
    with launch(tmp_path_factory.mktemp("connections")) as running:
        yield running


@pytest.fixture(scope="module")
def idle_server(launch, tmp_path_factory):
    with launch(tmp_path_factory.mktemp("idle"), "--idle-timeout", "2s", "--allow-short-idle-timeout") as running:
        yield running


def closed_within(sock, seconds):
    """Whether the server closes `sock` (EOF or reset) within `seconds`; raises if it sends data."""
    sock.settimeout(seconds)
    try:
        return sock.recv(1) == b""
    except socket.timeout:
        return False
    except (ConnectionError, ssl.SSLError):
        return True


def test_a_thousand_requests_on_one_keep_alive_connection(server):
    with server.tls_socket() as sock:
        stream = sock.makefile("rb")
        for i in range(1000):
            uid = f"00000000-0000-4000-8000-{i:012d}"
            sock.sendall(build_request("POST", "/mutate", review_with_uid(uid)))
            status, headers, body = read_response(stream)
            assert status == 200, (i, body)
            assert uid_of(body) == uid
            assert headers.get("connection", "").lower() != "close"


def test_pipelined_requests_are_answered_in_order(server):
    uids = [f"11111111-0000-4000-8000-{i:012d}" for i in range(5)]
    batch = b"".join(build_request("POST", "/mutate", review_with_uid(uid)) for uid in uids)
    batch += build_request("GET", "/healthz")
    with server.tls_socket() as sock:
        sock.sendall(batch)
        stream = sock.makefile("rb")
        answers = [read_response(stream) for _ in uids]
        assert [status for status, _, _ in answers] == [200] * len(uids)
        assert [uid_of(body) for _, _, body in answers] == uids
        assert read_response(stream)[0] == 200


def test_connection_close_is_honoured(server):
    with server.tls_socket() as sock:
        sock.sendall(build_request("GET", "/healthz", headers={"Connection": "close"}))
        status, _, _ = read_response(sock.makefile("rb"))
        assert status == 200
        assert closed_within(sock, 5)


def test_an_idle_connection_is_closed_after_the_idle_timeout(idle_server):
    with idle_server.tls_socket() as sock:
        sock.sendall(build_request("GET", "/healthz"))
        assert read_response(sock.makefile("rb"))[0] == 200
        started = time.monotonic()
        assert closed_within(sock, 10), "idle connection still open after 10 s with --idle-timeout 2s"
        elapsed = time.monotonic() - started
        assert 1.5 <= elapsed <= 6, elapsed


def test_a_connection_that_never_sends_anything_is_closed_too(idle_server):
    with idle_server.tls_socket() as sock:
        started = time.monotonic()
        assert closed_within(sock, 10)
        assert time.monotonic() - started <= 6


def test_a_dribbled_request_head_times_out_with_408(server):
    """The header read timeout (10 s, not a flag): one byte of the head every 0.5 s (26 of its 43
    bytes in 13 s) is not a request; the server answers 408 and closes, and stays open for others."""
    head = build_request("GET", "/healthz")
    with server.tls_socket(timeout=20) as sock:
        started = time.monotonic()
        status = None
        try:
            for byte in head[:26]:
                sock.sendall(bytes([byte]))
                if select.select([sock], [], [], 0.5)[0]:
                    break  # the server has answered: stop writing so that its answer is not lost to a reset
        except (ConnectionError, ssl.SSLError):
            pass  # closed by the server while dribbling
        try:
            status, _, _ = read_response(sock.makefile("rb"))
        except (ConnectionError, ssl.SSLError):
            pass
        elapsed = time.monotonic() - started
    assert status == 408
    assert 9 <= elapsed <= 16, elapsed
    assert server.request("GET", "/healthz")[0] == 200


def test_500_idle_connections_do_not_delay_a_new_client(server):
    idle = []
    try:
        for _ in range(500):
            idle.append(server.tls_socket())
        started = time.monotonic()
        status, answer = server.post_review(REVIEW)
        elapsed = time.monotonic() - started
        assert status == 200 and answer["response"]["uid"] == REVIEW["request"]["uid"]
        assert elapsed < 1.0, elapsed
    finally:
        for sock in idle:
            sock.close()


def test_the_connection_over_max_connections_is_closed_at_once(serve):
    server = serve("--max-connections", "20")
    first = []
    try:
        for _ in range(20):
            sock = server.tls_socket()
            sock.sendall(build_request("GET", "/healthz"))
            assert read_response(sock.makefile("rb"))[0] == 200
            first.append(sock)

        started = time.monotonic()
        with pytest.raises((ConnectionError, ssl.SSLError, socket.timeout)):
            extra = server.tls_socket(timeout=5)
            try:
                extra.sendall(build_request("GET", "/healthz"))
                read_response(extra.makefile("rb"))
            finally:
                extra.close()
        assert time.monotonic() - started < 2, "the 21st connection must be closed at once, not time out"

        for sock in first:
            sock.sendall(build_request("GET", "/healthz"))
            assert read_response(sock.makefile("rb"))[0] == 200
    finally:
        for sock in first:
            sock.close()
    assert wait_for_slot(server), "closed connections must free their slots"


def wait_for_slot(server, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if server.request("GET", "/healthz", timeout=2)[0] == 200:
                return True
        except (ConnectionError, ssl.SSLError, socket.timeout):
            time.sleep(0.1)
    return False
