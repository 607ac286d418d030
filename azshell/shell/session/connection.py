"""Getting and keeping a session: saved session ids first, a password only when needed.

The order a password is looked for: the one already given in this run, AZSHELL_PASSWORD, the
profile's ``password_command``, then one question on the terminal. It is kept in memory only.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from azshell.errors import (
    AzshellError,
    ConnectionFailed,
    RequestTimedOut,
    SessionError,
    UsageError,
)
from azshell.shell.run.context import Context, make_names
from azshell.shell.session.settings import check_url
from azshell.shell.session.terminal import terminal_available

if TYPE_CHECKING:
    from azshell.client import AzkabanClient


def run_password_command(command: str) -> str:
    """The first line a profile's ``password_command`` prints."""
    try:
        done = subprocess.run(
            command, shell=True, capture_output=True, text=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as err:  # no password: like a missing one (rc 3)
        raise SessionError(f"password_command could not run: {err}") from None
    if done.returncode != 0:
        raise SessionError(f"password_command failed with exit status {done.returncode}")
    lines = done.stdout.splitlines()
    if not lines or not lines[0]:
        raise SessionError("password_command printed nothing")
    return lines[0]


def password_for(ctx: Context, url: str, user: str, *, fresh: bool = False) -> str:
    """The password for ``user``: remembered, environment, password_command, or asked once."""
    if ctx.session.password is not None and not fresh:
        return ctx.session.password
    if os.environ.get("AZSHELL_PASSWORD"):
        return os.environ["AZSHELL_PASSWORD"]
    if ctx.settings.password_command:
        return run_password_command(ctx.settings.password_command)
    answer = ctx.ask_password(f"Password for {user} at {url}: ")
    ctx.session.heard_password(answer)  # a secret from now on, even if the server refuses it
    return answer


def password_at_hand(ctx: Context, *, fresh: bool = False) -> bool:
    """Whether ``password_for`` can answer without asking the person (same sources, same order)."""
    return ((ctx.session.password is not None and not fresh)
            or bool(os.environ.get("AZSHELL_PASSWORD")) or bool(ctx.settings.password_command))


def _observer(ctx: Context) -> Any:
    """Records each exchange in the session, prints it with --verbose and logs them with --debug."""
    from azshell.shell.debugging.verbose import observer

    return observer(ctx)


def new_client(ctx: Context, url: str) -> AzkabanClient:
    """A client for ``url`` with the TLS and time-out settings of this session."""
    from azshell.client import AzkabanClient

    settings = ctx.settings
    if settings.ca_cert:
        where = settings.sources.get("ca_cert", "option")
        check_ca_file(settings.ca_cert, "SSL_CERT_FILE" if where == "environment" else "--ca-cert")
    if settings.truststore and not settings.insecure:
        use_truststore()
    return AzkabanClient(
        url,
        verify=settings.verify,
        timeout=(min(10.0, settings.timeout), settings.timeout),
        observer=_observer(ctx),
        max_answer=int(settings.max_answer_mb * 1024 * 1024),
    )


def use_truststore() -> None:
    """Verify TLS with the operating system's trust store (Windows, macOS, the distribution's
    bundle) instead of certifi's, as pip does; the truststore extra installs it."""
    try:
        import truststore
    except ImportError:
        raise UsageError("truststore is on but not installed: "
                         "pip install 'azkaban-shell[truststore]'") from None
    truststore.inject_into_ssl()


def check_ca_file(path: str, name: str = "--ca-cert") -> None:
    """A ``--ca-cert`` that is no file, or no bundle of PEM certificates, is named as such
    before any request (TLS would only say that the handshake failed)."""
    import ssl

    file = Path(path).expanduser()
    if not file.is_file():
        raise UsageError(f"{name}: no such file: {path}")
    try:
        ssl.create_default_context(cafile=str(file))
    except ssl.SSLError as err:
        raise UsageError(f"{name} {path} is not a CA bundle ({err.reason or err}): give a "
                         "PEM file of the CA certificates to trust") from None
    except OSError as err:
        raise UsageError(f"{name} {path}: cannot read it: {err.strerror or err}") from None


def known_user(ctx: Context, url: str, user: str | None = None) -> str | None:
    """The user given, else the configured one, else the last one saved for this server."""
    return user or ctx.settings.user or ctx.session.store.last_user(url)


def resolve_user(ctx: Context, url: str, user: str | None) -> str:
    """``known_user``, else asked on a terminal; a usage error when there is none."""
    chosen = known_user(ctx, url, user)
    if chosen:
        return chosen
    if ctx.interactive and terminal_available():
        try:
            answer = input("User: ").strip()
        except EOFError:  # Ctrl-D: no user, not the end of the shell
            answer = ""
        if answer:
            return answer
    raise UsageError("no user: give --user, set AZSHELL_USER, use a profile, or name it after "
                     "the URL in `connect URL USER`")


def connect(ctx: Context, url: str, user: str | None = None, *,
            login: bool = False) -> AzkabanClient:
    """Make ``ctx.client`` talk to ``url`` as ``user``: a saved session, else a login."""
    url = check_url(url)
    if "://" not in url:
        url = f"http://{url}"  # `azshell localhost:8081` means what it says
    client = new_client(ctx, url)
    if _will_ask(ctx, client.url, user, login):
        _answers_first(client)
    user = resolve_user(ctx, url, user)
    session = ctx.session
    first = session.connected is None
    changed = not first and (ctx.client.url != client.url or ctx.client.user != user)
    if changed:
        session.forget_password()  # another server or user: the remembered one is not theirs

    def credentials() -> tuple[str, str]:
        password = password_for(ctx, client.url, user)
        session.remember_password(password)
        return user, password

    client.credentials = credentials
    saved = None if login else session.store.get(client.url, user)
    if saved:
        session.adopt(client, user, saved)
    else:
        session.log_in(client, user, password_for(ctx, client.url, user, fresh=login))
    if first or changed:
        if changed and ctx.interactive:
            with contextlib.suppress(OSError, AttributeError):
                ctx.names.save()  # keep what was learnt about the previous server
        ctx.names = make_names(client.url, ctx.interactive, user)
    if changed:
        ctx.last_execid = None
    return client


def saved_session_client(ctx: Context) -> AzkabanClient | None:
    """The configured server's client on its saved session, if there is one (no login): what a
    script's `logout` ends."""
    url = check_url(ctx.settings.url or "")
    client = new_client(ctx, url if "://" in url else f"http://{url}")
    user = known_user(ctx, client.url)
    saved = ctx.session.store.get(client.url, user) if user else None
    if not user or not saved:
        return None
    ctx.session.adopt(client, user, saved)
    return client


def _will_ask(ctx: Context, url: str, user: str | None, login: bool) -> bool:
    """Whether connecting needs a question to the person: a user name or a password."""
    chosen = known_user(ctx, url, user)
    if not chosen:
        return True
    if not login and ctx.session.store.get(url, chosen):
        return False
    return not password_at_hand(ctx, fresh=login)


def _answers_first(client: AzkabanClient) -> None:
    """Nobody should type a password for a server that is down, and a script with no password
    at hand should hear that the server is down, not that a password is missing: ``/status``
    needs no login."""
    try:
        client.server_status()
    except (ConnectionFailed, RequestTimedOut):
        raise
    except AzshellError:
        pass  # a server without /status, or an odd answer there: the login will tell


def ensure_session(ctx: Context) -> AzkabanClient:
    """The connected client, connecting first from the settings when needed."""
    current = ctx.session.connected
    if current is not None and current.session_id:
        return current
    url = current.url if current is not None else ctx.settings.url
    if not url:
        raise SessionError(
            "not connected: give a URL (azshell URL), --profile, AZSHELL_URL, or type 'connect URL'"
        )
    user = current.user if current is not None else None
    return connect(ctx, url, user)
