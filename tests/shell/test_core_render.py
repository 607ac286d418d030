"""Renderers: pure functions from an answer to text."""

from __future__ import annotations

import json
import re

import pytest

from azshell.shell.run.render import (
    choose_format,
    duration,
    jobs_table,
    projects_table,
    render,
    table,
    when,
)

PROJECT = {
    "projectId": 12, "projectName": "demo", "createdBy": "azkaban", "createdTime": 1690000000000,
    "userPermissions": [{"first": "azkaban", "second": {"types": ["READ", "ADMIN"]}}],
    "groupPermissions": [],
}


def test_plain_json_is_parseable_and_keeps_unicode() -> None:
    data = {"name": "café", "n": [1, 2, None]}
    text = render(data, fmt="json", color=False)
    assert json.loads(text) == data
    assert "café" in text
    assert "\x1b" not in text


def test_coloured_json_has_ansi_codes_and_the_same_content() -> None:
    text = render({"a": 1}, fmt="json", color=True)
    assert "\x1b[" in text
    plain = __import__("re").sub(r"\x1b\[[0-9;]*m", "", text)
    assert json.loads(plain) == {"a": 1}


def test_coloured_json_colours_the_tokens_only() -> None:
    data = {"name": 'say "hi": 12 true', "n": -1.5, "ok": True, "none": None,
            "list": [1, {"inner": "x"}], "café": "é\n"}
    plain = render(data, fmt="json", color=False)
    text = render(data, fmt="json", color=True)
    assert re.sub(r"\x1b\[[0-9;]*m", "", text) == plain
    spans = re.findall(r"\x1b\[(\d+)m(.*?)\x1b\[39;49;00m", text)
    assert spans == [
        ("94", '"name"'), ("33", '"say \\"hi\\": 12 true"'), ("94", '"n"'), ("34", "-1.5"),
        ("94", '"ok"'), ("34", "true"), ("94", '"none"'), ("34", "null"), ("94", '"list"'),
        ("34", "1"), ("94", '"inner"'), ("33", '"x"'), ("94", '"café"'), ("33", '"é\\n"'),
    ]
    assert len(re.findall(r"\x1b\[", text)) == 2 * len(spans)  # nothing else is coloured
    big = {"rows": [{"id": i, "name": f"job{i}", "done": i % 2 == 0} for i in range(50)]}
    # pygments' default terminal scheme painted the whitespace too: about 4x the plain bytes
    assert len(render(big, fmt="json", color=True)) < 2.5 * len(render(big, fmt="json"))


def test_raw_prefers_the_servers_text() -> None:
    assert render({"a": 1}, fmt="raw", raw='{"a" : 1}\n') == '{"a" : 1}'
    assert render({"a": 1}, fmt="raw") == '{"a": 1}'


def test_projects_table() -> None:
    text = render([PROJECT], fmt="table", spec=projects_table)
    head, row = text.splitlines()
    assert head.split() == ["PROJECT", "ID", "LAST", "MODIFIED", "BY", "CREATED", "USERS"]
    assert row.startswith("demo ")
    assert "azkaban:ADMIN,READ" in row
    assert projects_table([PROJECT])[1][0][1] == 12


def test_empty_table_says_none() -> None:
    assert table(["A"], []) == "A\n(none)"


def test_table_columns_line_up() -> None:
    text = table(["NAME", "N"], [("a", 1), ("longer", 22)])
    assert text.splitlines() == ["NAME    N", "a       1", "longer  22"]


def test_jobs_table_walks_embedded_flows() -> None:
    graph = {"flow": "main", "nodes": [
        {"id": "a", "type": "command"},
        {"id": "sub", "type": "flow", "in": ["a"], "nodes": [{"id": "x", "type": "noop"}]},
    ]}
    rows = jobs_table(graph)[1]
    assert [r[0] for r in rows] == ["a", "sub", "sub:x"]
    assert rows[1][2] == "a"


def test_choose_format() -> None:
    assert choose_format("auto", "projects", tty=True) == "table"
    assert choose_format("auto", "projects", tty=False) == "json"
    assert choose_format("auto", "", tty=True) == "json"
    assert choose_format("table", "", tty=True) == "json"
    assert choose_format("raw", "projects", tty=True) == "raw"


def test_times() -> None:
    assert when(-1) == "-"
    assert when(None) == "-"
    assert len(when(1690000000000)) == len("2023-07-22 04:26:40")
    assert duration(1000, 66000) == "1m 05s"
    assert duration(1000, 4000) == "3s"
    assert duration(0, 5) == "-"
    assert duration(0 + 1, 3_600_001 + 1) == "1h 00m"


def test_an_answer_that_no_table_can_show_is_an_error_not_a_traceback() -> None:
    """Found by the fuzz suite: ``{"nodes": [null]}`` from fetchflowgraph crashed the jobs
    table with AttributeError; it is a BadResponse (exit 1) naming the shape, and JSON still
    shows it."""
    from azshell.errors import BadResponse

    for answer in ({"nodes": [None]}, {"nodes": True}):
        with pytest.raises(BadResponse, match="cannot be shown as a table"):
            render(answer, fmt="table", spec=jobs_table)
        assert render(answer, fmt="json")
