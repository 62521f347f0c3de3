#!/usr/bin/env bash
# gen-certs.sh: certificates for the eci-profile admission webhook, with openssl.
#
# Makes (or reuses) a small CA and a serving certificate for the webhook's
# Service, a kubernetes.io/tls Secret manifest, and optionally a copy of the
# MutatingWebhookConfiguration with caBundle filled in. Also issues client
# certificates (for --client-ca-file) and checks existing certificates.
#
# Keys are EC P-256 (PKCS#8 PEM), written with mode 0600. No kubectl needed.
set -euo pipefail

PROG=${0##*/}
WARN_DAYS=30

usage() {
    cat <<EOF
Usage:
  $PROG [options]                 make a CA (or reuse OUT/ca.*) and a serving certificate
  $PROG --client NAME [options]   issue a client certificate NAME from the CA in OUT
  $PROG check DIR [--warn-days N] check the certificates in DIR

Options:
  --service NAME         Service name (default: eci-profile)
  --namespace NS         Service namespace (default: eci-profile-system)
  --out DIR              output directory (default: dev-certs)
  --days N               validity of the serving or client certificate in days (default: 365)
  --ca-days N            validity of a new CA in days (default: 3650)
  --dev                  also put localhost, 127.0.0.1 and ::1 into the serving certificate
  --extra-san SAN        add a SAN (DNS:name or IP:addr); repeatable
  --new-ca               make a new CA even if OUT/ca.crt and OUT/ca.key exist
  --secret-name NAME     name of the Secret in OUT/secret.yaml (default: eci-profile-tls)
  --patch-webhook FILE   write OUT/<basename of FILE>: FILE with every caBundle set to
                         base64(OUT/ca.crt)
  --client NAME          issue OUT/NAME.crt and OUT/NAME.key (CN=NAME, extendedKeyUsage
                         clientAuth) signed by the CA in OUT (made if missing); the serving
                         certificate is left alone
  -h, --help             this text

Output (serving mode):
  OUT/ca.crt OUT/ca.key    the CA (ca.key 0600; keep it, re-runs reuse it so that
                           caBundle stays valid across serving-certificate renewals)
  OUT/tls.crt OUT/tls.key  the serving certificate and key (0600), with SANs
                           <svc>, <svc>.<ns>, <svc>.<ns>.svc, <svc>.<ns>.svc.cluster.local
  OUT/secret.yaml          Secret <secret-name> (type kubernetes.io/tls) in <ns>, with
                           tls.crt, tls.key and ca.crt

check DIR: verifies every *.crt in DIR; for tls.crt also the chain to ca.crt and that
tls.key matches. Prints WARNING for a certificate that expires within --warn-days
(default $WARN_DAYS) and ERROR for an expired or broken one.
Exit status of check: 0 all good, 1 an error, 2 a warning only.

Examples:
  $PROG --dev --out dev-certs
  $PROG --out certs-prod --patch-webhook config/webhook.yaml
  kubectl apply -f certs-prod/secret.yaml -f certs-prod/webhook.yaml
  $PROG --out dev-certs --client kube-apiserver
  $PROG check dev-certs
EOF
}

die() { echo "$PROG: error: $*" >&2; exit 1; }

need_value() { [[ $# -ge 2 && -n $2 ]] || die "$1 needs a value (see --help)"; }

is_uint() { [[ $1 =~ ^[0-9]+$ && $1 -gt 0 ]]; }

# A positive random serial number of 16 bytes (RFC 5280 allows up to 20).
serial() { echo "0x7$(openssl rand -hex 15)"; }

b64() { openssl base64 -A -in "$1"; }

# new_key FILE: EC P-256 private key, mode 0600 from the start.
new_key() {
    (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null)
    chmod 600 "$1"
}

make_ca() {
    local out=$1 days=$2 cnf
    cnf=$(mktemp)
    cat >"$cnf" <<EOF
[req]
distinguished_name = dn
prompt = no
x509_extensions = v3_ca
[dn]
CN = eci-profile-ca
O = eci-profile
[v3_ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOF
    new_key "$out/ca.key"
    openssl req -new -x509 -config "$cnf" -key "$out/ca.key" -days "$days" \
        -set_serial "$(serial)" -sha256 -out "$out/ca.crt"
    rm -f "$cnf"
    echo "$PROG: new CA $out/ca.crt (valid $days days)" >&2
}

ensure_ca() {
    local out=$1 ca_days=$2 new_ca=$3
    if [[ $new_ca == 1 || ! -s $out/ca.crt || ! -s $out/ca.key ]]; then
        make_ca "$out" "$ca_days"
    else
        openssl x509 -in "$out/ca.crt" -noout -checkend 0 >/dev/null ||
            die "$out/ca.crt has expired; run again with --new-ca"
        echo "$PROG: reusing CA $out/ca.crt" >&2
    fi
}

# sign NAME CN DAYS EXTENSIONS: OUT/NAME.key + OUT/NAME.crt signed by OUT/ca.*.
sign() {
    local out=$1 name=$2 cn=$3 days=$4 ext=$5 extfile csr
    extfile=$(mktemp)
    csr=$(mktemp)
    printf '%s\n' "$ext" >"$extfile"
    new_key "$out/$name.key"
    openssl req -new -key "$out/$name.key" -subj "/O=eci-profile/CN=$cn" -out "$csr"
    openssl x509 -req -in "$csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" \
        -set_serial "$(serial)" -days "$days" -sha256 -extfile "$extfile" \
        -out "$out/$name.crt" 2>/dev/null
    rm -f "$extfile" "$csr"
    # The certificate never outlives the CA silently.
    if ! openssl x509 -in "$out/ca.crt" -noout -checkend $((days * 86400)) >/dev/null; then
        echo "$PROG: warning: $out/ca.crt expires before $out/$name.crt" >&2
    fi
}

write_secret() {
    local out=$1 name=$2 ns=$3
    cat >"$out/secret.yaml" <<EOF
# Generated by certs/$PROG; contains a private key: do not commit.
apiVersion: v1
kind: Secret
type: kubernetes.io/tls
metadata:
  name: $name
  namespace: $ns
  labels:
    app.kubernetes.io/name: eci-profile
    app.kubernetes.io/part-of: eci-profile
data:
  tls.crt: $(b64 "$out/tls.crt")
  tls.key: $(b64 "$out/tls.key")
  ca.crt: $(b64 "$out/ca.crt")
EOF
    chmod 600 "$out/secret.yaml"
}

# patch_webhook FILE OUT: every `caBundle:` line gets the CA, indentation kept.
patch_webhook() {
    local in=$1 out=$2 dest ca
    [[ -r $in ]] || die "cannot read $in"
    grep -Eq '^[[:space:]]*caBundle:' "$in" || die "$in has no caBundle field to fill"
    dest="$out/$(basename "$in")"
    [[ $(cd "$(dirname "$in")" && pwd)/$(basename "$in") != "$(cd "$out" && pwd)/$(basename "$in")" ]] ||
        die "--patch-webhook would overwrite its input $in"
    ca=$(b64 "$out/ca.crt")
    sed -E "s|^([[:space:]]*caBundle:).*$|\\1 $ca|" "$in" >"$dest"
    echo "$PROG: wrote $dest (caBundle from $out/ca.crt)" >&2
}

# ---- check mode ----------------------------------------------------------

check_dir() {
    local dir=$1 warn_days=$2 status=0 crt end found=0
    [[ -d $dir ]] || die "no such directory: $dir"
    for crt in "$dir"/*.crt; do
        [[ -e $crt ]] || continue
        found=1
        if ! end=$(openssl x509 -in "$crt" -noout -enddate 2>/dev/null); then
            echo "ERROR: $crt is not a PEM certificate" >&2
            status=1
            continue
        fi
        end=${end#notAfter=}
        if ! openssl x509 -in "$crt" -noout -checkend 0 >/dev/null; then
            echo "ERROR: $crt expired on $end" >&2
            status=1
        elif ! openssl x509 -in "$crt" -noout -checkend $((warn_days * 86400)) >/dev/null; then
            echo "WARNING: $crt expires within $warn_days days (on $end)" >&2
            [[ $status == 1 ]] || status=2
        else
            echo "ok: $crt valid until $end"
        fi
    done
    [[ $found == 1 ]] || die "no *.crt files in $dir"
    if [[ -e $dir/tls.crt && -e $dir/ca.crt ]]; then
        if openssl verify -CAfile "$dir/ca.crt" "$dir/tls.crt" >/dev/null 2>&1; then
            echo "ok: $dir/tls.crt is signed by $dir/ca.crt"
        else
            echo "ERROR: $dir/tls.crt does not verify against $dir/ca.crt" >&2
            status=1
        fi
    fi
    if [[ -e $dir/tls.crt && -e $dir/tls.key ]]; then
        if [[ $(openssl x509 -in "$dir/tls.crt" -noout -pubkey) == "$(openssl pkey -in "$dir/tls.key" -pubout)" ]]; then
            echo "ok: $dir/tls.key matches $dir/tls.crt"
        else
            echo "ERROR: $dir/tls.key does not match $dir/tls.crt" >&2
            status=1
        fi
    fi
    return "$status"
}

# ---- main ----------------------------------------------------------------

main() {
    command -v openssl >/dev/null || die "openssl not found"

    if [[ ${1:-} == check ]]; then
        shift
        local dir="" warn_days=$WARN_DAYS
        while [[ $# -gt 0 ]]; do
            case $1 in
                --warn-days) need_value "$@"; warn_days=$2; shift 2 ;;
                -h | --help) usage; exit 0 ;;
                -*) die "unknown option $1 (see --help)" ;;
                *) [[ -z $dir ]] || die "check takes one directory"; dir=$1; shift ;;
            esac
        done
        [[ -n $dir ]] || die "check needs a directory"
        is_uint "$warn_days" || die "--warn-days needs a positive number"
        local rc=0
        check_dir "$dir" "$warn_days" || rc=$?
        exit "$rc"
    fi

    local service=eci-profile namespace=eci-profile-system out=dev-certs days=365 ca_days=3650
    local dev=0 new_ca=0 secret_name=eci-profile-tls patch="" client="" extra_sans=()
    while [[ $# -gt 0 ]]; do
        case $1 in
            --service) need_value "$@"; service=$2; shift 2 ;;
            --namespace) need_value "$@"; namespace=$2; shift 2 ;;
            --out) need_value "$@"; out=$2; shift 2 ;;
            --days) need_value "$@"; days=$2; shift 2 ;;
            --ca-days) need_value "$@"; ca_days=$2; shift 2 ;;
            --dev) dev=1; shift ;;
            --extra-san) need_value "$@"; extra_sans+=("$2"); shift 2 ;;
            --new-ca) new_ca=1; shift ;;
            --secret-name) need_value "$@"; secret_name=$2; shift 2 ;;
            --patch-webhook) need_value "$@"; patch=$2; shift 2 ;;
            --client) need_value "$@"; client=$2; shift 2 ;;
            -h | --help) usage; exit 0 ;;
            *) die "unknown argument $1 (see --help)" ;;
        esac
    done
    is_uint "$days" || die "--days needs a positive number"
    is_uint "$ca_days" || die "--ca-days needs a positive number"
    local dns1123='^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'
    [[ $service =~ $dns1123 && ${#service} -le 63 ]] || die "--service must be a DNS-1123 label"
    [[ $namespace =~ $dns1123 && ${#namespace} -le 63 ]] || die "--namespace must be a DNS-1123 label"
    [[ $secret_name =~ ^[a-z0-9]([-.a-z0-9]*[a-z0-9])?$ ]] || die "--secret-name must be a DNS-1123 subdomain"
    [[ -z $client || $client =~ ^[A-Za-z0-9]([-._A-Za-z0-9]*[A-Za-z0-9])?$ ]] ||
        die "--client NAME may contain letters, digits, '-', '.' and '_'"
    [[ $client != ca && $client != tls ]] || die "--client NAME must not be 'ca' or 'tls'"

    mkdir -p "$out"
    ensure_ca "$out" "$ca_days" "$new_ca"

    if [[ -n $client ]]; then
        sign "$out" "$client" "$client" "$days" "basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid"
        echo "$PROG: wrote $out/$client.crt and $out/$client.key (clientAuth, $days days)" >&2
    else
        local sans="DNS:$service, DNS:$service.$namespace, DNS:$service.$namespace.svc, DNS:$service.$namespace.svc.cluster.local"
        [[ $dev == 0 ]] || sans+=", DNS:localhost, IP:127.0.0.1, IP:::1"
        local san
        for san in ${extra_sans[@]+"${extra_sans[@]}"}; do
            [[ $san =~ ^(DNS|IP): ]] || die "--extra-san needs DNS:name or IP:address, got $san"
            sans+=", $san"
        done
        sign "$out" tls "$service.$namespace.svc" "$days" "basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = $sans
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid"
        write_secret "$out" "$secret_name" "$namespace"
        echo "$PROG: wrote $out/tls.crt, $out/tls.key and $out/secret.yaml ($days days; SANs: $sans)" >&2
    fi

    [[ -z $patch ]] || patch_webhook "$patch" "$out"
}

main "$@"
