"""TLS versions, ALPN and client-certificate verification, seen by `openssl s_client` and curl."""
import re
import ssl
import subprocess

import pytest

from server import HOST, build_request, client_context, read_response


@pytest.fixture(scope="module")
def h2_server(launch, tmp_path_factory):
    with launch(tmp_path_factory.mktemp("tls-h2"), "--enable-http2") as running:
        yield running


@pytest.fixture(scope="module")
def h1_server(launch, tmp_path_factory):
    with launch(tmp_path_factory.mktemp("tls-h1")) as running:
        yield running


@pytest.fixture(scope="module")
def mtls_server(launch, certs, tmp_path_factory):
    with launch(tmp_path_factory.mktemp("tls-mtls"), "--client-ca-file", str(certs / "ca.crt")) as running:
        yield running


def s_client(server, *args):
    """`openssl s_client` against the server; returns (handshake succeeded, combined output)."""
    result = subprocess.run(["openssl", "s_client", "-connect", f"{HOST}:{server.port}", "-servername", "localhost",
                             "-CAfile", str(server.ca), "-verify_return_error", *args],
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=20)
    output = result.stdout + result.stderr
    return result.returncode == 0 and protocol_of(output) in ("TLSv1.2", "TLSv1.3"), output


def protocol_of(output):
    """The version of a completed handshake (s_client's "New, TLSv1.3, Cipher is ..." line)."""
    match = re.search(r"^New, (TLSv[\d.]+), Cipher is (?!\(NONE\))", output, re.M)
    return match.group(1) if match else None


def alpn_of(output):
    match = re.search(r"^ALPN protocol: (\S+)$", output, re.M)
    if match:
        return match.group(1)
    assert "No ALPN negotiated" in output, output
    return None


def test_tls_1_1_is_refused(h1_server):
    ok, output = s_client(h1_server, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0")
    assert not ok, output


@pytest.mark.parametrize("version, name", [("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3")])
def test_tls_1_2_and_1_3_are_accepted(h1_server, version, name):
    ok, output = s_client(h1_server, version)
    assert ok, output
    assert protocol_of(output) == name, output
    assert "Verify return code: 0 (ok)" in output


def test_tls_min_version_1_3_refuses_1_2(serve):
    server = serve("--tls-min-version", "VersionTLS13")
    ok, output = s_client(server, "-tls1_2")
    assert not ok, output
    ok, output = s_client(server, "-tls1_3")
    assert ok, output


@pytest.mark.parametrize("fixture, offer, expected", [
    ("h2_server", "h2,http/1.1", "h2"),
    ("h1_server", "h2,http/1.1", "http/1.1"),
    ("h2_server", "http/1.1", "http/1.1"),
    ("h1_server", "http/1.1", "http/1.1"),
    ("h1_server", "h2", None),
])
def test_alpn_selection(request, fixture, offer, expected):
    ok, output = s_client(request.getfixturevalue(fixture), "-alpn", offer)
    assert ok, output
    assert alpn_of(output) == expected


@pytest.mark.parametrize("fixture", ["h1_server", "h2_server"])
def test_an_unknown_alpn_protocol_negotiates_none_and_http1_still_works(request, fixture, certs):
    server = request.getfixturevalue(fixture)
    ok, output = s_client(server, "-alpn", "foo")
    assert ok, output
    assert alpn_of(output) is None
    with server.tls_socket(client_context(server.ca, alpn=("foo",))) as sock:
        assert sock.selected_alpn_protocol() is None
        sock.sendall(build_request("GET", "/healthz"))
        assert read_response(sock.makefile("rb"))[0] == 200
    with server.tls_socket(client_context(server.ca, alpn=None)) as sock:
        sock.sendall(build_request("GET", "/readyz"))
        assert read_response(sock.makefile("rb"))[0] == 200


def mtls_curl(server, *args):
    return server.curl("-o", "/dev/null", "-w", "%{http_code}", *args, server.url("/healthz"))


def test_mtls_without_a_client_certificate_fails(mtls_server):
    result = mtls_curl(mtls_server)
    assert result.returncode != 0 and result.stdout in ("", "000"), (result.stdout, result.stderr)
    with pytest.raises((ssl.SSLError, ConnectionError)):
        with mtls_server.tls_socket() as sock:
            sock.sendall(build_request("GET", "/healthz"))
            read_response(sock.makefile("rb"))


def test_mtls_with_a_certificate_from_another_ca_fails(mtls_server, other_certs):
    result = mtls_curl(mtls_server, "--cert", str(other_certs / "intruder.crt"), "--key", str(other_certs / "intruder.key"))
    assert result.returncode != 0 and result.stdout in ("", "000"), (result.stdout, result.stderr)


def test_mtls_with_the_right_client_certificate_is_served(mtls_server, certs):
    result = mtls_curl(mtls_server, "--cert", str(certs / "kube-apiserver.crt"), "--key", str(certs / "kube-apiserver.key"))
    assert (result.returncode, result.stdout) == (0, "200"), result.stderr
    context = client_context(mtls_server.ca, cert=certs / "kube-apiserver.crt", key=certs / "kube-apiserver.key")
    with mtls_server.tls_socket(context) as sock:
        sock.sendall(build_request("GET", "/readyz"))
        assert read_response(sock.makefile("rb"))[0] == 200


def test_mtls_rejects_a_serving_certificate_used_as_a_client_certificate(mtls_server, certs):
    """tls.crt is signed by the right CA but its extendedKeyUsage is serverAuth only."""
    result = mtls_curl(mtls_server, "--cert", str(certs / "tls.crt"), "--key", str(certs / "tls.key"))
    assert result.returncode != 0 and result.stdout in ("", "000"), (result.stdout, result.stderr)
