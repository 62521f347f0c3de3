"""Every error status of SPEC §3, and malformed HTTP/1.1, each followed by a good request on a new
connection to prove the server still serves."""
import json
import urllib.request

import pytest

from conftest import FIXTURES
from server import build_request, read_response

MAX_BODY = 65536
GOOD = json.loads((FIXTURES / "reviews" / "002-CREATE-batch-labels-only.json").read_text())


@pytest.fixture(scope="module")
def server(launch, tmp_path_factory):
    with launch(tmp_path_factory.mktemp("status"), "--max-request-bytes", str(MAX_BODY)) as running:
        yield running


def assert_still_serves(server):
    status, answer = server.post_review(GOOD)
    assert status == 200, answer
    assert answer["response"]["uid"] == GOOD["request"]["uid"]


def exchange(server, data: bytes):
    """Writes `data` on a new TLS connection (tolerating a server that stops reading early) and reads
    one response."""
    with server.tls_socket() as sock:
        try:
            sock.sendall(data)
        except OSError:
            pass  # the server may answer and stop reading before the whole body is sent
        return read_response(sock.makefile("rb"))


def assert_one_line_reason(body: bytes):
    text = body.decode().strip()
    assert text and "\n" not in text, body


def without_uid():
    review = json.loads(json.dumps(GOOD))
    del review["request"]["uid"]
    return review


@pytest.mark.parametrize("body", [
    pytest.param(b"this is not json {", id="not-json"),
    pytest.param(b'{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}', id="not-a-review"),
    pytest.param(b'["AdmissionReview"]', id="json-array"),
    pytest.param(json.dumps(without_uid()).encode(), id="no-uid"),
    pytest.param(b"", id="empty-body"),
])
def test_bad_reviews_get_400_with_a_one_line_reason(server, body):
    status, _, reply = exchange(server, build_request("POST", "/mutate", body))
    assert status == 400
    assert_one_line_reason(reply)
    assert_still_serves(server)


def test_wrong_content_type_gets_415(server):
    body = json.dumps(GOOD).encode()
    status, _, _ = exchange(server, build_request("POST", "/mutate", body, content_type="text/plain"))
    assert status == 415
    status, _, reply = exchange(server, build_request("POST", "/mutate", body, content_type="application/json; charset=utf-8"))
    assert status == 200 and json.loads(reply)["response"]["uid"] == GOOD["request"]["uid"]
    assert_still_serves(server)


def test_a_body_over_the_limit_gets_413(server):
    body = b"x" * (MAX_BODY + 1)
    status, _, _ = exchange(server, build_request("POST", "/mutate", body))
    assert status == 413
    assert_still_serves(server)


def test_a_declared_length_over_the_limit_gets_413_before_the_body(server):
    status, _, _ = exchange(server, build_request("POST", "/mutate", headers={"Content-Length": str(100 << 20)}))
    assert status == 413
    assert_still_serves(server)


def test_a_chunked_body_over_the_limit_gets_413(server):
    chunk = b"y" * 16384
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(MAX_BODY // len(chunk) + 2)) + b"0\r\n\r\n"
    head = build_request("POST", "/mutate", headers={"Content-Length": None, "Transfer-Encoding": "chunked"})
    status, _, _ = exchange(server, head + body)
    assert status == 413
    assert_still_serves(server)


def test_a_chunked_body_under_the_limit_is_served(server):
    payload = json.dumps(GOOD).encode()
    body = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (payload[:1000], payload[1000:])) + b"0\r\n\r\n"
    head = build_request("POST", "/mutate", headers={"Content-Length": None, "Transfer-Encoding": "chunked"})
    status, _, reply = exchange(server, head + body)
    assert status == 200 and json.loads(reply)["response"]["uid"] == GOOD["request"]["uid"]


@pytest.mark.parametrize("method, path", [("POST", "/nope"), ("GET", "/nope"), ("POST", "/mutate/extra")])
def test_unknown_paths_get_404(server, method, path):
    status, _, _ = exchange(server, build_request(method, path, json.dumps(GOOD).encode() if method == "POST" else b""))
    assert status == 404
    assert_still_serves(server)


@pytest.mark.parametrize("method, path", [("GET", "/mutate"), ("PUT", "/mutate"), ("DELETE", "/inject"), ("POST", "/healthz")])
def test_wrong_methods_get_405_with_allow(server, method, path):
    status, headers, _ = exchange(server, build_request(method, path))
    assert status == 405
    assert "allow" in headers, headers
    assert_still_serves(server)


