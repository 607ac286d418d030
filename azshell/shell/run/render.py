"""Turn a command's answer into text: JSON (coloured or plain), a table, or the raw answer.

Pure functions of (data, format, colour, width), so they are tested without a terminal.
"""

from __future__ import annotations

import json
import textwrap
import time
from collections.abc import Callable, Sequence
from typing import Any

from azshell.errors import BadResponse

FORMATS = ("json", "table", "wide", "yaml", "csv", "tsv", "raw")

Row = Sequence[Any]
Rows = Sequence[Row]
TableSpec = Callable[[Any], tuple[list[str], Rows]]


# a status's colour, in tables and in a followed execution's lines
COLORS = {
    "SUCCEEDED": "32", "FAILED": "31", "KILLED": "31", "EXECUTION_STOPPED": "31",
    "FAILED_FINISHING": "33", "KILLING": "33", "PAUSED": "33", "FAILED_SUCCEEDED": "33",
    "RUNNING": "36", "PREPARING": "36", "DISPATCHING": "36",
    "CANCELLED": "90", "SKIPPED": "90", "DISABLED": "90",
}


def paint(status: str, color: bool, width: int = 0) -> str:
    """``status`` padded to ``width``, in its colour when colour is on."""
    text = status.ljust(width)
    code = COLORS.get(status)
    return f"\x1b[{code}m{text}\x1b[0m" if color and code else text


def to_json(data: Any, *, indent: int | None = 2) -> str:
    """JSON for people and for jq: UTF-8 kept as is, key order kept as the server sent it."""
    return json.dumps(data, indent=indent, ensure_ascii=False, default=str)


# The tokens of json.dumps output, strings first (so nothing inside a string is taken for a
# number or a literal); a string followed by a colon is a key.
def colorize_json(text: str) -> str:
    """ANSI-coloured JSON text (as ``to_json`` writes it), by pygments' JSON lexer: keys bright
    blue, strings yellow, numbers and literals blue, in the terminal's own 16-colour palette.
    Only those tokens are coloured, never the whitespace or punctuation between them (pygments'
    default terminal scheme paints whitespace too, four times the bytes of plain JSON)."""
    from pygments import highlight
    from pygments.formatters import TerminalFormatter
    from pygments.lexers import JsonLexer
    from pygments.token import Keyword, Name, Number, String, Token

    scheme = {Token: ("", ""), Name.Tag: ("brightblue", "brightblue"), String: ("yellow", "yellow"),
              Number: ("blue", "blue"), Keyword.Constant: ("blue", "blue")}
    return highlight(text, JsonLexer(), TerminalFormatter(colorscheme=scheme)).rstrip("\n")


def when(ms: Any) -> str:
    """A server timestamp (ms since the epoch) as local time; -1/absent as '-'."""
    if not isinstance(ms, (int, float)) or ms <= 0:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ms / 1000))


def ago(ms: Any, now_ms: float | None = None) -> str:
    """A server timestamp relative to now: ``12 s ago``, ``3 min ago``, ``5 h ago``, ``2 days
    ago``; older than a month, the date; '-' for none."""
    if not isinstance(ms, (int, float)) or ms <= 0:
        return "-"
    now = time.time() * 1000 if now_ms is None else now_ms
    seconds = int(max(0, now - ms) / 1000)
    for size, unit in ((86400, "day"), (3600, "h"), (60, "min")):
        if seconds >= size:
            count = seconds // size
            if unit == "day":
                if count > 30:
                    return time.strftime("%Y-%m-%d", time.localtime(ms / 1000))
                return f"{count} day{'s' if count > 1 else ''} ago"
            return f"{count} {unit} ago"
    return f"{seconds} s ago"


def started(ms: Any) -> str:
    """``2024-01-31 10:02:07 (3 min ago)``: the time to compare with a log, and how long ago."""
    if not isinstance(ms, (int, float)) or ms <= 0:
        return "-"
    return f"{when(ms)} ({ago(ms)})"


def duration(start: Any, end: Any) -> str:
    """``1m 05s`` between two timestamps; '-' until it started."""
    if not isinstance(start, (int, float)) or start <= 0:
        return "-"
    stop = end if isinstance(end, (int, float)) and end > 0 else time.time() * 1000
    return span(int(stop - start))


