"""Graph questions on a Flow, and the Java HashSet order emulation."""

from __future__ import annotations

from azshell.project import Flow, LoadedProject, Node
from azshell.project.javaorder import java_order, java_string_hash


def node(name: str, *deps: str) -> Node:
    return Node(name=name, type="noop", props={}, dependencies=list(deps))


def flow(*nodes: Node) -> Flow:
    return Flow(id="f", nodes={n.name: n for n in nodes}, props={})


def test_levels_are_longest_paths():
    f = flow(node("a"), node("b", "a"), node("c", "a", "b"), node("d"), node("e", "c", "d"))
    assert f.levels() == {"a": 0, "d": 0, "b": 1, "c": 2, "e": 3}
    assert f.topological_order() == ["a", "b", "c", "d", "e"]
    assert f.dependents() == {"a": ["b", "c"], "b": ["c"], "c": ["e"], "d": ["e"], "e": []}
    assert (f.start_nodes(), f.end_nodes()) == (["a", "d"], ["e"])


def test_missing_dependencies_are_not_edges():
    f = flow(node("a", "ghost"), node("b", "a"))
    assert f.levels() == {"a": 0, "b": 1}


def test_loaded_project_lists():
    inner = Flow(id="p:e", nodes={"x": node("x")}, props={}, embedded=True)
    outer = flow(node("e"), node("a", "e"))
    loaded = LoadedProject(flow_version="2.0", flows={"p:e": inner, "f": outer})
    assert loaded.top_level_flows() == ["f"]
    assert loaded.job_names() == ["a", "e", "x"]
    assert loaded.ok


def test_java_string_hash():
    assert java_string_hash("hello") == 99162322
    assert java_string_hash("banana") == (-1396355227) & 0xFFFFFFFF
    assert java_string_hash("") == 0


def test_java_order_matches_a_real_jvm():
    # Outputs of `new HashSet<>(...)` iteration printed by a JVM for these inputs.
    assert java_order(["apple", "banana", "cherry"]) == ["banana", "apple", "cherry"]
    assert java_order(["one", "two", "three", "four", "five"]) == [
        "four", "one", "two", "three", "five",
    ]
    assert java_order(["x", "x", "y"]) == ["x", "y"]


def test_java_order_after_resizes_matches_a_real_jvm():
    words = [
        "extract", "transform_a", "transform_b", "load", "finish", "audit", "report", "cleanup",
        "notify", "archive", "backup", "sync", "index", "publish", "validate", "merge", "split",
        "sort", "fetch", "push",
    ]
    assert java_order(words) == [
        "backup", "index", "archive", "sort", "sync", "notify", "push", "extract", "split", "load",
        "cleanup", "audit", "publish", "merge", "fetch", "report", "finish", "transform_b",
        "transform_a", "validate",
    ]
