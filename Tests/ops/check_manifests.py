#!/usr/bin/env python3
"""Structural checks for the eci-profile deployables, used by test-ops.sh.

Schema validation is kubernetes-validate's job; this checks what a schema
cannot: that the pieces agree with each other and with the product's facts
(ports, paths, selectors, secret names, flags, timing).

Each check prints one line, "ok   - what" or "FAIL - what: why"; test-ops.sh
counts them. The exit status is 1 when any check failed.

Usage:
  check_manifests.py rendered FILE [--cert-manager]
  check_manifests.py secret SECRET_YAML CERT_DIR NAME NAMESPACE
  check_manifests.py webhook ORIGINAL PATCHED CA_CRT
  check_manifests.py checkov REPORT_JSON
"""

import base64
import json
import sys

import yaml

FAILED = 0
PREFIX = ""

WEBHOOK_NS = "eci-profile-system"
SERVICE_DNS = [
    "eci-profile",
    "eci-profile.eci-profile-system",
    "eci-profile.eci-profile-system.svc",
    "eci-profile.eci-profile-system.svc.cluster.local",
]


def check(name, condition, why=""):
    global FAILED
    name = PREFIX + name
    if condition:
        print(f"ok   - {name}")
    else:
        FAILED += 1
        print(f"FAIL - {name}" + (f": {why}" if why else ""))


def load_all(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d]


def find(docs, kind, name=None):
    found = [d for d in docs if d.get("kind") == kind and (name is None or d["metadata"]["name"] == name)]
    return found[0] if len(found) == 1 else None


def dig(obj, *path, default=None):
    for key in path:
        if isinstance(obj, dict) and key in obj:
            obj = obj[key]
        elif isinstance(obj, list) and isinstance(key, int) and key < len(obj):
            obj = obj[key]
        else:
            return default
    return obj