def span(ms: int, *, tenths: bool = False) -> str:
    """The one duration format for people: ``12s``, ``1m 05s``, ``2h 03m``; with ``tenths``
    a duration under ten seconds reads ``0.4s``."""
    ms = max(0, ms)
    if tenths and ms < 10_000:
        return f"{ms / 1000:.1f}s"
    hours, rest = divmod(ms // 1000, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


def _perms(pairs: Any) -> str:
    """SimplifiedProject permission pairs as ``alice:ADMIN bob:READ,EXECUTE``."""
    out = []
    for pair in pairs or []:
        if isinstance(pair, dict):
            types = (pair.get("second") or {}).get("types") or []
            out.append(f"{pair.get('first')}:{','.join(sorted(types))}")
    return " ".join(out)


def projects_table(data: Any) -> tuple[list[str], Rows]:
    """``createdBy`` is Azkaban's name for the project's last modifier (SimplifiedProject sets
    it from ``getLastModifiedUser``), so the column says what it really holds."""
    rows = [
        (p.get("projectName"), p.get("projectId"), p.get("createdBy"), when(p.get("createdTime")),
         _perms(p.get("userPermissions")))
        for p in data if isinstance(p, dict)
    ]
    return ["PROJECT", "ID", "LAST MODIFIED BY", "CREATED", "USERS"], rows


def flows_table(data: Any) -> tuple[list[str], Rows]:
    return ["FLOW"], [(f if isinstance(f, str) else f.get("flowId"),) for f in data]


def jobs_table(data: Any) -> tuple[list[str], Rows]:
    rows: list[Row] = []

    def walk(nodes: list[dict], prefix: str) -> None:
        for node in nodes:
            rows.append((prefix + str(node.get("id")), node.get("type") or "",
                         ", ".join(node.get("in") or []), node.get("condition") or ""))
            if node.get("nodes"):
                walk(node["nodes"], f"{prefix}{node.get('id')}:")

    walk(data.get("nodes") or [], "")
    return ["JOB", "TYPE", "DEPENDS ON", "CONDITION"], rows


def executions_table(data: Any) -> tuple[list[str], Rows]:
    items = data.get("executions", []) if isinstance(data, dict) else data
    rows = [
        (e.get("execId", e.get("execid")), e.get("flowId", e.get("flow")), e.get("status"),
         e.get("submitUser"), started(e.get("startTime")),
         duration(e.get("startTime"), e.get("endTime")))
        for e in items if isinstance(e, dict)
    ]
    return ["EXECID", "FLOW", "STATUS", "USER", "STARTED", "TOOK"], rows


def running_table(data: Any) -> tuple[list[str], Rows]:
    ids = data.get("execIds", []) if isinstance(data, dict) else data
    project = data.get("project", "") if isinstance(data, dict) else ""
    flow = data.get("flow", "") if isinstance(data, dict) else ""
    by_flow = data.get("byFlow") if isinstance(data, dict) else None
    flow_of = {i: f for f, found in by_flow.items() for i in found} if by_flow else {}
    return ["EXECID", "PROJECT", "FLOW"], [(i, project, flow_of.get(i, flow)) for i in ids]


def table(headers: list[str], rows: Rows, *, color: bool = False,
          width: int | None = None) -> str:
    """Left-aligned columns, two spaces apart, a header line (bold when coloured).

    A ``STATUS`` column is coloured like the live view's statuses. With ``width`` (the
    terminal's) the last column wraps at word boundaries with a hanging indent under its own
    start, so a long message never breaks the columns; cut words stay whole.
    """
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    status = headers.index("STATUS") if color and "STATUS" in headers else -1
    indent = sum(widths[:-1]) + 2 * (len(widths) - 1)
    room = (width - 1 - indent) if width else 0
    wrap = width is not None and len(headers) > 1 and room >= 20 and indent + widths[-1] >= width

    def line(values: Sequence[str]) -> str:
        parts = [v.ljust(w) for v, w in zip(values, widths, strict=False)]
        if status >= 0 and status < len(values):
            parts[status] = paint(values[status], True, widths[status])
        if wrap and len(values) == len(headers):
            pieces = textwrap.wrap(values[-1], room, break_long_words=False,
                                   break_on_hyphens=False) or [""]
            parts[-1] = ("\n" + " " * indent).join(pieces)
        return "  ".join(parts).rstrip()

    head = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=False)).rstrip()
    if color:
        head = f"\x1b[1m{head}\x1b[0m"
    if not cells:
        return head + "\n(none)"
    return "\n".join([head, *(line(r) for r in cells)])


