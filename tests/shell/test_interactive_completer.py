"""The completer fed a Document: commands, options, enum values, names, executions and paths."""

from __future__ import annotations

from pathlib import Path

import pytest
from prompt_toolkit.completion import CompleteEvent, Completion
from prompt_toolkit.document import Document

from azshell.shell.interactive.completer import ShellCompleter
from azshell.shell.names.book import NameBook


@pytest.fixture
def book() -> NameBook:
    book = NameBook(None)
    book.add_projects([("demo", "Nightly loads"), ("demo_reports", ""), ("etl", "by alice")])
    book.add_flows("demo", [("main", "4 jobs"), ("cleanup", "1 job")])
    book.add_flows("etl", [("daily", "")])
    book.add_jobs("demo", "main", ["extract", "load", "transform_a", "transform_b"])
    book.add_execution(41, "demo", "main", "SUCCEEDED", 1_700_000_000_000)
    book.add_execution(42, "demo", "cleanup", "FAILED", 1_700_000_100_000)
    book.add_execution(7, "etl", "daily", "RUNNING")
    return book


def complete(book: NameBook | None, text: str, wanted: list | None = None) -> list[Completion]:
    completer = ShellCompleter(lambda: book, (lambda *a: wanted.append(a)) if wanted is not None
                               else None)
    return list(completer.get_completions(Document(text), CompleteEvent()))


def texts(book: NameBook | None, text: str) -> list[str]:
    return [c.text for c in complete(book, text)]


def test_commands_with_their_summaries(book: NameBook) -> None:
    found = complete(book, "exec")
    assert [c.text for c in found][:2] == ["execute", "executions"]
    assert found[0].display_meta_text == "Start a flow and print its execution id."
    assert found[0].start_position == -4
    assert all(c.text.startswith("ex") for c in complete(book, "ex"))


def test_empty_line_lists_commands_not_aliases(book: NameBook) -> None:
    names = texts(book, "")
    assert "upload" in names
    assert "?" not in names
    assert "quit" in texts(book, "qu")


def test_project_names_with_descriptions(book: NameBook) -> None:
    found = complete(book, "flows de")
    assert [c.text for c in found] == ["demo", "demo_reports"]
    assert found[0].display_meta_text == "Nightly loads"
    assert found[0].start_position == -2


def test_fuzzy_project_names_after_prefix_ones(book: NameBook) -> None:
    assert texts(book, "flows drep") == ["demo_reports"]
    assert texts(book, "flows et") == ["etl", "demo_reports"]  # d-e-mo_repor-t-s


def test_flow_completion_uses_the_project_on_the_line(book: NameBook) -> None:
    found = complete(book, "execute demo ")
    assert [c.text for c in found] == ["cleanup", "main"]
    assert found[1].display_meta_text == "4 jobs"
    assert texts(book, "execute etl d") == ["daily"]
    assert texts(book, "jobs demo m") == ["main"]


def test_unknown_flows_are_asked_for_in_the_background(book: NameBook) -> None:
    wanted: list = []
    complete(book, "execute demo_reports ", wanted)
    assert wanted == [("flows", "demo_reports")]
    wanted.clear()
    complete(book, "execute etl daily --disable ", wanted)
    assert wanted == [("jobs", "etl", "daily")]


def test_job_completion_uses_project_and_flow_and_skips_disabled_ones(book: NameBook) -> None:
    assert texts(book, "execute demo main --disable tr") == [
        "transform_a", "transform_b", "extract"]  # prefix matches, then ex-tr-act
    assert texts(book, "execute demo main -d transform_a -d transf") == ["transform_b"]
    assert texts(book, "execute demo cleanup --disable ") == []


def test_job_of_an_execution(book: NameBook) -> None:
    assert texts(book, "log 41 --job l") == ["load"]
    assert texts(book, "log 42 --job l") == []  # cleanup's jobs are not known
    completer = ShellCompleter(lambda: book, last_execid=lambda: 41)
    found = completer.get_completions(Document("log --job ex"), CompleteEvent())
    assert [c.text for c in found] == ["extract"]


def test_options_and_their_help(book: NameBook) -> None:
    found = complete(book, "execute demo main --c")
    assert [c.text for c in found] == ["--concurrent"]
    assert found[0].display_meta_text.endswith(".")
    assert "--create" in texts(book, "upload demo x.zip -")
    assert texts(book, "projects -") == ["--all"]


def test_options_already_given_are_not_offered_again(book: NameBook) -> None:
    offered = texts(book, "execute demo main --concurrent skip --")
    assert "--concurrent" not in offered
    assert "--disable" in offered  # repeatable


def test_enum_values(book: NameBook) -> None:
    assert texts(book, "execute demo main --on-failure ") == ["finish", "cancel", "possible"]
    assert texts(book, "execute demo main --concurrent pi") == ["pipeline:1", "pipeline:2"]
    assert texts(book, "set ") == ["output", "query", "color", "pager", "verbose", "timing",
                                   "toolbar", "tz"]
    assert texts(book, "set output t") == ["table", "tsv"]
    assert texts(book, "set toolbar ") == ["on", "off"]
    assert texts(book, "help up") == ["upload"]


def test_execution_ids_newest_first_with_status_and_flow(book: NameBook) -> None:
    found = complete(book, "show ")
    assert [c.text for c in found] == ["42", "41", "7"]
    assert found[0].display_meta_text.startswith("FAILED    demo/cleanup ")
    assert found[2].display_meta_text == "RUNNING   etl/daily   "
    assert texts(book, "show 4") == ["42", "41"]


