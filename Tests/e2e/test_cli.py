"""The offline CLI against the fixture reviews, with python-jsonpatch as the independent RFC 6902
implementation that applies every patch the webhook produces."""
import base64
import json
import subprocess

import jsonpatch
import yaml
import pytest

from conftest import FIXTURES, ROOT, expected_audit_annotations, write_profile

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
    profile = write_profile(tmp_path / "profile.yaml", spec["profile"]) if "profile" in spec else test_profile
    review_path = FIXTURES / spec["review"]
    review = json.loads(review_path.read_text())
    response = json.loads(mutate(binary, profile, review_path))

    assert response["apiVersion"] == review["apiVersion"]
    assert response["kind"] == "AdmissionReview"
    assert response["response"]["uid"] == review["request"]["uid"]
    assert response["response"]["allowed"] is True
    patch = patch_of(response)
    assert ("patchType" in response["response"]) == bool(patch)
    assert response["response"].get("warnings", []) == spec["expected"]["warnings"]
    assert response["response"].get("auditAnnotations") == expected_audit_annotations(spec["expected"])

    patched = jsonpatch.apply_patch(review["request"]["object"], patch)
    assert patched == json.loads((FIXTURES / "expected" / f"{case}.json").read_text())

    review["request"]["object"] = patched
    again_path = tmp_path / "again.json"
    again_path.write_text(json.dumps(review, ensure_ascii=False))
    assert patch_of(json.loads(mutate(binary, profile, again_path))) == []


def test_output_pod_is_the_patched_pod(binary, test_profile):
    case = "030-CREATE-web-web-frontend-6b7f9c5d8-"
    out = mutate(binary, test_profile, FIXTURES / "reviews" / f"{case}.json", "--output", "pod")
    assert json.loads(out) == json.loads((FIXTURES / "expected" / f"{case}.json").read_text())


