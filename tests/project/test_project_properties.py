"""Java properties syntax and ${} substitution (outputs checked against java.util.Properties)."""

from __future__ import annotations

import pytest

from azshell.errors import ProjectLoadError
from azshell.project import SubstitutionError, properties_load, resolve_props, substitute


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a=1\nb = 2\nc:3\nd 4\n  e\t=\t5  \n",
         {"a": "1", "b": "2", "c": "3", "d": "4", "e": "5  "}),
        ("# comment\n! also\n\n   \nkey=value \\\n    continued \\\n  more\nx=y",
         {"key": "value continued more", "x": "y"}),
        ("path=c:\\\\dir\nesc=tab\\there\\nnl\nuni=\\u00e9t\\u00E9\n",
         {"path": "c:\\dir", "esc": "tab\there\nnl", "uni": "été"}),
        ("key\\ with\\ space=v\nk\\=eq=v2\nk\\:c:v3\n",
         {"key with space": "v", "k=eq": "v2", "k:c": "v3"}),
        ("empty=\nnovalue\n=onlyvalue\n", {"empty": "", "novalue": "", "": "onlyvalue"}),
        ("a=1\na=2\n", {"a": "2"}),
        ("x=foo\\\n# not a comment\n", {"x": "foo# not a comment"}),
        ("odd=\\\\\\\nnext\neven=\\\\\\\\\nz=1\n", {"odd": "\\next", "even": "\\\\", "z": "1"}),
        ("k=v\r\nk2=v2\rk3=v3\n", {"k": "v", "k2": "v2", "k3": "v3"}),
        ("a==b\nb=:c\nc :=d\n", {"a": "=b", "b": ":c", "c": "=d"}),
    ],
)
def test_properties_syntax(text, expected):
    assert properties_load(text) == expected


def test_malformed_unicode_escape_is_an_exception(tree):
    from azshell.project import load_directory

    root = tree({"a.job": "type=noop\nx=\\u12\n"})
    with pytest.raises(ProjectLoadError, match=r"Malformed \\uxxxx encoding\."):
        load_directory(root)


def test_substitute_recursive_and_lenient():
    params = {"greeting": "hello", "who": "${name}", "name": "world"}
    assert substitute("${greeting} ${who}!", params) == "hello world!"
    assert substitute("${unknown} and ${greeting}", params) == "${unknown} and hello"
    assert substitute("${not valid} $greeting ${}", params) == "${not valid} $greeting ${}"


def test_substitute_strict_uses_azkaban_messages():
    with pytest.raises(SubstitutionError) as info:
        substitute("x ${a}", {"a": "${b}"}, strict=True)
    assert str(info.value) == "Could not find variable substitution for variable(s) [a->b]"
    with pytest.raises(SubstitutionError) as info:
        substitute("${a}", {"a": "${b}", "b": "${a}"}, strict=True)
    assert str(info.value) == "Circular variable substitution found: [a->b] -> [a]"


def test_resolve_props():
    resolved = resolve_props({"a": "1", "b": "${a}2", "c": "${b}3"})
    assert resolved == {"a": "1", "b": "12", "c": "123"}
    circular = r"^Circular variable substitution found: \[a\] -> \[a\]$"
    with pytest.raises(SubstitutionError, match=circular):
        resolve_props({"a": "${a}"})
