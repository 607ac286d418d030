"""Prefix-then-fuzzy matching of names, with bounded menus."""

from __future__ import annotations

from azshell.shell.names.matching import MENU_LIMIT, NameIndex, fuzzy


def test_prefix_matches_ignore_case_and_keep_order() -> None:
    index = NameIndex({"Demo": "", "demo2": "", "alpha": "", "DEMOTE": "", "x": ""})
    assert index.prefixed("dem") == ["Demo", "demo2", "DEMOTE"]
    assert index.prefixed("") == ["alpha", "Demo", "demo2", "DEMOTE", "x"]
    assert index.prefixed("zzz") == []


def test_prefix_matches_come_before_fuzzy_ones() -> None:
    index = NameIndex(dict.fromkeys(("daily_etl", "etl_daily", "e_t_l", "eltx", "reports"), ""))
    assert index.match("etl") == ["etl_daily", "daily_etl", "e_t_l"]


def test_fuzzy_prefers_tight_then_early_matches() -> None:
    names = ["xxaxxbxxc", "abc_long_name", "zabc", "a_b_c"]
    assert fuzzy(names, "abc") == ["abc_long_name", "zabc", "a_b_c", "xxaxxbxxc"]


def test_one_letter_is_prefix_then_word_parts() -> None:
    index = NameIndex(dict.fromkeys(("apple", "banana", "sales_audit", "big-app", "bar.a"), ""))
    assert index.match("a") == ["apple", "bar.a", "big-app", "sales_audit"]
    assert index.match("n") == []  # a letter inside a word is not enough


def test_menus_are_bounded() -> None:
    index = NameIndex({f"project_{i:05d}": "" for i in range(5000)})
    assert len(index.match("project_")) == MENU_LIMIT
    assert len(index.match("pj")) == MENU_LIMIT
    assert index.match("project_0004", limit=5) == [f"project_0004{i}" for i in range(5)]


def test_special_characters_are_literal() -> None:
    index = NameIndex({"a.b": "", "axb": "", "a*": ""})
    assert index.match("a.") == ["a.b"]
    assert fuzzy(["a*", "ab"], "a*") == ["a*"]


def test_meta_and_membership() -> None:
    index = NameIndex([("demo", "Nightly"), ("etl", "")])
    assert "demo" in index
    assert "nope" not in index
    assert index.meta["demo"] == "Nightly"
    assert len(index) == 2
