"""The NameBook: adding and forgetting names, the cache file (round trip, modes, atomicity)."""

from __future__ import annotations

import json
import stat
import threading
from pathlib import Path

import pytest

from azshell.shell.names.book import MAX_EXECUTIONS, NameBook, names_path


def test_projects_are_sorted_and_descriptions_are_kept() -> None:
    book = NameBook(None)
    book.add_projects([("zeta", "last"), ("Alpha", "first"), ("beta", "")])
    book.add_projects([("zeta", "")])  # an empty description does not erase the known one
    assert book.projects() == [("Alpha", "first"), ("beta", ""), ("zeta", "last")]


def test_replace_projects_forgets_the_missing_ones_with_their_flows_and_jobs() -> None:
    book = NameBook(None)
    book.add_flows("old", [("f", "")])
    book.add_jobs("old", "f", ["a"])
    book.add_projects([("kept", "desc")])
    book.replace_projects([("kept", ""), ("new", "n")])
    assert book.projects() == [("kept", "desc"), ("new", "n")]
    assert book.flows("old") == []
    assert book.jobs("old", "f") == []


def test_a_list_asked_for_before_a_line_taught_a_project_does_not_undo_it() -> None:
    """The refresher asks for the project list, an upload teaches a new project and its flows'
    jobs meanwhile, then the older list lands: the new project, its flows and counts stay."""
    book = NameBook(None)
    book.add_projects([("gone", ""), ("kept", "")])
    asked = book.version  # the refresher's request leaves now
    book.add_jobs("fresh", "main", ["a", "b"])  # the upload's line, while it is in flight
    book.add_flows("fresh", [("main", "2 jobs")])
    book.replace_projects([("kept", "")], since=asked)  # the server's list from before
    assert book.projects() == [("fresh", ""), ("kept", "")]
    assert book.flows("fresh") == [("main", "2 jobs")]
    assert book.jobs("fresh", "main") == ["a", "b"]
    book.replace_projects([("kept", "")], since=book.version)  # a list asked for later: gone
    assert book.projects() == [("kept", "")]


def test_an_older_flow_list_only_adds_to_what_a_line_taught() -> None:
    book = NameBook(None)
    book.add_flows("demo", [("old", "")])
    asked = book.version
    book.add_jobs("demo", "new", ["x"])  # an upload while the flows were being asked for
    book.replace_flows("demo", [("old", "")], since=asked)
    assert book.flows("demo") == [("new", "1 job"), ("old", "")]
    book.replace_flows("demo", [("new", "")], since=book.version)
    assert book.flows("demo") == [("new", "1 job")]


def test_remove_project() -> None:
    book = NameBook(None)
    book.add_flows("demo", [("main", "")])
    book.remove_project("demo")
    assert not book.has_project("demo")
    assert book.flows("demo") == []


def test_flows_imply_their_project_and_replace_flows_drops_old_jobs() -> None:
    book = NameBook(None)
    book.add_flows("demo", [("main", "3 jobs"), ("side", "")])
    assert book.has_project("demo")
    book.add_jobs("demo", "side", ["x"])
    book.replace_flows("demo", [("main", ""), ("other", "")])
    assert book.flows("demo") == [("main", "3 jobs"), ("other", "")]
    assert book.jobs("demo", "side") == []


def test_jobs_are_complete_and_give_the_flow_a_count() -> None:
    book = NameBook(None)
    book.add_jobs("demo", "main", ["b", "a", "b"])
    assert book.jobs("demo", "main") == ["a", "b"]
    assert book.flows("demo") == [("main", "2 jobs")]
    book.add_jobs("demo", "main", ["c"])
    assert book.jobs("demo", "main") == ["c"]


def test_executions_newest_first_merging_what_is_known() -> None:
    book = NameBook(None)
    book.add_execution(5, "demo", "main", "RUNNING", 1000)
    book.add_execution(9, "demo", "other")
    book.add_execution(5, status="SUCCEEDED")
    ids = [(e.execid, e.project, e.flow, e.status, e.when_ms) for e in book.executions()]
    assert ids == [(9, "demo", "other", "", -1), (5, "demo", "main", "SUCCEEDED", 1000)]
    assert book.has_flow("demo", "other")


def test_executions_are_bounded() -> None:
    book = NameBook(None)
    for execid in range(1, MAX_EXECUTIONS + 11):
        book.add_execution(execid, "p", "f")
    executions = book.executions()
    assert len(executions) == MAX_EXECUTIONS
    assert executions[0].execid == MAX_EXECUTIONS + 10
    assert executions[-1].execid == 11


