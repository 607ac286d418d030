""".job and .properties files are ISO-8859-1 to Azkaban (``Properties.load(InputStream)``), and an
escaped surrogate pair is one character, as in a Java String; `upload` warns about non-ASCII."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from waiting import wait_for

from azshell.project.properties import properties_load

AZSHELL = str(Path(sys.executable).with_name("azshell"))


def test_an_escaped_surrogate_pair_is_one_character() -> None:
    assert properties_load("e=\\uD83D\\uDE00!\n") == {"e": "😀!"}
    assert properties_load("lone=a\\uD83Db\n") == {"lone": "a?b"}  # as Java's UTF-8 encoder


def test_utf8_bytes_read_as_iso_8859_1_like_azkaban(client: Any, put_project: Any) -> None:
    name = put_project({"say.job": "type=command\ncommand=echo café\n".encode()})
    info = client.job_info(name, "say", "say")
    assert info["generalParams"]["command"] == "echo cafÃ©"  # what a real Azkaban shows


def test_a_surrogate_pair_job_runs_and_answers(client: Any, put_project: Any) -> None:
    name = put_project({"smile.job": "type=command\ncommand=echo \\uD83D\\uDE00\n"})
    assert client.job_info(name, "smile", "smile")["generalParams"]["command"] == "echo 😀"
    execid = client.execute(name, "smile")
    wait_for(client, execid, {"SUCCEEDED"})
    assert "😀" in client.read_job_log(execid, "smile")


def test_upload_warns_about_non_ascii_bytes(tmp_path: Path, sandbox: Any) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "common.properties").write_text("owner=ops\n")
    (project / "say.job").write_text("type=command\n# hello\ncommand=echo café\n",
                                     encoding="utf-8")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "c"), "XDG_STATE_HOME": str(tmp_path / "s"),
           "XDG_CACHE_HOME": str(tmp_path / "k"), "AZSHELL_PASSWORD": "azkaban"}
    done = subprocess.run([AZSHELL, sandbox.url, "--user", "azkaban", "-c",
                           f"upload encoding-warned {project} --create"], capture_output=True,
                          text=True, env=env, check=False, stdin=subprocess.DEVNULL,
                          start_new_session=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        "warning: say.job:3: non-ASCII bytes: Azkaban reads this file as ISO-8859-1, so 'é' "
        "(write \\u00e9) arrives garbled"]
