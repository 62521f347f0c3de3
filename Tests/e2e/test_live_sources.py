"""Live profile and namespace-label sources of `eci-profile serve`, end to end.

API mode: the server runs against Tests/KubernetesClientTests/fake_apiserver.py (TLS, bearer token
from a kubeconfig) holding the fixture profile as the ConfigMap `kube-system/eci-profile` and the
fixture namespaces; the fake's control endpoints edit objects, cut watches, answer 410 and take the
API down. File mode: the profile file is edited in place, replaced by rename, and swapped the way
kubelet updates a mounted ConfigMap (`..data` symlink).

Every wait polls with a deadline. Measured latencies are printed (`pytest -s` shows them).
"""
import base64
import copy
import json
import os
import pathlib
import select
import shutil
import ssl
import subprocess
import sys
import time
import typing
import urllib.request

import pytest

from conftest import FIXTURES, ROOT
from server import HOST, Server, wait_until

FAKE_APISERVER = ROOT / "Tests" / "KubernetesClientTests" / "fake_apiserver.py"
PROFILE = json.loads((FIXTURES / "profile.json").read_text())
NAMESPACES = json.loads((FIXTURES / "namespaces.json").read_text())
CONFIGMAP_PATH = "/api/v1/namespaces/kube-system/configmaps"
NAMESPACES_PATH = "/api/v1/namespaces"
TOKEN = "e2e-live-sources-token"
BATCH = "002-CREATE-batch-labels-only"    # batch namespace: batch-workers (virtualNodeOnly) + batch-any + ntp
PLAIN = "116-CREATE-plain-unmatched"      # plain namespace: nothing matches
SPECS = "k8s.aliyun.com/eci-use-specs"
LIVE_WITHIN = 2.0    # target 1 s; 2 s allowed on a loaded two-core machine
OUTAGE_SECONDS = 10  # a 30 s outage behaves the same (the backoff is capped at 30 s); 10 s keeps the suite short


# -- fixture data --------------------------------------------------------------------------------

def review(case, namespace=None):
    body = json.loads((FIXTURES / "reviews" / f"{case}.json").read_text())
    if namespace:
        body["request"]["namespace"] = namespace
        body["request"]["object"]["metadata"]["namespace"] = namespace
    return body


def expected_patch(case):
    return json.loads((FIXTURES / "cases" / f"{case}.json").read_text())["expected"]["patch"]


def profile_with(specs=None, without=()):
    """The fixture profile with batch-workers' eci-use-specs changed and some selectors removed."""
    profile = copy.deepcopy(PROFILE)
    if specs:
        batch_workers = next(s for s in profile["selectors"] if s["name"] == "batch-workers")
        batch_workers["effect"]["annotations"][SPECS] = specs
    profile["selectors"] = [s for s in profile["selectors"] if s["name"] not in without]
    return profile


def invalid_profile(policy="sometimes"):
    profile = copy.deepcopy(PROFILE)
    profile["selectors"][0]["policy"] = policy
    return profile


def configmap_data(profile):
    """Every key becomes a data string, as the conftest `test_profile` writes it."""
    return {key: json.dumps(value, ensure_ascii=False) for key, value in profile.items()}


def configmap_document(profile):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "eci-profile", "namespace": "kube-system"},
            "data": configmap_data(profile)}


# -- answers and metrics -------------------------------------------------------------------------

def patch_of(answer):
    response = answer["response"]
    return json.loads(base64.b64decode(response["patch"])) if response.get("patch") else []


def answer_patch(server, body):
    status, answer = server.post_review(body)
    assert status == 200, answer
    assert answer["response"]["allowed"] is True
    return patch_of(answer)


def added_annotations(patch):
    found = {}
    for op in patch:
        if op["op"] == "add" and op["path"] == "/metadata/annotations":
            found.update(op["value"])
        elif op["op"] == "add" and op["path"].startswith("/metadata/annotations/"):
            key = op["path"][len("/metadata/annotations/"):].replace("~1", "/").replace("~0", "~")
            found[key] = op["value"]
    return found


