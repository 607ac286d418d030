"""Settings precedence: packaged defaults < user file < environment < options."""

from __future__ import annotations

from pathlib import Path

import pytest

from azshell.errors import UsageError
from azshell.shell.session.settings import DEFAULT_CONFIG, load, read_toml

USER_FILE = """
[shell]
output = "table"
pager = false
default_profile = "office"

[profiles.office]
url = "http://office:8081"
user = "alice"
timeout = 12
password_command = "echo secret"

[profiles.other]
url = "https://other:8443"
user = "bob"
insecure = true
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(USER_FILE)
    return path


def test_packaged_defaults_alone(tmp_path: Path) -> None:
    s = load({}, {}, tmp_path / "missing.toml")
    assert (s.output, s.color, s.pager, s.verbose, s.timing, s.toolbar) == (
        "auto", "auto", True, False, False, True)
    assert s.url is None
    assert s.profile is None
    assert s.sources["output"] == "default config"


def test_the_packaged_file_documents_itself() -> None:
    text = DEFAULT_CONFIG.read_text()
    assert text.count("#") > 20
    assert read_toml(DEFAULT_CONFIG)["shell"]["output"] == "auto"


def test_user_file_and_its_default_profile(config: Path) -> None:
    s = load({}, {}, config)
    assert (s.output, s.pager) == ("table", False)
    assert (s.url, s.user, s.timeout, s.profile) == ("http://office:8081", "alice", 12.0, "office")
    assert s.password_command == "echo secret"
    assert s.sources["url"] == "profile office"


def test_environment_beats_the_file(config: Path) -> None:
    env = {"AZSHELL_URL": "http://env:1", "AZSHELL_USER": "eve", "NO_COLOR": "1",
           "PAGER": "most"}
    s = load({}, env, config)
    assert (s.url, s.user, s.color, s.pager_command) == ("http://env:1", "eve", "off", "most")
    assert s.sources["url"] == "environment"


def test_profile_from_the_environment(config: Path) -> None:
    s = load({}, {"AZSHELL_PROFILE": "other"}, config)
    assert (s.url, s.user, s.verify, s.profile) == ("https://other:8443", "bob", False, "other")
    s = load({}, {"AZSHELL_PROFILE": "other", "AZSHELL_USER": "eve"}, config)
    assert s.user == "eve"  # the environment's own user beats the environment's profile


def test_options_beat_everything(config: Path) -> None:
    env = {"AZSHELL_URL": "http://env:1", "NO_COLOR": "1"}
    s = load({"url": "http://opt:2", "color": "always", "output": "raw", "pager": False,
              "timeout": 3.5, "user": None}, env, config)
    assert (s.url, s.color, s.output, s.pager, s.timeout) == ("http://opt:2", "on", "raw",
                                                               False, 3.5)
    assert s.user == "alice"  # None means "not given"


def test_profile_option_beats_the_environment(config: Path) -> None:
    s = load({"profile": "other"}, {"AZSHELL_URL": "http://env:1"}, config)
    assert s.url == "https://other:8443"
    assert s.profile == "other"


def test_ca_cert_is_what_verify_gets(config: Path, tmp_path: Path) -> None:
    s = load({"ca_cert": str(tmp_path / "ca.pem")}, {}, config)
    assert s.verify == str(tmp_path / "ca.pem")
    s = load({"ca_cert": "x.pem", "insecure": True}, {}, config)
    assert s.verify is False


def test_azshell_config_names_the_file(config: Path) -> None:
    s = load({}, {"AZSHELL_CONFIG": str(config)})
    assert s.config_file == config
    assert s.output == "table"
    with pytest.raises(UsageError, match="missing file"):
        load({}, {"AZSHELL_CONFIG": str(config) + ".nope"})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[shell]\noutput = 'fancy'\n", "output must be one of"),
        ("[shell]\npager = 'maybe'\n", "pager must be true or false"),
        ("[shell]\ncolour = 'on'\n", "unknown key 'colour' in [shell]"),
        ("[profiles.x]\nurl = 'http://x'\npassword = 'hunter2'\n", "use password_command"),
        ("[profiles.x]\ntimeout = -1\n", "timeout must be a number of seconds above 0"),
        ("[profiles.x]\ntimeout = nan\n", "timeout must be a number of seconds above 0"),
        ("[profiles.x]\nurl = 'http://u:pw@h'\n", "no user or password in it"),
        ("[profiles]\nx = 1\n", "profiles.x must be a table"),
        ("shell = 3\n", "'shell' must be a table"),
        ("profiles = 3\n", "'profiles' must be tables"),
        ("[nonsense]\n", "unknown section 'nonsense'"),
        ("[shell\n", "cannot read config file"),
    ],
)
def test_bad_config_files_are_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(UsageError, match="^.*" + __import__("re").escape(message)) as err:
        load({}, {}, path)
    assert str(path) in str(err.value)
    assert "\n" not in str(err.value)


def test_unknown_profile(config: Path) -> None:
    with pytest.raises(UsageError, match=r"no profile named 'nope' \(profiles: local, office"):
        load({"profile": "nope"}, {}, config)


def test_first_interactive_run_copies_the_documented_defaults(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from azshell.cli import _first_run_config

    monkeypatch.delenv("AZSHELL_CONFIG", raising=False)
    target = tmp_path / "config" / "azshell" / "config.toml"
    settings = load({}, {}, target)
    _first_run_config(settings)
    assert target.read_text() == DEFAULT_CONFIG.read_text()
    assert target.stat().st_mode & 0o777 == 0o600
    target.write_text("[shell]\noutput = 'json'\n")
    _first_run_config(settings)  # never overwrites the user's file
    assert load({}, {}, target).output == "json"
