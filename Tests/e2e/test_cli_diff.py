"""`eci-profile diff`: the sample profile against a copy with one edit of each kind
(Tests/e2e/diff/), over workload files, AdmissionReviews, standard input and a cluster served by
the fake API server (paginated LIST calls only)."""
import json
import subprocess

import pytest
import yaml

from conftest import FIXTURES, ROOT
from test_live_sources import FakeAPIServer, write_kubeconfig

DIFF = ROOT / "Tests" / "e2e" / "diff"
OLD = ROOT / "config" / "eci-profile.yaml"
NEW = DIFF / "eci-profile-changed.yaml"
WORKLOADS = DIFF / "workloads.yaml"
NAMESPACES = DIFF / "namespaces.yaml"

EXPECTED_LINES = [
    'Deployment batch/spark-offline: sent by "batch-offline-spot" (virtualNodeOnly); '
    "-annotation k8s.aliyun.com/eci-spot-strategy=SpotAsPriceGo, "
    "annotation k8s.aliyun.com/eci-use-specs: 2-4Gi,ecs.c6.large → 4-8Gi",
    'Deployment web/frontend: sent by "web-burst" (normalNodePrefer) → sent by "web-burst" (virtualNodeOnly)',
    'StatefulSet ml/trainer: sent by "ml-training-gpu" (virtualNodeOnly) → sent by "gpu-a10" (virtualNodeOnly); '
    "annotation k8s.aliyun.com/eci-use-specs: ecs.gn6i-c4g1.xlarge → ecs.gn7i-c8g1.2xlarge",
    'Job build/compile: not sent → sent by "ci-runners" (fair); +annotation k8s.aliyun.com/eci-auto-imc=true',
    'DaemonSet build/log-agent: not sent → kept back by daemonSet, hostPath (selector "ci-runners")',
    'CronJob data/nightly-report: audit selectors +"data-canary"',
]
EXPECTED_SUMMARY = ("8 object(s) read, 6 changed: 1 newly sent, 1 newly kept back, 1 policy, 1 deciding selector, "
                    "2 effects, 1 audit selectors")


def diff(binary, *args, **options):
    return subprocess.run([str(binary), "diff", *map(str, args)], capture_output=True, text=True, **options)


def test_every_kind_of_change_gets_its_line_and_the_summary_counts_them(binary):
    result = diff(binary, OLD, NEW, "--namespace-labels-file", NAMESPACES, WORKLOADS)
    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout.splitlines() == EXPECTED_LINES + [EXPECTED_SUMMARY]


def test_json_output_carries_both_outcomes(binary):
    result = diff(binary, OLD, NEW, "--namespace-labels-file", NAMESPACES, "--output", "json", WORKLOADS)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert (report["objects"], report["changed"], report["problems"]) == (8, 6, [])
    assert report["byKind"] == {"sent": 1, "keptBack": 1, "policy": 1, "selector": 1, "effects": 2, "audit": 1}
    assert [c["line"] for c in report["changes"]] == EXPECTED_LINES
    changes = {c["name"]: c for c in report["changes"]}
    assert changes["log-agent"]["changes"] == ["keptBack"]
    assert changes["log-agent"]["old"] == {"placement": "notSent", "annotations": {}, "labels": {}, "auditSelectors": []}
    assert changes["log-agent"]["new"] == {"placement": "keptBack", "selector": "ci-runners", "policy": "fair",
                                           "incompatible": ["daemonSet", "hostPath"], "annotations": {}, "labels": {},
                                           "auditSelectors": []}
    assert changes["frontend"]["changes"] == ["policy"]
    assert changes["trainer"]["changes"] == ["selector", "effects"]
    assert changes["compile"] == {
        "kind": "Job", "namespace": "build", "name": "compile", "source": f"{WORKLOADS}#4", "changes": ["sent"],
        "old": {"placement": "notSent", "annotations": {}, "labels": {}, "auditSelectors": []},
        "new": {"placement": "sent", "selector": "ci-runners", "policy": "fair",
                "annotations": {"k8s.aliyun.com/eci-auto-imc": "true"}, "labels": {}, "auditSelectors": []},
        "line": EXPECTED_LINES[3],
    }
    assert changes["nightly-report"]["new"]["auditSelectors"] == ["data-canary"]
    assert changes["spark-offline"]["new"]["labels"] == {"eci": "true"}


def test_the_reverse_diff_undoes_each_change(binary):
    result = diff(binary, NEW, OLD, "--namespace-labels-file", NAMESPACES, "-o", "json", WORKLOADS)
    report = json.loads(result.stdout)
    assert report["byKind"] == {"unsent": 2, "policy": 1, "selector": 1, "effects": 2, "audit": 1}


