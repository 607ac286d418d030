"""Fixtures of the shell tests: the installed azshell in a pseudo-terminal (pty_harness.py), and
a project whose flows are not created in sorted order."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def pty_home(tmp_path: Path) -> Path:
    """The private HOME of the shells ``shell`` starts (XDG directories inside it)."""
    return tmp_path / "home"


@pytest.fixture
def shell(pty_home: Path) -> Iterator[Callable[..., Any]]:
    """``shell(url, user="azkaban", **env) -> pty_harness.Shell``, ended after the test.

    pexpect (a test dependency) is imported by pty_harness here, not at the top, so that the
    other shell tests do not pay for it; when it is missing the test fails, it is not skipped.
    """
    from pty_harness import shell_factory

    with shell_factory(pty_home) as start:
        yield start


@pytest.fixture
def three_flows(client: Any, make_zip: Any, tmp_path: Path, project_name: str) -> str:
    """A project of three independent one-job flows, created in an order that is not sorted:
    ``zeta``, ``alpha`` and ``mid``."""
    client.create_project(project_name, "three flows")
    client.upload_project(project_name, make_zip(tmp_path, {
        "zeta.job": "type=noop\n", "alpha.job": "type=noop\n", "mid.job": "type=noop\n"}))
    return project_name


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A scripted HTTPS server with a self-signed certificate: ``(url, cert.pem)``."""
    import ssl

    from fakes import FakeServer, answer_flows, self_signed_cert

    cert, key = self_signed_cert(tmp_path_factory.mktemp("tls"))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with FakeServer(answer_flows, tls=context) as server:
        yield server.url, cert
