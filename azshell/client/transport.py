"""Sending requests to an Azkaban web server: the session, timeouts, failures and re-login.

Rules (protocol §2, §12b):
- one ``requests.Session`` (connection reuse) whose cookie jar stays empty, so no stale cookie
  can shadow the session (§2.2);
- the session id never goes in a URL, where a proxy's access log would keep it: a POST carries
  it as the ``session.id`` field of its body (form or multipart), and a GET as the session
  cookie, ``azkaban.browser.session.id``, set on that request alone (the server reads that
  cookie first for every call, §2.2). POSTs never carry the cookie: it would make the four
  permission calls fail their CSRF check (§2.6);
- POSTs carry ``X-Requested-With: XMLHttpRequest`` so an expired session answers JSON (§2.5);
- an answer proving the session is gone (the server did nothing) → log in again with the
  ``credentials`` callable and repeat the call once;
- a request that may have reached the server and lost its answer is never repeated when it
  changes state (OutcomeUnknown); read-only calls are repeated once after a dropped connection.

Time limits, ``timeout=(connect, read)``: ``connect`` bounds making the connection; ``read``
bounds the whole wait for the answer, from the moment the request has been sent (an upload's
body is not counted) to the answer's last byte — not each read on the socket, which a server
sending a byte at a time could stretch forever (deadline.py). An answer cut by it is the same
RequestTimedOut (OutcomeUnknown for a state change) as one that never came. The one exception
is a project download streamed to disk: once its headers are in, a large zip may rightly take
longer, so only a pause longer than ``read`` between two pieces ends it.
"""

from __future__ import annotations

import os
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import InsecureRequestWarning

from azshell import __version__
from azshell.client import answers, deadline, failures
from azshell.client.redact import redact_headers, redact_params, redact_text
from azshell.client.upload import ZipUpload
from azshell.errors import (
    AzshellError,
    BadResponse,
    ConnectionFailed,
    LocalError,
    LoginFailed,
    OutcomeUnknown,
    RequestTimedOut,
    SessionError,
    UsageError,
)

Params = list[tuple[str, str]]
Credentials = Callable[[], tuple[str, str]]
USER_AGENT = f"azshell/{__version__}"
_TEXTUAL = ("text/", "application/json", "application/javascript")
SESSION_COOKIE = "azkaban.browser.session.id"  # read before any session.id parameter (§2.2)
BODY_PREVIEW = 2048  # characters of an answer kept in Exchange.body (for the debug log)
# what an answer that echoes the request's secrets says instead (no <...>: messages lose tags)
ECHOED_SESSION, ECHOED_PASSWORD = "[hidden session id]", "[hidden password]"
MAX_ANSWER = 64 * 1024 * 1024  # bytes of one answer read into memory (after gzip), by default


@dataclass(frozen=True)
class Exchange:
    """One HTTP exchange as observers see it (``-v``, ``--debug``, ``curl``); secrets redacted.

    ``url`` has no query string: ``params`` are the query (GET) or form/multipart fields
    (POST); a GET's session is not among them but in its cookie (``session_cookie``).
    ``files`` are the local paths sent as multipart part ``file``. ``status`` is ``None``
    and ``error`` says why when no answer arrived (``error_kind`` names the error's class, and
    ``repeat`` says whether this read-only call is sent once more). ``session_gone`` means the
    answer says the session is gone: the client logs in again and repeats the call if it can.
    What the shell decides on is typed: ``offline`` (the server could not be reached or did not
    answer in time), ``interrupted`` (Ctrl-C cut it) and ``outcome_unknown`` (a state change
    that may have been done; ``error`` then says how to check).
    Headers (cookies hidden) and the start of a textual answer (``body``, secrets hidden) are
    for the debug log; ``verify`` is how TLS was checked (False, True, or a CA bundle path).
    """

    method: str
    url: str
    path: str
    params: list[tuple[str, str]]
    status: int | None
    size: int
    elapsed_s: float
    files: list[str] = field(default_factory=list)
    error: str | None = None
    error_kind: str = ""
    repeat: bool = False
    session_gone: bool = False
    offline: bool = False
    interrupted: bool = False
    outcome_unknown: bool = False
    request_headers: dict[str, str] = field(default_factory=dict)
    response_headers: dict[str, str] = field(default_factory=dict)
    verify: bool | str = True
    session_cookie: bool = False  # the session went as the cookie (a GET), not in params
    body: str = field(default="", repr=False)
    # the session id as sent, for `curl --reveal` only: never in repr, params or comparisons
    _session: str | None = field(default=None, repr=False, compare=False)

    def reveal_session(self) -> str | None:
        """The session id this exchange carried, unredacted (``curl --reveal`` alone asks)."""
        return self._session