def test_the_same_profile_changes_nothing_and_exits_0(binary):
    result = diff(binary, OLD, OLD, "--namespace-labels-file", NAMESPACES, WORKLOADS)
    assert (result.returncode, result.stdout, result.stderr) == (0, "8 object(s) read, 0 changed\n", "")


def test_a_guard_turned_off_releases_the_kept_back_pod(binary, tmp_path):
    unguarded = tmp_path / "unguarded.yaml"
    text = NEW.read_text()
    line = next(line for line in text.splitlines() if line.startswith("  compatibilityChecks: "))
    unguarded.write_text(text.replace(line, "  compatibilityChecks: '[]'"))
    result = diff(binary, NEW, unguarded, "--namespace-labels-file", NAMESPACES, WORKLOADS)
    assert result.stdout.splitlines() == [
        'DaemonSet build/log-agent: kept back by daemonSet, hostPath (selector "ci-runners") → sent by "ci-runners" (fair); '
        "+annotation k8s.aliyun.com/eci-auto-imc=true",
        "8 object(s) read, 1 changed: 1 no longer kept back",
    ]


def test_reviews_directories_and_standard_input(binary, test_profile, tmp_path):
    """The fixture reviews (a directory of AdmissionReviews) and a two-document Pod stream on stdin."""
    profile = json.loads((FIXTURES / "profile.json").read_text())
    profile["selectors"] = [s for s in profile["selectors"] if s["name"] != "batch-workers"]
    without = tmp_path / "without-batch-workers.yaml"
    without.write_text(json.dumps({"kind": "ConfigMap", "data": {k: json.dumps(v) for k, v in profile.items()}}))
    reviews = FIXTURES / "reviews"
    result = diff(binary, test_profile, without, "--namespace-labels-file", FIXTURES / "namespaces.json", "-o", "json", reviews)
    report = json.loads(result.stdout)
    assert result.returncode == 1, result.stderr
    # Reviews of anything but a pod CREATE are left out, as the webhook leaves them alone.
    creations = [r["request"] for r in map(json.loads, map(lambda p: p.read_text(), reviews.glob("*.json")))
                 if r["request"]["operation"] == "CREATE" and r["request"]["resource"] == {"group": "", "version": "v1", "resource": "pods"}
                 and not r["request"].get("subResource")]
    assert report["objects"] == len(creations)
    assert report["changed"] > 0
    assert all(c["old"].get("selector") == "batch-workers" for c in report["changes"]), report["changes"]

    pods = ("apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: web, labels: {app: a}}\nspec: {containers: []}\n"
            "---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, labels: {app: b}}\nspec: {containers: []}\n")
    result = diff(binary, OLD, NEW, "--namespace-labels", "team=web", "--namespace", "web", "-", input=pods)
    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout.splitlines() == [
        'Pod web/a: sent by "web-burst" (normalNodePrefer) → sent by "web-burst" (virtualNodeOnly)',
        'Pod web/b: sent by "web-burst" (normalNodePrefer) → sent by "web-burst" (virtualNodeOnly)',
        "2 object(s) read, 2 changed: 2 policy",
    ]


