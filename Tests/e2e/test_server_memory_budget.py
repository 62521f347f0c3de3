"""The memory budget (--memory-limit): unfinished bodies are held back and shed with a 503, a review that
arrives fast still gets through, and the metrics say so. (The long, timing-sensitive attacks with RSS
figures are in scripts/attack.)"""
import json
import socket
import ssl
import time

import h2.errors
import h2.events

from conftest import FIXTURES
from test_server_h2 import H2Client

REVIEW = json.loads((FIXTURES / "reviews" / "002-CREATE-batch-labels-only.json").read_text())
SHED_REASON = b"request not received in time while the server is short of memory; retry\n"


def review_of_size(size):
    """The fixture review with a pod annotation that brings it to about `size` bytes."""
    review = json.loads(json.dumps(REVIEW))
    review["request"]["object"]["metadata"].setdefault("annotations", {})["example.com/large"] = "x" * size
    return json.dumps(review).encode()


def hold_unfinished_uploads(server):
    """Four HTTP/1.1 connections that announce 8,000,000 body bytes and send 1.2 MiB (or what the server
    takes of it), then wait; returns them and how many connections the budget closed at once."""
    held, refused = [], 0
    for _ in range(4):
        try:
            sock = server.tls_socket()
        except (ConnectionResetError, ssl.SSLError):
            refused += 1  # the budget could not take one more connection: closed at once, as documented
            continue
        sock.sendall(b"POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 8000000\r\n\r\n")
        sock.settimeout(3)
        try:
            sock.sendall(b" " * (1200 << 10))
        except (socket.timeout, ssl.SSLError, OSError):
            pass  # the server stopped reading this one
        held.append(sock)
    return held, refused


def first_answers(held):
    """What each held connection got (b"" for nothing), closing them."""
    answers = []
    for sock in held:
        sock.settimeout(0.5)
        try:
            answers.append(sock.recv(4096))
        except (socket.timeout, ssl.SSLError, OSError):
            answers.append(b"")
        sock.close()
    return answers


def test_a_fast_review_gets_through_while_unfinished_bodies_hold_the_budget(serve):
    server = serve("--memory-limit", "16Mi")  # a budget of 35 %: 5.6 MiB, the last 1.4 MiB for fast requests
    assert server.metric_samples()[("eci_profile_memory_budget_bytes", ())] == int((16 << 20) * 0.35)
    held, refused = hold_unfinished_uploads(server)
    time.sleep(2.5)  # the bodies stay unfinished: slow after a second, shed once they hold the reserve

    started = time.monotonic()
    status, _, answer = server.request("POST", "/mutate", review_of_size(1 << 20))
    assert status == 200 and json.loads(answer)["response"]["allowed"] is True
    assert time.monotonic() - started < 2

    answers = first_answers(held)
    shed = [data for data in answers if data.startswith(b"HTTP/1.1 503 Service Unavailable\r\n")]
    assert shed and all(data.endswith(b"\r\n\r\n" + SHED_REASON) for data in shed), answers
    samples = server.metric_samples()
    assert samples[("eci_profile_memory_budget_sheds_total", ())] == len(shed)
    # The budget pushed back: reads held back, or a connection it could not take closed at once.
    assert samples[("eci_profile_memory_budget_refusals_total", ())] >= 1 or refused >= 1
    assert samples[("eci_profile_http_requests_total", (("code", "503"), ("path", "other"), ("protocol", "HTTP/1.1")))] \
        == len(shed)


def test_an_http2_upload_shed_for_memory_gets_a_503_on_its_stream_and_a_goaway(serve):
    server = serve("--memory-limit", "16Mi", "--enable-http2")
    client = H2Client(server)  # the oldest holder: shed first
    client.exchange(0.3)  # the server's SETTINGS (its 1 MiB stream window)
    stream = client.conn.get_next_available_stream_id()
    client.conn.send_headers(stream, [(":method", "POST"), (":scheme", "https"), (":authority", "localhost"),
                                      (":path", "/mutate"), ("content-type", "application/json"),
                                      ("content-length", "8000000")])
    for _ in range(32):  # 512 KiB in 16 KiB frames, within the stream's window
        client.conn.send_data(stream, b" " * (16 << 10))
    client.flush()
    time.sleep(0.2)
    held, _ = hold_unfinished_uploads(server)
    time.sleep(2.5)

    status, _, answer = server.request("POST", "/mutate", review_of_size(1 << 20))
    assert status == 200 and json.loads(answer)["response"]["allowed"] is True

    events = client.exchange(1.0)
    responses = [dict(e.headers) for e in events if isinstance(e, h2.events.ResponseReceived) and e.stream_id == stream]
    body = b"".join(e.data for e in events if isinstance(e, h2.events.DataReceived) and e.stream_id == stream)
    goaway = [(e.error_code, e.last_stream_id) for e in events if isinstance(e, h2.events.ConnectionTerminated)]
    assert responses == [{":status": "503", "content-type": "text/plain; charset=utf-8",
                          "content-length": str(len(SHED_REASON))}], events
    assert body == SHED_REASON
    assert goaway == [(h2.errors.ErrorCodes.NO_ERROR, stream)]
    client.pump(1.0)
    assert client.closed, "the server closes the connection after the GOAWAY"
    client.close()

    http1_shed = [data for data in first_answers(held) if data.startswith(b"HTTP/1.1 503 Service Unavailable\r\n")]
    samples = server.metric_samples()
    assert samples[("eci_profile_memory_budget_sheds_total", ())] == 1 + len(http1_shed)
    assert samples[("eci_profile_http_requests_total", (("code", "503"), ("path", "other"), ("protocol", "HTTP/2")))] == 1
