"""Shared fixtures for the end-to-end tests: the built binary and the fixture files."""
import json
import os
import pathlib
import subprocess

import pytest

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


@pytest.fixture(scope="session")
def test_profile(tmp_path_factory) -> pathlib.Path:
    """The core tests' profile written as a ConfigMap (JSON is YAML)."""
    profile = json.loads((FIXTURES / "profile.json").read_text())
    data = {key: json.dumps(value, ensure_ascii=False) for key, value in profile.items()}
    configmap = {"apiVersion": "v1", "kind": "ConfigMap",
                 "metadata": {"name": "eci-profile", "namespace": "kube-system"}, "data": data}
    path = tmp_path_factory.mktemp("profile") / "eci-profile.yaml"
    path.write_text(json.dumps(configmap, ensure_ascii=False))
    return path
