"""The sandbox's HTTP layer: a threaded HTTP/1.1 server, the request and the response.

Why not plain ``BaseHTTPRequestHandler`` answers: it writes the status line, the headers and the
body in separate ``send`` calls, and with Nagle's algorithm on the client side's delayed ACK that
costs ~40 ms per call on loopback. Here every response is built completely and sent with ONE
write, and TCP_NODELAY is set, so a keep-alive call takes about a millisecond.
Request bodies may come with ``Content-Length`` or ``Transfer-Encoding: chunked``; a body is
always read to its end (or the connection closed) so that keep-alive stays in sync.
"""

from __future__ import annotations

import contextlib
import logging
import re
import socket
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import parse_qsl, unquote

log = logging.getLogger("azshell.sandbox")

SERVER_NAME = "Jetty(6.1.26)"
MAX_FORM_SIZE = 10 * 1024 * 1024
_INLINE_FILE_LIMIT = 1 << 20  # a file answer up to 1 MiB goes out in the same write as its head
_COOKIE_QUOTE_CHARS = frozenset(' \t",;\\=()<>@:/?[]{}\r\n\f\b')
_COOKIE_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\r": "\\r", "\n": "\\n",
                                 "\t": "\\t", "\f": "\\f", "\b": "\\b"})
_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")
_DIGITS = re.compile(r"[0-9]{1,18}")
_REASONS = {200: "OK", 302: "Found", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
            405: "Method Not Allowed", 410: "Gone", 500: "Internal Server Error",
            501: "Not Implemented"}


class BadRequestError(Exception):
    """A request whose framing cannot be trusted: answered 400 and the connection closed."""


def _read(raw: BinaryIO, size: int, line: bool = False) -> bytes:
    """One read from the client; a timeout or reset is a dropped connection, not a bug."""
    try:
        return raw.readline(size) if line else raw.read(size)
    except ConnectionError:
        raise
    except OSError as err:  # TimeoutError: the client stalled until the socket timeout
        raise ConnectionError(f"client connection failed in the body: {err}") from err


class FormTooLargeError(Exception):
    """A form body over Jetty's limit: Jetty's IllegalStateException, an HTTP 500, nothing done."""


