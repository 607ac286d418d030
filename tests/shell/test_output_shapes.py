"""Output users can shape: -o yaml|csv|tsv|wide beside json|table|raw, and a JMESPath --query
(or `set query`) applied before rendering, in scripts and in the shell."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from api_support import documents

from azshell.shell.run.render import records, render, to_csv, to_tsv, to_yaml, wide

AZSHELL = str(Path(sys.executable).with_name("azshell"))
ROWS = [{"name": "a,b", "id": 1, "note": 'say "hi"\nbye', "ok": True},
        {"name": "c", "id": 2, "tags": ["x", "y"], "ok": None}]


def test_csv_is_rfc_4180_with_a_header_row() -> None:
    text = to_csv(ROWS)
    assert text.startswith("name,id,note,ok,tags\r\n")
    assert text.endswith("\r\n")
    assert '"say ""hi""\nbye"' in text  # quotes doubled, the newline kept inside quotes
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert parsed == [["name", "id", "note", "ok", "tags"],
                      ["a,b", "1", 'say "hi"\nbye', "true", ""],
                      ["c", "2", "", "", '["x","y"]']]


def test_tsv_keeps_one_row_per_line() -> None:
    lines = to_tsv(ROWS).splitlines()
    assert lines[0] == "name\tid\tnote\tok\ttags"
    assert lines[1] == 'a,b\t1\tsay "hi"\\nbye\ttrue\t'
    assert len(lines) == 3


def test_records_of_scalars_and_of_one_document() -> None:
    assert records(["a", "b"]) == (["value"], [["a"], ["b"]])
    assert records({"user": "u", "n": 2}) == (["user", "n"], [["u", "2"]])


def test_yaml_and_wide() -> None:
    assert yaml.safe_load(to_yaml(ROWS)) == ROWS
    assert to_yaml("just text") == "just text"
    assert wide({"user": "u", "n": [1]}).splitlines() == ["KEY   VALUE", "user  u", "n     [1]"]
    assert wide(ROWS).splitlines()[0].split() == ["NAME", "ID", "NOTE", "OK", "TAGS"]
    assert render(ROWS, fmt="csv") == to_csv(ROWS)


def run(home: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home),
           "XDG_CONFIG_HOME": str(home / "c"), "XDG_STATE_HOME": str(home / "s"),
           "XDG_CACHE_HOME": str(home / "k"), "AZSHELL_PASSWORD": "azkaban",
           "LANG": "C.UTF-8"}
    return subprocess.run([AZSHELL, url, "--user", "azkaban", *args], capture_output=True,
                          text=True, env=env, check=False, stdin=subprocess.DEVNULL,
                          start_new_session=True, timeout=60)


@pytest.fixture(scope="module")
def listed(sandbox: Any) -> str:
    """A project on the shared sandbox for the list commands to show."""
    from azshell.client import AzkabanClient

    client = AzkabanClient(sandbox.url)
    client.login("azkaban", "azkaban")
    import contextlib

    from azshell.errors import AzshellError

    with contextlib.suppress(AzshellError):
        client.create_project("shaped", "a project to list")
    return "shaped"


def test_csv_and_yaml_of_a_real_list(tmp_path: Path, sandbox: Any, listed: str) -> None:
    done = run(tmp_path, sandbox.url, "-o", "csv", "-c", "projects")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout, newline="")))
    assert listed in [row["projectName"] for row in rows]
    done = run(tmp_path, sandbox.url, "-o", "yaml", "-c", "projects")
    assert listed in [p["projectName"] for p in yaml.safe_load(done.stdout)]


def test_query_picks_before_rendering(tmp_path: Path, sandbox: Any, listed: str) -> None:
    done = run(tmp_path, sandbox.url, "--query", "[].projectName", "-c", "projects")
    assert done.returncode == 0, done.stderr
    assert listed in json.loads(done.stdout)
    done = run(tmp_path, sandbox.url, "-q", "[].{n: projectName}", "-o", "tsv",
               "-c", "projects")
    assert done.stdout.splitlines()[0] == "n"
    assert listed in done.stdout.splitlines()[1:]


def test_set_query_in_a_script(tmp_path: Path, sandbox: Any) -> None:
    done = run(tmp_path, sandbox.url, "-c", "set query user", "-c", "whoami",
               "-c", "set query ''", "-c", "whoami")
    assert done.returncode == 0, done.stderr
    docs = documents(done.stdout)
    assert docs[0] == {"query": "user"}  # `set` itself is not queried
    assert docs[1] == "azkaban"
    assert docs[2] == {"query": ""}
    assert docs[3]["user"] == "azkaban"


def test_a_bad_query_is_a_usage_error(tmp_path: Path, sandbox: Any) -> None:
    done = run(tmp_path, sandbox.url, "--query", "[0", "-c", "whoami")
    assert done.returncode == 2
    assert done.stderr.startswith("azshell: error: --query: bad JMESPath expression '[0': ")
    assert len(done.stderr.splitlines()) == 1
    done = run(tmp_path, sandbox.url, "--query", "abs(user)", "-c", "whoami")
    assert done.returncode == 2
    assert done.stderr.startswith("-c:1: error: query 'abs(user)': In function abs()")
    done = run(tmp_path, sandbox.url, "-c", "set query '[0'")
    assert done.returncode == 2
    assert "bad JMESPath expression" in done.stderr