@dataclass
class Request:
    """What to send and how careful to be with it.

    ``what`` names the call in messages ("execute flow demo.main"); ``check`` tells the user how
    to find out what happened when the answer was lost ("look at the flow's executions").
    """

    method: str
    path: str
    params: Params
    what: str
    mutating: bool = False
    check: str = ""
    session: bool = True
    upload: ZipUpload | None = None
    stream: bool = False
    raw: bool = False  # call(): hand back a session-gone answer when renewal is impossible


class _NoCookies(DefaultCookiePolicy):
    """Refuse every cookie the server sets: a kept login cookie would go with every POST and
    fail its CSRF check (§2.6); a GET gets the session cookie by hand, for itself alone."""

    def set_ok(self, cookie: Any, request: Any) -> bool:
        return False


def normalize_url(url: str) -> str:
    """``host:8081`` → ``http://host:8081``; a trailing slash removed. UsageError if hopeless."""
    text = url.strip()
    if "://" not in text:
        text = f"http://{text}"
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"bad server URL {url!r}: use http://host:port or https://host:port")
    if parts.query or parts.fragment:
        raise UsageError(f"bad server URL {url!r}: no query string, please")
    return text.rstrip("/")


def response_text(response: requests.Response) -> str:
    """The body as text: the declared charset, else UTF-8 (Azkaban's JSON has no charset).

    The session id and password the request carried are hidden in it: a server that echoes
    them (``bad request {session.id=...}``) must not put them into an error message, data or
    a log through azshell.
    """
    encoding = requests.utils.get_encoding_from_headers(response.headers)
    content_type = response.headers.get("Content-Type", "")
    if encoding is None or "charset" not in content_type.lower():
        encoding = "utf-8"
    try:
        text = response.content.decode(encoding, errors="replace")
    except LookupError:
        text = response.content.decode("utf-8", errors="replace")
    for secret, placeholder in getattr(response, "azshell_secrets", ()):
        text = text.replace(secret, placeholder)
    return text


def _secrets_of(params: Params) -> list[tuple[str, str]]:
    """(value, placeholder) of the session id and password a request sends, longest first."""
    found = [(value, ECHOED_SESSION if name == "session.id" else ECHOED_PASSWORD)
             for name, value in params if name in ("session.id", "password") and len(value) >= 3]
    return sorted(found, key=lambda pair: -len(pair[0]))