class BodyReader:
    """A file-like ``read(n)`` over a request body of known length."""

    def __init__(self, raw: BinaryIO, length: int) -> None:
        self._raw = raw
        self.remaining = length

    def read(self, size: int = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        if size < 0 or size > self.remaining:
            size = self.remaining
        data = _read(self._raw, size)
        if not data:
            self.remaining = 0
            raise ConnectionError("client closed the connection in the middle of the body")
        self.remaining -= len(data)
        return data

    def drain(self) -> None:
        while self.remaining > 0:
            self.read(65536)


class ChunkedReader:
    """A file-like ``read(n)`` that decodes ``Transfer-Encoding: chunked``."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._left = 0  # bytes left in the current chunk
        self._done = False

    def _next_chunk(self) -> None:
        line = _read(self._raw, 65537, line=True)
        if not line:
            raise ConnectionError("client closed the connection in a chunked body")
        size_text = line.split(b";", 1)[0].strip()
        if not _HEX.fullmatch(size_text):  # int() would take "-5", "+5", "0x5" and "1_0"
            raise BadRequestError(f"bad chunk size line {line[:40]!r}")
        size = int(size_text, 16)
        if size == 0:
            while _read(self._raw, 65537, line=True).strip():  # trailers until the empty line
                pass
            self._done = True
        self._left = size

    def read(self, size: int = -1) -> bytes:
        chunks = []
        want = size if size >= 0 else 1 << 62
        while want > 0 and not self._done:
            if self._left == 0:
                self._next_chunk()
                continue
            data = _read(self._raw, min(want, self._left))
            if not data:
                raise ConnectionError("client closed the connection in a chunked body")
            self._left -= len(data)
            want -= len(data)
            chunks.append(data)
            if self._left == 0:
                _read(self._raw, 3, line=True)  # the CRLF after each chunk
        return b"".join(chunks)

    def drain(self) -> None:
        while not self._done:
            self.read(65536)


def parse_cookies(header: str | None) -> dict[str, str]:
    """Cookie header → dict; the first occurrence of a name wins (the servlet API's order)."""
    cookies: dict[str, str] = {}
    for item in (header or "").split(";"):
        name, sep, value = item.strip().partition("=")
        if sep and name and name not in cookies:
            cookies[name] = value.strip().strip('"')
    return cookies


@dataclass
class Request:
    """One HTTP request as the servlets see it (the parts of ``HttpServletRequest`` they use)."""

    method: str
    path: str
    query: str
    headers: Any  # email.message.Message: case-insensitive get()
    body: BodyReader | ChunkedReader
    client: str = "127.0.0.1"
    host: str = "localhost"
    cookies: dict[str, str] = field(default_factory=dict)
    _params: list[tuple[str, str]] | None = None

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type") or ""

    def is_multipart(self) -> bool:
        """commons-fileupload's test: a POST whose type starts with ``multipart/``."""
        return self.method == "POST" and self.content_type.lower().startswith("multipart/")

    def is_form(self) -> bool:
        return (self.method == "POST" and self.content_type.lower().split(";")[0].strip()
                == "application/x-www-form-urlencoded")

    @property
    def params(self) -> list[tuple[str, str]]:
        """Query parameters, then (for a form POST) body parameters, like Jetty merges them."""
        if self._params is None:
            params = parse_qsl(self.query, keep_blank_values=True, errors="replace")
            if self.is_form():
                raw = self.body.read(MAX_FORM_SIZE + 1)
                if len(raw) > MAX_FORM_SIZE:  # Jetty's Request.extractParameters refuses it
                    length = self.headers.get("Content-Length")
                    raise FormTooLargeError(f"Form too large{length or ''}>{MAX_FORM_SIZE}"
                                            if length else "Form too large")
                params += parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True)
            self._params = params
        return self._params

    def param(self, name: str) -> str | None:
        """``getParameter``: the first value, or None when absent."""
        for key, value in self.params:
            if key == name:
                return value
        return None

    def has(self, name: str) -> bool:
        return any(key == name for key, _ in self.params)

    def param_group(self, prefix: str) -> dict[str, str]:
        """``HRU.getParamGroup``: ``prefix[key]=v`` → ``{key: v}`` (first value wins)."""
        group: dict[str, str] = {}
        start = prefix + "["
        for key, value in self.params:
            if key.startswith(start) and key.endswith("]"):
                group.setdefault(key[len(start):-1], value)
        return group

    def map_param_group(self, prefix: str) -> dict[str, dict[str, str]]:
        """``HRU.getMapParamGroup``: ``prefix[a][b]=v`` → ``{a: {b: v}}``."""
        groups: dict[str, dict[str, str]] = {}
        start = prefix + "["
        for key, value in self.params:
            if key.startswith(start) and key.endswith("]") and "][" in key:
                outer, _, inner = key[len(start):-1].partition("][")
                groups.setdefault(outer, {}).setdefault(inner, value)
        return groups

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


@dataclass
class Response:
    """A complete answer; :meth:`encode` turns it into the bytes sent in one write."""

    status: int = 200
    body: bytes = b""
    content_type: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    file: Path | None = None  # streamed after the head for large downloads

    def add_cookie(self, name: str, value: str, path: str = "/") -> None:
        """A version-0 cookie as Jetty writes it: the value quoted when it needs to be.

        Like Jetty's ``QuotedStringTokenizer.quote``, control characters are escaped inside the
        quotes, so a CR or LF from a parameter (a message naming the project) never ends a header.
        """
        if any(ch in value for ch in _COOKIE_QUOTE_CHARS):
            value = '"' + value.translate(_COOKIE_ESCAPES) + '"'
        self.headers.append(("Set-Cookie", f"{name}={value};Path={path}"))  # Jetty 6: no space
        if not any(k == "Expires" for k, _ in self.headers):
            self.headers.append(("Expires", "Thu, 01-Jan-1970 00:00:00 GMT"))

    def head_bytes(self, length: int) -> bytes:
        lines = [f"HTTP/1.1 {self.status} {_REASONS.get(self.status, 'Unknown')}"]
        if self.content_type is not None:
            lines.append(f"Content-Type: {_no_crlf('Content-Type', self.content_type)}")
        lines.extend(f"{_no_crlf(k, k)}: {_no_crlf(k, v)}" for k, v in self.headers)
        lines.append(f"Content-Length: {length}")
        lines.append(f"Server: {SERVER_NAME}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")

    def encode(self, include_body: bool = True) -> bytes:
        """Head and body as one buffer; only a file over 1 MiB is left to be streamed after."""
        if self.file is not None and self.file.stat().st_size <= _INLINE_FILE_LIMIT:
            self.body, self.file = self.file.read_bytes(), None
        length = self.file.stat().st_size if self.file is not None else len(self.body)
        head = self.head_bytes(length)
        if not include_body or self.file is not None:
            return head
        return head + self.body


def _no_crlf(name: str, value: str) -> str:
    """The last guard against response splitting: no header line carries a raw CR or LF.

    A ``Location`` keeps its meaning with the two percent-encoded; elsewhere they become spaces.
    """
    if "\r" not in value and "\n" not in value:
        return value
    if name.lower() == "location":
        return value.replace("\r", "%0D").replace("\n", "%0A")
    return value.replace("\r", " ").replace("\n", " ")


App = Callable[[Request], Response]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = SERVER_NAME
    sys_version = ""
    timeout = 300  # idle keep-alive connections give their thread back after 5 minutes
    server: SandboxHTTPServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, add=False)

    def handle_one_request(self) -> None:
        """Wait for the next request marked idle: a full pool closes idle connections first."""
        self.server.idle(self.connection, True)
        try:
            first = self.rfile.peek(1)
        except OSError:  # the idle timeout, or cut by a full pool
            first = b""
        finally:
            self.server.idle(self.connection, False)
        if not first:
            self.close_connection = True
            return
        super().handle_one_request()

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def __getattr__(self, name: str) -> Any:
        # every method name (GET, POST, PUT, PATCH, ...) reaches the application, which
        # answers 405/501 itself the way a servlet container does
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def _body_reader(self) -> BodyReader | ChunkedReader:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return ChunkedReader(self.rfile)
        text = (self.headers.get("Content-Length") or "0").strip()
        if not _DIGITS.fullmatch(text):  # int() would take "1_0", "+5" and non-ASCII digits
            raise BadRequestError(f"bad Content-Length {text[:40]!r}")
        return BodyReader(self.rfile, int(text))

    def _serve(self) -> None:
        path, _, query = self.path.partition("?")
        if path.startswith(("http://", "https://")):  # absolute-form request target
            path = "/" + path.split("://", 1)[1].partition("/")[2]
        try:
            body = self._body_reader()
        except BadRequestError as err:
            self._bad_request(err, path)
            return
        request = Request(
            method=self.command, path=unquote(path), query=query, headers=self.headers,
            body=body, client=self.client_address[0],
            host=self.headers.get("Host") or f"{self.server.server_address[0]}",
            cookies=parse_cookies(self.headers.get("Cookie")),
        )
        try:
            response = self.server.app(request)
        except ConnectionError:
            self.close_connection = True
            return
        except BadRequestError as err:
            self._bad_request(err, path)
            return
        except FormTooLargeError as err:

            response = error_page(500, str(err), path)
        except Exception:  # a bug in the sandbox: answer like a crashed servlet
            log.exception("sandbox error on %s %s", self.command, path)

            response = error_page(500, "Internal sandbox error (see the sandbox log)", path)
        try:
            body.drain()
        except ConnectionError:
            self.close_connection = True
        except BadRequestError as err:
            self._bad_request(err, path)
            return
        self._send(response)

    def _bad_request(self, err: BadRequestError, path: str) -> None:
        """Broken framing: the rest of the stream cannot be trusted, so answer 400 and close."""

        log.debug("bad request from %s: %s", self.client_address[0], err)
        self.close_connection = True
        response = error_page(400, "Bad Request", path)
        response.headers.append(("Connection", "close"))
        self._send(response)

    def _send(self, response: Response) -> None:
        include_body = self.command != "HEAD"
        self.wfile.write(response.encode(include_body))
        if include_body and response.file is not None:
            with response.file.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    self.wfile.write(chunk)