def to_yaml(data: Any) -> str:
    """Block-style YAML in the server's key order, UTF-8 kept as is."""
    import yaml

    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
    return text.rstrip("\n").removesuffix("\n...")  # a lone scalar's end-of-document mark


def _cell(value: Any) -> str:
    """One value as a cell: scalars as text (JSON's true/false/''), lists and objects as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return str(value)


def records(data: Any) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of any answer: a list of objects is a row each, under the union of their
    keys in first-seen order; a list of scalars is one ``value`` column; an object is one row
    (``--query`` picks a list out of it, e.g. ``--query executions``)."""
    items = data if isinstance(data, list) else [data]
    if items and all(isinstance(item, dict) for item in items):
        header = list(dict.fromkeys(key for item in items for key in item))
        return header, [[_cell(item.get(key)) for key in header] for item in items]
    return ["value"], [[_cell(item)] for item in items]


def to_csv(data: Any) -> str:
    """RFC 4180: a header row, CRLF line ends, fields quoted only when they need it."""
    import csv
    import io

    header, rows = records(data)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def to_tsv(data: Any) -> str:
    """Tab-separated with a header row; tabs, newlines and backslashes in a value escaped as
    ``\\t`` ``\\n`` ``\\\\`` (as PostgreSQL's and MySQL's text formats do), so a row is a line."""
    header, rows = records(data)
    return "".join("\t".join(cell.translate(_TSV_ESCAPES) for cell in row) + "\n"
                   for row in [header, *rows])


def wide(data: Any, *, color: bool = False) -> str:
    """Every field as a column (an object: one KEY VALUE row per field)."""
    if isinstance(data, dict):
        return table(["KEY", "VALUE"], [(k, _cell(v)) for k, v in data.items()], color=color)
    header, rows = records(data)
    return table([h.upper() for h in header], rows, color=color)


_SHAPES: dict[str, Callable[[Any, bool], str]] = {
    "wide": lambda data, color: wide(data, color=color),
    "yaml": lambda data, color: to_yaml(data),
    "csv": lambda data, color: to_csv(data),  # every record ends with CRLF, the last one too
    "tsv": lambda data, color: to_tsv(data).removesuffix("\n"),
}


def choose_format(setting: str, table: str, tty: bool) -> str:
    """``auto``: a table on a terminal when the command has one (``table``, its renderer's
    reference), JSON otherwise."""
    if setting == "auto":
        return "table" if tty and table else "json"
    if setting == "table" and not table:
        return "json"
    return setting


def render(
    data: Any,
    *,
    fmt: str = "json",
    color: bool = False,
    spec: TableSpec | None = None,
    raw: str | None = None,
    width: int | None = None,
) -> str:
    """The text to print for one answer (without a final newline, but CSV's last CRLF);
    ``spec`` is the command's table renderer (its ``table`` reference in the command table,
    loaded); ``width`` wraps tables."""
    if fmt == "raw":
        return raw.rstrip("\n") if raw is not None else to_json(data, indent=None)
    if fmt == "table" and spec is not None:
        try:
            headers, rows = spec(data)
        except (AttributeError, TypeError, KeyError, ValueError, IndexError) as err:
            # never a silent wrong table: the server's answer is not what the call returns
            raise BadResponse(f"the server's answer has a shape that cannot be shown as a table "
                              f"({type(err).__name__}: {err}); '-o json' shows it as it came"
                              ) from None
        return table(headers, rows, color=color, width=width)
    if fmt in _SHAPES:
        return _SHAPES[fmt](data, color)
    text = to_json(data)
    return colorize_json(text) if color else text
