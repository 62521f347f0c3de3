"""The webhook container of config/deployment.yaml, translated into a `podman run` for scripts/image-smoke.

    python3 Tests/image/deployment_to_podman.py DEPLOYMENT SECRET_DIR PROFILE_JSON LABELS_JSON VOLUMES_DIR

Prints bash assignments (shlex-quoted, for `eval`):
  run_flags    podman run options: user, groups, read-only root, capabilities, no-new-privileges,
               memory limit, the emptyDir as a bounded tmpfs, every volume mounted where the
               Deployment mounts it
  serve_args   the container's args, in file mode (see below)
  uid, gid, fs_group   the user, group and fsGroup the container runs with
  grace        terminationGracePeriodSeconds
  memory_limit resources.limits.memory in bytes
  webhook_port, metrics_port   from --port and --metrics-bind-address

Volumes are written under VOLUMES_DIR the way kubelet's atomic writer lays them out (a timestamped
folder, a `..data` link to it, one link per key), owned by root with the pod's fsGroup as group, the
folder setgid and the files in the volume's defaultMode:
  - each Secret volume gets the files of SECRET_DIR (gen-certs.sh output: tls.crt, tls.key, ca.crt);
  - file mode: no API server runs here, so `--profile-source=kubernetes` becomes `file`, and two
    ConfigMap volumes are added: the profile (PROFILE_JSON, one key per file, as kubelet mounts the
    eci-profile ConfigMap) and the namespace labels (LABELS_JSON as namespaces.json).

A field this translation does not know (a privileged container, added capabilities, a second
container, another volume type) is an error, so a changed Deployment cannot pass unseen.
"""
import json
import os
import pathlib
import shlex
import sys

import yaml

