"""The shell's commands on an older Azkaban (scripted from its sources, protocol §15)."""

from __future__ import annotations

from pathlib import Path

from api_support import make_shell
from fakes import FakeServer, Reply, Seen, logged_in


def ajax_names(fake: FakeServer) -> list[str | None]:
    return [seen.params.get("ajax") for seen in fake.seen if seen.path != "/"]


def test_upload_create_sends_no_probe(tmp_path: Path) -> None:
    """``upload --create`` creates (an existing project says so) and uploads: no getProjectId,
    which 2.x and 3.0 lack."""
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "a.job").write_text("type=command\ncommand=echo a\n")

    def answer(seen: Seen) -> Reply:
        if seen.params.get("action") == "create":
            return Reply(body='{"status":"error","message":"Project already exists."}',
                         content_type=None)
        if seen.path == "/manager" and seen.method == "POST":
            return Reply.json({"projectId": "3", "version": "2"})
        return Reply.json({"project": "p", "projectId": 3,
                           "error": "Cannot execute command " + str(seen.params.get("ajax"))})

    with FakeServer(answer) as fake:
        sh = make_shell(logged_in(fake.url))
        data = sh.json(f"upload p {tmp_path / 'p'} --create")
    assert data["version"] == 2
    assert "created" not in data
    assert "getProjectId" not in ajax_names(fake)
