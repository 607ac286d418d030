"""Settings from four layers: the packaged defaults, the user's file, the environment, options.

Each layer is a plain dict of known keys, merged in order, so the precedence is visible in one
function (``load``). A password never comes from the command line or a config file written by
azshell: only AZSHELL_PASSWORD, a profile's ``password_command`` or a prompt on a terminal.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from azshell.errors import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

DEFAULT_CONFIG = Path(__file__).with_name("azshellrc.toml")

OUTPUTS = ("auto", "json", "table", "wide", "yaml", "csv", "tsv", "raw")
MAX_CONFIG = 4 * 1024 * 1024  # a config file of profiles is a few KB; beyond this it is junk
MAX_TIMEOUT = 86400.0  # a day: beyond it a time-out is a typo (and inf breaks the clock)
COLORS = ("auto", "on", "off")
PROFILE_KEYS = ("url", "user", "insecure", "ca_cert", "truststore", "timeout", "password_command",
                "label", "label_color", "confirm", "read_only", "tz")
SHELL_KEYS = ("output", "query", "color", "pager", "verbose", "timing", "toolbar",
              "default_profile", "max_answer_mb", "tz")
MAX_ANSWER_MB = 65536.0  # 64 GiB: beyond it the limit is no limit, and a typo
# The colours a profile's label may take (prompt_toolkit's ANSI names without "ansi").
LABEL_COLORS = ("red", "green", "yellow", "blue", "magenta", "cyan", "white")


# eq and repr are not generated: start-up speed (line/commands.py says why)
@dataclass(eq=False, repr=False)
class Settings:
    """Everything a session needs to know; ``set`` changes the display ones at run time."""

    url: str | None = None
    user: str | None = None
    profile: str | None = None
    insecure: bool = False
    ca_cert: str | None = None
    truststore: bool = False
    timeout: float = 60.0
    password_command: str | None = None
    output: str = "auto"
    query: str = ""  # a JMESPath expression applied to every answer ("" = none)
    color: str = "auto"
    pager: bool = True
    pager_command: str = "less -R"
    verbose: bool = False
    timing: bool = False
    toolbar: bool = True
    debug: bool = False
    default_profile: str = ""
    max_answer_mb: float = 64.0  # the largest answer read into memory; logs, downloads stream
    # guard rails of a profile (azshell.shell.run.guard) and the time zone of times shown
    label: str = ""
    label_color: str = "red"
    confirm: tuple[str, ...] = ()
    read_only: bool = False
    tz: str = "local"
    config_file: Path | None = None
    sources: dict[str, str] = field(default_factory=dict)  # key -> where its value came from

    @property
    def verify(self) -> bool | str:
        """What the client's ``verify`` gets: False, a CA bundle path, or True."""
        if self.insecure:
            return False
        return str(Path(self.ca_cert).expanduser()) if self.ca_cert else True


def read_toml(path: Path) -> dict[str, Any]:
    """One config file as a dict; a broken file is a one-line UsageError naming it."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_CONFIG + 1)
    except FileNotFoundError:
        return {}
    except OSError as err:
        raise UsageError(f"cannot read config file {path}: {err.strerror or err}") from None
    if len(data) > MAX_CONFIG:
        raise UsageError(f"cannot read config file {path}: larger than "
                         f"{MAX_CONFIG // (1024 * 1024)} MiB, not a config file")
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise UsageError(f"cannot read config file {path}: not UTF-8 text (byte "
                         f"{err.start + 1})") from None
    except tomllib.TOMLDecodeError as err:
        raise UsageError(f"cannot read config file {path}: {err}") from None
    except RecursionError:
        raise UsageError(f"cannot read config file {path}: nested too deeply") from None


def _bool(value: Any, key: str, where: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise UsageError(f"{where}: {key} must be true or false, not {value!r}")


def check_url(value: object, where: str = "") -> str:
    """A server address that can be used, or a one-line UsageError (rc 2) that never repeats
    a password written into it."""
    from urllib.parse import urlsplit  # not at import: `azshell --version` reads settings

    text = str(value).strip()
    lead = f"{where}: " if where else ""
    probe = text if "://" in text else f"http://{text}"
    try:
        parts = urlsplit(probe)
        port = parts.port
    except ValueError as err:
        raise UsageError(f"{lead}bad server URL: {err}") from None
    if parts.username is not None or parts.password is not None:
        raise UsageError(f"{lead}bad server URL: no user or password in it; name the user "
                         "apart (--user, AZSHELL_USER, or `connect URL USER`) and give the "
                         "password when asked (or AZSHELL_PASSWORD)")
    if parts.scheme not in ("http", "https") or not parts.hostname or port == 0:
        raise UsageError(f"{lead}bad server URL {text!r}: use http://host:port or "
                         "https://host:port")
    return text


def check_query(expression: str, where: str = "") -> str:
    """A JMESPath expression that compiles (or "" for none), else a one-line UsageError."""
    if not expression.strip():
        return ""
    import jmespath  # not at import: only a run that has a query pays for it
    from jmespath.exceptions import JMESPathError

    try:
        jmespath.compile(expression)
    except JMESPathError as err:
        lead = f"{where}: " if where else ""
        detail = " ".join(str(err).split())
        raise UsageError(f"{lead}bad JMESPath expression {expression!r}: {detail}") from None
    return expression


def _check(key: str, value: Any, where: str) -> Any:
    """Normalise one setting's value, or fail with a one-line message naming its source."""
    for keys, checker in _CHECKS:
        if key in keys:
            return checker(key, value, where)
    return value