PROFILE_MOUNT = "/etc/eci-profile/profile"
LABELS_MOUNT = "/etc/eci-profile/namespace-labels"
CONFIGMAP_DEFAULT_MODE = 0o644
# kubelet's atomic writer names the folder after the time it wrote it.
TIMESTAMP_FOLDER = "..2026_01_01_00_00_00.000000000"
BINARY_UNITS = {"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30}


def fail(message: str):
    sys.exit(f"deployment_to_podman: {message}")


def quantity_bytes(quantity: str) -> int:
    """A Kubernetes memory quantity in the binary units the Deployment uses (128Mi)."""
    for suffix, factor in BINARY_UNITS.items():
        if quantity.endswith(suffix):
            return int(quantity[: -len(suffix)]) * factor
    if quantity.isdigit():
        return int(quantity)
    fail(f"unsupported quantity {quantity!r}")


def write_volume(folder: pathlib.Path, files: dict, mode: int, group: int):
    """`files` (key -> bytes) as kubelet writes a Secret or ConfigMap volume for a pod with fsGroup `group`."""
    data = folder / TIMESTAMP_FOLDER
    data.mkdir(parents=True)
    for key, content in files.items():
        (data / key).write_bytes(content)
        os.chown(data / key, 0, group)
        os.chmod(data / key, mode)
        (folder / key).symlink_to(f"..data/{key}")
    (folder / "..data").symlink_to(TIMESTAMP_FOLDER)
    for path, bits in ((data, 0o2755), (folder, 0o3777)):
        os.chown(path, 0, group)
        os.chmod(path, bits)


def container_user(pod_context: dict, context: dict) -> tuple:
    """(uid, gid, fsGroup), the container's settings overriding the pod's."""
    merged = {**pod_context, **context}
    for key in ("runAsUser", "runAsGroup", "fsGroup"):
        if key not in merged:
            fail(f"securityContext.{key} missing")
    if not merged.get("runAsNonRoot") or merged["runAsUser"] == 0:
        fail("the container must run as non-root")
    return merged["runAsUser"], merged["runAsGroup"], merged["fsGroup"]


def security_flags(context: dict) -> list:
    """podman options for the container's securityContext."""
    if context.get("privileged", False):
        fail("a privileged container cannot be smoke-tested as a restricted one")
    if context.get("capabilities", {}).get("add"):
        fail("capabilities.add is not translated")
    flags = [f"--cap-drop={cap}" for cap in context.get("capabilities", {}).get("drop", [])]
    if context.get("readOnlyRootFilesystem"):
        # Podman mounts tmpfs on /tmp, /var/tmp and /run of a read-only container unless told not
        # to; Kubernetes does not, so only the Deployment's own volumes are writable.
        flags += ["--read-only", "--read-only-tmpfs=false"]
    if context.get("allowPrivilegeEscalation") is False:
        flags += ["--security-opt", "no-new-privileges"]
    seccomp = context.get("seccompProfile", {}).get("type", "RuntimeDefault")
    if seccomp != "RuntimeDefault":
        fail(f"seccompProfile {seccomp} is not translated (podman's default profile is RuntimeDefault)")
    return flags


def option_value(args: list, name: str):
    """The value of `--name=value` or `--name value` in `args`, or None."""
    for index, arg in enumerate(args):
        if arg.startswith(f"{name}="):
            return arg.split("=", 1)[1]
        if arg == name and index + 1 < len(args):
            return args[index + 1]
    return None


def file_mode_args(args: list) -> list:
    """The Deployment's args with the profile read from the mounted ConfigMap volumes."""
    if option_value(args, "--profile-source") != "kubernetes":
        fail("expected --profile-source=kubernetes in the Deployment's args")
    rewritten = ["--profile-source=file" if arg.startswith("--profile-source") else arg for arg in args]
    return rewritten + [f"--profile-file={PROFILE_MOUNT}", f"--namespace-labels-file={LABELS_MOUNT}/namespaces.json"]


def main(deployment_path, secret_dir, profile_json, labels_json, volumes_dir):
    deployment = yaml.safe_load(pathlib.Path(deployment_path).read_text())
    pod = deployment["spec"]["template"]["spec"]
    if len(pod["containers"]) != 1 or pod.get("initContainers"):
        fail("expected exactly one container and no init containers")
    container = pod["containers"][0]
    uid, gid, fs_group = container_user(pod.get("securityContext", {}), container.get("securityContext", {}))
    flags = [f"--user={uid}:{gid}", f"--group-add={fs_group}"]
    flags += security_flags({**pod.get("securityContext", {}), **container.get("securityContext", {})})
    memory = container.get("resources", {}).get("limits", {}).get("memory")
    if not memory:
        fail("resources.limits.memory missing")
    flags.append(f"--memory={quantity_bytes(memory)}")

    volumes = {volume["name"]: volume for volume in pod.get("volumes", [])}
    root = pathlib.Path(volumes_dir)
    secret_files = {path.name: path.read_bytes() for path in sorted(pathlib.Path(secret_dir).iterdir())
                    if path.name in ("tls.crt", "tls.key", "ca.crt")}
    for mount in container.get("volumeMounts", []):
        volume = volumes[mount["name"]]
        if "secret" in volume:
            folder = root / mount["name"]
            write_volume(folder, secret_files, volume["secret"].get("defaultMode", 0o644), fs_group)
            flags += ["--volume", f"{folder}:{mount['mountPath']}:{'ro' if mount.get('readOnly') else 'rw'}"]
        elif "emptyDir" in volume:
            size = volume["emptyDir"].get("sizeLimit")
            options = f"rw,mode=1777{',size=' + str(quantity_bytes(size)) if size else ''}"
            flags += ["--tmpfs", f"{mount['mountPath']}:{options}"]
        else:
            fail(f"volume {mount['name']}: only secret and emptyDir volumes are translated")

    profile = json.loads(pathlib.Path(profile_json).read_text())
    profile_files = {key: (value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)).encode()
                     for key, value in profile.items()}
    write_volume(root / "profile", profile_files, CONFIGMAP_DEFAULT_MODE, fs_group)
    write_volume(root / "namespace-labels", {"namespaces.json": pathlib.Path(labels_json).read_bytes()},
                 CONFIGMAP_DEFAULT_MODE, fs_group)
    flags += ["--volume", f"{root / 'profile'}:{PROFILE_MOUNT}:ro",
              "--volume", f"{root / 'namespace-labels'}:{LABELS_MOUNT}:ro"]

    args = file_mode_args(container["args"])
    metrics = option_value(args, "--metrics-bind-address") or ":8080"
    values = {
        "uid": str(uid), "gid": str(gid), "fs_group": str(fs_group),
        "grace": str(pod.get("terminationGracePeriodSeconds", 30)),
        "memory_limit": str(quantity_bytes(memory)),
        "webhook_port": option_value(args, "--port") or "9443",
        "metrics_port": metrics.rsplit(":", 1)[1],
    }
    print(f"run_flags=({' '.join(map(shlex.quote, flags))})")
    print(f"serve_args=({' '.join(map(shlex.quote, args))})")
    for name, value in values.items():
        print(f"{name}={shlex.quote(value)}")


if __name__ == "__main__":
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    main(*sys.argv[1:])
