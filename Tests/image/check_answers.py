"""Checks of what the webhook in the container answered, for scripts/image-smoke.

    python3 Tests/image/check_answers.py review CASE_JSON ANSWER_JSON
    python3 Tests/image/check_answers.py metrics METRICS_TEXT CASE_JSON NOT_AFTER MAX_FDS MEMORY_LIMIT

`review`: the answer to the case's AdmissionReview (a fixture of Tests/ECIProfileCoreTests/Fixtures)
echoes the request's uid and apiVersion, allows, and carries exactly the case's patch, which turns
the request's pod into exactly the case's expected pod (python-jsonpatch applies it).
`metrics`: after that one review, the /metrics page counts exactly it (result, selectors, HTTP
status), the file profile and the namespace labels are loaded, the certificate's expiry is the
mounted certificate's notAfter (NOT_AFTER, seconds since the epoch), the open-files limit is the one the container was given, and the
resident memory is under the Deployment's limit.
Prints one line saying what was checked; exits 1 with the difference otherwise.
"""
import base64
import json
import pathlib
import sys

import jsonpatch
from prometheus_client.parser import text_string_to_metric_families

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "ECIProfileCoreTests" / "Fixtures"


def expect(name: str, found, wanted):
    if found != wanted:
        sys.exit(f"{name}:\n  found  {found!r}\n  wanted {wanted!r}")


def check_review(case_path: str, answer_path: str):
    case = json.loads(pathlib.Path(case_path).read_text())
    review = json.loads((FIXTURES / case["review"]).read_text())
    expected_pod = json.loads((FIXTURES / "expected" / pathlib.Path(case["review"]).name).read_text())
    answer = json.loads(pathlib.Path(answer_path).read_text())
    response = answer["response"]
    patch = json.loads(base64.b64decode(response["patch"])) if "patch" in response else []
    expect("apiVersion", answer["apiVersion"], review["apiVersion"])
    expect("kind", answer["kind"], "AdmissionReview")
    expect("uid", response["uid"], review["request"]["uid"])
    expect("allowed", response["allowed"], True)
    expect("patchType", response.get("patchType"), "JSONPatch" if patch else None)
    expect("patch", patch, case["expected"]["patch"])
    expect("patched pod", jsonpatch.apply_patch(review["request"]["object"], patch), expected_pod)
    print(f"{len(patch)} patch operations, equal to the case's; the patched pod equals expected/{pathlib.Path(case['review']).name}")


def samples(text: str) -> dict:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def labelled(found: dict, name: str) -> dict:
    return {labels: value for (sample, labels), value in found.items() if sample == name}


def check_metrics(metrics_path: str, case_path: str, not_after: str, max_fds: str, memory_limit: str):
    found = samples(pathlib.Path(metrics_path).read_text())
    case = json.loads(pathlib.Path(case_path).read_text())
    namespaces = json.loads((FIXTURES / "namespaces.json").read_text())
    expect("admission requests", labelled(found, "eci_profile_admission_requests_total"),
           {(("operation", "CREATE"), ("result", "patched")): 1})
    expect("selector matches", {dict(labels)["selector"]: value for labels, value
                                in labelled(found, "eci_profile_selector_matches_total").items()},
           {name: 1 for name in case["expected"]["matched"]})
    webhook_requests = {labels: value for labels, value in labelled(found, "eci_profile_http_requests_total").items()
                        if dict(labels)["path"] != "/readyz" and dict(labels)["path"] != "/healthz"}
    expect("HTTP requests", webhook_requests, {(("code", "200"), ("path", "/mutate"), ("protocol", "HTTP/1.1")): 1})
    expect("profile valid", found[("eci_profile_profile_valid", ())], 1)
    expect("profile loads", labelled(found, "eci_profile_profile_reloads_total"),
           {(("result", "success"), ("source", "file")): 1})
    expect("namespace cache", found[("eci_profile_namespace_cache_size", ())], len(namespaces))
    expect("certificate expiry", found[("eci_profile_tls_certificate_expiry_timestamp_seconds", ())], int(not_after))
    expect("open-files limit", found[("process_max_fds", ())], int(max_fds))
    resident = found[("process_resident_memory_bytes", ())]
    if not 0 < resident < int(memory_limit):
        sys.exit(f"resident memory {resident:.0f} bytes is not under the limit {memory_limit}")
    print(f"1 patched admission, selectors {sorted(case['expected']['matched'])}, profile from file, "
          f"{len(namespaces)} namespaces, certificate expiry {not_after}, max fds {max_fds}, "
          f"RSS {resident / (1 << 20):.1f} MiB < {int(memory_limit) >> 20} MiB")


if __name__ == "__main__":
    commands = {"review": (check_review, 2), "metrics": (check_metrics, 5)}
    if len(sys.argv) < 2 or sys.argv[1] not in commands or len(sys.argv) != commands[sys.argv[1]][1] + 2:
        sys.exit(__doc__)
    commands[sys.argv[1]][0](*sys.argv[2:])
