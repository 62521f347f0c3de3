#!/usr/bin/env python3
"""Regenerates the seed corpora under Fuzz/Corpus/ (run from anywhere; needs curl, nghttp2-client,
Python's h2 and PyYAML).

- http1: request byte streams captured from curl against a local socket, plus hand-written ones
  (chunked with extensions and trailers, pipelined, a smuggling-style conflict), each behind the
  two piece-size bytes the fuzz target reads first.
- http2: what curl (--http2-prior-knowledge), nghttp and h2load send to an h2 server on loopback,
  captured without the 24-byte client preface (the target sends that itself), behind the two
  piece-size bytes.
- admission: fixture reviews from Tests/ECIProfileCoreTests/Fixtures/reviews/.
- profile: config/eci-profile.yaml's data and the fixture profile as NUL-separated key/value pairs.

Files are named after their content's SHA-1, as libFuzzer names corpus entries.
"""
import hashlib
import json
import pathlib
import shutil
import socket
import subprocess
import threading

import h2.config
import h2.connection
import h2.events
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "Fuzz" / "Corpus"
FIXTURES = ROOT / "Tests" / "ECIProfileCoreTests" / "Fixtures"
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
REVIEW = FIXTURES / "reviews" / "109-CREATE-batch-configmap.json"
# Piece sizes prepended to byte streams: all at once, one byte at a time, odd splits.
WHOLE, BYTEWISE, ODD = b"\x00\x00", b"\x01\x01", b"\x07\x40"


def write(target, seeds):
    directory = CORPUS / target
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    for seed in seeds:
        (directory / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
    print(f"{target}: {len(seeds)} seeds, {sum(map(len, seeds))} bytes")


def capture(serve, client_commands):
    """Runs each client command against `serve(connection)` on a loopback port; returns the bytes each client sent."""
    captured = []
    for command in client_commands:
        listener = socket.create_server(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        received = bytearray()

        def accept():
            connection, _ = listener.accept()
            connection.settimeout(5)
            with connection:
                serve(connection, received)

        thread = threading.Thread(target=accept)
        thread.start()
        subprocess.run([part.replace("PORT", str(port)) for part in command], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=20)
        thread.join()
        listener.close()
        captured.append(bytes(received))
    return captured


def serve_http1(connection, received):
    """Reads one request (Content-Length or chunked, ended by the client's close or a blank chunk) and answers 200."""
    while b"\r\n\r\n" not in received:
        received += connection.recv(65536)
    head, _, body = bytes(received).partition(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), None)
    while (length is not None and len(body) < length) or (length is None and b"chunked" in head.lower() and not body.endswith(b"0\r\n\r\n")):
        chunk = connection.recv(65536)
        received += chunk
        body += chunk
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")


def serve_http2(connection, received):
    """Answers every request with 200 until the client goes away."""
    conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=False))
    conn.initiate_connection()
    connection.sendall(conn.data_to_send())
    while True:
        try:
            data = connection.recv(65536)
        except (TimeoutError, ConnectionResetError):
            return
        if not data:
            return
        received += data
        for event in conn.receive_data(data):
            if isinstance(event, h2.events.DataReceived):
                conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, h2.events.StreamEnded):
                conn.send_headers(event.stream_id, [(":status", "200"), ("content-length", "2")])
                conn.send_data(event.stream_id, b"{}", end_stream=True)
        connection.sendall(conn.data_to_send())


def http1_seeds():
    post = ["curl", "-s", "-H", "Content-Type: application/json", "--data-binary", f"@{REVIEW}"]
    captured = capture(serve_http1, [
        post + ["http://127.0.0.1:PORT/mutate?timeout=10s"],
        post + ["-H", "Transfer-Encoding: chunked", "http://127.0.0.1:PORT/mutate"],
        ["curl", "-s", "http://127.0.0.1:PORT/readyz"],
    ])
    handmade = [
        b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\nHEAD /metrics HTTP/1.1\r\nHost: a\r\n\r\n"
        b"POST /mutate HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}",
        b"\r\nPOST /mutate HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"4;ext=\"v\"\r\n{\"a\"\r\nA\r\n:[1,2,3]}\r\n0\r\nTrailer-Field: x\r\n\r\n",
        b"POST /mutate HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        b"POST /mutate HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nnull",
    ]
    return [WHOLE + captured[0], BYTEWISE + captured[1], ODD + captured[2]] + [WHOLE + seed for seed in handmade[:2]] + \
        [ODD + seed for seed in handmade[2:]]


def http2_seeds():
    body = str(REVIEW)
    captured = capture(serve_http2, [
        ["curl", "-s", "--http2-prior-knowledge", "-H", "Content-Type: application/json",
         "--data-binary", f"@{body}", "http://127.0.0.1:PORT/mutate?timeout=10s"],
        ["nghttp", "-n", "-d", body, "-H", "content-type: application/json", "http://127.0.0.1:PORT/mutate"],
        ["h2load", "-n", "6", "-c", "1", "-m", "3", "http://127.0.0.1:PORT/readyz"],
    ])
    streams = [stream.removeprefix(PREFACE) for stream in captured]
    return [WHOLE + streams[0], ODD + streams[1], BYTEWISE + streams[2][:600], WHOLE + streams[2]]


def admission_seeds():
    names = ["002-CREATE-batch-labels-only", "030-CREATE-web-web-frontend-6b7f9c5d8-", "038-UPDATE-batch-labels-only",
             "042-CREATE-batch-v1beta1-rs-5c9d7f-", "101-CREATE-batch-nodename", "103-CREATE-batch-toleration-equal",
             "104-CREATE-batch-nodeselector-conflict", "109-CREATE-batch-configmap", "111-CREATE-web-preferred-affinity",
             "113-CREATE-plain-gpu-no-tolerations"]
    return [(FIXTURES / "reviews" / f"{name}.json").read_bytes().strip() for name in names]


def profile_seeds():
    def encode(data):
        return b"\0".join(part.encode() for key, value in data.items() for part in (key, value))

    sample = yaml.safe_load((ROOT / "config" / "eci-profile.yaml").read_text())["data"]
    fixture = {key: json.dumps(value, ensure_ascii=False) for key, value in json.loads((FIXTURES / "profile.json").read_text()).items()}
    compact = dict(sample, selectors=json.dumps(json.loads(sample["selectors"]), separators=(",", ":")))
    typo = {"selectors": '[{"name":"a","objectSelecter":{"matchLabels":{"x":"y"}}}]', "enableLogController": "true"}
    return [encode(compact), encode(fixture), encode(typo), b"selectors\0\0virtualNodeSelector\0{}\0virtualNodeTolerations\0[]"]


if __name__ == "__main__":
    write("http1", http1_seeds())
    write("http2", http2_seeds())
    write("admission", admission_seeds())
    write("profile", profile_seeds())