def test_the_execution_menu_lines_up_its_columns_and_colours_statuses(book: NameBook) -> None:
    found = complete(book, "show ")
    metas = [c.display_meta_text for c in found]
    flows = [m.split()[1] for m in metas]
    assert len({metas[i].index(flows[i]) for i in range(3)}) == 1  # one column for the flows
    assert [c.display_text for c in found] == ["42", "41", " 7"]  # ids right-aligned
    styles = [c.display_meta[0][0] for c in found]
    assert styles == ["class:status.failed", "class:status.ok", "class:status.running"]


def test_the_jobs_of_an_execution_show_their_statuses(book: NameBook) -> None:
    book.set_job_statuses(41, {"extract": "SUCCEEDED", "load": "FAILED"})
    found = {c.text: c for c in complete(book, "log 41 ")}
    assert found["load"].display_meta_text == "FAILED"
    assert found["load"].display_meta[0][0] == "class:status.failed"
    assert found["transform_a"].display_meta_text == "job"  # not seen in that run


def test_upload_paths_are_directories_and_zips(book: NameBook, tmp_path: Path) -> None:
    (tmp_path / "project").mkdir()
    (tmp_path / "build.zip").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("")
    (tmp_path / "other.ZIP").write_bytes(b"")
    found = complete(book, f"upload demo {tmp_path}/")
    assert sorted(c.display_text for c in found) == ["build.zip", "other.ZIP", "project/"]
    found = complete(book, f"upload demo {tmp_path}/b")
    assert [(c.text, c.start_position) for c in found] == [("uild.zip", 0)]


def test_call_parameters(book: NameBook) -> None:
    assert "ajax=" in texts(book, "call /manager ")
    assert texts(book, "call /manager project=de") == ["project=demo", "project=demo_reports"]


def test_call_offers_methods_then_servlet_paths(book: NameBook) -> None:
    paths = ["/executor", "/flowtrigger", "/index", "/manager", "/schedule", "/status",
             "/triggers"]
    assert texts(book, "call ") == ["GET", "POST", *paths]
    assert texts(book, "call G") == ["GET"]
    assert texts(book, "call /ma") == ["/manager"]
    assert texts(book, "call POST /s") == ["/schedule", "/status"]


def test_grant_offers_everyone_seen_and_revoke_who_holds_a_permission(book: NameBook) -> None:
    book.set_principals("demo", [("alice", "user"), ("ops", "group"), ("ops", "user")])
    book.set_principals("etl", [("bob", "user")])
    completer = ShellCompleter(lambda: book, accounts=lambda: [("http://h", "carol")])

    def offered(text: str) -> list[tuple[str, str]]:
        return [(c.text, c.display_meta_text)
                for c in completer.get_completions(Document(text), CompleteEvent())]

    assert offered("grant demo ") == [("alice", "user"), ("bob", "user"), ("carol", "user"),
                                      ("ops", "group/user")]
    assert offered("revoke demo ") == [("alice", "user"), ("ops", "group/user")]
    assert offered("revoke demo --group ") == [("ops", "group")]
    assert offered("revoke etl b") == [("bob", "user")]


def test_proxy_remove_offers_the_project_proxies_and_add_every_user(book: NameBook) -> None:
    book.set_principals("demo", [("alice", "user"), ("ops", "group"), ("etl", "proxy")])
    book.set_principals("other", [("svc", "proxy")])
    completer = ShellCompleter(lambda: book, accounts=lambda: [("http://h", "carol")])

    def offered(text: str) -> list[str]:
        return [c.text for c in completer.get_completions(Document(text), CompleteEvent())]

    assert offered("proxy remove demo ") == ["etl"]
    assert offered("proxy add demo ") == ["alice", "carol", "etl", "svc"]
    assert offered("revoke demo ") == ["alice", "ops"]


def test_permissions_of_an_unlisted_project_are_asked_for(book: NameBook) -> None:
    asked: list[tuple[str, ...]] = []
    assert complete(book, "revoke demo ", asked) == []
    assert asked == [("permissions", "demo")]


def test_nothing_where_nothing_fits(book: NameBook) -> None:
    assert texts(book, "nosuchcommand ") == []
    assert texts(book, "whoami ") == []
    assert texts(book, "# a comment") == []
    assert texts(book, "flows zzz") == []


def test_no_book_still_completes_the_table() -> None:
    assert texts(None, "uplo") == ["upload"]
    assert texts(None, "flows ") == []


def test_quoted_word_replaces_the_whole_word(book: NameBook) -> None:
    found = complete(book, 'flows "de')
    assert [c.text for c in found] == ["demo", "demo_reports"]
    assert found[0].start_position == -3


def test_connect_and_login_offer_the_saved_sessions() -> None:
    accounts = [("https://b.example.com", "bob"), ("http://a:8081", "carol"),
                ("http://a:8081", "alice")]
    completer = ShellCompleter(lambda: None, accounts=lambda: accounts,
                               current_url=lambda: "http://a:8081")

    def offered(text: str) -> list[tuple[str, str]]:
        found = completer.get_completions(Document(text), CompleteEvent(completion_requested=True))
        return [(c.text, c.display_meta_text) for c in found]

    assert offered("connect ") == [("https://b.example.com", "saved session"),
                                   ("http://a:8081", "saved session")]
    assert offered("connect htt") == [("https://b.example.com", "saved session"),
                                      ("http://a:8081", "saved session")]
    assert offered("connect https://b.example.com ") == [("bob", "saved session"),
                                                         ("carol", ""), ("alice", "")]
    assert offered("login ") == [("carol", "saved session"), ("alice", "saved session"),
                                 ("bob", "")]
    assert offered("login b") == [("bob", "")]
    assert offered("grant demo ") == []  # Azkaban users there, not the saved logins