def test_trouble_exits_2(binary, tmp_path):
    missing = tmp_path / "missing.yaml"
    result = diff(binary, OLD, NEW, missing)
    assert (result.returncode, result.stderr) == (2, f"{missing}: cannot read: no such file or directory\n")
    assert result.stdout == "0 object(s) read, 0 changed\n"
    invalid = tmp_path / "invalid.yaml"
    invalid.write_text('kind: ConfigMap\ndata:\n  selectors: \'[{"name": "a", "policy": "cheap"}]\'\n')
    result = diff(binary, OLD, invalid, WORKLOADS)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f'{invalid}: error: selectors[0].policy: must be one of virtualNodeOnly, normalNodePrefer, fair, not "cheap" (selector "a")\n'
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: Deployment\nmetadata: {name: x}\nspec: {}\n")
    result = diff(binary, OLD, NEW, broken)
    assert (result.returncode, result.stderr) == (2, f"{broken}: Deployment default/x has no pod template\n")
    result = diff(binary, "cluster", NEW, WORKLOADS, env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 64
    assert "reading the cluster (no INPUT, or a `cluster` profile) needs --kubeconfig or a pod's service account" in result.stderr


# -- against a cluster ---------------------------------------------------------------------------

RESOURCES = {"Deployment": "deployments", "StatefulSet": "statefulsets", "DaemonSet": "daemonsets",
             "ReplicaSet": "replicasets", "Job": "jobs", "CronJob": "cronjobs", "Pod": "pods", "Service": "services"}


@pytest.fixture
def cluster(tmp_path):
    """The fake API server holding the diff fixtures' namespaces and workloads and the sample profile."""
    fake = FakeAPIServer(tmp_path)
    try:
        for name, labels in yaml.safe_load(NAMESPACES.read_text()).items():
            fake.put_namespace(name, labels)
        for document in yaml.safe_load_all(WORKLOADS.read_text()):
            metadata = document["metadata"]
            fake.control("object", {"resource": RESOURCES[document["kind"]], "op": "put", "namespace": metadata["namespace"],
                                    "name": metadata["name"], "object": document})
        # A Deployment's ReplicaSet: its owner's template is the one that counts, so it is left out.
        owned = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                 "metadata": {"name": "frontend-5d4f", "namespace": "web", "ownerReferences": [
                     {"apiVersion": "apps/v1", "kind": "Deployment", "name": "frontend", "controller": True}]},
                 "spec": {"template": {"metadata": {"labels": {"app": "frontend"}}, "spec": {"containers": []}}}}
        fake.control("object", {"resource": "replicasets", "op": "put", "namespace": "web", "name": "frontend-5d4f", "object": owned})
        fake.control("object", {"resource": "configmaps", "op": "put", "namespace": "kube-system", "name": "eci-profile",
                                "data": yaml.safe_load(OLD.read_text())["data"]})
        kubeconfig = tmp_path / "kubeconfig.yaml"
        write_kubeconfig(kubeconfig, fake.port, tmp_path / "ca.crt")
        yield fake, kubeconfig
    finally:
        fake.stop()


def test_the_cluster_workloads_against_a_changed_profile(binary, cluster):
    fake, kubeconfig = cluster
    result = diff(binary, "cluster", NEW, "--kubeconfig", kubeconfig, "--page-size", "2")
    assert (result.returncode, result.stderr) == (1, "")
    # Listed by kind (Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs), each in the
    # fake's order (namespace, name);
    # the bare Pod and the Service are not workloads.
    by_name = {line.split(":")[0]: line for line in EXPECTED_LINES}
    assert result.stdout.splitlines() == [by_name[k] for k in [
        "Deployment batch/spark-offline", "Deployment web/frontend", "StatefulSet ml/trainer", "DaemonSet build/log-agent",
        "Job build/compile", "CronJob data/nightly-report"]] + [
        "7 object(s) read, 6 changed: 1 newly sent, 1 newly kept back, 1 policy, 1 deciding selector, 2 effects, 1 audit selectors"]

    requests = [r for r in fake.requests() if r["auth"] != "none"]
    assert {r["kind"] for r in requests} == {"list"}, "diff only lists"
    assert all(r["method"] == "GET" and r["query"]["limit"] == "2" for r in requests)
    pages = {}
    for r in requests:
        pages.setdefault(r["path"], []).append(r["query"].get("continue"))
    assert pages["/apis/apps/v1/deployments"] == [None]
    assert pages["/apis/apps/v1/replicasets"] == [None]       # two items: one full page
    assert pages["/api/v1/namespaces"] == [None, "2", "4"]
    assert pages["/api/v1/namespaces/kube-system/configmaps"] == [None]
    assert next(r for r in requests if "configmaps" in r["path"])["query"]["fieldSelector"] == "metadata.name=eci-profile"
    assert set(pages) == {"/api/v1/namespaces", "/api/v1/namespaces/kube-system/configmaps"} | {
        f"/apis/{group}/{resource}" for group, resource in [
            ("apps/v1", "deployments"), ("apps/v1", "statefulsets"), ("apps/v1", "daemonsets"), ("apps/v1", "replicasets"),
            ("batch/v1", "jobs"), ("batch/v1", "cronjobs")]}


def test_the_live_configmap_against_itself_and_json(binary, cluster, tmp_path):
    fake, kubeconfig = cluster
    result = diff(binary, "cluster", OLD, "--kubeconfig", kubeconfig, "-o", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"objects": 7, "changed": 0, "byKind": {}, "changes": [], "problems": []}
    fake.delete_configmap()
    result = diff(binary, "cluster", OLD, "--kubeconfig", kubeconfig)
    assert result.returncode == 1
    assert result.stderr == ("cluster (ConfigMap kube-system/eci-profile): not found; "
                             "comparing with an empty profile, as the webhook runs without one\n")
    assert result.stdout.splitlines()[-1] == "7 object(s) read, 3 changed: 3 newly sent"
