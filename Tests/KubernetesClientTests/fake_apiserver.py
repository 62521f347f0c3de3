#!/usr/bin/env python3
"""A fake Kubernetes API server for the KubernetesClient tests (Python standard library only).

Usage: fake_apiserver.py --dir DIR

The server exits when its standard input closes, so it never outlives the test process.

Makes a throwaway CA, a server certificate for 127.0.0.1/localhost and a client certificate in
DIR with the openssl CLI, serves HTTPS on an ephemeral loopback port and prints "READY <port>".
Clients authenticate with a client certificate from the CA or with the bearer token currently in
DIR/accepted-token (re-read on every request, so a test can rotate it).

API: LIST/GET/WATCH of core/v1 collections (/api/v1/namespaces/<ns>/<resource>, /api/v1/<resource>)
and of other groups' (/apis/<group>/<version>/...), with fieldSelector metadata.name=...,
resourceVersion, timeoutSeconds, chunked watch streams, and LIST pagination (limit, continue);
POST /api/v1/namespaces/<ns>/events records the body.

Control (no auth, not logged):
  POST /_control/object        {"resource","op":"put"|"delete","namespace","name","data","labels","object"}
                               ("object": any object to store as given, e.g. a Deployment;
                               "silent": true: stored for LIST/GET, never sent to watches, as an
                               object the watch has not delivered yet)
  POST /_control/objects       {"objects": [object bodies as above]} applied at once (big clusters)
  POST /_control/get-delay     {"seconds": s} every GET of one object answers s seconds late
  POST /_control/bookmark      send a BOOKMARK with a new resourceVersion to open watches
  POST /_control/watch-gone    {"http": bool} the next watch gets 410 (HTTP status or ERROR event)
  POST /_control/down          {"seconds": s} drop every API connection for s seconds
  POST /_control/drop-watches  cut open watch streams without ending them
  GET  /_control/requests      the API request log (with CLOCK_MONOTONIC "received" times, and
                               "answered" for LISTs)
  GET  /_control/events        bodies of POSTed events
"""

import argparse
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CA_CONFIG = """[req]
distinguished_name = dn
prompt = no
[dn]
CN = fake-apiserver-ca
[ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
"""


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def make_pki(directory):
    """CA, server and client certificates, valid for one day, P-256 keys."""
    path = lambda name: os.path.join(directory, name)
    with open(path("ca.cnf"), "w") as f:
        f.write(CA_CONFIG)
    key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", "-config", path("ca.cnf"), "-extensions", "ext", *key,
            "-keyout", path("ca.key"), "-out", path("ca.crt"), "-days", "1")
    for name, subject, extensions in [
        ("server", "/CN=localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"),
        ("client", "/CN=test-user/O=tests", "extendedKeyUsage=clientAuth\n"),
    ]:
        with open(path(name + ".ext"), "w") as f:
            f.write(extensions)
        openssl("req", "-new", *key, "-subj", subject, "-keyout", path(name + ".key"), "-out", path(name + ".csr"))
        openssl("x509", "-req", "-in", path(name + ".csr"), "-CA", path("ca.crt"), "-CAkey", path("ca.key"),
                "-set_serial", str(uuid.uuid4().int >> 64), "-days", "1", "-extfile", path(name + ".ext"),
                "-out", path(name + ".crt"))


class State:
    """Everything the server knows, guarded by one condition variable."""

    def __init__(self, directory):
        self.directory = directory
        self.cond = threading.Condition()
        self.rv = 100
        self.objects = {}  # (resource, namespace, name) -> object
        self.history = []  # (rv, resource, namespace, type, object)
        self.requests = []
        self.events = []
        self.watch_gone = None  # None, "http" or "event": what the next watch gets
        self.down_until = 0.0
        self.drop_generation = 0
        self.get_delay = 0.0

    def accepted_token(self):
        try:
            with open(os.path.join(self.directory, "accepted-token")) as f:
                return f.read().strip()
        except OSError:
            return None

    def change(self, body):
        """Applies a control mutation and tells watchers (call with cond held)."""
        resource = body.get("resource", "configmaps")
        namespace = body.get("namespace")
        key = (resource, namespace, body["name"])
        self.rv += 1
        existing = self.objects.get(key)
        if body.get("op") == "delete":
            if existing is None:
                return None
            del self.objects[key]
            existing["metadata"]["resourceVersion"] = str(self.rv)
            kind, obj = "DELETED", existing
        else:
            metadata = {"name": body["name"], "resourceVersion": str(self.rv),
                        "uid": existing["metadata"]["uid"] if existing else str(uuid.uuid4())}
            if namespace:
                metadata["namespace"] = namespace
            if body.get("labels"):
                metadata["labels"] = body["labels"]
            obj = {"apiVersion": "v1", "kind": "ConfigMap" if resource == "configmaps" else "Namespace",
                   "metadata": metadata}
            if "object" in body:
                obj = dict(body["object"], metadata=dict(body["object"].get("metadata", {}), **metadata))
            if "data" in body:
                obj["data"] = body["data"]
            self.objects[key] = obj
            kind = "MODIFIED" if existing else "ADDED"
        if body.get("silent"):
            return obj
        self.history.append((self.rv, resource, namespace, kind, json.loads(json.dumps(obj))))
        self.cond.notify_all()
        return obj


