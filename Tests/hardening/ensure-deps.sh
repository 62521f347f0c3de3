# Sourced by scripts/attack, faults, tlsgrade and soak: installs what they need when it is missing
# (Debian: curl, openssl, nghttp2-client for h2load, wrk; Python: h2). $1…: extra Python modules
# as module=pip-name (scripts/tlsgrade adds sslyze=sslyze).
hardening_ensure_deps() {
    local missing=() package
    for package in curl openssl nghttp2-client wrk; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "installing Debian packages: ${missing[*]}" >&2
        local sudo_cmd=()
        [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
        "${sudo_cmd[@]}" apt-get update -qq
        DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
    local spec module pip_name
    for spec in h2=h2 "$@"; do
        module=${spec%%=*}
        pip_name=${spec#*=}
        python3 -c "import $module" 2>/dev/null ||
            python3 -m pip install --quiet --disable-pip-version-check "$pip_name" >&2
    done
}