class SandboxHTTPServer(ThreadingHTTPServer):
    """``ThreadingHTTPServer`` with daemon threads that can cut its open keep-alive connections."""

    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False
    request_queue_size = 50  # the listen backlog of Java's ServerSocket (socketserver's is 5)

    def __init__(self, address: tuple[str, int], app: App, max_connections: int = 250) -> None:
        self.app = app
        self._connections: set[socket.socket] = set()
        self._idle: set[socket.socket] = set()
        self._lock = threading.Lock()
        # Jetty's QueuedThreadPool (maxThreads 250): a connection is served by a pool thread;
        # when all are busy the next one waits in the listen queue, and the idle keep-alive
        # connections are closed to make room (Jetty's low-resources mode), so no number of
        # clients can make the server spawn threads without end.
        self._slots = threading.BoundedSemaphore(max_connections)
        self._stopping = threading.Event()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Wait for a free slot in the pool before a thread serves this connection."""
        while not self._slots.acquire(timeout=0.05):
            self._close_idle()
            if self._stopping.is_set():
                self.shutdown_request(request)
                return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def idle(self, conn: socket.socket, waiting: bool) -> None:
        with self._lock:
            if waiting:
                self._idle.add(conn)
            else:
                self._idle.discard(conn)

    def _close_idle(self) -> None:
        with self._lock:
            idle = list(self._idle)
        for conn in idle:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def shutdown(self) -> None:
        self._stopping.set()
        super().shutdown()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that drops its kept-alive connection is normal; anything else is a bug."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            log.debug("client %s dropped the connection", client_address)
            return
        log.exception("sandbox error while serving %s", client_address)

    def track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def close_connections(self) -> None:
        """Shut every open connection so that a stopped sandbox really stops answering."""
        with self._lock:
            conns = list(self._connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


def error_page(code: int, message: str, uri: str, cause: str | None = None) -> Response:
    """Jetty 6's error page (what a servlet exception turns into), ``text/html``."""
    text = escape(message, quote=False)
    trace = ""
    if cause:
        trace = f"<h3>Caused by:</h3><pre>{escape(cause, quote=False)}</pre>\n"
    body = (
        "<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html; "
        "charset=ISO-8859-1\"/>\n"
        f"<title>Error {code} {text}</title>\n</head>\n"
        f"<body><h2>HTTP ERROR {code}</h2>\n"
        f"<p>Problem accessing {escape(uri, quote=False)}. Reason:\n"
        f"<pre>    {text}</pre></p>{trace}<hr /><i><small>Powered by Jetty://</small></i>"
        "<br/>\n</body>\n</html>\n"
    )
    return Response(status=code, body=body.encode("iso-8859-1", "replace"),
                    content_type="text/html; charset=iso-8859-1")