def _check_output(key: str, value: Any, where: str) -> Any:
    if value not in OUTPUTS:
        raise UsageError(f"{where}: output must be one of {', '.join(OUTPUTS)}, not {value!r}")
    return value


def _check_color(key: str, value: Any, where: str) -> Any:
    value = {"always": "on", "never": "off", True: "on", False: "off"}.get(value, value)
    if value not in COLORS:
        raise UsageError(f"{where}: color must be auto, on or off, not {value!r}")
    return value


def _number(key: str, value: Any, where: str) -> float:
    """``timeout`` (seconds, text allowed as on the command line) or ``max_answer_mb`` (MiB, a
    TOML number): above 0 and at most its ceiling, which also refuses nan and inf."""
    if key == "timeout":
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = -1.0
        ceiling, unit = MAX_TIMEOUT, "seconds"
    else:
        number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else -1
        ceiling, unit = MAX_ANSWER_MB, "MiB"
    if not 0 < number <= ceiling:
        raise UsageError(f"{where}: {key} must be a number of {unit} above 0 and at "
                         f"most {ceiling:g}")
    return float(number)


def _check_guard(key: str, value: Any, where: str) -> Any:
    """The guard-rail keys of a profile (azshell.shell.run.guard) and the time zone."""
    if key == "label_color" and value not in LABEL_COLORS:
        raise UsageError(f"{where}: label_color must be one of {', '.join(LABEL_COLORS)}, "
                         f"not {value!r}")
    if key == "confirm":
        return _commands(value, where)
    if key == "tz":
        from azshell.shell.session.timezone import check_zone

        return check_zone(str(value), where)
    return str(value)


def _commands(value: Any, where: str) -> tuple[str, ...]:
    """``confirm = ["execute", "cancel"]``: command names the table knows."""
    from azshell.shell.line.commands import find

    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{where}: confirm must be a list of command names, e.g. "
                         '["execute", "cancel"]')
    for name in value:
        if find(name) is None:
            raise UsageError(f"{where}: confirm names an unknown command {name!r}")
    return tuple(find(name).name for name in value)  # type: ignore[union-attr]


def file_layers(data: dict[str, Any], where: str) -> tuple[dict[str, Any], dict[str, dict]]:
    """The ``[shell]`` values and the ``[profiles.*]`` tables of one config file."""
    unknown = set(data) - {"shell", "profiles"}
    if unknown:
        raise UsageError(f"{where}: unknown section {sorted(unknown)[0]!r}")
    if not isinstance(data.get("shell", {}), dict):
        raise UsageError(f"{where}: 'shell' must be a table ([shell])")
    if not isinstance(data.get("profiles", {}), dict):
        raise UsageError(f"{where}: 'profiles' must be tables ([profiles.NAME])")
    shell = dict(data.get("shell", {}))
    for key in shell:
        if key not in SHELL_KEYS:
            raise UsageError(f"{where}: unknown key {key!r} in [shell]")
    profiles = data.get("profiles", {})
    for name, table in profiles.items():
        if not isinstance(table, dict):
            raise UsageError(f"{where}: profiles.{name} must be a table ([profiles.{name}])")
        if "password" in table:
            raise UsageError(
                f"{where}: [profiles.{name}] has a password; use password_command or "
                "AZSHELL_PASSWORD instead"
            )
        for key in table:
            if key not in PROFILE_KEYS:
                raise UsageError(f"{where}: unknown key {key!r} in [profiles.{name}]")
            _check(key, table[key], f"{where}: [profiles.{name}]")
    return shell, profiles


