"""Mutual TLS to Temporal: the certificate script and the client's TLS configuration.

No Temporal binary here serves TLS (the dev server and the test server are plain), so the
handshake itself is exercised by the compose stack; what is ours is tested: the script issues a
CA, a server certificate and client-only certificates that the CA verifies, and ``connect``
presents the client certificate whenever one is configured.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from core.settings import Settings
from core.temporal import tls_config

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "deploy" / "gen-certs.sh"

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is needed to issue certificates")


def _openssl(*args: str) -> str:
    return subprocess.run(["openssl", *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("certs")
    subprocess.run(["bash", str(SCRIPT), str(out)], check=True, capture_output=True)
    return out


def test_the_script_issues_a_server_and_client_only_certificates_the_ca_verifies(certs: Path) -> None:
    for name in ("temporal", "api", "worker", "admin"):
        assert _openssl("verify", "-CAfile", str(certs / "ca.pem"), str(certs / f"{name}.pem")).strip().endswith("OK")
    server = _openssl("x509", "-in", str(certs / "temporal.pem"), "-noout", "-ext", "subjectAltName,extendedKeyUsage")
    assert "DNS:temporal" in server and "TLS Web Server Authentication" in server
    for client in ("api", "worker"):
        usage = _openssl("x509", "-in", str(certs / f"{client}.pem"), "-noout", "-ext", "extendedKeyUsage")
        # A client certificate cannot be used to impersonate the server.
        assert "TLS Web Client Authentication" in usage and "Server" not in usage
    assert oct((certs / "api.key").stat().st_mode & 0o777) == "0o600"


def test_running_the_script_again_changes_nothing(certs: Path) -> None:
    before = {p.name: p.read_bytes() for p in certs.iterdir()}
    subprocess.run(["bash", str(SCRIPT), str(certs)], check=True, capture_output=True)
    assert {p.name: p.read_bytes() for p in certs.iterdir()} == before


def test_connect_presents_the_client_certificate_when_one_is_configured(certs: Path) -> None:
    plain = Settings()
    assert tls_config(plain) is False
    mutual = Settings(
        temporal_tls_cert=str(certs / "api.pem"), temporal_tls_key=str(certs / "api.key"),
        temporal_tls_ca=str(certs / "ca.pem"), temporal_tls_server_name="temporal",
    )
    config = tls_config(mutual)
    assert not isinstance(config, bool)
    assert config.client_cert == (certs / "api.pem").read_bytes() and config.domain == "temporal"
    assert config.server_root_ca_cert == (certs / "ca.pem").read_bytes()
    with pytest.raises(ValueError, match="WUYEFLOW_TEMPORAL_TLS_KEY"):
        tls_config(Settings(temporal_tls_cert=str(certs / "api.pem")))