def test_disk_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "names" / "server.json"
    book = NameBook(path)
    book.add_projects([("demo", "Nightly loads")])
    book.add_flows("demo", [("main", "4 jobs")])
    book.add_jobs("demo", "main", ["extract", "load"])
    book.add_execution(42, "demo", "main", "FAILED", 1_700_000_000_000)
    book.save()

    again = NameBook(path)
    assert not again.loaded.is_set()
    again.load()
    assert again.loaded.is_set()
    assert again.projects() == [("demo", "Nightly loads")]
    assert again.flows("demo") == [("main", "4 jobs")]
    assert again.jobs("demo", "main") == ["extract", "load"]
    assert [(e.execid, e.status, e.when_ms) for e in again.executions()] == [
        (42, "FAILED", 1_700_000_000_000)]


def test_cache_file_and_directory_are_private(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "names" / "server.json"
    book = NameBook(path)
    book.add_projects([("demo", "")])
    book.save()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == ["server.json"]  # no temporary left over


def test_save_writes_only_after_a_change(tmp_path: Path) -> None:
    path = tmp_path / "names.json"
    book = NameBook(path)
    book.save()
    assert not path.exists()
    book.add_projects([("demo", "")])
    book.save()
    path.write_text("sentinel")
    book.save()  # nothing changed since: the file is not rewritten
    assert path.read_text() == "sentinel"


def test_load_merges_into_names_learnt_meanwhile(tmp_path: Path) -> None:
    path = tmp_path / "names.json"
    old = NameBook(path)
    old.add_projects([("cached", "from disk"), ("both", "old")])
    old.save()
    book = NameBook(path)
    book.add_projects([("fresh", ""), ("both", "new")])
    book.load()
    assert book.projects() == [("both", "new"), ("cached", "from disk"), ("fresh", "")]


@pytest.mark.parametrize("content", [
    "", "{broken", "[]", "[1]", '{"format": 2}', '[{"format": 1}, ["x", "", {}, {}]]',
    '[{"format": 2},\n[1, 2]]', '[{"format": 2}, ["x", "", {}]]'])
def test_a_broken_or_foreign_cache_is_an_empty_book(tmp_path: Path, content: str) -> None:
    path = tmp_path / "names.json"
    path.write_text(content)
    book = NameBook(path)
    book.load()
    assert book.projects() == []
    assert book.loaded.is_set()


def test_memory_only_book_never_touches_the_disk(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    book = NameBook(None)
    book.add_projects([("demo", "")])
    book.save()
    book.load()
    assert list(tmp_path.iterdir()) == []


def test_names_path_is_per_server_and_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    a = names_path("http://localhost:8081", "azkaban")
    b = names_path("http://localhost:8081", "reader")
    c = names_path("http://localhost:8082", "azkaban")
    assert len({a, b, c}) == 3
    assert a.is_relative_to(tmp_path)
    assert "/" not in names_path("http://x", "a/b").name


def test_the_file_is_one_json_array_with_a_project_per_line(tmp_path: Path) -> None:
    path = tmp_path / "names.json"
    book = NameBook(path)
    book.add_flows("demo", [("main", "2 jobs")])
    book.add_jobs("demo", "main", ["a", "b"])
    book.add_projects([("other", "x")])
    book.add_execution(3, "demo", "main", "KILLED", 5)
    book.save()
    data = json.loads(path.read_text())
    assert data[0]["format"] == 2
    assert data[0]["executions"] == [[3, "demo", "main", "KILLED", 5]]
    assert data[1:] == [["demo", "", {"main": "2 jobs"}, {"main": ["a", "b"]}],
                        ["other", "x", {}, {}]]
    assert len(path.read_text().splitlines()) == 3


def test_a_torn_file_keeps_the_records_before_the_damage(tmp_path: Path) -> None:
    path = tmp_path / "names.json"
    book = NameBook(path)
    book.add_projects([("a", ""), ("b", ""), ("c", "")])
    book.save()
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines[:3], lines[3][:5]]))
    again = NameBook(path)
    again.load()
    assert [p for p, _ in again.projects()] == ["a", "b"]


def test_concurrent_writers_and_readers_do_not_break_the_book() -> None:
    book = NameBook(None)
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for i in range(300):
                book.add_projects([(f"p{i}", "")])
                book.add_flows(f"p{i}", [("f", "")])
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    thread = threading.Thread(target=write)
    thread.start()
    while thread.is_alive():
        book.match_projects("p1")
        book.match_flows("p1", "f")
    thread.join()
    assert errors == []
    assert len(book.projects()) == 300
