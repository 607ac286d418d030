"""Sessions kept between runs, password sources, profiles, --sandbox, what a run imports, and a
server that cannot be trusted (TLS) or answers too late (exit 3, one line).

Every run uses a private HOME and XDG directories and no controlling terminal.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from api_support import Az, documents
from fakes import FakeServer, Reply, Seen

AZSHELL = str(Path(sys.executable).with_name("azshell"))


def run(home: Path, *args: str, password: str | None = None, extra: dict[str, str] | None = None,
        ) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"), "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"), "LANG": "C.UTF-8",
    }
    if password is not None:
        env["AZSHELL_PASSWORD"] = password
    env.update(extra or {})
    return subprocess.run([AZSHELL, *args], input="", text=True, capture_output=True, env=env,
                          timeout=60, start_new_session=True, check=False)


def sessions_file(home: Path) -> Path:
    return home / "state" / "azshell" / "sessions.json"


def test_the_session_is_reused_without_a_password(tmp_path: Path, sandbox: Any) -> None:
    first = run(tmp_path, sandbox.url, "--user", "azkaban", "-c", "whoami", password="azkaban")
    assert first.returncode == 0, first.stderr
    store = sessions_file(tmp_path)
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.parent.stat().st_mode) == 0o700
    saved = json.loads(store.read_text())
    assert list(saved) == [f"azkaban@{sandbox.url}"]
    assert "azkaban" not in json.dumps(list(saved.values()))  # ids only, no password

    second = run(tmp_path, sandbox.url, "--user", "azkaban", "-c", "projects", "-c", "whoami")
    assert second.returncode == 0, second.stderr
    assert json.loads(store.read_text()) == saved  # the same session, not a new login


def test_the_last_user_of_a_server_is_the_default(tmp_path: Path, sandbox: Any) -> None:
    assert run(tmp_path, sandbox.url, "--user", "reader", "-c", "whoami",
               password="reader").returncode == 0
    done = run(tmp_path, sandbox.url, "-c", "whoami")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["user"] == "reader"


def test_login_as_reader_in_a_script(tmp_path: Path, sandbox: Any, three_flows: str) -> None:
    az = Az(tmp_path / "home", sandbox.url)
    az.env["AZSHELL_PASSWORD"] = "reader"  # the password login reads in a script
    done = az("-c", "login reader", "-c", "whoami", "-c", f"describe {three_flows} taken over")
    assert done.returncode == 1
    logged, who = documents(done.stdout)
    assert logged["user"] == "reader"
    assert (who["user"], who["session"]) == ("reader", "valid")
    assert done.stderr == "-c:3: error: Permission denied. Need WRITE access.\n"


def test_no_session_and_no_password_exits_3(tmp_path: Path, sandbox: Any) -> None:
    done = run(tmp_path, sandbox.url, "--user", "azkaban", "-c", "projects")
    assert done.returncode == 3
    assert done.stderr.startswith("-c:1: error: a password is needed")
    assert "AZSHELL_PASSWORD" in done.stderr


def test_wrong_password_exits_3(tmp_path: Path, sandbox: Any) -> None:
    done = run(tmp_path, sandbox.url, "--user", "azkaban", "-c", "projects", password="nope")
    assert done.returncode == 3
    assert "Incorrect Login" in done.stderr
    assert "nope" not in done.stderr + done.stdout


def test_an_expired_session_is_renewed_with_the_password(tmp_path: Path,
                                                         fresh_sandbox: Any) -> None:
    url = fresh_sandbox.url
    assert run(tmp_path, url, "--user", "azkaban", "-c", "whoami",
               password="azkaban").returncode == 0
    before = json.loads(sessions_file(tmp_path).read_text())
    fresh_sandbox.expire_sessions()

    without = run(tmp_path, url, "--user", "azkaban", "-c", "projects")
    assert without.returncode == 3
    assert without.stderr.count("\n") == 1

    renewed = run(tmp_path, url, "--user", "azkaban", "-c", "projects", password="azkaban")
    assert renewed.returncode == 0, renewed.stderr
    after = json.loads(sessions_file(tmp_path).read_text())
    assert after != before  # the new session was saved for the next run
    again = run(tmp_path, url, "--user", "azkaban", "-c", "projects")
    assert again.returncode == 0, again.stderr


def test_profile_with_password_command(tmp_path: Path, sandbox: Any) -> None:
    config = tmp_path / "config" / "azshell" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'[profiles.box]\nurl = "{sandbox.url}"\nuser = "azkaban"\n'
                      f'password_command = "echo azkaban"\n')
    done = run(tmp_path, "--profile", "box", "-c", "whoami")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert (doc["url"], doc["user"], doc["profile"]) == (sandbox.url, "azkaban", "box")
    via_env = run(tmp_path, "-c", "whoami", extra={"AZSHELL_PROFILE": "box"})
    assert json.loads(via_env.stdout)["profile"] == "box"


def test_environment_names_server_and_user(tmp_path: Path, sandbox: Any) -> None:
    done = run(tmp_path, "-c", "whoami", password="azkaban",
               extra={"AZSHELL_URL": sandbox.url, "AZSHELL_USER": "azkaban"})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["url"] == sandbox.url


def test_a_bad_config_file_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[profiles.x]\npassword = 'hunter2'\n")
    done = run(tmp_path, "-c", "whoami", extra={"AZSHELL_CONFIG": str(config)})
    assert done.returncode == 2
    assert "hunter2" not in done.stderr
    assert "password_command" in done.stderr


def test_logout_forgets_the_saved_session(tmp_path: Path, sandbox: Any) -> None:
    done = run(tmp_path, sandbox.url, "--user", "azkaban", "-c", "whoami", "-c", "logout",
               password="azkaban")
    assert done.returncode == 0, done.stderr
    assert json.loads(sessions_file(tmp_path).read_text()) == {}
    again = run(tmp_path, sandbox.url, "--user", "azkaban", "-c", "projects")
    assert again.returncode == 3


def test_logout_in_a_later_script_ends_the_saved_session(tmp_path: Path, sandbox: Any) -> None:
    first = run(tmp_path, sandbox.url, "--user", "azkaban", "-c", "whoami", password="azkaban")
    assert first.returncode == 0, first.stderr
    sid = json.loads(sessions_file(tmp_path).read_text())[f"azkaban@{sandbox.url}"]["session_id"]
    done = run(tmp_path, sandbox.url, "--user", "azkaban", "-c", "logout")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["loggedOut"] is True
    assert json.loads(sessions_file(tmp_path).read_text()) == {}
    import requests

    gone = requests.get(f"{sandbox.url}/index", params={"ajax": "fetchuserprojects",
                                                        "session.id": sid}, timeout=10)
    assert gone.json() == {"error": "session"}  # ended on the server too
    nothing = run(tmp_path, sandbox.url, "--user", "azkaban", "-c", "logout")
    assert json.loads(nothing.stdout) == {"ok": True, "loggedOut": False}
    nobody = run(tmp_path / "other", sandbox.url, "-c", "logout")  # no user known at all
    assert nobody.returncode == 0, nobody.stderr
    assert json.loads(nobody.stdout) == {"ok": True, "loggedOut": False}


def test_a_failing_password_command_is_exit_3(tmp_path: Path, sandbox: Any) -> None:
    config = tmp_path / "config" / "azshell" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'[profiles.box]\nurl = "{sandbox.url}"\nuser = "azkaban"\n'
                      f'password_command = "exit 4"\n')
    done = run(tmp_path, "--profile", "box", "-c", "projects")
    assert done.returncode == 3
    assert done.stderr == "-c:1: error: password_command failed with exit status 4\n"


@pytest.mark.parametrize(("url", "message"), [
    ("http://bob:s3cr3tpw@127.0.0.1:8081", "no user or password in it"),
    ("http://[::1", "bad server URL: Invalid IPv6 URL"),
    ("http://127.0.0.1:99999", "bad server URL: Port out of range"),
    ("http://127.0.0.1:abc", "bad server URL: Port could not be cast"),
    ("ftp://127.0.0.1", "use http://host:port"),
])
def test_bad_server_urls_are_usage_errors_that_hide_passwords(tmp_path: Path, url: str,
                                                             message: str) -> None:
    for args, extra in (((url,), {}), ((), {"AZSHELL_URL": url})):
        done = run(tmp_path, *args, "--user", "azkaban", "-c", "projects", password="x",
                   extra=extra)
        assert done.returncode == 2, done.stderr
        assert message in done.stderr
        assert "s3cr3tpw" not in done.stderr
        assert len(done.stderr.splitlines()) == 1
    later = run(tmp_path, "-c", f"connect {url} azkaban", password="x")
    assert later.returncode == 2
    assert message in later.stderr
    assert "s3cr3tpw" not in later.stderr


@pytest.mark.parametrize("value", ["nan", "inf", "1e400", "0", "-3"])
def test_bad_timeouts_are_usage_errors(tmp_path: Path, value: str) -> None:
    done = run(tmp_path, "http://127.0.0.1:9", "--user", "azkaban", "--timeout", value,
               "-c", "projects", password="x")
    assert done.returncode == 2
    assert "timeout must be a number of seconds above 0 and at most 86400" in done.stderr
    assert "internal error" not in done.stderr


def test_sandbox_option_gives_a_working_shell(tmp_path: Path) -> None:
    done = run(tmp_path, "--sandbox", "-c", "whoami", "-c", "create demo", "-c", "projects")
    assert done.returncode == 0, done.stderr
    who, _, projects = [json.loads(part) for part in _split_docs(done.stdout)]
    assert who["user"] == "azkaban"
    assert who["session"] == "valid"
    assert [p["projectName"] for p in projects] == ["demo"]
    assert not sessions_file(tmp_path).exists()  # a throw-away server's session is not kept


def _split_docs(text: str) -> list[str]:
    decoder, out, i = json.JSONDecoder(), [], 0
    text = text.strip()
    while i < len(text):
        _, end = decoder.raw_decode(text, i)
        out.append(text[i:end])
        i = end
        while i < len(text) and text[i].isspace():
            i += 1
    return out


IMPORTS = """
import sys
from azshell.cli import main
rc = main({argv!r})
heavy = sorted(m for m in ("prompt_toolkit", "requests") if m in sys.modules)
print("HEAVY=" + ",".join(heavy), file=sys.stderr)
raise SystemExit(rc)
"""


def imports_of(home: Path, argv: list[str], password: str | None = None) -> tuple[int, str]:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home),
           "XDG_CONFIG_HOME": str(home / "c"), "XDG_STATE_HOME": str(home / "s"),
           "XDG_CACHE_HOME": str(home / "k")}
    if password:
        env["AZSHELL_PASSWORD"] = password
    done = subprocess.run([sys.executable, "-c", IMPORTS.format(argv=argv)], input="",
                          capture_output=True, text=True, env=env, timeout=60,
                          start_new_session=True, check=False)
    line = [x for x in done.stderr.splitlines() if x.startswith("HEAVY=")]
    assert line, done.stderr
    return done.returncode, line[0][len("HEAVY="):]


def test_version_imports_neither_requests_nor_prompt_toolkit(tmp_path: Path) -> None:
    assert imports_of(tmp_path, ["--version"]) == (0, "")


def test_batch_never_imports_prompt_toolkit(tmp_path: Path, sandbox: Any) -> None:
    code, heavy = imports_of(tmp_path, [sandbox.url, "--user", "azkaban", "-c", "whoami",
                                        "-c", "projects", "-c", "help"], password="azkaban")
    assert code == 0
    assert heavy == "requests"  # it talked to the server, without prompt_toolkit


def test_version_importtime_has_no_heavy_module(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-X", "importtime", AZSHELL, "--version"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0
    modules = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
               if line.startswith("import time:") and "|" in line}
    assert "azshell.cli" in modules
    assert not {"requests", "prompt_toolkit", "pygments"} & modules


@pytest.mark.parametrize("option", ["--no-pager", "--debug", "-k", "--timeout=5"])
def test_options_are_accepted(tmp_path: Path, sandbox: Any, option: str) -> None:
    done = run(tmp_path, sandbox.url, "--user", "azkaban", option, "-c", "whoami",
               password="azkaban")
    assert done.returncode == 0, done.stderr


def test_a_url_without_scheme_means_http(tmp_path: Path, sandbox: Any) -> None:
    bare = sandbox.url.removeprefix("http://")
    done = run(tmp_path, bare, "--user", "azkaban", "-c", "whoami", password="azkaban")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["url"] == sandbox.url


def test_connect_switches_server_in_a_script(tmp_path: Path, sandbox: Any,
                                             fresh_sandbox: Any) -> None:
    done = run(tmp_path, sandbox.url, "--user", "azkaban", "-c", "whoami",
               "-c", f"connect {fresh_sandbox.url}", "-c", "whoami", password="azkaban")
    assert done.returncode == 0, done.stderr
    first, connected, second = (json.loads(d) for d in _split_docs(done.stdout))
    assert (first["url"], first["session"]) == (sandbox.url, "valid")
    assert connected["session"] == "new"
    assert (second["url"], second["session"]) == (fresh_sandbox.url, "valid")
    again = run(tmp_path, fresh_sandbox.url, "--user", "azkaban", "-c", "connect "
                + fresh_sandbox.url)
    assert json.loads(again.stdout)["session"] == "reused"


# -- TLS and time-outs ---------------------------------------------------------------------------



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