def specs_of(patch):
    return added_annotations(patch).get(SPECS)


def time_until_live(server, body, predicate, started, timeout=LIVE_WITHIN + 3):
    """Sends `body` until its patch satisfies `predicate`; seconds from `started` to that answer."""
    deadline = started + timeout
    while True:
        patch = answer_patch(server, body)
        if predicate(patch):
            return time.monotonic() - started
        assert time.monotonic() < deadline, f"still not live after {timeout}s; last patch {patch}\n{server.log()}"
        time.sleep(0.01)


def metric(server, name, **labels):
    return server.metric_samples().get((name, tuple(sorted(labels.items()))), 0.0)


def report(what, seconds):
    print(f"\nLATENCY {what}: {seconds * 1000:.0f} ms")


# -- the fake API server -------------------------------------------------------------------------

class FakeAPIServer:
    """fake_apiserver.py in a subprocess; it exits when its stdin closes."""

    def __init__(self, directory: pathlib.Path):
        self.directory = directory
        self._stderr = open(directory / "fake-apiserver.log", "wb")
        self.process = subprocess.Popen([sys.executable, str(FAKE_APISERVER), "--dir", str(directory)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr)
        try:
            self.port = self._read_port(timeout=60)
        except BaseException:
            self.stop()
            raise
        (directory / "accepted-token").write_text(TOKEN)
        context = ssl.create_default_context(cafile=str(directory / "ca.crt"))
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                                   urllib.request.HTTPSHandler(context=context))

    def _read_port(self, timeout):
        deadline, line = time.monotonic() + timeout, b""
        fd = self.process.stdout.fileno()
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            assert remaining > 0 and select.select([fd], [], [], remaining)[0], "fake API server not ready"
            chunk = os.read(fd, 256)
            assert chunk, f"fake API server exited: {(self.directory / 'fake-apiserver.log').read_text()[-2000:]}"
            line += chunk
        word, port = line.decode().split()
        assert word == "READY"
        return int(port)

    def stop(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._stderr.close()

    def _call(self, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"https://{HOST}:{self.port}/_control/{path}", data=data,
                                         headers={"Content-Type": "application/json"})
        with self._opener.open(request, timeout=10) as response:
            return json.loads(response.read())

    def control(self, action, body=None):
        return self._call(action, body or {})

    def put_configmap(self, profile):
        """Puts the ConfigMap with `profile` as data; returns the stored object."""
        return self.control("object", {"resource": "configmaps", "op": "put", "namespace": "kube-system",
                                       "name": "eci-profile", "data": configmap_data(profile)})

    def delete_configmap(self):
        return self.control("object", {"resource": "configmaps", "op": "delete", "namespace": "kube-system",
                                       "name": "eci-profile"})

    def put_namespace(self, name, labels):
        return self.control("object", {"resource": "namespaces", "op": "put", "name": name, "labels": labels})

    def requests(self):
        return self._call("requests")

    def events(self):
        return self._call("events")


def write_kubeconfig(path: pathlib.Path, port: int, ca: pathlib.Path):
    path.write_text(f"""apiVersion: v1
kind: Config
current-context: fake
clusters:
- name: fake
  cluster:
    server: https://127.0.0.1:{port}
    certificate-authority: {ca}
contexts:
- name: fake
  context:
    cluster: fake
    user: webhook
users:
- name: webhook
  user:
    token: {TOKEN}
""")


class Api(typing.NamedTuple):
    fake: FakeAPIServer
    server: Server


@pytest.fixture
def start_api(binary, certs, tmp_path):
    """`start_api(profile=PROFILE, wait=True)`: the fake API server holding `profile` as the ConfigMap
    (None: no ConfigMap) and the fixture namespaces, and a server watching it (started and ready,
    or only spawned when `wait` is false)."""
    fakes, servers = [], []

    def start(profile=PROFILE, wait=True):
        fake = FakeAPIServer(tmp_path)
        fakes.append(fake)
        if profile is not None:
            fake.put_configmap(profile)
        for name, labels in NAMESPACES.items():
            fake.put_namespace(name, labels)
        kubeconfig = tmp_path / "kubeconfig.yaml"
        write_kubeconfig(kubeconfig, fake.port, tmp_path / "ca.crt")
        server = Server(binary, certs, "--profile-source", "kubernetes", "--kubeconfig", str(kubeconfig),
                        "--profile-namespace", "kube-system", "--profile-name", "eci-profile", log_dir=tmp_path)
        servers.append(server)
        (server.start if wait else server.spawn)()
        return Api(fake, server)

    try:
        yield start
        for server in servers:
            server.stop()
        for fake in fakes:
            assert [r for r in fake.requests() if r["auth"] == "rejected"] == [], "a request without the token"
    finally:
        for server in servers:
            server.stop()
        for fake in fakes:
            fake.stop()


@pytest.fixture
def api(start_api):
    """The fake API server with the fixture profile and namespaces, and a ready server watching it."""
    running = start_api()
    assert answer_patch(running.server, review(BATCH)) == expected_patch(BATCH)
    return running


def entries_after(fake, mark, **fields):
    return [r for r in fake.requests()[mark:] if all(r.get(k) == v for k, v in fields.items())]


def force_relist(fake, path, http, attempts=12):
    """Makes the next watch get 410 and cuts the open watches until the reflector of `path` is the
    one that got it (the fake gives the 410 to whichever watch comes first). Returns the log
    position before the successful attempt."""
    for _ in range(attempts):
        mark = len(fake.requests())
        # A bookmark counts as progress, so the cut below does not grow the reflectors' backoff
        # (a quiet watch that is cut does; see test_a_quiet_watch_cut_by_an_intermediary_reconnects_promptly).
        fake.control("bookmark", {"resource": "configmaps"})
        fake.control("bookmark", {"resource": "namespaces"})
        time.sleep(0.2)  # delivered before the cut
        fake.control("watch-gone", {"http": http})
        fake.control("drop-watches")
        lists = wait_until(lambda: entries_after(fake, mark, kind="list"), 10)
        assert lists, "a 410 on watch led to no re-list"
        if lists[0]["path"] == path:
            return mark
    raise AssertionError(f"the 410 never reached the watch of {path}")


def settle_after_relist(fake, mark, path):
    """Waits until the re-listed collection watches again and the other watch reconnected."""
    def watching():
        after = fake.requests()[mark:]
        listed = [i for i, r in enumerate(after) if r["kind"] == "list" and r["path"] == path]
        watches = [(i, r["path"]) for i, r in enumerate(after) if r["kind"] == "watch" and r.get("status") == 200]
        return listed and any(i > listed[0] and p == path for i, p in watches) and \
            {CONFIGMAP_PATH, NAMESPACES_PATH} <= {p for _, p in watches}
    assert wait_until(watching, 10), fake.requests()[mark:]


# -- API mode --------------------------------------------------------------------------------------

def test_a_profile_edit_is_live_for_the_next_requests(api):
    fake, server = api.fake, api.server
    fake.put_configmap(profile_with(specs="8-16Gi"))
    edited = time.monotonic()
    latency = time_until_live(server, review(BATCH), lambda p: specs_of(p) == "8-16Gi", edited)
    report("API ConfigMap edit (annotation value) -> live", latency)
    assert latency < LIVE_WITHIN

    # Removing the deciding selector: batch-any (fair: tolerations only) now decides.
    fake.put_configmap(profile_with(specs="8-16Gi", without=("batch-workers",)))
    edited = time.monotonic()
    latency = time_until_live(server, review(BATCH),
                              lambda p: not any(op["path"].startswith("/spec/nodeSelector") for op in p), edited)
    report("API ConfigMap edit (selector removed) -> live", latency)
    assert latency < LIVE_WITHIN
    patch = answer_patch(server, review(BATCH))
    assert specs_of(patch) == "1-2Gi"
    assert any(op["path"] == "/spec/tolerations/-" for op in patch)
    assert metric(server, "eci_profile_profile_reloads_total", source="kubernetes", result="success") == 3


def test_an_invalid_edit_keeps_the_last_good_profile_and_is_reported_once(api):
    fake, server = api.fake, api.server
    stored = fake.put_configmap(invalid_profile())
    version = stored["metadata"]["resourceVersion"]
    assert wait_until(lambda: metric(server, "eci_profile_profile_valid") == 0.0, 5), server.log()
    assert answer_patch(server, review(BATCH)) == expected_patch(BATCH)
    assert server.metrics_status("/readyz") == 200

    assert wait_until(lambda: fake.events(), 5), "no InvalidProfile event"
    time.sleep(2)  # a few seconds in which no second Event may appear
    events = fake.events()
    assert len(events) == 1, events
    event = events[0]
    assert event["reason"] == "InvalidProfile"
    assert event["type"] == "Warning"
    assert event["metadata"]["name"] == f"eci-profile.invalid-profile.{version}"
    assert event["metadata"]["namespace"] == "kube-system"
    assert event["involvedObject"]["kind"] == "ConfigMap"
    assert event["involvedObject"]["name"] == "eci-profile"
    assert event["involvedObject"]["namespace"] == "kube-system"
    assert "sometimes" in event["message"] and "selectors[0]" in event["message"], event["message"]
    assert [r["path"] for r in fake.requests() if r["kind"] == "post"] == ["/api/v1/namespaces/kube-system/events"]

    # A re-list delivers the same invalid version again: no second Event, no second count.
    mark = force_relist(fake, CONFIGMAP_PATH, http=True)
    settle_after_relist(fake, mark, CONFIGMAP_PATH)
    time.sleep(1)
    assert len(fake.events()) == 1, fake.events()
    assert metric(server, "eci_profile_profile_reloads_total", source="kubernetes", result="invalid") == 1
    assert metric(server, "eci_profile_profile_valid") == 0.0
    assert answer_patch(server, review(BATCH)) == expected_patch(BATCH)

    # A further invalid version is reported once too.
    second = fake.put_configmap(invalid_profile(policy="never"))["metadata"]["resourceVersion"]
    assert wait_until(lambda: len(fake.events()) == 2, 5), fake.events()
    assert fake.events()[1]["metadata"]["name"] == f"eci-profile.invalid-profile.{second}"

    # Fixing it restores validity and puts the new version in force.
    fake.put_configmap(profile_with(specs="4-8Gi"))
    fixed = time.monotonic()
    latency = time_until_live(server, review(BATCH), lambda p: specs_of(p) == "4-8Gi", fixed)
    report("API ConfigMap fixed after invalid -> live", latency)
    assert latency < LIVE_WITHIN
    assert metric(server, "eci_profile_profile_valid") == 1.0
    assert metric(server, "eci_profile_profile_reloads_total", source="kubernetes", result="invalid") == 2
    time.sleep(0.5)
    assert len(fake.events()) == 2


def test_deleting_the_configmap_empties_the_profile_and_recreating_restores_it(api):
    fake, server = api.fake, api.server
    fake.delete_configmap()
    deleted = time.monotonic()
    latency = time_until_live(server, review(BATCH), lambda p: p == [], deleted)
    report("API ConfigMap deleted -> empty profile", latency)
    assert latency < LIVE_WITHIN
    assert server.metrics_status("/readyz") == 200
    assert metric(server, "eci_profile_profile_valid") == 1.0

    fake.put_configmap(PROFILE)
    recreated = time.monotonic()
    latency = time_until_live(server, review(BATCH), lambda p: p == expected_patch(BATCH), recreated)
    report("API ConfigMap recreated -> live", latency)
    assert latency < LIVE_WITHIN


def test_namespace_label_changes_and_new_namespaces_are_live(api):
    fake, server = api.fake, api.server
    assert answer_patch(server, review(PLAIN)) == []
    fake.put_namespace("plain", {"eci": "true"})  # batch-any now matches: fair, tolerations only
    labelled = time.monotonic()
    latency = time_until_live(server, review(PLAIN), lambda p: specs_of(p) == "1-2Gi", labelled)
    report("API namespace label change -> live", latency)
    assert latency < LIVE_WITHIN
    assert not any(op["path"].startswith("/spec/nodeSelector") for op in answer_patch(server, review(PLAIN)))

    # A namespace created just before its first pod (the watch may or may not have delivered it).
    fake.put_namespace("fresh-watch", NAMESPACES["batch"])
    assert answer_patch(server, review(BATCH, namespace="fresh-watch")) == expected_patch(BATCH)

    # With the watches cut, the namespace reaches the server only through the live GET.
    fetched = []
    for attempt in range(5):
        name = f"fresh-get-{attempt}"
        mark = len(fake.requests())
        fake.control("drop-watches")
        fake.put_namespace(name, NAMESPACES["batch"])
        started = time.monotonic()
        assert answer_patch(server, review(BATCH, namespace=name)) == expected_patch(BATCH)
        elapsed = time.monotonic() - started
        if entries_after(fake, mark, kind="get", path=f"{NAMESPACES_PATH}/{name}"):
            fetched.append(elapsed)
            break
    assert fetched, "the watch always won; the live GET path was never taken"
    report("pod in a brand-new namespace via live GET (request round trip)", fetched[0])
    assert fetched[0] < 1.5

    # A namespace the API does not know: allowed unchanged (fail open) after one GET.
    failed_open = metric(server, "eci_profile_admission_requests_total", operation="CREATE", result="failed_open")
    mark = len(fake.requests())
    started = time.monotonic()
    assert answer_patch(server, review(BATCH, namespace="ghost")) == []
    assert time.monotonic() - started < 1.5
    assert [r["status"] for r in entries_after(fake, mark, kind="get", path=f"{NAMESPACES_PATH}/ghost")] == [404]
    assert metric(server, "eci_profile_admission_requests_total", operation="CREATE",
                  result="failed_open") == failed_open + 1


def test_an_absent_configmap_at_start_is_the_empty_profile(start_api):
    running = start_api(profile=None)
    fake, server = running.fake, running.server
    assert answer_patch(server, review(BATCH)) == []
    assert metric(server, "eci_profile_profile_valid") == 1.0
    fake.put_configmap(PROFILE)
    latency = time_until_live(server, review(BATCH), lambda p: p == expected_patch(BATCH), time.monotonic())
    report("API ConfigMap created after an absent start -> live", latency)
    assert latency < LIVE_WITHIN


def test_an_invalid_configmap_at_start_is_not_ready_fails_open_and_is_reported(start_api):
    running = start_api(profile=invalid_profile(), wait=False)
    fake, server = running.fake, running.server
    assert wait_until(lambda: fake.events(), 15), f"no InvalidProfile event\n{server.log()}"
    assert [e["reason"] for e in fake.events()] == ["InvalidProfile"]
    assert wait_until(lambda: server.metrics_status("/readyz") is not None, 15), server.log()
    assert server.metrics_status("/readyz") == 503, "no valid profile yet: not ready (README, /readyz 503)"
    assert answer_patch(server, review(BATCH)) == []
    assert metric(server, "eci_profile_profile_valid") == 0.0

    fake.put_configmap(PROFILE)
    assert wait_until(lambda: server.metrics_status("/readyz") == 200, LIVE_WITHIN), server.log()
    assert answer_patch(server, review(BATCH)) == expected_patch(BATCH)
    assert metric(server, "eci_profile_profile_valid") == 1.0


def test_an_api_outage_is_ridden_out_on_the_last_good_state(api):
    fake, server = api.fake, api.server
    mark = len(fake.requests())
    fake.control("down", {"seconds": OUTAGE_SECONDS})
    went_down = time.monotonic()
    comes_back = went_down + OUTAGE_SECONDS
    # Changes made while the server cannot see them arrive once the watches resume.
    fake.put_configmap(profile_with(specs="8-16Gi"))
    fake.put_namespace("plain", {"eci": "true"})

    ghost_round_trip = None
    while time.monotonic() < comes_back - 1.0:
        assert server.metrics_status("/readyz") == 200
        assert answer_patch(server, review(BATCH)) == expected_patch(BATCH)
        assert answer_patch(server, review(PLAIN)) == []
        if ghost_round_trip is None:
            # An unknown namespace during the outage: the live GET fails, the pod is allowed unchanged
            # within the 1 s budget.
            started = time.monotonic()
            assert answer_patch(server, review(BATCH, namespace="ghost")) == []
            ghost_round_trip = time.monotonic() - started
        time.sleep(0.5)
    assert ghost_round_trip < 1.5
    assert wait_until(lambda: time.monotonic() >= comes_back, OUTAGE_SECONDS + 1)

    during = [r for r in fake.requests()[mark:] if r.get("status") == "dropped"]
    by_kind = {}
    for r in during:
        by_kind[f"{r['kind']} {r['path']}"] = by_kind.get(f"{r['kind']} {r['path']}", 0) + 1
    print(f"\nOUTAGE {OUTAGE_SECONDS}s: {len(during)} API requests dropped: {by_kind}")
    watches = [r for r in during if r["kind"] != "get"]
    # Full-jitter backoff from 0.5 s doubling: about 5 attempts per watch in 10 s (simulated p99.99: 14 for both).
    assert 2 <= len(watches) < 15, by_kind
    assert len(during) - len(watches) <= 1  # the one live GET for "ghost"

    # Recovery: the watches resume (the backoff ceiling after 10 s of failures is 8-16 s).
    latency = time_until_live(server, review(BATCH), lambda p: specs_of(p) == "8-16Gi", comes_back, timeout=40)
    report("API recovery after outage -> profile edit made during the outage live", latency)
    latency = time_until_live(server, review(PLAIN), lambda p: specs_of(p) == "1-2Gi", comes_back, timeout=40)
    report("API recovery after outage -> namespace label change made during the outage live", latency)
    assert server.metrics_status("/readyz") == 200
    assert entries_after(fake, mark, kind="list") == [], "a resumed watch needs no re-list"


def test_a_quiet_watch_cut_by_an_intermediary_reconnects_promptly(api):
    """A watch that stood for a while and is then cut (load balancer idle timeout, API server
    rollout) is not a failure: client-go only backs off after a watch that lasted under 1 s with
    no events. Here each watch lives 1.2 s without events before the fake cuts it."""
    fake = api.fake
    for cycle in range(6):
        time.sleep(1.2)
        mark = len(fake.requests())
        fake.control("drop-watches")
        cut = time.monotonic()
        back = wait_until(lambda: entries_after(fake, mark, kind="watch", path=CONFIGMAP_PATH), 2.0)
        assert back, f"cut {cycle + 1}: the ConfigMap watch was not back within 2 s"
        print(f"\nRECONNECT after quiet cut {cycle + 1}: {(time.monotonic() - cut) * 1000:.0f} ms")


@pytest.mark.parametrize("http", [True, False], ids=["http-410", "error-event-410"])
def test_a_410_on_watch_leads_to_exactly_one_relist(api, http):
    fake, server = api.fake, api.server
    mark = force_relist(fake, CONFIGMAP_PATH, http=http)
    settle_after_relist(fake, mark, CONFIGMAP_PATH)
    time.sleep(1)  # room for a second, wrong re-list
    lists = entries_after(fake, mark, kind="list")
    assert [r["path"] for r in lists] == [CONFIGMAP_PATH], lists
    assert lists[0]["query"].get("fieldSelector") == "metadata.name=eci-profile"
    if http:
        gone = [r for r in fake.requests()[mark:] if r.get("status") == 410]
        assert [r["path"] for r in gone] == [CONFIGMAP_PATH]
    # The same version re-listed is not a reload; the watch after it carries later edits.
    assert metric(server, "eci_profile_profile_reloads_total", source="kubernetes", result="success") == 1
    fake.put_configmap(profile_with(specs="8-16Gi"))
    latency = time_until_live(server, review(BATCH), lambda p: specs_of(p) == "8-16Gi", time.monotonic())
    assert latency < LIVE_WITHIN


# -- file mode -------------------------------------------------------------------------------------

def write_in_place(path, profile):
    with open(path, "r+" if path.exists() else "w") as f:
        f.seek(0)
        f.truncate()
        f.write(json.dumps(configmap_document(profile), ensure_ascii=False))


def write_and_rename(path, profile):
    scratch = path.with_name(f".{path.name}.tmp")
    scratch.write_text(json.dumps(configmap_document(profile), ensure_ascii=False))
    os.replace(scratch, path)


class KubeletDirectory:
    """A ConfigMap volume as kubelet's atomic writer keeps it: the keys in `..<generation>/`,
    `..data` pointing at the current generation, and top-level symlinks through `..data`."""

    def __init__(self, root: pathlib.Path):
        self.root, self.generation = root, 0
        root.mkdir()

    def __call__(self, _, profile):
        data = configmap_data(profile)
        self.generation += 1
        new = self.root / f"..2026_11_27_12_00_{self.generation:02d}.000000001"
        new.mkdir()
        for key, value in data.items():
            (new / key).write_text(value)
        data_link = self.root / "..data"
        old = os.readlink(data_link) if data_link.is_symlink() else None
        (self.root / "..data_tmp").symlink_to(new.name)
        os.rename(self.root / "..data_tmp", data_link)
        for entry in self.root.iterdir():
            if not entry.name.startswith(".") and entry.name not in data:
                entry.unlink()
        for key in data:
            if not (self.root / key).is_symlink():
                (self.root / key).symlink_to(f"..data/{key}")
        if old:
            shutil.rmtree(self.root / old)


@pytest.mark.parametrize("how", ["edit-in-place", "write-and-rename", "kubelet-symlink-swap"])
def test_file_profile_changes_reload_and_an_invalid_file_keeps_the_last_good_one(serve, tmp_path, how):
    if how == "kubelet-symlink-swap":
        writer = KubeletDirectory(tmp_path / "mounted-configmap")
        target = writer.root
    else:
        writer = write_in_place if how == "edit-in-place" else write_and_rename
        target = tmp_path / "eci-profile.yaml"
    writer(target, PROFILE)
    server = serve(profile=target)
    assert answer_patch(server, review(BATCH)) == expected_patch(BATCH)

    for specs in ("8-16Gi", "16-32Gi"):
        writer(target, profile_with(specs=specs))
        written = time.monotonic()
        latency = time_until_live(server, review(BATCH), lambda p: specs_of(p) == specs, written)
        report(f"file {how} -> live", latency)
        assert latency < LIVE_WITHIN

    # An invalid profile keeps the last good one and is visible on /metrics.
    writer(target, invalid_profile())
    assert wait_until(lambda: metric(server, "eci_profile_profile_valid") == 0.0, 5), server.log()
    assert metric(server, "eci_profile_profile_reloads_total", source="file", result="invalid") >= 1
    assert specs_of(answer_patch(server, review(BATCH))) == "16-32Gi"
    assert server.metrics_status("/readyz") == 200

    writer(target, profile_with(specs="4-8Gi"))
    fixed = time.monotonic()
    latency = time_until_live(server, review(BATCH), lambda p: specs_of(p) == "4-8Gi", fixed)
    report(f"file {how} fixed after invalid -> live", latency)
    assert latency < LIVE_WITHIN
    assert wait_until(lambda: metric(server, "eci_profile_profile_valid") == 1.0, 2)


def test_an_unparseable_profile_file_keeps_the_last_good_one(serve, tmp_path):
    target = tmp_path / "eci-profile.yaml"
    write_in_place(target, PROFILE)
    server = serve(profile=target)
    target.write_text("kind: ConfigMap\ndata: [unclosed\n")
    assert wait_until(lambda: metric(server, "eci_profile_profile_valid") == 0.0, 5), server.log()
    failures = sum(metric(server, "eci_profile_profile_reloads_total", source="file", result=r) for r in ("invalid", "error"))
    assert failures >= 1
    assert answer_patch(server, review(BATCH)) == expected_patch(BATCH)
    write_and_rename(target, profile_with(specs="8-16Gi"))
    latency = time_until_live(server, review(BATCH), lambda p: specs_of(p) == "8-16Gi", time.monotonic())
    assert latency < LIVE_WITHIN