class Transport:
    """The HTTP side of the client; :class:`AzkabanClient` builds on it."""

    def __init__(self, url: str, *, verify: bool | str = True,
                 timeout: float | tuple[float, float] = (5.0, 60.0),
                 observer: Callable[[Exchange], None] | None = None,
                 max_answer: int = MAX_ANSWER) -> None:
        self._url = normalize_url(url)
        self._verify = _check_verify(verify)
        self._timeout = _check_timeout(timeout)
        if not isinstance(max_answer, int) or max_answer <= 0:
            raise UsageError(f"bad max_answer {max_answer!r}: use a number of bytes > 0")
        self.max_answer = max_answer
        self.observer = observer
        self.credentials: Credentials | None = None
        self.last_exchange: Exchange | None = None
        self._session_id: str | None = None
        self._user: str | None = None
        self._renewing = threading.Lock()
        self._http = requests.Session()
        self._http.cookies.set_policy(_NoCookies())
        self._http.headers["User-Agent"] = USER_AGENT
        self._read_environment()
        deadline.mount(self._http)
        if self._verify is False:
            # The user chose not to verify; repeating that on every call helps nobody.
            warnings.filterwarnings("ignore", category=InsecureRequestWarning)

    def _read_environment(self) -> None:
        """Proxies (``HTTPS_PROXY``, ``NO_PROXY``...) and a CA bundle (``REQUESTS_CA_BUNDLE``,
        ``CURL_CA_BUNDLE``) are read once here, for the one server this client talks to, instead
        of by requests on every call (the environment scan and the .netrc lookup cost more than
        a loopback request). A .netrc password is never sent: the session id is the credential.
        """
        self._http.trust_env = False
        self._http.proxies.update(requests.utils.get_environ_proxies(self._url))
        self._send_verify: bool | str = self._verify  # what requests is given
        if self._verify is True:
            bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
            if bundle:
                self._send_verify = bundle

    # -- state -------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self._url

    @property
    def user(self) -> str | None:
        return self._user

    @property
    def session_id(self) -> str | None:
        return self._session_id

    def adopt_session(self, user: str, session_id: str) -> None:
        """Use a session obtained elsewhere (a cached one); no request is made."""
        if not session_id.strip():
            raise UsageError("an empty session id cannot be adopted")
        self._user = user
        self._session_id = session_id.strip()

    def forget_session(self) -> None:
        self._session_id = None

    def close(self) -> None:
        self._http.close()

    # -- login -------------------------------------------------------------------------------

    def login(self, user: str, password: str) -> str:
        """Form POST ``action=login`` to the base URL (§2.1): credentials in the body only."""
        if not user:
            raise UsageError("a user name is needed to log in")
        request = Request("POST", "/", [("action", "login"), ("username", user),
                                        ("password", password)],
                          what=f"login as {user}", session=False)
        response = self._attempt(request)
        text = response_text(response)
        if response.status_code == 404:
            raise ConnectionFailed(
                f"{self._url} answered the login with 404 Not Found: no Azkaban web server "
                f"answers at that address. Behind a reverse proxy it may need the path prefix "
                f"it is served under, such as {self._url}/azkaban")
        try:
            data = answers.decode(response.status_code, text, "login")
        except BadResponse as err:
            raise BadResponse(f"{self._url} did not answer the login like an Azkaban web "
                              f"server: {err}", err.status) from None
        message = answers.error_message(data)
        if message:
            raise LoginFailed(f"login as {user} failed: {message}")
        session_id = data.get("session.id") if isinstance(data, dict) else None
        if not isinstance(session_id, str) or not session_id:
            raise BadResponse(f"the login answer of {self._url} has no session id")
        self._http.cookies.clear()
        self._session_id = session_id
        self._user = user
        return session_id

    def renew(self, reason: str) -> None:
        """Log in again with ``credentials``; SessionError with ``reason`` if there are none."""
        if self.credentials is None:
            raise SessionError(reason)
        user, password = self.credentials()
        self.login(user, password)

    # -- sending -----------------------------------------------------------------------------

    def send(self, request: Request, *, renew: bool = True) -> requests.Response:
        """Send ``request``; renew the session and repeat once if the answer says it is gone.

        ``renew=False`` sends exactly once and returns whatever came back.
        """
        if not renew:
            return self._attempt(request)
        if request.session and not self._session_id:
            if request.raw and self.credentials is None:
                return self._attempt(request)
            self.renew("not logged in; log in first")
        # A session-gone answer proves the server did nothing, so a read may renew twice (the
        # session can expire again between the new login and the repeat); a state change once.
        renewals = 1 if request.mutating else 2
        while True:
            sent = self._session_id
            response = self._attempt(request)
            if not (request.session and self._session_gone(response)):
                return response
            if renewals == 0:
                raise SessionError("the server rejected the session right after a new login")
            if request.raw and self.credentials is None:
                return response
            with self._renewing:  # reads sent from several threads renew once between them
                if self._session_id in (sent, None):
                    self._session_id = None  # dead: if the new login fails, none is better
                    self.renew("session expired; log in again")
            renewals -= 1
            if request.upload is not None and request.upload.large:
                raise SessionError(
                    f"the session had expired when '{request.what}' was sent; nothing was "
                    "installed. The session is renewed: send it again")

    def _session_gone(self, response: requests.Response) -> bool:
        content_type = response.headers.get("Content-Type", "").lower()
        if content_type and not content_type.startswith(_TEXTUAL):
            return False  # a zip being downloaded, say
        return answers.is_session_gone(response_text(response))

    def _attempt(self, request: Request) -> requests.Response:
        """One exchange, repeated once for a read-only call whose connection dropped."""
        tries = 1 if request.mutating else 2
        for attempt in range(1, tries + 1):
            try:
                return self._exchange(request, last_try=attempt == tries)
            except _Dropped as dropped:
                if attempt == tries:
                    raise dropped.error from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _exchange(self, request: Request, *, last_try: bool = True) -> requests.Response:
        params = list(request.params)
        if request.session and self._session_id:
            params.append(("session.id", self._session_id))
        url = self._url + request.path
        headers = {"X-Requested-With": "XMLHttpRequest"} if request.method != "GET" else {}
        sent_session = next((v for k, v in reversed(params) if k == "session.id"), None)
        cookie = request.method == "GET" and sent_session is not None
        if cookie:  # a GET's parameters are its URL: the session goes as the cookie instead
            params = [(k, v) for k, v in params if k != "session.id"]
            headers["Cookie"] = f"{SESSION_COOKIE}={sent_session}"
        started = time.perf_counter()
        seen = Exchange(method=request.method, url=url, path=request.path,
                        params=redact_params(params), status=None, size=0, elapsed_s=0.0,
                        files=[str(request.upload.path)] if request.upload else [],
                        request_headers=redact_headers({**_text(self._http.headers), **headers}),
                        verify=self._verify, session_cookie=cookie, _session=sent_session)

        def observe(**outcome: Any) -> None:
            exchange = replace(seen, elapsed_s=time.perf_counter() - started, **outcome)
            self.last_exchange = exchange
            if self.observer is not None:
                self.observer(exchange)

        try:
            response, size = self._send_http(request, url, params, headers)
        except _TooLarge as big:
            too_large = BadResponse(self._too_large(request, big.size))
            observe(error=str(too_large), error_kind="BadResponse")
            raise too_large from None
        except requests.RequestException as exc:
            error, repeatable = self._classify(exc, request)
            observe(error=str(error), error_kind=type(error).__name__,
                    repeat=repeatable and not last_try,
                    offline=isinstance(error, (ConnectionFailed, RequestTimedOut)),
                    outcome_unknown=isinstance(error, OutcomeUnknown))
            raise (_Dropped(error) if repeatable else error) from None
        except OSError as exc:  # the file being uploaded could not be read
            observe(error="local error", error_kind="LocalError")
            raise LocalError(f"{request.what}: {exc.strerror or exc}") from None
        except KeyboardInterrupt:
            # Ctrl-C belongs to the shell: it goes on as is; the note tells what it may have cut
            observe(error=failures.interruption_note(request), error_kind="KeyboardInterrupt",
                    interrupted=True, outcome_unknown=request.mutating)
            raise
        # hidden in response_text: the session id goes in the cookie of a GET, not its params
        secrets = _secrets_of(params if sent_session is None or not cookie
                              else [*params, ("session.id", sent_session)])
        response.azshell_secrets = secrets  # type: ignore[attr-defined]
        observe(status=response.status_code, size=size,
                session_gone=request.session and self._session_gone(response),
                request_headers=redact_headers(response.request.headers),
                response_headers=redact_headers(response.headers),
                body=self._preview(response))
        return response

    def _too_large(self, request: Request, size: int | None) -> str:
        limit = f"{self.max_answer / (1024 * 1024):g} MiB"
        what = f"{size / (1024 * 1024):.0f} MiB, over" if size else "over"
        done = (f"; it may have been done: {request.check}" if request.mutating and request.check
                else "; it may have been done" if request.mutating else "")
        return (f"the answer to {request.what} is too large to read ({what} the limit of "
                f"{limit}; max_answer in the config file raises it){done}")

    def _read_capped(self, response: requests.Response) -> int:
        """Read the body into ``response.content``, at most ``max_answer`` bytes (decoded:
        a small gzip bomb counts as what it unpacks to); _TooLarge past it."""
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > self.max_answer:
            response.close()
            raise _TooLarge(int(length))
        chunks, total = [], 0
        for chunk in response.iter_content(1 << 16):
            total += len(chunk)
            if total > self.max_answer:
                response.close()
                raise _TooLarge(None)
            chunks.append(chunk)
        response._content = b"".join(chunks)  # what .content would have read, now bounded
        response._content_consumed = True  # type: ignore[attr-defined]
        response.close()  # back to the pool: everything was read
        return total

    def _preview(self, response: requests.Response) -> str:
        """The start of a textual answer with secrets hidden ("" for a file being streamed)."""
        content_type = response.headers.get("Content-Type", "").lower()
        if content_type and not content_type.startswith(_TEXTUAL):
            return ""
        text = response.content[:BODY_PREVIEW].decode("utf-8", errors="replace")
        return redact_text(text, self._session_id)

    def _send_http(self, request: Request, url: str, params: Params, headers: dict[str, str],
                   ) -> tuple[requests.Response, int]:
        """The response and its body size, all of it within the read timeout (module doc).

        A failure caused by the deadline cutting the connection is a ``ReadTimeout``, whatever
        the broken read looked like (a short body, a lost connection, a TLS error).
        """
        limit = deadline.Deadline(self._timeout[1])
        late = requests.exceptions.ReadTimeout(f"no complete answer within {limit.seconds:g} s")
        try:
            with limit:
                response, size = self._answer(request, url, params, headers)
        except (requests.RequestException, OSError) as exc:
            if limit.expired:
                raise late from exc
            raise
        if limit.expired:  # an answer read up to a closed connection: possibly cut short
            response.close()
            raise late
        return response, size

    def _answer(self, request: Request, url: str, params: Params, headers: dict[str, str],
                ) -> tuple[requests.Response, int]:
        """The response and its body size (the announced size for a streamed download)."""
        common: dict[str, Any] = {"timeout": self._timeout, "verify": self._send_verify,
                                  "allow_redirects": False, "headers": headers}
        if request.upload is not None:
            with request.upload.body(params) as (data, content_type):
                headers["Content-Type"] = content_type
                response = self._http.request(request.method, url, data=data, stream=True,
                                              **common)
            return response, self._read_capped(response)
        common["params" if request.method == "GET" else "data"] = params
        response = self._http.request(request.method, url, stream=True, **common)
        if not request.stream:
            return response, self._read_capped(response)
        content_type = response.headers.get("Content-Type", "").lower()
        if response.status_code != 200 or not content_type or content_type.startswith(_TEXTUAL):
            return response, self._read_capped(response)  # an error page, a login page
        length = response.headers.get("Content-Length", "")
        return response, int(length) if length.isdigit() else 0

    # -- failures ----------------------------------------------------------------------------

    def translate(self, exc: BaseException, request: Request) -> AzshellError:
        """A ``requests`` exception as one readable azshell error."""
        return self._classify(exc, request)[0]

    def _classify(self, exc: BaseException, request: Request) -> tuple[AzshellError, bool]:
        return failures.classify(exc, request, self._url, self._timeout, self._session_id,
                                 self._verify)