def status_body(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "code": code, "reason": reason, "message": message}


def matches(entry_resource, entry_namespace, obj, resource, namespace, field_selector):
    if entry_resource != resource or (namespace is not None and entry_namespace != namespace):
        return False
    if field_selector and field_selector.startswith("metadata.name="):
        return obj["metadata"]["name"] == field_selector[len("metadata.name="):]
    return True


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: State = None

    def log_message(self, format, *args):
        pass

    # --- plumbing -------------------------------------------------------------------------------

    def send_json(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"{}")

    def write_chunk(self, obj):
        data = json.dumps(obj).encode() + b"\n"
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def authenticate(self):
        try:
            if self.connection.getpeercert():
                return "cert"
        except (ValueError, AttributeError):
            pass
        header = self.headers.get("Authorization", "")
        if header.startswith("Bearer ") and header[len("Bearer "):] == self.state.accepted_token():
            return "token"
        return None

    # --- dispatch -------------------------------------------------------------------------------

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def dispatch(self, method):
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path.startswith("/_control/"):
            return self.control(method, url.path[len("/_control/"):])
        parts = [p for p in url.path.split("/") if p]
        state = self.state
        if parts[:2] == ["api", "v1"]:
            rest = parts[2:]
        elif parts[:1] == ["apis"] and len(parts) > 3:
            rest = parts[3:]
        else:
            return self.send_json(404, status_body(404, "NotFound", "unknown path"))
        namespace, name = None, None
        if len(rest) >= 3 and rest[0] == "namespaces":
            namespace, resource, name = rest[1], rest[2], (rest[3] if len(rest) > 3 else None)
        elif len(rest) == 2 and rest[0] == "namespaces":
            resource, name = "namespaces", rest[1]
        else:
            resource = rest[0]
        if method == "POST":
            kind = "post"
        elif name is not None:
            kind = "get"
        else:
            kind = "watch" if query.get("watch") in ("1", "true") else "list"
        entry = {"method": method, "path": url.path, "query": query, "kind": kind, "auth": "none",
                 "received": time.monotonic()}
        with state.cond:
            state.requests.append(entry)
            down = time.time() < state.down_until
        if down:
            entry["status"] = "dropped"
            return self.drop()
        auth = self.authenticate()
        entry["auth"] = auth or "rejected"
        if auth is None:
            entry["status"] = 401
            return self.send_json(401, status_body(401, "Unauthorized", "Unauthorized"))
        entry["status"] = 200
        if kind == "post":
            return self.create(resource, namespace)
        if kind == "get":
            with state.cond:
                delay = state.get_delay
            if delay:
                time.sleep(delay)
            with state.cond:
                obj = state.objects.get((resource, namespace, name))
            if obj is None:
                entry["status"] = 404
                return self.send_json(404, status_body(404, "NotFound", f"{resource} {name} not found"))
            return self.send_json(200, obj)
        if kind == "list":
            with state.cond:
                items = [o for (r, ns, _), o in sorted(state.objects.items())
                         if matches(r, ns, o, resource, namespace, query.get("fieldSelector"))]
                body = {"kind": "List", "apiVersion": "v1", "metadata": {"resourceVersion": str(state.rv)},
                        "items": items}
            if query.get("limit"):
                start, limit = int(query.get("continue") or 0), int(query["limit"])
                body["items"] = items[start:start + limit]
                if start + limit < len(items):
                    body["metadata"]["continue"] = str(start + limit)
            self.send_json(200, body)
            entry["answered"] = time.monotonic()
            return
        return self.watch(entry, resource, namespace, query)

    def create(self, resource, namespace):
        body = self.read_body()
        state = self.state
        with state.cond:
            state.rv += 1
            body.setdefault("metadata", {})["resourceVersion"] = str(state.rv)
            if resource == "events":
                state.events.append(body)
        self.send_json(201, body)

    def watch(self, entry, resource, namespace, query):
        state = self.state
        since = int(query.get("resourceVersion") or 0)
        timeout = float(query.get("timeoutSeconds") or 30)
        selector = query.get("fieldSelector")
        with state.cond:
            gone, state.watch_gone = state.watch_gone, None
            replay = [e for e in state.history
                      if e[0] > since and matches(e[1], e[2], e[4], resource, namespace, selector)]
            position = len(state.history)
            generation = state.drop_generation
        if gone == "http":
            entry["status"] = 410
            return self.send_json(410, status_body(410, "Expired", "too old resource version"))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if gone == "event":
            self.write_chunk({"type": "ERROR", "object": status_body(410, "Expired", "too old resource version")})
            self.wfile.write(b"0\r\n\r\n")
            return
        for e in replay:
            self.write_chunk({"type": e[3], "object": e[4]})
        deadline = time.time() + timeout
        while True:
            with state.cond:
                while (position == len(state.history) and generation == state.drop_generation
                       and time.time() < deadline):
                    state.cond.wait(max(0.0, deadline - time.time()))
                if generation != state.drop_generation:
                    return self.drop()
                new, position = state.history[position:], len(state.history)
            if not new and time.time() >= deadline:
                break
            for e in new:
                if e[3] == "BOOKMARK" and e[1] == resource:
                    self.write_chunk({"type": "BOOKMARK", "object": e[4]})
                elif e[3] != "BOOKMARK" and matches(e[1], e[2], e[4], resource, namespace, selector):
                    self.write_chunk({"type": e[3], "object": e[4]})
        self.wfile.write(b"0\r\n\r\n")

    def control(self, method, action):
        state = self.state
        if method == "GET" and action == "requests":
            with state.cond:
                return self.send_json(200, list(state.requests))
        if method == "GET" and action == "events":
            with state.cond:
                return self.send_json(200, list(state.events))
        body = self.read_body()
        with state.cond:
            if action == "object":
                result = state.change(body)
            elif action == "objects":
                result = {"count": sum(state.change(one) is not None for one in body.get("objects", []))}
            elif action == "get-delay":
                state.get_delay = float(body.get("seconds", 0))
                result = {}
            elif action == "bookmark":
                state.rv += 1
                resource = body.get("resource", "configmaps")
                obj = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"resourceVersion": str(state.rv)}}
                state.history.append((state.rv, resource, None, "BOOKMARK", obj))
                state.cond.notify_all()
                result = {"resourceVersion": str(state.rv)}
            elif action == "watch-gone":
                state.watch_gone = "http" if body.get("http") else "event"
                result = {}
            elif action == "down":
                state.down_until = time.time() + float(body.get("seconds", 1))
                state.drop_generation += 1
                state.cond.notify_all()
                result = {}
            elif action == "drop-watches":
                state.drop_generation += 1
                state.cond.notify_all()
                result = {}
            else:
                return self.send_json(404, status_body(404, "NotFound", "unknown control"))
        self.send_json(200, result)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default listen backlog is 5: a burst of new connections (50 namespace GETs at once)
    # overflows it, and each dropped SYN costs the client a 1 s retransmission.
    request_queue_size = 256

    def handle_error(self, request, client_address):
        pass  # failed handshakes and dropped clients are part of the tests


def exit_when_stdin_closes():
    sys.stdin.buffer.read()
    os._exit(0)


def main():
    # A test runner may spawn us with signals blocked; SIGTERM must still end the server.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    make_pki(args.dir)
    Handler.state = State(args.dir)
    server = Server(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.path.join(args.dir, "server.crt"), os.path.join(args.dir, "server.key"))
    context.load_verify_locations(os.path.join(args.dir, "ca.crt"))
    context.verify_mode = ssl.CERT_OPTIONAL
    server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    print(f"READY {server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
