"""The sandbox against real Azkaban, and azshell's client against real Azkaban's answers.

The transcripts in ``data/`` were recorded from real servers (``python -m
tests.conformance.record URL OUT.json``); no real server is needed here. (a) the sandbox, run
through the same scenario, must answer as the real server did, entry by entry, apart from the
differences listed in ``KNOWN`` with their reasons; (b) every recorded answer, played back by a
loopback server, must give the client the result or the one-line error (and exit code) the step
expects.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from azshell.sandbox import Sandbox

from . import compare, record
from .client_calls import problems
from .normalize import Masker, body_entry
from .replay import Replay

DATA = Path(__file__).parent / "data"
REAL = sorted(DATA.glob("azkaban-*.json"))

# (step, where) -> why the sandbox answers differently from real Azkaban, per version file.
_NAME = "the sandbox's /status names itself (azshell-sandbox-<version>), not an Azkaban release"
_COMMON = {("status", "body.json.version"): _NAME}
KNOWN: dict[str, dict[tuple[str, str], str]] = {
    "azkaban-4.0.0": dict(_COMMON),
    "azkaban-3.90.0": {
        **_COMMON,
        ("status", "body.format"): "3.90.0 writes /status with Gson, 4.0.0 with Jackson",
        **{("addPermission with the session cookie (CSRF)", f"body.json.{key}"):
           "the CSRF check of the four permission calls came in 4.0.0" for key in
           ("project", "error", "projectId")},
    },
}


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sandbox_transcript() -> dict[str, Any]:
    with Sandbox(job_timeout=60, fire_schedules=False) as sandbox:  # no clock in a transcript
        return record.record(sandbox.url, "conf7-", "sbx")


def test_masking_keeps_types_order_and_numbers_ids_by_first_sight() -> None:
    masker = Masker("conf7-ab12", "http://127.0.0.1:8081")
    body = body_entry(masker, "application/json", json.dumps({
        "project": "conf7-ab12-f1", "projectId": 41, "execid": 907,
        "message": "Execution queued successfully with exec id 907",
        "submitTime": 1765152000123, "endTime": -1, "session.id":
            "5d1a9c3e-8f2b-4e6d-a7c1-0b9e8d7f6a5c", "id": "hello",
        "error": "Flow 'x' cannot be found in project azkaban.project.Project@1b2c3d"}).encode())
    assert body["format"] == "compact"
    assert list(body["json"]) == ["project", "projectId", "execid", "message", "submitTime",
                                  "endTime", "session.id", "id", "error"]
    assert body["json"] == {
        "project": "<p>-f1", "projectId": 1, "execid": 1,
        "message": "Execution queued successfully with exec id 1",
        "submitTime": 1700000000000, "endTime": -1, "session.id": "<session>", "id": "hello",
        "error": "Flow 'x' cannot be found in project azkaban.project.Project@<hash>"}
    again = body_entry(masker, "application/json", b'{\n  "scheduleId" : "77",\n'
                                                   b'  "execid" : 908\n}')
    assert again == {"json": {"scheduleId": "1", "execid": 2}, "format": "pretty"}


def test_the_scenario_covers_every_client_call_it_names(sandbox_transcript: dict) -> None:
    """The sandbox run has every step, and every named client call exists."""
    from azshell.client import AzkabanClient

    entries = sandbox_transcript["entries"]
    assert sandbox_transcript["steps"] == len(entries) > 100
    names = {entry["client"]["method"] for entry in entries if "client" in entry}
    assert all(callable(getattr(AzkabanClient, name, None)) for name in names)
    assert len({entry["step"] for entry in entries}) == len(entries)


@pytest.mark.parametrize("path", REAL, ids=[p.stem for p in REAL])
def test_sandbox_answers_as_the_real_server(path: Path, sandbox_transcript: dict) -> None:
    real = load(path)
    found = compare.differences(real["entries"], sandbox_transcript["entries"])
    known = KNOWN.get(path.stem, {})
    new = [d for d in found if (d[0], d[1]) not in known]
    gone = sorted(set(known) - {(d[0], d[1]) for d in found})
    assert not new, f"{len(new)} new differences:\n{compare.report(new)}"
    assert not gone, f"known differences that are gone (remove them from KNOWN): {gone}"


@pytest.mark.parametrize("path", REAL, ids=[p.stem for p in REAL])
def test_real_answers_replayed_give_the_client_the_right_outcome(path: Path,
                                                                 tmp_path: Path) -> None:
    entries = load(path)["entries"]
    with Replay(entries) as server:
        found = problems(server.url, entries, tmp_path, server)
    assert not found, "\n".join(found)


def test_sandbox_answers_replayed_give_the_client_the_right_outcome(
        sandbox_transcript: dict, tmp_path: Path) -> None:
    """The replay machinery itself, on answers the sandbox gave (real ones are above)."""
    entries = sandbox_transcript["entries"]
    with Replay(entries) as server:
        found = problems(server.url, entries, tmp_path, server)
    assert not found, "\n".join(found)
