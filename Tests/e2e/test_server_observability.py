"""Metrics and logs of the running server: exact counts after a scripted sequence of requests, the
Prometheus text format as a real parser reads it, and JSON log lines that carry the decision and
never a secret."""
import json
import re
import subprocess

from conftest import FIXTURES

REVIEWS = FIXTURES / "reviews"


def review(name):
    return json.loads((REVIEWS / f"{name}.json").read_text())


def samples(server):
    content_type, text = server.metrics_page()
    assert content_type.startswith("text/plain; version=0.0.4")
    return server.metric_samples(text)


def test_metrics_count_a_scripted_sequence_exactly(serve):
    server = serve()
    for _ in range(3):
        assert server.post_review(review("002-CREATE-batch-labels-only"))[0] == 200  # patched by batch-workers
    assert server.post_review(review("038-UPDATE-batch-labels-only"))[0] == 200        # skipped
    assert server.post_review(review("116-CREATE-plain-unmatched"))[0] == 200          # unchanged
    assert server.request("POST", "/mutate", b"not json")[0] == 400
    assert server.request("POST", "/mutate", b"{}", headers={"Content-Type": "text/plain"})[0] == 415
    assert server.request("GET", "/nowhere")[0] == 404

    found = samples(server)
    admissions = {labels: value for (name, labels), value in found.items() if name == "eci_profile_admission_requests_total"}
    assert admissions == {
        (("operation", "CREATE"), ("result", "patched")): 3,
        (("operation", "UPDATE"), ("result", "skipped")): 1,
        (("operation", "CREATE"), ("result", "unchanged")): 1,
    }
    assert found[("eci_profile_admission_duration_seconds_count", ())] == 5
    http = {labels: value for (name, labels), value in found.items() if name == "eci_profile_http_requests_total"}
    # The harness polls /readyz on the metrics port until the server is ready; those are counted too.
    assert http.pop((("code", "200"), ("path", "/readyz"), ("protocol", "HTTP/1.1"))) >= 1
    assert http == {
        (("code", "200"), ("path", "/mutate"), ("protocol", "HTTP/1.1")): 5,
        (("code", "400"), ("path", "/mutate"), ("protocol", "HTTP/1.1")): 1,
        (("code", "415"), ("path", "/mutate"), ("protocol", "HTTP/1.1")): 1,
        (("code", "404"), ("path", "other"), ("protocol", "HTTP/1.1")): 1,
    }
    selectors = {(dict(labels)["selector"], dict(labels)["mode"]): value for (name, labels), value in found.items()
                 if name == "eci_profile_selector_matches_total"}
    assert selectors == {("batch-workers", "enforce"): 3, ("batch-any", "enforce"): 3, ("ntp", "enforce"): 3}
    assert found[("eci_profile_profile_valid", ())] == 1
    assert found[("eci_profile_profile_reloads_total", (("result", "success"), ("source", "file")))] == 1
    assert found[("eci_profile_namespace_cache_size", ())] == 5
    assert found[("eci_profile_requests_in_flight", ())] == 0
    assert found[("eci_profile_tls_certificate_expiry_timestamp_seconds", ())] > 0
    assert found[("process_resident_memory_bytes", ())] > 1 << 20
    assert found[("process_open_fds", ())] > 3


def test_json_logs_carry_the_decision_and_no_secret(serve, certs):
    server = serve("--log-format", "json", "--log-level", "debug")
    assert server.post_review(review("030-CREATE-web-web-frontend-6b7f9c5d8-"))[0] == 200
    assert server.post_review(review("033-CREATE-batch-empty-maps"))[0] == 200
    server.stop()
    lines = [json.loads(line) for line in server.log(tail=None).splitlines() if line.strip()]
    assert lines, "no log lines"
    for line in lines:
        assert {"ts", "level", "msg", "logger"} <= line.keys()
    decisions = [line for line in lines if line["msg"] == "admission decision"]
    assert len(decisions) == 2
    web = next(d for d in decisions if d["admission.namespace"] == "web")
    assert web["pod.name"] == "web-frontend-6b7f9c5d8-*"
    assert web["selector"] == "web-prefer" and web["policy"] == "normalNodePrefer"
    assert web["admission.result"] == "patched"
    assert any(line["msg"] == "shut down" for line in lines)
    key_body = "".join((certs / "tls.key").read_text().splitlines()[1:-1])
    text = server.log(tail=None)
    assert key_body[:40] not in text
    assert "PRIVATE KEY" not in text
    assert '"kind":"Pod"' not in text and "serviceAccountToken" not in text


def test_a_pod_eci_cannot_run_reaches_the_wire_the_metric_and_the_decision_log(serve):
    server = serve("--log-format", "json", "--log-level", "debug")
    daemonset = review("045-CREATE-batch-node-agent-")
    status, answer = server.post_review(daemonset)
    assert status == 200
    response = answer["response"]
    assert response["uid"] == daemonset["request"]["uid"] and response["allowed"] is True
    assert "patch" not in response and "patchType" not in response
    assert response["warnings"] == [
        'owner DaemonSet "node-agent" makes it a DaemonSet pod, which ECI virtual nodes cannot run; pod left unchanged',
        'required node affinity pins it to node "node-1" by metadata.name, which ECI virtual nodes cannot run; pod left unchanged',
    ]
    assert response["auditAnnotations"] == {"selector": "batch-any", "policy": "fair", "incompatible": "daemonSet,nodePinned"}
    canary = review("131-CREATE-plain-audit-only")
    status, answer = server.post_review(canary)
    assert status == 200 and answer["response"]["auditAnnotations"] == {"auditSelectors": "canary-audit"}

    found = samples(server)
    admissions = {labels: value for (name, labels), value in found.items() if name == "eci_profile_admission_requests_total"}
    assert admissions == {(("operation", "CREATE"), ("result", "incompatible")): 1,
                          (("operation", "CREATE"), ("result", "unchanged")): 1}
    selectors = {(dict(labels)["selector"], dict(labels)["mode"]): value for (name, labels), value in found.items()
                 if name == "eci_profile_selector_matches_total"}
    assert selectors == {("batch-any", "enforce"): 1, ("ntp", "enforce"): 1, ("canary-audit", "audit"): 1}

    server.stop()
    decisions = [json.loads(line) for line in server.log(tail=None).splitlines() if '"admission decision"' in line]
    assert [d.get("incompatible") for d in decisions] == ["daemonSet,nodePinned", None]
    assert [d.get("auditSelectors") for d in decisions] == [None, "canary-audit"]
    assert decisions[0]["admission.result"] == "incompatible"


def test_the_version_is_in_the_start_log_line_and_the_build_info_metric(binary, serve):
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=True).stdout.strip()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    server = serve("--log-format", "json")
    assert samples(server)[("eci_profile_build_info", (("version", version),))] == 1
    server.stop()
    started = [json.loads(line) for line in server.log(tail=None).splitlines() if '"serving admission requests"' in line]
    assert len(started) == 1 and started[0]["version"] == version