def test_a_pod_yaml_on_stdin_is_previewed(binary, test_profile):
    pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: gpu\n  namespace: plain\n  labels: {accelerator: nvidia-a10}\nspec:\n  containers: [{name: c, image: busybox}]\n"
    result = subprocess.run([str(binary), "mutate", "--profile", str(test_profile), "--namespace-labels", "", "--output", "pod", "-o", "json", "-"],
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
    assert "valid: 5 selector(s), compatibility checks: all, 0 warning(s)" in result.stdout


def test_check_reports_audit_selectors_and_the_enforced_compatibility_checks(binary, tmp_path):
    profile = write_profile(tmp_path / "profile.yaml", {"compatibilityChecks": ["hostPath", "daemonSet"]})
    result = subprocess.run([str(binary), "check", str(profile)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == f"{profile}: valid: 7 selector(s) (1 audit), compatibility checks: daemonSet, hostPath, 0 warning(s)\n"
    off = write_profile(tmp_path / "off.yaml", {"compatibilityChecks": []})
    result = subprocess.run([str(binary), "check", str(off)], capture_output=True, text=True)
    assert "compatibility checks: none (guard off)" in result.stdout
    bad = write_profile(tmp_path / "bad.yaml", {"compatibilityChecks": ["hostpath"]})
    result = subprocess.run([str(binary), "check", str(bad)], capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stdout == (f'{bad}: error: compatibilityChecks[0]: unknown check "hostpath"; known: daemonSet, nodePinned, '
                             f"hostNetwork, hostPath, hostPort, privileged\n{bad}: invalid: 1 error(s)\n")


def test_explain_on_the_daemonset_capture_keeps_it_on_normal_nodes_and_shows_the_withheld_patch(binary, test_profile):
    out = mutate(binary, test_profile, FIXTURES / "reviews" / "045-CREATE-batch-node-agent-.json", "--explain")
    assert "  x daemonSet: owner DaemonSet \"node-agent\" makes it a DaemonSet pod\n" in out
    assert "  x nodePinned: required node affinity pins it to node \"node-1\" by metadata.name\n" in out
    assert "  ok hostPath\n" in out
    assert ("Decision: stays on normal nodes, unchanged: ECI virtual nodes cannot run this pod (failed: daemonSet, nodePinned); "
            "without the guard, selector \"batch-any\" would have sent it with policy fair\n") in out
    assert "Patch: none\nWithout the compatibility guard, the patch would have been: 2 operation(s)\n" in out
    assert '  add /spec/tolerations/- {"key":"virtual-kubelet.io/provider","operator":"Exists","effect":"NoSchedule"}' in out
    assert "Audit annotations: selector=batch-any, policy=fair, incompatible=daemonSet,nodePinned" in out


def test_explain_says_effects_only_for_a_pod_with_a_node_name_and_why_effect_keys_were_dropped(binary, test_profile):
    out = mutate(binary, test_profile, FIXTURES / "reviews" / "101-CREATE-batch-nodename.json", "--explain")
    assert "send to virtual nodes" not in out
    assert ('Decision: effects only: spec.nodeName is already "node-a", so no placement is added; '
            'selector "batch-workers" matches (policy virtualNodeOnly)') in out
    assert '    annotation k8s.aliyun.com/eci-use-specs: not added, selector "batch-workers" set it first\n' in out
    out = mutate(binary, test_profile, FIXTURES / "reviews" / "104-CREATE-batch-nodeselector-conflict.json", "--explain")
    assert "Effects, in profile order:" in out


def test_explain_shows_audit_selectors_as_audit(binary, test_profile):
    out = mutate(binary, test_profile, FIXTURES / "reviews" / "132-CREATE-batch-audit-and-enforce.json", "--explain")
    assert '  ~ "canary-audit" (audit): pod {canary=true} matches -> reported in auditSelectors; changes nothing\n' in out
    assert 'selector "batch-workers" decides policy virtualNodeOnly' in out
    out = mutate(binary, test_profile, FIXTURES / "reviews" / "002-CREATE-batch-labels-only.json", "--explain")
    assert '  - "canary-audit" (audit): pod {canary=true} does not match\n' in out


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


# -- check ---------------------------------------------------------------------------------------

def run(binary, *args, **options):
    return subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True, **options)


@pytest.fixture
def typo_profile(tmp_path):
    """The sample profile with the top-level `selectors:` misspelt `selector:`."""
    text = (ROOT / "config" / "eci-profile.yaml").read_text()
    assert text.count("\n  selectors: |") == 1
    path = tmp_path / "typo.yaml"
    path.write_text(text.replace("\n  selectors: |", "\n  selector: |"))
    return path


def test_check_warns_about_a_misspelt_selectors_key_and_names_the_right_one(binary, typo_profile):
    result = run(binary, "check", typo_profile)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{typo_profile}: warning: selectors: absent; no pod will be sent to virtual nodes",
        f"{typo_profile}: warning: selector: unknown key; kept but not used; did you mean `selectors`?",
        f"{typo_profile}: valid: 0 selector(s), compatibility checks: all, 2 warning(s)",
    ]


def test_check_strict_turns_warnings_into_errors(binary, typo_profile):
    result = run(binary, "check", "--strict", typo_profile)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{typo_profile}: error: selectors: absent; no pod will be sent to virtual nodes",
        f"{typo_profile}: error: selector: unknown key; kept but not used; did you mean `selectors`?",
        f"{typo_profile}: invalid: 2 error(s) (2 warning(s) made errors by --strict)",
    ]
    sample = run(binary, "check", "--strict", ROOT / "config" / "eci-profile.yaml")
    assert sample.returncode == 0 and sample.stdout.endswith("valid: 5 selector(s), compatibility checks: all, 0 warning(s)\n")


def test_check_gives_line_and_column_of_a_json_error_in_a_data_value(binary, tmp_path):
    text = (ROOT / "config" / "eci-profile.yaml").read_text()
    lines = text.splitlines()
    start = lines.index("  selectors: |") + 2                     # 1-based line of the value's first line
    broken_at = next(i for i, line in enumerate(lines) if '"name": "ml-training-gpu",' in line)
    path = tmp_path / "broken.yaml"
    path.write_text(text.replace('"name": "ml-training-gpu",', '"name": "ml-training-gpu"'))
    result = run(binary, "check", path)
    assert result.returncode == 1
    # The missing comma is noticed at the next member name, one line further down, 4 columns into
    # the value (whose lines are indented by 4 in the file).
    line_in_value = broken_at + 2 - start + 1
    column = len(lines[broken_at + 1]) - len(lines[broken_at + 1].lstrip()) - 4 + 1
    assert result.stdout.splitlines() == [
        f"{path}: error: selectors: not valid JSON: expected ',' or '}}' at line {line_in_value}, column {column} "
        f"of the value, which starts at line {start}",
        f"{path}: invalid: 1 error(s)",
    ]


# -- mutate exit status and output formats -------------------------------------------------------

POD_YAML = """apiVersion: v1
kind: Pod
metadata:
  name: gpu
  namespace: plain
  labels: {accelerator: nvidia-a10, port: "8080", "on": "true"}
spec:
  containers: [{name: c, image: busybox}]
"""


def test_mutate_exit_status(binary, test_profile, tmp_path):
    pod = tmp_path / "pod.yaml"
    pod.write_text(POD_YAML)
    missing = tmp_path / "nope.yaml"
    assert (run(binary, "mutate", "--profile", test_profile, pod).returncode) == 0
    result = run(binary, "mutate", "--profile", test_profile, missing)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", f"{missing}: cannot read: no such file or directory\n")
    result = run(binary, "mutate", "--profile", missing, pod)
    assert (result.returncode, result.stderr) == (2, f"{missing}: cannot read: no such file or directory\n")
    service = tmp_path / "service.yaml"
    service.write_text("kind: Service\n")
    result = run(binary, "mutate", "--profile", test_profile, service)
    assert (result.returncode, result.stderr) == (2, f"{service}: expected an AdmissionReview or a Pod (kind)\n")
    invalid = tmp_path / "invalid.yaml"
    invalid.write_text('kind: ConfigMap\ndata:\n  selectors: \'[{"name": "a", "policy": "cheap"}]\'\n')
    result = run(binary, "mutate", "--profile", invalid, pod)
    assert (result.returncode, result.stderr) == (
        1, f'{invalid}: error: selectors[0].policy: must be one of virtualNodeOnly, normalNodePrefer, fair, not "cheap" (selector "a")\n')
    assert run(binary, "mutate", "--profile", test_profile, "--exit-code", pod).returncode == 3
    unmatched = FIXTURES / "reviews" / "116-CREATE-plain-unmatched.json"
    assert run(binary, "mutate", "--profile", test_profile, "--namespace-labels-file", FIXTURES / "namespaces.json",
               "--exit-code", unmatched).returncode == 0


def test_output_pod_follows_the_input_format_unless_told(binary, test_profile, tmp_path):
    pod = tmp_path / "pod.yaml"
    pod.write_text(POD_YAML)
    as_yaml = run(binary, "mutate", "--profile", test_profile, "--output", "pod", pod, check=True).stdout
    as_json = run(binary, "mutate", "--profile", test_profile, "--output", "pod", "-o", "json", pod, check=True).stdout
    patched = json.loads(as_json)
    assert yaml.safe_load(as_yaml) == patched
    assert as_yaml.startswith("apiVersion: v1\nkind: Pod\n")
    assert patched["metadata"]["labels"] == {"accelerator": "nvidia-a10", "port": "8080", "on": "true"}
    assert patched["spec"]["nodeSelector"] == {"type": "virtual-kubelet"}
    json_pod = tmp_path / "pod.json"
    json_pod.write_text(json.dumps(yaml.safe_load(POD_YAML)))
    from_json = run(binary, "mutate", "--profile", test_profile, "--output", "pod", json_pod, check=True).stdout
    assert json.loads(from_json) == patched
    back_to_yaml = run(binary, "mutate", "--profile", test_profile, "--output", "pod", "--format", "yaml", json_pod, check=True).stdout
    assert back_to_yaml == as_yaml


# -- version and serve flags ---------------------------------------------------------------------

def test_version_is_the_package_version(binary):
    version = (ROOT / "Sources" / "Observability" / "BuildInfo.swift").read_text().split('version = "')[1].split('"')[0]
    assert run(binary, "--version", check=True).stdout == version + "\n"
    # The places that repeat it.
    assert f'org.opencontainers.image.version="{version}"' in (ROOT / "Dockerfile").read_text()
    assert f"image: eci-profile:{version}" in (ROOT / "config" / "deployment.yaml").read_text()
    assert f"newTag: {version}" in (ROOT / "config" / "kustomization.yaml").read_text()


def test_serve_help_prints_each_default_once(binary):
    text = " ".join(run(binary, "serve", "--help", check=True).stdout.split())
    options = text.split(" --")[1:]
    assert len(options) > 20
    for option in options:
        assert option.count("(default") <= 1, option
    assert "--workers <workers> Event loop threads (default: one per core)." in text


def test_serve_refuses_an_idle_timeout_kube_apiserver_would_outlive(binary, certs):
    result = run(binary, "serve", "--cert-dir", certs, "--idle-timeout", "60s")
    assert result.returncode == 64
    assert result.stderr.splitlines()[0] == (
        "Error: --idle-timeout 60s is too short: kube-apiserver keeps idle connections to webhooks open for 90s "
        "and reuses them until then, so a server closing them first makes requests fail; use more than 90s")