def test_a_header_block_over_64_kib_gets_431(server):
    status, _, _ = exchange(server, build_request("POST", "/mutate", json.dumps(GOOD).encode(),
                                                  headers={"X-Big": "a" * (70 << 10)}))
    assert status == 431
    assert_still_serves(server)


def test_many_headers_over_64_kib_get_431(server):
    headers = {f"X-Field-{i}": "b" * 100 for i in range(800)}
    status, _, _ = exchange(server, build_request("GET", "/healthz", headers=headers))
    assert status == 431
    assert_still_serves(server)


MALFORMED = {
    "smuggling-te-and-cl": b"POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                           b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
    "obs-fold": b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Folded: a\r\n b\r\n\r\n",
    "conflicting-content-lengths": b"POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                                   b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}x",
    "non-numeric-content-length": b"POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                                  b"Content-Length: 1x\r\n\r\n{",
    "space-before-colon": b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Bad : 1\r\n\r\n",
    "no-host": b"GET /healthz HTTP/1.1\r\n\r\n",
    "unknown-transfer-coding": b"POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                               b"Transfer-Encoding: gzip\r\n\r\n",
    "garbage-request-line": b"\x16\x03\x01 nonsense\r\n\r\n",
}


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_http_gets_400_and_the_connection_closes(server, name):
    with server.tls_socket() as sock:
        sock.sendall(MALFORMED[name])
        stream = sock.makefile("rb")
        status, _, _ = read_response(stream)
        assert status in (400, 501) if name == "unknown-transfer-coding" else status == 400
        assert stream.read() == b"", "the connection must close after a framing error (nothing else answered)"
    assert_still_serves(server)


UNUSUAL = {
    # RFC 9112 section 3.2.2: "a server MUST accept the absolute-form in requests"
    "absolute-form-target": build_request("POST", "https://localhost/mutate", json.dumps(GOOD).encode()),
    "media-type-in-capitals": build_request("POST", "/mutate", json.dumps(GOOD).encode(), content_type="Application/JSON"),
    "chunked-with-a-trailer": build_request("POST", "/mutate", headers={"Content-Length": None, "Transfer-Encoding": "chunked"})
    + b"%x\r\n%s\r\n0\r\nX-Trailer: 1\r\n\r\n" % (len(json.dumps(GOOD)), json.dumps(GOOD).encode()),
}


@pytest.mark.parametrize("name", UNUSUAL)
def test_valid_but_unusual_requests_are_served(server, name):
    status, _, reply = exchange(server, UNUSUAL[name])
    assert status == 200, reply
    assert json.loads(reply)["response"]["uid"] == GOOD["request"]["uid"]


def test_expect_100_continue_is_answered_before_the_body(server):
    body = json.dumps(GOOD).encode()
    with server.tls_socket() as sock:
        sock.sendall(build_request("POST", "/mutate", headers={"Content-Length": str(len(body)), "Expect": "100-continue"}))
        stream = sock.makefile("rb")
        sock.settimeout(3)
        assert stream.readline().startswith(b"HTTP/1.1 100 "), "no 100 Continue within 3 s"
        assert stream.readline() == b"\r\n"
        sock.sendall(body)
        status, _, reply = read_response(stream)
        assert status == 200 and json.loads(reply)["response"]["uid"] == GOOD["request"]["uid"]


def test_expect_100_continue_over_the_limit_gets_413_without_the_body(server):
    with server.tls_socket() as sock:
        sock.sendall(build_request("POST", "/mutate", headers={"Content-Length": str(MAX_BODY * 4), "Expect": "100-continue"}))
        sock.settimeout(3)
        assert read_response(sock.makefile("rb"))[0] == 413
    assert_still_serves(server)


def test_the_metrics_port_serves_health_and_prometheus_text(server):
    assert server.metrics_status("/healthz") == 200
    assert server.metrics_status("/readyz") == 200
    assert server.metrics_status("/nope") == 404
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(
            f"http://127.0.0.1:{server.metrics_port}/metrics", timeout=5) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        text = response.read().decode()
    samples = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert samples and all(len(line.rsplit(" ", 1)) == 2 for line in samples), text[:500]
    assert "# TYPE " in text