class _TooLarge(Exception):
    """An answer over ``max_answer``: ``size`` is the announced length, if there was one."""

    def __init__(self, size: int | None) -> None:
        super().__init__(size)
        self.size = size


def _text(headers: Any) -> dict[str, str]:
    """requests' header mapping (str or bytes values) as text, for the record."""
    return {str(k): v if isinstance(v, str) else v.decode("latin-1") for k, v in headers.items()}


class _Dropped(ConnectionFailed):
    """A read-only call's connection dropped after sending: safe to repeat once."""

    def __init__(self, error: AzshellError) -> None:
        super().__init__(error.message)
        self.error = error


def _check_verify(verify: bool | str | Path) -> bool | str:
    if isinstance(verify, bool):
        return verify
    path = Path(verify).expanduser()
    if not path.exists():
        raise LocalError(f"CA bundle {path} does not exist")
    return str(path)


def _check_timeout(timeout: float | tuple[float, float]) -> tuple[float, float]:
    pair = (timeout, timeout) if isinstance(timeout, (int, float)) else tuple(timeout)
    if len(pair) != 2 or any(not isinstance(t, (int, float)) or t <= 0 for t in pair):
        raise UsageError(f"bad timeout {timeout!r}: use seconds > 0, or (connect, read)")
    return float(pair[0]), float(pair[1])
