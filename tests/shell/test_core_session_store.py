"""The session store and the private files it lives in."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from azshell.shell.session import paths
from azshell.shell.session.store import MemoryStore, SessionStore


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_put_get_forget_with_private_modes(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        store = SessionStore(tmp_path / "state" / "azshell" / "sessions.json")
        store.put("http://h:8081/", "alice", "sid-1")
        store.put("http://h:8081", "bob", "sid-2")
    finally:
        os.umask(old)
    assert mode(store.path) == 0o600
    assert mode(store.path.parent) == 0o700
    assert store.get("http://h:8081", "alice") == "sid-1"
    assert store.get("http://h:8081/", "bob") == "sid-2"
    assert store.get("http://other", "alice") is None
    store.forget("http://h:8081", "alice")
    assert store.get("http://h:8081", "alice") is None
    assert mode(store.path) == 0o600
    assert "password" not in store.path.read_text()


def test_an_existing_loose_directory_is_tightened(tmp_path: Path) -> None:
    loose = tmp_path / "loose"
    loose.mkdir(mode=0o755)
    loose.chmod(0o755)
    SessionStore(loose / "sessions.json").put("http://h", "u", "s")
    assert mode(loose) == 0o700


def test_last_user_and_user_names_with_at_signs(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.json")
    store.put("http://h", "alice@example.com", "sid")
    assert store.get("http://h", "alice@example.com") == "sid"
    assert store.last_user("http://h") == "alice@example.com"
    assert store.last_user("http://other") is None


def test_a_corrupt_file_is_an_empty_store(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text("{not json")
    store = SessionStore(path)
    assert store.get("http://h", "u") is None
    store.put("http://h", "u", "sid")
    assert json.loads(path.read_text())["u@http://h"]["session_id"] == "sid"


def test_memory_store_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    store = MemoryStore()
    store.put("http://h", "u", "sid")
    assert store.get("http://h", "u") == "sid"
    assert not list(tmp_path.iterdir())


def test_platform_dirs_follow_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "c"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "s"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "k"))
    monkeypatch.delenv("AZSHELL_CONFIG", raising=False)
    assert paths.config_file() == tmp_path / "c" / "azshell" / "config.toml"
    assert paths.sessions_file() == tmp_path / "s" / "azshell" / "sessions.json"
    assert paths.cache_dir() == tmp_path / "k" / "azshell"


def test_write_private_is_atomic_and_private(tmp_path: Path) -> None:
    target = tmp_path / "d" / "f"
    paths.write_private(target, "one")
    paths.write_private(target, "two")
    assert target.read_text() == "two"
    assert mode(target) == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["f"]


def test_server_key_is_safe_and_distinct() -> None:
    a = paths.server_key("https://az.example.com:8443/")
    b = paths.server_key("http://az.example.com:8443")
    assert a != b
    assert "/" not in a
    assert ":" not in a


def test_accounts_lists_saved_servers_and_users_most_recent_first() -> None:
    store = MemoryStore()
    store.data = {
        "alice@example.com@http://a:8081": {"session_id": "1", "saved": 10},
        "bob@https://b.example.com": {"session_id": "2", "saved": 30},
        "carol@http://a:8081": {"session_id": "3", "saved": 20},
        "broken": "not an entry",
    }
    assert store.accounts() == [("https://b.example.com", "bob"), ("http://a:8081", "carol"),
                                ("http://a:8081", "alice@example.com")]
    assert MemoryStore().accounts() == []


def test_accounts_are_read_again_only_when_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    store = SessionStore(path)
    assert store.accounts() == []
    store.put("http://a", "alice", "1")
    assert store.accounts() == [("http://a", "alice")]
    reads: list[int] = []
    original = store._read
    store._read = lambda: reads.append(1) or original()  # type: ignore[method-assign]
    for _ in range(5):
        assert store.accounts() == [("http://a", "alice")]
    assert reads == []  # cached while the file is unchanged
    other = SessionStore(path)  # another azshell saves a session
    other.put("http://b", "bob", "2")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert ("http://b", "bob") in store.accounts()


def test_a_hand_edited_saved_time_is_no_error(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"alice@http://a": {"session_id": "1", "saved": "yesterday"},
                                "bob@http://a": {"session_id": "2", "saved": 5}}))
    store = SessionStore(path)
    assert store.accounts() == [("http://a", "bob"), ("http://a", "alice")]
    assert store.last_user("http://a") == "bob"
