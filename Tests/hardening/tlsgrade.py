"""TLS grade of `eci-profile serve` with sslyze (PyPI): only TLS 1.2/1.3, no weak cipher suites (every TLS 1.2
suite ECDHE with an AEAD cipher, >= 128-bit keys), forward secrecy, no client-initiated renegotiation,
no compression, and not vulnerable to Heartbleed, CCS injection or ROBOT. Run with and without
--enable-http2. The summary is written to a file under a temporary directory and printed; exit status 1
when a check fails.
"""
import os
import shutil
import sys
import tempfile

from sslyze import (Scanner, ScanCommand, ServerNetworkConfiguration, ServerNetworkLocation, ServerScanRequest,
                    ServerScanStatusEnum)

from common import NAMESPACES, PROFILE, Server, binary, certs, table, workdir

COMMANDS = {ScanCommand.SSL_2_0_CIPHER_SUITES, ScanCommand.SSL_3_0_CIPHER_SUITES, ScanCommand.TLS_1_0_CIPHER_SUITES,
            ScanCommand.TLS_1_1_CIPHER_SUITES, ScanCommand.TLS_1_2_CIPHER_SUITES, ScanCommand.TLS_1_3_CIPHER_SUITES,
            ScanCommand.TLS_COMPRESSION, ScanCommand.SESSION_RENEGOTIATION, ScanCommand.HEARTBLEED,
            ScanCommand.OPENSSL_CCS_INJECTION, ScanCommand.ROBOT, ScanCommand.ELLIPTIC_CURVES,
            ScanCommand.TLS_FALLBACK_SCSV}
AEAD = ("GCM", "CHACHA20", "CCM")


def scan(port):
    request = ServerScanRequest(
        server_location=ServerNetworkLocation("localhost", port, ip_address="127.0.0.1"),
        network_configuration=ServerNetworkConfiguration(tls_server_name_indication="localhost"),
        scan_commands=COMMANDS)
    scanner = Scanner()
    scanner.queue_scans([request])
    result = next(iter(scanner.get_results()))
    if result.scan_status != ServerScanStatusEnum.COMPLETED:
        raise SystemExit(f"tlsgrade: sslyze could not connect: {result.connectivity_error_trace}")
    return result.scan_result


def grade(result):
    """(check, passed, detail) rows."""
    rows = []

    def suites(attempt):
        if attempt.result is None:
            return None
        return [accepted.cipher_suite for accepted in attempt.result.accepted_cipher_suites]

    for label, attr in (("SSL 2.0", "ssl_2_0_cipher_suites"), ("SSL 3.0", "ssl_3_0_cipher_suites"),
                        ("TLS 1.0", "tls_1_0_cipher_suites"), ("TLS 1.1", "tls_1_1_cipher_suites")):
        accepted = suites(getattr(result, attr))
        rows.append((f"{label} refused", accepted == [], "scan failed" if accepted is None else f"{len(accepted)} suites"))
    tls12 = suites(result.tls_1_2_cipher_suites) or []
    tls13 = suites(result.tls_1_3_cipher_suites) or []
    rows.append(("TLS 1.2 offered", bool(tls12), ", ".join(s.name for s in tls12)))
    rows.append(("TLS 1.3 offered", bool(tls13), ", ".join(s.name for s in tls13)))
    weak = [s.name for s in tls12 + tls13 if not any(a in s.name for a in AEAD) or s.key_size < 128]
    rows.append(("no weak suites (AEAD only, >= 128 bit)", not weak, ", ".join(weak) or "none"))
    no_fs = [s.name for s in tls12 if not s.name.startswith(("ECDHE-", "DHE-", "TLS_ECDHE_", "TLS_DHE_"))]
    rows.append(("forward secrecy (every TLS 1.2 suite ECDHE/DHE; TLS 1.3 always)", not no_fs, ", ".join(no_fs) or "all"))
    curves = result.elliptic_curves.result
    if curves is not None:
        rows.append(("key-exchange groups", True, ", ".join(c.name for c in curves.supported_curves)))
    renegotiation = result.session_renegotiation.result
    rows.append(("client-initiated renegotiation refused",
                 renegotiation is not None and not renegotiation.is_vulnerable_to_client_renegotiation_dos,
                 "scan failed" if renegotiation is None else
                 f"secure renegotiation extension {'advertised' if renegotiation.supports_secure_renegotiation else 'absent'}"))
    compression = result.tls_compression.result
    rows.append(("no TLS compression (CRIME)", compression is not None and not compression.supports_compression, ""))
    for label, attr, field in (("not vulnerable to Heartbleed", "heartbleed", "is_vulnerable_to_heartbleed"),
                               ("not vulnerable to CCS injection", "openssl_ccs_injection", "is_vulnerable_to_ccs_injection")):
        value = getattr(result, attr).result
        rows.append((label, value is not None and not getattr(value, field), ""))
    robot = result.robot.result
    rows.append(("not vulnerable to ROBOT", robot is not None and "NOT_VULNERABLE" in robot.robot_result.name,
                 "" if robot is None else robot.robot_result.name))
    fallback = result.tls_fallback_scsv.result
    if fallback is not None:
        rows.append(("TLS_FALLBACK_SCSV (informational)", True, f"supported={fallback.supports_fallback_scsv}"))
    return rows


def main():
    work = workdir("tlsgrade")
    exe = binary(work)
    cert_dir = certs(work)
    summary_dir = tempfile.mkdtemp(prefix="eci-tlsgrade-summary-")
    summary_path = os.path.join(summary_dir, "tls-summary.txt")
    failed = False
    text = []
    try:
        for flags in ([], ["--enable-http2"]):
            with Server(exe, cert_dir, "--log-level", "warning", *flags, profile=PROFILE, namespaces=NAMESPACES,
                        log_dir=work) as server:
                rows = grade(scan(server.port))
            failed |= not all(ok for _, ok, _ in rows)
            text.append(f"eci-profile serve {' '.join(flags) or '(HTTP/1.1 only)'} on 127.0.0.1 (sslyze)\n" +
                        table(["check", "verdict", "detail"], [[c, "PASS" if ok else "FAIL", d] for c, ok, d in rows]))
    finally:
        if os.environ.get("HARDENING_KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)
    with open(summary_path, "w") as summary:
        summary.write("\n\n".join(text) + "\n")
    print("\n\n".join(text))
    print(f"\nsummary written to {summary_path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
