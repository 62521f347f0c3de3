"""Shared fixtures for the end-to-end tests: the built binary, the fixture files, certificates and servers."""
import json
import os
import pathlib
import subprocess

import pytest

from server import Server, make_certs

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests" / "ECIProfileCoreTests" / "Fixtures"


@pytest.fixture(scope="session")
def binary() -> pathlib.Path:
    """The eci-profile executable built by `swift build` (ECI_PROFILE_BIN overrides)."""
    if os.environ.get("ECI_PROFILE_BIN"):
        return pathlib.Path(os.environ["ECI_PROFILE_BIN"])
    bin_dir = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.strip()
    path = pathlib.Path(bin_dir) / "eci-profile"
    assert path.exists(), f"build the project first: {path} is missing"
    return path


def expected_audit_annotations(expected):
    """A fixture case's audit annotations: written out, or the deciding selector and policy."""
    if "auditAnnotations" in expected:
        return expected["auditAnnotations"]
    if expected.get("selector"):
        return {"selector": expected["selector"], "policy": expected["policy"]}
    return None


def write_profile(path: pathlib.Path, overrides=None) -> pathlib.Path:
    """Writes the core tests' profile as a ConfigMap (JSON is YAML), with the keys of `overrides`
    (a case file's `profile` object) replaced."""
    profile = json.loads((FIXTURES / "profile.json").read_text())
    profile.update(overrides or {})
    data = {key: json.dumps(value, ensure_ascii=False) for key, value in profile.items()}
    configmap = {"apiVersion": "v1", "kind": "ConfigMap",
                 "metadata": {"name": "eci-profile", "namespace": "kube-system"}, "data": data}
    path.write_text(json.dumps(configmap, ensure_ascii=False))
    return path


@pytest.fixture(scope="session")
def test_profile(tmp_path_factory) -> pathlib.Path:
    """The core tests' profile written as a ConfigMap."""
    return write_profile(tmp_path_factory.mktemp("profile") / "eci-profile.yaml")


@pytest.fixture(scope="session")
def certs(tmp_path_factory) -> pathlib.Path:
    """A throwaway CA, a serving certificate for localhost/127.0.0.1 and a client certificate
    `kube-apiserver.crt`/`.key`, made by certs/gen-certs.sh for this test session."""
    return make_certs(tmp_path_factory.mktemp("certs"), "kube-apiserver")


@pytest.fixture(scope="session")
def other_certs(tmp_path_factory) -> pathlib.Path:
    """A second, unrelated CA with a client certificate `intruder.crt`/`.key`."""
    return make_certs(tmp_path_factory.mktemp("other-ca"), "intruder")


@pytest.fixture(scope="session")
def launch(binary, certs, test_profile):
    """`launch(log_dir, *flags, **options)`: a `server.Server` (not started yet; use it as a context
    manager) with the fixture profile and namespace labels; `cert_args=` replaces the certificate flags."""
    def make(log_dir, *args, **options):
        options.setdefault("profile", test_profile)
        options.setdefault("namespaces", FIXTURES / "namespaces.json")
        return Server(binary, certs, *args, log_dir=log_dir, **options)

    return make


@pytest.fixture
def serve(launch, tmp_path):
    """`serve(*flags, **options)`: starts a server as `launch` makes it and stops it after the test."""
    started = []

    def start(*args, **options):
        server = launch(tmp_path, *args, **options)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()