def selects(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def parse_duration(text):
    units = {"s": 1, "m": 60, "h": 3600}
    return int(text[:-1]) * units[text[-1]]


def args_map(args):
    out = {}
    for a in args:
        if a.startswith("--") and "=" in a:
            k, v = a[2:].split("=", 1)
            out[k] = v
    return out


def rendered(path, cert_manager):
    global PREFIX
    PREFIX = "[cert-manager] " if cert_manager else "[base] "
    docs = load_all(path)
    kinds = sorted(f"{d['kind']}/{d['metadata']['name']}" for d in docs)
    expected = {
        "Namespace/eci-profile-system", "ServiceAccount/eci-profile", "ClusterRole/eci-profile",
        "ClusterRoleBinding/eci-profile", "Role/eci-profile", "RoleBinding/eci-profile",
        "Service/eci-profile", "Deployment/eci-profile", "PodDisruptionBudget/eci-profile",
        "HorizontalPodAutoscaler/eci-profile",
        "MutatingWebhookConfiguration/eci-profile", "ConfigMap/eci-profile",
    }
    check("kustomize output has every base object", expected <= set(kinds), f"missing {sorted(expected - set(kinds))}")

    cluster_scoped = {"Namespace", "ClusterRole", "ClusterRoleBinding", "MutatingWebhookConfiguration"}
    for d in docs:
        ident = f"{d['kind']}/{d['metadata']['name']}"
        if d["kind"] in cluster_scoped:
            check(f"{ident} is cluster-scoped (no namespace)", "namespace" not in d["metadata"])
        else:
            want = "kube-system" if d["kind"] in ("Role", "RoleBinding", "ConfigMap") else WEBHOOK_NS
            check(f"{ident} is in namespace {want}", d["metadata"].get("namespace") == want,
                  f"got {d['metadata'].get('namespace')!r}")

    dep = find(docs, "Deployment", "eci-profile")
    svc = find(docs, "Service", "eci-profile")
    pdb = find(docs, "PodDisruptionBudget", "eci-profile")
    hpa = find(docs, "HorizontalPodAutoscaler", "eci-profile")
    mwc = find(docs, "MutatingWebhookConfiguration", "eci-profile")
    role = find(docs, "Role", "eci-profile")
    crole = find(docs, "ClusterRole", "eci-profile")
    cm = find(docs, "ConfigMap", "eci-profile")
    if not all([dep, svc, pdb, hpa, mwc, role, crole, cm]):
        check("all objects found for cross-checks", False)
        return

    pod = dep["spec"]["template"]
    pod_labels = pod["metadata"]["labels"]
    spec = pod["spec"]
    c = spec["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
    args = args_map(c.get("args", []))
    csc = c.get("securityContext", {})
    psc = spec.get("securityContext", {})

    check("Deployment: no spec.replicas (the HPA owns the count)", "replicas" not in dep["spec"])
    check("Deployment: selector matches pod labels", selects(dep["spec"]["selector"]["matchLabels"], pod_labels))
    check("Deployment: first arg is the serve subcommand", c.get("args", [None])[0] == "serve")
    check("Deployment: ports https-webhook 9443 and metrics 8080",
          ports == {"https-webhook": 9443, "metrics": 8080}, str(ports))
    check("Deployment: --port matches the https-webhook port", args.get("port") == str(ports.get("https-webhook")))
    check("Deployment: --metrics-bind-address matches the metrics port",
          args.get("metrics-bind-address", ":8080").rsplit(":", 1)[-1] == str(ports.get("metrics")))
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        g = dig(c, probe, "httpGet", default={})
        check(f"Deployment: {probe} GET {path} on the plain-HTTP metrics port",
              g.get("path") == path and g.get("port") in ("metrics", 8080) and g.get("scheme", "HTTP") == "HTTP", str(g))
    res = c.get("resources", {})
    def mebibytes(quantity):
        return int(quantity[:-2]) if quantity and quantity.endswith("Mi") else None
    requests, limits = res.get("requests", {}), res.get("limits", {})
    check("Deployment: cpu and memory requested, memory limited above the request, no CPU limit (throttling adds latency)",
          set(requests) == {"cpu", "memory"} and set(limits) == {"memory"}
          and (mebibytes(requests.get("memory")) or 0) >= 32
          and (mebibytes(limits.get("memory")) or 0) >= 2 * (mebibytes(requests.get("memory")) or 1 << 30), str(res))
    check("Deployment: image pinned by tag (not latest) with IfNotPresent",
          ":" in c["image"] and not c["image"].endswith(":latest") and c.get("imagePullPolicy") == "IfNotPresent", c["image"])
    check("Deployment: runAsNonRoot, runAsUser 65532",
          (csc.get("runAsNonRoot") or psc.get("runAsNonRoot")) is True and (csc.get("runAsUser") or psc.get("runAsUser")) == 65532)
    check("Deployment: readOnlyRootFilesystem, no privilege escalation, drop ALL",
          csc.get("readOnlyRootFilesystem") is True and csc.get("allowPrivilegeEscalation") is False
          and dig(csc, "capabilities", "drop") == ["ALL"])
    check("Deployment: seccomp RuntimeDefault",
          dig(csc, "seccompProfile", "type", default=dig(psc, "seccompProfile", "type")) == "RuntimeDefault")
    check("Deployment: automountServiceAccountToken true, serviceAccountName eci-profile",
          spec.get("automountServiceAccountToken") is True and spec.get("serviceAccountName") == "eci-profile")
    check("Deployment: no priorityClassName (not allowed outside kube-system in some clusters)",
          "priorityClassName" not in spec)
    grace = spec.get("terminationGracePeriodSeconds", 30)
    budget = parse_duration(args.get("shutdown-delay", "5s")) + parse_duration(args.get("shutdown-grace", "30s"))
    check(f"Deployment: terminationGracePeriodSeconds {grace} > shutdown delay + grace {budget}", grace > budget)
    check("Deployment: topologySpreadConstraints select the pods",
          all(selects(t["labelSelector"]["matchLabels"], pod_labels) for t in spec.get("topologySpreadConstraints", []))
          and len(spec.get("topologySpreadConstraints", [])) >= 1)
    anti = dig(spec, "affinity", "podAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution", default=[])
    check("Deployment: preferred podAntiAffinity on hostname selects the pods",
          any(t["podAffinityTerm"]["topologyKey"] == "kubernetes.io/hostname"
              and selects(t["podAffinityTerm"]["labelSelector"]["matchLabels"], pod_labels) for t in anti))
    mounts = {m["name"]: m for m in c.get("volumeMounts", [])}
    vols = {v["name"]: v for v in spec.get("volumes", [])}
    cert_dir = args.get("cert-dir")
    cert_vol = next((n for n, m in mounts.items() if m["mountPath"] == cert_dir), None)
    check("Deployment: --cert-dir /etc/eci-profile/certs is a read-only mount of Secret eci-profile-tls",
          cert_dir == "/etc/eci-profile/certs" and cert_vol is not None and mounts[cert_vol].get("readOnly") is True
          and dig(vols, cert_vol, "secret", "secretName") == "eci-profile-tls")
    excluded = set(args.get("excluded-namespaces", "").split(","))
    check("Deployment: --excluded-namespaces has kube-system and the webhook's namespace",
          {"kube-system", WEBHOOK_NS} <= excluded, str(excluded))
    check("Deployment: profile flags name the ConfigMap in the kustomization",
          args.get("profile-source") == "kubernetes" and args.get("profile-namespace") == cm["metadata"]["namespace"]
          and args.get("profile-name") == cm["metadata"]["name"])

    sports = {p["name"]: p for p in svc["spec"]["ports"]}
    check("Service: selector matches the pods", selects(svc["spec"]["selector"], pod_labels))
    check("Service: 443 (https) -> container port https-webhook",
          dig(sports, "https", "port") == 443 and dig(sports, "https", "targetPort") in ("https-webhook", 9443))
    check("Service: 8080 (metrics) -> container port metrics",
          dig(sports, "metrics", "port") == 8080 and dig(sports, "metrics", "targetPort") in ("metrics", 8080))

    check("PDB: maxUnavailable 1 (whatever the replica count) and selects the pods",
          pdb["spec"].get("maxUnavailable") == 1 and "minAvailable" not in pdb["spec"]
          and selects(pdb["spec"]["selector"]["matchLabels"], pod_labels))

    hspec = hpa["spec"]
    check("HPA: autoscaling/v2 targeting Deployment/eci-profile",
          hpa["apiVersion"] == "autoscaling/v2" and hpa["metadata"].get("namespace") == dep["metadata"]["namespace"]
          and hspec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": dep["metadata"]["name"]},
          str(hspec.get("scaleTargetRef")))
    metrics = hspec.get("metrics", [])
    check("HPA: scales on CPU utilization of the Deployment's CPU request",
          [dig(m, "resource", "name") for m in metrics] == ["cpu"]
          and dig(metrics, 0, "resource", "target", "type") == "Utilization"
          and 50 <= dig(metrics, 0, "resource", "target", "averageUtilization", default=0) <= 90
          and "cpu" in requests, str(metrics))
    low, high = hspec.get("minReplicas", 1), hspec.get("maxReplicas", 0)
    check(f"HPA: minReplicas {low} minus the PDB's maxUnavailable leaves a replica serving, maxReplicas {high} above it",
          low - pdb["spec"].get("maxUnavailable", 0) >= 1 and high > low)
    check("HPA: scale-down one replica at a time after a stabilization window",
          dig(hspec, "behavior", "scaleDown", "policies") == [{"type": "Pods", "value": 1, "periodSeconds": 60}]
          and dig(hspec, "behavior", "scaleDown", "stabilizationWindowSeconds", default=0) >= 60)
    check("topology spread: ScheduleAnyway, so scaling past the number of zones or nodes is never blocked",
          all(t.get("whenUnsatisfiable") == "ScheduleAnyway" for t in spec.get("topologySpreadConstraints", [])))

    check("MutatingWebhookConfiguration: exactly one webhook", len(mwc["webhooks"]) == 1)
    w = mwc["webhooks"][0]
    svc_ref = dig(w, "clientConfig", "service", default={})
    check("webhook: clientConfig.service is the Service, path /mutate, port 443",
          svc_ref == {"name": svc["metadata"]["name"], "namespace": svc["metadata"]["namespace"], "path": "/mutate", "port": 443},
          str(svc_ref))
    check("webhook: failurePolicy Ignore, sideEffects None, timeoutSeconds 5",
          (w.get("failurePolicy"), w.get("sideEffects"), w.get("timeoutSeconds")) == ("Ignore", "None", 5))
    check("webhook: reinvocationPolicy IfNeeded, matchPolicy Equivalent",
          (w.get("reinvocationPolicy"), w.get("matchPolicy")) == ("IfNeeded", "Equivalent"))
    check("webhook: admissionReviewVersions [v1, v1beta1]", w.get("admissionReviewVersions") == ["v1", "v1beta1"])
    check("webhook: rules are pods CREATE v1, Namespaced",
          w.get("rules") == [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"],
                              "resources": ["pods"], "scope": "Namespaced"}], str(w.get("rules")))
    exprs = dig(w, "namespaceSelector", "matchExpressions", default=[])
    check("webhook: namespaceSelector excludes kube-system and eci-profile-system",
          any(e["key"] == "kubernetes.io/metadata.name" and e["operator"] == "NotIn"
              and {"kube-system", WEBHOOK_NS} <= set(e["values"]) for e in exprs))
    check("webhook: caBundle placeholder present", "caBundle" in w["clientConfig"])

    cm_rules = [r for r in role["rules"] if "configmaps" in r["resources"]]
    check("Role: configmaps get/list/watch limited to resourceNames [eci-profile]",
          len(cm_rules) == 1 and sorted(cm_rules[0]["verbs"]) == ["get", "list", "watch"]
          and cm_rules[0].get("resourceNames") == [cm["metadata"]["name"]])
    ev_rules = [r for r in role["rules"] if "events" in r["resources"]]
    check("Role: events create/patch", len(ev_rules) == 1 and sorted(ev_rules[0]["verbs"]) == ["create", "patch"])
    check("ClusterRole: only namespaces get/list/watch",
          crole["rules"] == [{"apiGroups": [""], "resources": ["namespaces"], "verbs": ["get", "list", "watch"]}])
    for kind in ("ClusterRoleBinding", "RoleBinding"):
        b = find(docs, kind, "eci-profile")
        check(f"{kind}: binds the webhook's ServiceAccount",
              b is not None and b["subjects"] == [{"kind": "ServiceAccount", "name": "eci-profile", "namespace": WEBHOOK_NS}])

    if cert_manager:
        certs = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Certificate"}
        issuers = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Issuer"}
        for d in list(certs.values()) + list(issuers.values()):
            check(f"cert-manager {d['kind']}/{d['metadata']['name']}: apiVersion cert-manager.io/v1, namespaced",
                  d["apiVersion"] == "cert-manager.io/v1" and d["metadata"].get("namespace") == WEBHOOK_NS)
        inject = dig(mwc, "metadata", "annotations", "cert-manager.io/inject-ca-from", default="")
        ns, _, name = inject.partition("/")
        serving = certs.get(name)
        check("cert-manager: inject-ca-from names the serving Certificate",
              inject == f"{WEBHOOK_NS}/eci-profile-serving-cert" and serving is not None and ns == WEBHOOK_NS, inject)
        if serving:
            s = serving["spec"]
            check("cert-manager: serving Certificate has the four service DNS names", sorted(s.get("dnsNames", [])) == sorted(SERVICE_DNS))
            check("cert-manager: serving Certificate writes Secret eci-profile-tls (the one the Deployment mounts)",
                  s.get("secretName") == "eci-profile-tls")
            check("cert-manager: serving Certificate is for server auth", "server auth" in s.get("usages", []))
            ca_issuer = issuers.get(dig(s, "issuerRef", "name"))
            check("cert-manager: serving Certificate issued by a CA Issuer",
                  ca_issuer is not None and "ca" in ca_issuer["spec"] and dig(s, "issuerRef", "kind") == "Issuer")
            if ca_issuer:
                ca_cert = next((c for c in certs.values() if c["spec"].get("secretName") == ca_issuer["spec"]["ca"]["secretName"]), None)
                check("cert-manager: the CA Issuer's secret comes from an isCA Certificate",
                      ca_cert is not None and ca_cert["spec"].get("isCA") is True)
                if ca_cert:
                    root = issuers.get(dig(ca_cert, "spec", "issuerRef", "name"))
                    check("cert-manager: the CA Certificate is issued by a selfSigned Issuer",
                          root is not None and root["spec"] == {"selfSigned": {}})
        for c in certs.values():
            check(f"cert-manager Certificate/{c['metadata']['name']}: has secretName and issuerRef",
                  bool(c["spec"].get("secretName")) and bool(dig(c, "spec", "issuerRef", "name")))


def secret(path, cert_dir, name, namespace):
    docs = load_all(path)
    check("secret.yaml: one document", len(docs) == 1)
    s = docs[0]
    check("secret.yaml: v1 Secret of type kubernetes.io/tls",
          (s.get("apiVersion"), s.get("kind"), s.get("type")) == ("v1", "Secret", "kubernetes.io/tls"))
    check(f"secret.yaml: named {namespace}/{name}",
          dig(s, "metadata", "name") == name and dig(s, "metadata", "namespace") == namespace)
    data = s.get("data", {})
    check("secret.yaml: keys tls.crt, tls.key, ca.crt", set(data) == {"tls.crt", "tls.key", "ca.crt"}, str(sorted(data)))
    for key in ("tls.crt", "tls.key", "ca.crt"):
        try:
            raw = base64.b64decode(data.get(key, ""), validate=True)
        except ValueError as e:
            check(f"secret.yaml: {key} is base64", False, str(e))
            continue
        with open(f"{cert_dir}/{key}", "rb") as f:
            check(f"secret.yaml: {key} decodes to {cert_dir}/{key}", raw == f.read())


def webhook(original, patched, ca_path):
    orig, new = load_all(original), load_all(patched)
    with open(ca_path, "rb") as f:
        ca = f.read()
    check("patched webhook: same number of documents", len(orig) == len(new))
    for o, n in zip(orig, new):
        for i, w in enumerate(n.get("webhooks", [])):
            bundle = dig(w, "clientConfig", "caBundle", default="")
            try:
                ok = base64.b64decode(bundle, validate=True) == ca
            except ValueError:
                ok = False
            check(f"patched webhook: webhooks[{i}].clientConfig.caBundle is base64 of ca.crt", ok)
            dig(o, "webhooks", i, "clientConfig", default={}).pop("caBundle", None)
            w["clientConfig"].pop("caBundle", None)
        check("patched webhook: nothing but caBundle changed", o == n)


def checkov(report):
    with open(report, encoding="utf-8") as f:
        data = json.load(f)
    reports = data if isinstance(data, list) else [data]
    failed = [c for r in reports for c in r.get("results", {}).get("failed_checks", [])]
    skipped = [c for r in reports for c in r.get("results", {}).get("skipped_checks", [])]
    passed = sum(r.get("summary", {}).get("passed", 0) for r in reports)
    check(f"checkov: {passed} passed, {len(failed)} failed, {len(skipped)} suppressed", not failed and passed > 0,
          "; ".join(f"{c['check_id']} {c['resource']} ({c['file_path']})" for c in failed))
    for c in skipped:
        reason = (c.get("check_result", {}).get("suppress_comment") or "").strip()
        check(f"checkov: suppression {c['check_id']} on {c['resource']} has a reason",
              len(reason) >= 40 and reason.lower() != "no comment provided", repr(reason))
        print(f"       {c['check_id']}: {reason}")


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, rest = argv[1], argv[2:]
    if cmd == "rendered":
        rendered(rest[0], "--cert-manager" in rest[1:])
    elif cmd == "secret":
        secret(*rest)
    elif cmd == "webhook":
        webhook(*rest)
    elif cmd == "checkov":
        checkov(*rest)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
