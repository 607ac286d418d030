"""Every local file azshell reads, broken every way a hostile tester broke it (issue 9): empty,
truncated, binary, another JSON type, nested without end, huge, a directory, unreadable.

A config file or script is a one-line error naming it (exit 2); the sessions file and the names
cache are moved aside (one warning for the sessions, silently for a mere cache) and azshell goes
on. Also: the directories azshell creates are 0700 whatever the umask, and concurrent
read-modify-writes of the sessions file lose nothing.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from azshell.errors import UsageError
from azshell.shell.names.book import NameBook
from azshell.shell.session import paths
from azshell.shell.session.settings import load, read_toml
from azshell.shell.session.store import SessionStore

AZSHELL = str(Path(sys.executable).with_name("azshell"))
ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False
DEEP = "[" * 100_000 + "]" * 100_000


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _truncated(path: Path) -> None:
    path.write_text('{"azkaban@http://h": {"session_id": "ab')


def _binary(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 8)


def _wrong_type(path: Path) -> None:
    path.write_text('["a list", 1, 2]')


def _deep(path: Path) -> None:
    path.write_text(DEEP)


def _huge(path: Path) -> None:
    with path.open("wb") as handle:  # sparse: huge on paper, nothing on disk
        handle.truncate(300 * 1024 * 1024)


def _directory(path: Path) -> None:
    path.mkdir()


BREAKAGES: dict[str, Callable[[Path], None]] = {
    "empty": _empty, "truncated": _truncated, "binary": _binary, "wrong-type": _wrong_type,
    "deep": _deep, "huge": _huge, "directory": _directory,
}
SET_ASIDE = {"truncated", "binary", "wrong-type", "deep", "huge"}


def moved(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if ".broken-" in p.name)


# -- the sessions file -----------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(BREAKAGES))
def test_a_broken_sessions_file_is_set_aside_or_left_and_the_store_goes_on(
        tmp_path: Path, kind: str) -> None:
    path = tmp_path / "state" / "sessions.json"
    path.parent.mkdir()
    BREAKAGES[kind](path)
    warnings: list[str] = []
    store = SessionStore(path, warn=warnings.append)
    assert store.get("http://h", "u") is None
    store.put("http://h", "u", "sid")  # never raises
    if kind == "directory":
        assert path.is_dir()
        assert len(warnings) == 1
        assert str(path) in warnings[0]
        assert "Is a directory" in warnings[0]
        return
    assert store.get("http://h", "u") == "sid"
    if kind in SET_ASIDE:
        assert len(moved(path)) == 1
        assert len(warnings) == 1
        assert "broken" in warnings[0]
        assert str(path) in warnings[0]
    else:
        assert warnings == []


def test_a_blank_saved_session_id_is_no_session(tmp_path: Path) -> None:
    path = tmp_path / "sessions.json"
    path.write_text(json.dumps({"u@http://h": {"session_id": "   ", "saved": 1}}))
    assert SessionStore(path).get("http://h", "u") is None
    path.write_text(json.dumps({"u@http://h": {"session_id": " sid \n", "saved": 1}}))
    assert SessionStore(path).get("http://h", "u") == "sid"


def _put_many(args: tuple[str, int]) -> None:
    path, worker = args
    store = SessionStore(Path(path))
    for i in range(40):
        store.put(f"http://h{worker}", f"user{i}", f"sid-{worker}-{i}")


def test_concurrent_puts_lose_no_session(tmp_path: Path) -> None:
    """Six processes saving 40 sessions each into one file: all 240 are there."""
    path = tmp_path / "sessions.json"
    with multiprocessing.get_context("fork").Pool(6) as pool:
        pool.map(_put_many, [(str(path), w) for w in range(6)])
    data = json.loads(path.read_text())
    assert len(data) == 240
    assert [p.name for p in tmp_path.iterdir()] == ["sessions.json"]  # no lock file left


# -- the names cache -------------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(BREAKAGES))
def test_a_broken_names_cache_is_an_empty_book(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "names" / "server.json"
    path.parent.mkdir()
    BREAKAGES[kind](path)
    book = NameBook(path)
    book.load()
    assert book.loaded.is_set()
    assert book.projects() == []
    book.add_projects([("demo", "d")])
    book.save()  # never raises
    if kind in SET_ASIDE:
        assert len(moved(path)) == 1
    if kind != "directory":
        again = NameBook(path)
        again.load()
        assert "demo" in again.to_text()


def test_deeply_nested_values_inside_a_names_record_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "n.json"
    deep = "[" * 900 + "]" * 900
    path.write_text('[{"format":2,"executions":[[1,' + deep + ',"f","S",1]]},\n'
                    '["demo",' + deep + ',{"main":' + deep + '},{"main":' + deep + '}]]\n')
    book = NameBook(path)
    book.load()
    assert '"demo"' in book.to_text()


# -- the config file -------------------------------------------------------------------------

CONFIG_BREAKAGES = {
    "binary": (lambda p: p.write_bytes(b"[shell]\noutput = \"\xff\xfe\"\n"), "not UTF-8"),
    "truncated": (lambda p: p.write_text("[shell]\noutput = \"js"), "cannot read config"),
    "deep": (lambda p: p.write_text("[shell]\nx = " + "[" * 100_000 + "]" * 100_000),
             "nested too deeply"),
    "huge": (_huge, "larger than 4 MiB"),
    "directory": (_directory, "Is a directory"),
}


@pytest.mark.parametrize("kind", sorted(CONFIG_BREAKAGES))
def test_a_broken_config_file_is_one_usage_error_naming_it(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "config.toml"
    make, message = CONFIG_BREAKAGES[kind]
    make(path)
    with pytest.raises(UsageError, match=message) as caught:
        read_toml(path)
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_an_empty_config_file_is_no_settings(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"")
    assert load({}, environ={}, config_path=path).output == "auto"


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_STATE_HOME": str(home / "state"),
           "XDG_CACHE_HOME": str(home / "cache"), "LANG": "C.UTF-8"}
    env.update(extra)
    return env


def run(home: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AZSHELL, *args], input="", text=True, capture_output=True,
                          env=_env(home, **extra), timeout=60, start_new_session=True,
                          check=False)


def test_a_non_utf8_config_file_is_exit_2_in_a_script(tmp_path: Path) -> None:
    config = tmp_path / "home" / "config" / "azshell" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_bytes(b"[shell]\noutput = \"\xff\"\n")
    done = run(tmp_path / "home", "-c", "set")
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        f"azshell: error: cannot read config file {config}: not UTF-8 text (byte 19)"]


def test_a_sessions_file_that_is_a_directory_costs_a_warning_not_the_command(
        tmp_path: Path, sandbox: Any) -> None:
    home = tmp_path / "home"
    (home / "state" / "azshell" / "sessions.json").mkdir(parents=True)
    done = run(home, sandbox.url, "--user", "azkaban", "-c", "projects",
               AZSHELL_PASSWORD="azkaban")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("warning: cannot read the sessions file")


def test_a_blank_saved_session_is_a_new_login_not_exit_2(tmp_path: Path, sandbox: Any) -> None:
    home = tmp_path / "home"
    path = home / "state" / "azshell" / "sessions.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({f"azkaban@{sandbox.url}": {"session_id": " ", "saved": 1}}))
    done = run(home, sandbox.url, "--user", "azkaban", "-c", "projects",
               AZSHELL_PASSWORD="azkaban")
    assert done.returncode == 0, done.stderr


def unreadable(tmp_path: Path, name: str) -> Path:
    """A file whose read fails: mode 000, or for root (who reads anything) /proc/self/mem,
    whose first page no process can read (EIO)."""
    if ROOT:
        if not Path("/proc/self/mem").exists():
            pytest.skip("root without /proc: no unreadable file to be had")
        return Path("/proc/self/mem")
    path = tmp_path / name
    path.write_text("{}")
    path.chmod(0)
    return path


def test_an_unreadable_config_file_is_one_usage_error(tmp_path: Path) -> None:
    path = unreadable(tmp_path, "config.toml")
    with pytest.raises(UsageError, match=rf"^cannot read config file {path}: \w[^\n]*$"):
        read_toml(path)


def test_an_unreadable_sessions_file_is_one_warning_and_left_alone(tmp_path: Path) -> None:
    path = unreadable(tmp_path, "sessions.json")
    warnings: list[str] = []
    store = SessionStore(path, warn=warnings.append)
    assert store.get("http://h", "u") is None
    store.put("http://h", "u", "sid")
    store.put("http://h", "v", "sid")
    assert len(warnings) == 1
    assert warnings[0].startswith(f"warning: cannot read the sessions file {path}: ")
    assert warnings[0].endswith("; saved sessions are not used")


# -- directory modes -------------------------------------------------------------------------

@pytest.mark.parametrize("umask", [0o000, 0o022])
def test_every_directory_azshell_creates_is_0700(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        book = NameBook(tmp_path / "cache" / "azshell" / "names" / "s.json")
        book.add_projects([("demo", "")])
        book.save()
        paths.private_dir(tmp_path / "state" / "azshell" / "log")
    finally:
        os.umask(old)
    for folder in ("cache", "cache/azshell", "cache/azshell/names", "state", "state/azshell",
                   "state/azshell/log"):
        assert stat.S_IMODE((tmp_path / folder).stat().st_mode) == 0o700, folder