def env_layer(environ: dict[str, str]) -> dict[str, Any]:
    """The settings the environment gives (the password is read later, only when needed)."""
    layer: dict[str, Any] = {}
    if environ.get("AZSHELL_URL"):
        layer["url"] = environ["AZSHELL_URL"]
    if environ.get("AZSHELL_USER"):
        layer["user"] = environ["AZSHELL_USER"]
    if environ.get("AZSHELL_TZ"):
        layer["tz"] = environ["AZSHELL_TZ"]
    if environ.get("TERM") == "dumb":
        layer["color"] = "off"
    if environ.get("FORCE_COLOR") or environ.get("CLICOLOR_FORCE", "0") not in ("", "0"):
        layer["color"] = "on"
    if environ.get("NO_COLOR"):  # the user's own "no" wins over a forced "yes"
        layer["color"] = "off"
    # requests reads REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE itself; OpenSSL's SSL_CERT_FILE
    # only reaches it through here (else certifi's bundle would be used)
    if environ.get("SSL_CERT_FILE") and not (environ.get("REQUESTS_CA_BUNDLE")
                                             or environ.get("CURL_CA_BUNDLE")):
        layer["ca_cert"] = environ["SSL_CERT_FILE"]
    if environ.get("PAGER"):
        layer["pager_command"] = environ["PAGER"]
    return layer


def load(
    options: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
    config_path: Path | None = None,
) -> Settings:
    """Merge defaults < user file < environment < options into one Settings.

    ``options`` holds only what the user typed (None values are ignored); ``options["profile"]``
    and AZSHELL_PROFILE choose a profile, whose values then sit at the level of whoever chose it.
    """
    environ = dict(os.environ if environ is None else environ)
    options = {k: v for k, v in (options or {}).items() if v is not None}
    if config_path is None:
        override = environ.get("AZSHELL_CONFIG")
        if override:
            config_path = Path(override).expanduser()
        else:
            from azshell.shell.session.paths import config_file

            config_path = config_file()
    if environ.get("AZSHELL_CONFIG") and not config_path.exists():
        raise UsageError(f"AZSHELL_CONFIG names a missing file: {config_path}")

    default_shell, default_profiles = file_layers(read_toml(DEFAULT_CONFIG), "default config")
    user_shell, user_profiles = file_layers(read_toml(config_path), str(config_path))
    profiles = {**default_profiles, **user_profiles}

    layers: list[tuple[str, dict[str, Any]]] = [
        ("default config", default_shell),
        (str(config_path), user_shell),
    ]
    chosen = user_shell.get("default_profile") or default_shell.get("default_profile") or ""
    profile_at = 2  # after the config files
    if environ.get("AZSHELL_PROFILE"):
        chosen, profile_at = environ["AZSHELL_PROFILE"], 2
    layers.append(("environment", env_layer(environ)))
    if options.get("profile"):
        chosen, profile_at = options["profile"], len(layers)
    if chosen:
        if chosen not in profiles:
            defined = ", ".join(sorted(profiles)) or "none"
            raise UsageError(f"no profile named {chosen!r} (profiles: {defined})")
        layers.insert(profile_at, (f"profile {chosen}", {**profiles[chosen], "profile": chosen}))
    layers.append(("option", {k: v for k, v in options.items() if k != "profile"}))

    settings = Settings(config_file=config_path)
    known = {f.name for f in fields(Settings)}
    for where, layer in layers:
        for key, value in layer.items():
            if key not in known:
                continue
            setattr(settings, key, _check(key, value, where))
            settings.sources[key] = where
    settings.profile = chosen or None
    return settings


def profile_names(settings: Settings) -> list[str]:
    """Every profile name the config files define (for help and completion)."""
    names = set(file_layers(read_toml(DEFAULT_CONFIG), "default config")[1])
    if settings.config_file:
        names |= set(file_layers(read_toml(settings.config_file), str(settings.config_file))[1])
    return sorted(names)


# Which check each key gets (a key in none is kept as it is).
_CHECKS: tuple[tuple[tuple[str, ...], Callable[[str, Any, str], Any]], ...] = (
    (("label", "label_color", "confirm", "tz"), _check_guard),
    (("pager", "verbose", "timing", "toolbar", "insecure", "debug", "truststore", "read_only"),
     lambda k, v, w: _bool(v, k, w)),
    (("timeout", "max_answer_mb"), _number),
    (("output",), _check_output),
    (("color",), _check_color),
    (("url",), lambda k, v, w: check_url(v, w)),
    (("query",), lambda k, v, w: check_query(str(v), "--query" if w == "option" else w)),
    (("user", "ca_cert", "password_command", "default_profile", "profile"),
     lambda k, v, w: str(v)),
)
