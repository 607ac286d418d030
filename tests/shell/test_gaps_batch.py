"""The installed azshell in scripts where nothing else looks: the Flow 2.0 example from upload to
the log of an embedded job, and TLS and time-outs at the shell level (exit 3, one line)."""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_support import Az, documents
from fakes import FakeServer, Reply, Seen, answer_flows, self_signed_cert

REPO = Path(__file__).resolve().parents[2]


def test_the_flow2_example_from_upload_to_an_embedded_jobs_log(tmp_path: Path, sandbox: Any,
                                                               project_name: str,
                                                               client: Any) -> None:
    az = Az(tmp_path / "home", sandbox.url)
    done = az("-c", f"upload {project_name} examples/flow2-pipeline --create",
              "-c", f"execute {project_name} pipeline --wait",
              "-c", "log process:step_a", "-c", "log prepare", cwd=REPO)
    assert done.returncode == 0, done.stderr
    uploaded, final, step_a, prepare = documents(done.stdout)
    assert uploaded["created"] is True
    assert uploaded["flows"] == ["pipeline"]
    assert final["status"] == "SUCCEEDED"
    assert final["project"] == project_name
    execid = final["execid"]
    assert client.execution(execid)["status"] == "SUCCEEDED"
    assert (step_a["execid"], step_a["job"]) == (execid, "process:step_a")
    assert "step a of batch 7" in step_a["log"]  # the embedded flow's config
    assert "hello from prepare" in prepare["log"]  # the flow-level config


# -- TLS and time-outs ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A scripted HTTPS server with a self-signed certificate: ``(url, cert.pem)``."""
    cert, key = self_signed_cert(tmp_path_factory.mktemp("tls"))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with FakeServer(answer_flows, tls=context) as server:
        yield server.url, cert


def test_an_untrusted_certificate_is_exit_3_and_one_line(tmp_path: Path,
                                                         tls: tuple[str, Path]) -> None:
    url, _ = tls
    done = Az(tmp_path, url)("-c", "flows p")
    assert done.returncode == 3
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("-c:1: error: ")
    assert "certificate" in lines[0]
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("trust", ["-k", "--ca-cert"])
def test_insecure_or_the_ca_bundle_works(tmp_path: Path, tls: tuple[str, Path],
                                         trust: str) -> None:
    url, cert = tls
    args = ["-k"] if trust == "-k" else ["--ca-cert", str(cert)]
    done = Az(tmp_path, url)(*args, "-c", "flows p")
    assert done.returncode == 0, done.stderr
    assert documents(done.stdout) == [["f"]]
    assert "Warning" not in done.stderr  # -k is quiet about it


DELAY = 3.0


def test_timeout_is_exit_3_and_one_line_well_before_the_answer(tmp_path: Path) -> None:
    def late(seen: Seen) -> Reply:
        return Reply(body='{"project" : "p", "flows" : [ ]}', delay=DELAY)

    with FakeServer(late) as server:
        started = time.monotonic()
        done = Az(tmp_path, server.url)("--timeout", "1", "-c", "flows p")
        took = time.monotonic() - started
        asked = len(server.requests_to("/manager"))
    assert done.returncode == 3
    assert done.stdout == ""
    assert done.stderr == f"-c:1: error: no answer from {server.url}/manager within 1 s\n"
    assert asked == 1  # not tried again
    assert took < DELAY  # it gave up instead of waiting for the late answer
