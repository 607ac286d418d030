"""TLS trust the way the ecosystem expects it: SSL_CERT_FILE is honoured, and --truststore (or a
profile's ``truststore = true``) verifies with the operating system's trust store."""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import FakeServer, answer_flows, self_signed_cert

AZSHELL = str(Path(sys.executable).with_name("azshell"))


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A scripted HTTPS server with a self-signed certificate: ``(url, cert.pem)``."""
    cert, key = self_signed_cert(tmp_path_factory.mktemp("tls"))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with FakeServer(answer_flows, tls=context) as server:
        yield server.url, cert


def run(home: Path, url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {"PATH": os.environ.get("PATH", ""), "HOME": str(home),
               "XDG_CONFIG_HOME": str(home / "c"), "XDG_STATE_HOME": str(home / "s"),
               "XDG_CACHE_HOME": str(home / "k"), "AZSHELL_PASSWORD": "azkaban", **env}
    return subprocess.run([AZSHELL, url, "--user", "azkaban", *args, "-c", "flows p"],
                          capture_output=True, text=True, env=environ, check=False,
                          stdin=subprocess.DEVNULL, start_new_session=True, timeout=60)


def test_ssl_cert_file_is_honoured(tmp_path: Path, tls: tuple[str, Path]) -> None:
    url, cert = tls
    assert run(tmp_path, url).returncode == 3  # certifi's bundle does not know it
    done = run(tmp_path, url, SSL_CERT_FILE=str(cert))
    assert done.returncode == 0, done.stderr
    missing = run(tmp_path, url, SSL_CERT_FILE=str(tmp_path / "nope.pem"))
    assert missing.returncode == 2
    assert missing.stderr.strip().endswith(f"SSL_CERT_FILE: no such file: {tmp_path}/nope.pem")


def test_requests_ca_bundle_comes_before_ssl_cert_file(tmp_path: Path,
                                                       tls: tuple[str, Path]) -> None:
    url, cert = tls
    done = run(tmp_path, url, REQUESTS_CA_BUNDLE=str(cert),
               SSL_CERT_FILE=str(tmp_path / "nope.pem"))
    assert done.returncode == 0, done.stderr


def _cert_dir(tmp_path: Path, cert: Path) -> Path:
    """An OpenSSL certificate directory (hashed names) that holds ``cert``."""
    digest = subprocess.run(["openssl", "x509", "-hash", "-noout", "-in", str(cert)],
                            capture_output=True, text=True, check=True).stdout.strip()
    folder = tmp_path / "certs"
    folder.mkdir()
    (folder / f"{digest}.0").write_bytes(cert.read_bytes())
    return folder


def test_truststore_verifies_with_the_system_store(tmp_path: Path,
                                                   tls: tuple[str, Path]) -> None:
    pytest.importorskip("truststore")
    url, cert = tls
    # OpenSSL's own store (SSL_CERT_DIR here) is the system's; requests alone never reads it
    system = {"SSL_CERT_DIR": str(_cert_dir(tmp_path, cert))}
    assert run(tmp_path, url, **system).returncode == 3
    done = run(tmp_path, url, "--truststore", **system)
    assert done.returncode == 0, done.stderr
    assert run(tmp_path, url, "--truststore").returncode == 3  # and not everything is trusted
    config = tmp_path / "c" / "azshell"
    config.mkdir(parents=True)
    (config / "config.toml").write_text(f'[profiles.p]\nurl = "{url}"\ntruststore = true\n')
    environ = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
               "XDG_CONFIG_HOME": str(tmp_path / "c"), "AZSHELL_PASSWORD": "azkaban", **system}
    done = subprocess.run([AZSHELL, "-p", "p", "--user", "azkaban", "-c", "flows p"],
                          capture_output=True, text=True, env=environ, check=False,
                          stdin=subprocess.DEVNULL, start_new_session=True, timeout=60)
    assert done.returncode == 0, done.stderr
