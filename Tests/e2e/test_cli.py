"""The offline CLI against the fixture reviews, with python-jsonpatch as the independent RFC 6902
implementation that applies every patch the webhook produces."""
import base64
import json
import subprocess

import jsonpatch
import pytest

from conftest import FIXTURES, ROOT

CASES = sorted(p.stem for p in (FIXTURES / "cases").glob("*.json"))


def mutate(binary, profile, review_path, *extra):
    result = subprocess.run([str(binary), "mutate", "--profile", str(profile),
                             "--namespace-labels-file", str(FIXTURES / "namespaces.json"), *extra, str(review_path)],
                            capture_output=True, text=True, check=True)
    return result.stdout


def patch_of(response):
    encoded = response["response"].get("patch")
    return json.loads(base64.b64decode(encoded)) if encoded else []


@pytest.mark.parametrize("case", CASES)
def test_patch_applies_to_the_expected_pod_and_is_idempotent(binary, test_profile, tmp_path, case):
    spec = json.loads((FIXTURES / "cases" / f"{case}.json").read_text())
    review_path = FIXTURES / spec["review"]
    review = json.loads(review_path.read_text())
    response = json.loads(mutate(binary, test_profile, review_path))

    assert response["apiVersion"] == review["apiVersion"]
    assert response["kind"] == "AdmissionReview"
    assert response["response"]["uid"] == review["request"]["uid"]
    assert response["response"]["allowed"] is True
    patch = patch_of(response)
    assert ("patchType" in response["response"]) == bool(patch)
    assert response["response"].get("warnings", []) == spec["expected"]["warnings"]
    if spec["expected"].get("selector"):
        assert response["response"]["auditAnnotations"] == {"selector": spec["expected"]["selector"],
                                                            "policy": spec["expected"]["policy"]}

    patched = jsonpatch.apply_patch(review["request"]["object"], patch)
    assert patched == json.loads((FIXTURES / "expected" / f"{case}.json").read_text())

    review["request"]["object"] = patched
    again_path = tmp_path / "again.json"
    again_path.write_text(json.dumps(review, ensure_ascii=False))
    assert patch_of(json.loads(mutate(binary, test_profile, again_path))) == []


def test_output_pod_is_the_patched_pod(binary, test_profile):
    case = "030-CREATE-web-web-frontend-6b7f9c5d8-"
    out = mutate(binary, test_profile, FIXTURES / "reviews" / f"{case}.json", "--output", "pod")
    assert json.loads(out) == json.loads((FIXTURES / "expected" / f"{case}.json").read_text())


def test_a_pod_yaml_on_stdin_is_previewed(binary, test_profile):
    pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: gpu\n  namespace: plain\n  labels: {accelerator: nvidia-a10}\nspec:\n  containers: [{name: c, image: busybox}]\n"
    result = subprocess.run([str(binary), "mutate", "--profile", str(test_profile), "--namespace-labels", "", "--output", "pod", "-"],
                            input=pod, capture_output=True, text=True, check=True)
    patched = json.loads(result.stdout)
    assert patched["spec"]["nodeSelector"] == {"type": "virtual-kubelet"}
    assert patched["metadata"]["annotations"]["k8s.aliyun.com/eci-gpu-type"] == "T4"
    assert patched["spec"]["containers"] == [{"name": "c", "image": "busybox"}]


def test_explain_names_the_deciding_selector_policy_and_patch(binary, test_profile):
    out = mutate(binary, test_profile, FIXTURES / "reviews" / "104-CREATE-batch-nodeselector-conflict.json", "--explain")
    assert 'selector "batch-workers" decides policy virtualNodeOnly' in out
    assert '+ "batch-any": namespace {eci in (true)} matches' in out
    assert "add /metadata/labels/eci \"true\"" in out
    assert 'spec.nodeSelector[type] is "ecs"' in out


def test_check_accepts_the_sample_profile(binary):
    result = subprocess.run([str(binary), "check", str(ROOT / "config" / "eci-profile.yaml")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid: 5 selector(s)" in result.stdout


def test_check_lists_every_error_of_a_broken_copy(binary, tmp_path):
    text = (ROOT / "config" / "eci-profile.yaml").read_text()
    broken = (text.replace('"operator": "NotIn"', '"operator": "Exists"')
                  .replace('"policy": "fair"', '"policy": "cheap"')
                  .replace('enableClusterIp: "true"', 'enableClusterIp: "yes"'))
    path = tmp_path / "broken.yaml"
    path.write_text(broken)
    result = subprocess.run([str(binary), "check", str(path)], capture_output=True, text=True)
    assert result.returncode == 1
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert len(errors) == 3, result.stdout
    assert any('selectors[0].objectSelector.matchExpressions[0].values: must be empty for Exists (selector "batch-offline-spot")' in e for e in errors)
    assert any('selectors[3].policy: must be one of virtualNodeOnly, normalNodePrefer, fair, not "cheap"' in e for e in errors)
    assert any('enableClusterIp: must be "true" or "false", not "yes"' in e for e in errors)


def test_check_unreadable_file_exits_2(binary, tmp_path):
    result = subprocess.run([str(binary), "check", str(tmp_path / "missing.yaml")], capture_output=True, text=True)
    assert result.returncode == 2
    assert "cannot read" in result.stderr
