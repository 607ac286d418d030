"""TLS trust the way the ecosystem expects it: SSL_CERT_FILE is honoured, and --truststore (or a
profile's ``truststore = true``) verifies with the operating system's trust store."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

AZSHELL = str(Path(sys.executable).with_name("azshell"))




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


class Socks5:
    """A minimal SOCKS5 proxy on loopback (no authentication, CONNECT only) that notes where
    each client asked to go."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, int]] = []
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        with contextlib.suppress(OSError, ValueError), client:
            _, methods = client.recv(2)
            client.recv(methods)
            client.sendall(b"\x05\x00")
            _, _connect, _, kind = client.recv(4)
            if kind == 1:
                host = socket.inet_ntoa(client.recv(4))
            else:
                host = client.recv(client.recv(1)[0]).decode()
            port = int.from_bytes(client.recv(2), "big")
            self.asked.append((host, port))
            upstream = socket.create_connection((host, port))
            client.sendall(b"\x05\x00\x00\x01" + socket.inet_aton("127.0.0.1") + b"\x00\x00")
            with upstream:
                threading.Thread(target=_pump, args=(upstream, client), daemon=True).start()
                _pump(client, upstream)

    def close(self) -> None:
        self.server.close()


def _pump(source: socket.socket, target: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            target.sendall(data)
        target.shutdown(socket.SHUT_WR)


def test_a_socks_proxy_with_the_socks_extra(tmp_path: Path, sandbox: Any) -> None:
    pytest.importorskip("socks")  # PySocks: the socks extra
    proxy = Socks5()
    try:
        environ = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
                   "XDG_CONFIG_HOME": str(tmp_path / "c"), "XDG_STATE_HOME": str(tmp_path / "s"),
                   "XDG_CACHE_HOME": str(tmp_path / "k"), "AZSHELL_PASSWORD": "azkaban",
                   "HTTP_PROXY": f"socks5h://127.0.0.1:{proxy.port}"}
        done = subprocess.run([AZSHELL, sandbox.url, "--user", "azkaban", "-c", "whoami"],
                              capture_output=True, text=True, env=environ, check=False,
                              stdin=subprocess.DEVNULL, start_new_session=True, timeout=60)
    finally:
        proxy.close()
    assert done.returncode == 0, done.stderr
    port = int(sandbox.url.rsplit(":", 1)[1])
    assert ("127.0.0.1", port) in proxy.asked


def test_a_socks_proxy_without_the_extra_says_what_to_install(tmp_path: Path,
                                                              sandbox: Any) -> None:
    probe = ("import sys; sys.modules['socks'] = None\n"  # as if PySocks were not installed
             "from azshell.cli import main\n"
             f"sys.exit(main([{sandbox.url!r}, '--user', 'azkaban', '-c', 'whoami']))\n")
    environ = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
               "XDG_CONFIG_HOME": str(tmp_path / "c"), "XDG_STATE_HOME": str(tmp_path / "s"),
               "XDG_CACHE_HOME": str(tmp_path / "k"), "AZSHELL_PASSWORD": "azkaban",
               "HTTP_PROXY": "socks5h://127.0.0.1:9"}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env=environ, check=False, stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 3
    assert done.stderr.strip() == ("-c:1: error: the proxy is a SOCKS proxy, which needs "
                                   "PySocks: pip install 'azkaban-shell[socks]'")
