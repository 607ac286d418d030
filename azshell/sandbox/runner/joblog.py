"""In-memory execution logs, read the way Azkaban's executor serves them.

Flow and job logs are UTF-8 byte buffers that grow while the execution runs, so a client paging
with ``offset``/``length`` (protocol §6.5) sees output as it arrives. Pages are cut at UTF-8
character boundaries and HTML-escaped like Commons-Lang 2 ``escapeHtml``, because real clients
(the web UI, other API users) unescape exactly that.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from html.entities import codepoint2name

from azshell.sandbox.jackson import Ordered

_CONTINUATION_MASK = 0xC0
_CONTINUATION = 0x80


def escape_html(text: str) -> str:
    """Escape like Commons-Lang 2 ``StringEscapeUtils.escapeHtml``.

    The four markup characters and every HTML 4 named character become named entities
    (``&eacute;``), any other non-ASCII character a decimal entity; ``html.unescape`` reverses it.
    """
    out: list[str] = []
    for char in text:
        code = ord(char)
        if code < 0x80 and char not in '"&<>':
            out.append(char)
            continue
        name = codepoint2name.get(code)
        out.append(f"&{name};" if name else f"&#{code};")
    return "".join(out)


def _utf8_length(lead: int) -> int:
    """Byte length of the UTF-8 sequence a lead byte announces (1 for a stray byte)."""
    if lead >= 0xF0:
        return 4
    if lead >= 0xE0:
        return 3
    if lead >= 0xC0:
        return 2
    return 1


def utf8_range(chunk: bytes, at_end: bool) -> tuple[int, int]:
    """The [start, end) slice of ``chunk`` that holds only whole UTF-8 characters.

    Leading continuation bytes belong to a character that started before the page; a trailing
    partial character is left for the next page unless the log ends there.
    """
    start = 0
    while start < len(chunk) and start < 3 and chunk[start] & _CONTINUATION_MASK == _CONTINUATION:
        start += 1
    end = len(chunk)
    if at_end:
        return start, end
    lead = end - 1
    while lead > start and end - lead < 4 and chunk[lead] & _CONTINUATION_MASK == _CONTINUATION:
        lead -= 1
    if lead >= start and lead + _utf8_length(chunk[lead]) > end:
        end = lead
    return start, end


def azkaban_timestamp(seconds: float) -> str:
    """Log4j ``dd-MM-yyyy HH:mm:ss z`` in local time, as Azkaban's log layout prints it."""
    return datetime.fromtimestamp(seconds).astimezone().strftime("%d-%m-%Y %H:%M:%S %Z")


MAX_LOG_BYTES = 16 * 1024 * 1024


class LogBuffer:
    """One growing log: appended line by line by the engine, paged by readers.

    A log stops growing at ``max_bytes`` (with one last line saying so), so a job that prints
    without end cannot eat the sandbox's memory; earlier bytes never move, so paging stays valid.
    """

    def __init__(
        self,
        logger_name: str,
        clock: Callable[[], float] = time.time,
        max_bytes: int = MAX_LOG_BYTES,
    ) -> None:
        self.logger_name = logger_name
        self._clock = clock
        self._max_bytes = max_bytes
        self._truncated = False
        self._data = bytearray()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

    def log(self, message: str, level: str = "INFO") -> None:
        """Append one line in Azkaban's layout: ``<time> <logger> <LEVEL> - <message>``."""
        stamp = azkaban_timestamp(self._clock())
        lines = message.split("\n") or [""]
        text = "".join(f"{stamp} {self.logger_name} {level} - {line}\n" for line in lines)
        data = text.encode("utf-8", errors="replace")
        with self._lock:
            if self._truncated:
                return
            if len(self._data) + len(data) > self._max_bytes:
                self._truncated = True
                data = (
                    f"{stamp} {self.logger_name} WARN - Log truncated: the sandbox keeps "
                    f"{self._max_bytes} bytes of a log.\n"
                ).encode()
            self._data += data

    def info(self, message: str) -> None:
        self.log(message, "INFO")

    def error(self, message: str) -> None:
        self.log(message, "ERROR")

    def warn(self, message: str) -> None:
        self.log(message, "WARN")

    def text(self) -> str:
        """The whole log, unescaped (for tests and debugging)."""
        with self._lock:
            return self._data.decode("utf-8", errors="replace")

    def read(self, offset: int, length: int) -> dict:
        """One page ``{"data", "offset", "length"}`` over the log's bytes (protocol §6.5)."""
        with self._lock:
            size = len(self._data)
            offset = max(offset, 0)
            if length <= 0 or offset >= size:
                return empty_page(offset)
            stop = min(size, offset + length)
            chunk = bytes(self._data[offset:stop])
        start, end = utf8_range(chunk, at_end=stop >= size)
        data = chunk[start:end].decode("utf-8", errors="replace")
        return page(escape_html(data), offset + start, end - start)


def page(data: str, offset: int, length: int) -> dict:
    """A log page as the web server relays it: keys ``length``, ``offset``, ``data`` in that
    order (not a HashMap's), as a real 3.90.0 answered."""
    return Ordered({"length": length, "offset": offset, "data": data})


def empty_page(offset: int) -> dict:
    """What Azkaban answers when there is no (more) log data."""
    return page("", offset, 0)
