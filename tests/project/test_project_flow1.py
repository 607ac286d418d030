"""Flow 1.0 loader: flows derived from .job files, errors worded as Azkaban's."""

from __future__ import annotations

from pathlib import Path

from azshell.project import load_directory

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

CMD = "type=command\ncommand=echo hi\n"


def job(deps: str = "", extra: str = "") -> str:
    return CMD + (f"dependencies={deps}\n" if deps else "") + extra


def test_etl_example_has_two_flows_and_a_diamond():
    loaded = load_directory(EXAMPLES / "flow1-etl")
    assert loaded.flow_version == "1.0"
    assert loaded.errors == []
    assert loaded.top_level_flows() == ["audit", "finish"]
    finish = loaded.flows["finish"]
    assert set(finish.nodes) == {"extract", "transform_a", "transform_b", "load", "finish"}
    assert finish.levels() == {
        "extract": 0, "transform_a": 1, "transform_b": 1, "load": 2, "finish": 3,
    }
    assert finish.nodes["finish"].type == "noop"
    assert finish.dependents()["extract"] == ["transform_a", "transform_b"]
    order = finish.topological_order()
    assert order[0] == "extract"
    assert order[-1] == "finish"
    assert order.index("load") > order.index("transform_b")


def test_etl_example_properties_are_inherited_and_not_substituted():
    loaded = load_directory(EXAMPLES / "flow1-etl")
    audit = loaded.flows["audit"].nodes["audit"]
    extract = loaded.flows["audit"].nodes["extract"]
    assert audit.source == "reports/audit.job"
    assert audit.props["greeting"] == "hello"          # from the parent directory
    assert audit.props["report.format"] == "csv"       # from its own directory
    assert "report.format" not in extract.props
    assert extract.props["command"] == "echo ${greeting} from extract of ${source.name}"
    assert loaded.flows["audit"].props["type"] == "command"   # flow props = root job's props


def test_failing_example_shape():
    loaded = load_directory(EXAMPLES / "flow1-failing")
    assert loaded.errors == []
    assert loaded.top_level_flows() == ["end"]
    end = loaded.flows["end"]
    assert end.start_nodes() == ["boom", "fine"]
    assert end.nodes["boom"].props["command"] == "sh -c 'echo boom >&2; exit 3'"


def test_job_shared_by_flows_and_root_node_forces_a_flow(load):
    loaded = load({
        "a.job": job(), "b.job": job("a"), "c.job": job("a"),
        "d.job": job("b", "root.node=true\n"), "e.job": job("d"),
    })
    assert loaded.errors == []
    assert loaded.top_level_flows() == ["c", "d", "e"]
    assert set(loaded.flows["d"].nodes) == {"a", "b", "d"}
    assert set(loaded.flows["c"].nodes) == {"a", "c"}
    assert loaded.job_names() == ["a", "b", "c", "d", "e"]


def test_missing_dependency(load):
    loaded = load({"a.job": job("nope, b"), "b.job": job()})
    assert loaded.errors == ["a cannot find dependency nope"]
    assert loaded.flows["a"].nodes["a"].dependencies == ["nope", "b"]
    assert loaded.flows["a"].levels() == {"b": 0, "a": 1}


def test_missing_type(load):
    loaded = load({"a.job": "command=echo\n"})
    assert loaded.errors == ["Job doesn't have type set 'a'."]
    assert loaded.flows["a"].nodes["a"].type == ""


def test_duplicate_job_names_and_ambiguous_dependency(load):
    loaded = load({"x/a.job": job(), "y/a.job": job(), "b.job": job("a")})
    assert sorted(loaded.errors) == [
        "Duplicate job names found 'a'.", "b has ambiguous dependency a",
    ]
    assert "a" not in loaded.job_names()


def test_self_cycle(load):
    loaded = load({"a.job": job("a"), "b.job": job()})
    assert loaded.errors == ["a has a self cycle"]
    assert loaded.top_level_flows() == ["b"]    # a depends on itself, so it is no root


def test_cycle_reported_at_the_edge_back_onto_the_path(load):
    loaded = load({"a.job": job("b"), "b.job": job("a"), "c.job": job("a")})
    assert loaded.errors == ["Cyclical dependency found at a>>b"]
    assert set(loaded.flows["c"].nodes) == {"a", "b", "c"}
    assert loaded.flows["c"].topological_order() == ["a", "b", "c"]   # blocked ones last


def test_pure_cycle_has_no_flow_and_no_error(load):
    # Faithful to Azkaban: no job is a root, so nothing is built and nothing is reported.
    loaded = load({"a.job": job("b"), "b.job": job("a")})
    assert loaded.flows == {}
    assert loaded.errors == []


def test_root_name_is_refused(load):
    loaded = load({"ROOT.job": job()})
    assert loaded.errors == ["ROOT is not allowed as a name. Pick some other name."]


def test_properties_chain_in_sorted_order_and_job_wins(load):
    loaded = load({
        "b.properties": "x=from-b\ny=from-b\n",
        "a.properties": "x=from-a\nz=from-a\n",
        "j.job": job(extra="y=from-job\n"),
        "sub/k.job": job(),
        "sub/s.properties": "z=from-sub\n",
    })
    props = loaded.flows["j"].nodes["j"].props
    assert (props["x"], props["y"], props["z"]) == ("from-b", "from-job", "from-a")
    assert loaded.flows["k"].nodes["k"].props["z"] == "from-sub"
    assert loaded.flows["k"].nodes["k"].props["x"] == "from-b"


def test_file_names_hidden_files_and_extensions(load):
    loaded = load({
        "a.b.job": job(), ".hidden.job": job(), ".job": job(), "notes.txt": "x",
        ".git/c.job": job(),      # hidden directories are walked (DirFilter), as Azkaban does
    })
    assert loaded.top_level_flows() == ["a.b", "c"]


def test_empty_directory_loads_with_no_flows(tmp_path):
    loaded = load_directory(tmp_path)
    assert (loaded.flows, loaded.errors, loaded.flow_version) == ({}, [], "1.0")


def test_embedded_flow(load):
    loaded = load({
        "outer.job": "type=flow\nflow.name=inner\n",
        "inner.job": job(),
    })
    assert loaded.errors == []
    node = loaded.flows["outer"].nodes["outer"]
    assert (node.type, node.embedded_flow) == ("flow", "inner")
    assert not loaded.flows["inner"].embedded     # 1.0 flows are all top-level


def test_embedded_flow_missing(load):
    loaded = load({"outer.job": "type=flow\nflow.name=nope\n"})
    assert loaded.errors == ["Flow outer depends on nope but can't be found."]


def test_embedded_flow_without_name(load):
    loaded = load({"outer.job": "type=flow\n"})
    assert loaded.errors == ["Flow outer depends on null but can't be found."]


def test_embedded_flow_cycle(load):
    loaded = load({"x.job": "type=flow\nflow.name=y\n", "y.job": "type=flow\nflow.name=x\n"})
    assert sorted(loaded.errors) == [
        "Embedded flow cycle found in x->y", "Embedded flow cycle found in y->x",
    ]


def test_memory_limits(load):
    loaded = load({
        "big.job": job(extra="Xmx=3G\nXms=512M\n"),
        "var.job": job(extra="Xmx=${heap}\n"),
        "ok.job": job(extra="Xmx=2g\nXms=1024m\n"),
    })
    assert loaded.errors == ["big: Xmx value has exceeded the allowed limit (max Xmx = 2G)"]


def test_condition_errors(load):
    loaded = load({
        "a.job": job(),
        "b.job": job("a", "condition=${a:x} == 1 && all_success && one_failed\n"),
        "c.job": job("b", "condition=${zz:x} == 1\n"),
        "d.job": job("a", "condition=what\n"),
    })
    assert sorted(loaded.errors) == [
        "Invalid condition for b: cannot combine more than one conditionOnJobStatus macros.",
        "Invalid condition for c: zz doesn't exist in the flow.",
        "Invalid condition for d: cannot resolve the condition. "
        "Please check the syntax for supported conditions.",
    ]
    assert loaded.flows["c"].nodes["b"].condition.startswith("${a:x}")


def test_condition_on_descendant(load):
    loaded = load({"a.job": job(extra="condition=${b:x} == 'y'\n"), "b.job": job("a")})
    assert loaded.errors == [
        "Invalid condition for a: should not define condition on its descendant node b."
    ]


def test_errors_come_in_java_hashset_order(load):
    files = {f"{name}.job": job(f"missing_{name}") for name in ("apple", "banana", "cherry")}
    loaded = load(files)
    # Order checked against a real JVM (HashSet iteration) for these exact strings.
    assert loaded.errors == [
        "apple cannot find dependency missing_apple",
        "cherry cannot find dependency missing_cherry",
        "banana cannot find dependency missing_banana",
    ]


def test_large_layered_graph_loads_quickly(load):
    # 2 x 40 layers, every node depends on both nodes of the layer below: 2^40 paths.
    files = {"l0a.job": job(), "l0b.job": job()}
    for level in range(1, 40):
        deps = f"l{level - 1}a,l{level - 1}b"
        files[f"l{level}a.job"] = job(deps)
        files[f"l{level}b.job"] = job(deps)
    files["top.job"] = job("l39a,l39b")
    loaded = load(files)
    assert loaded.errors == []
    assert loaded.flows["top"].levels()["top"] == 40


def test_long_chain_into_a_cycle_does_not_exhaust_the_stack(load):
    files = {"c0.job": job("c1")}
    for i in range(1, 1500):
        files[f"c{i}.job"] = job(f"c{i + 1}")
    files["c1500.job"] = job("c1499", "condition=${c0:x} == 1\n")
    loaded = load(files)
    assert "Cyclical dependency found at c1499>>c1500" in loaded.errors
    assert "Invalid condition for c1500: should not define condition on its descendant node c0." \
        in loaded.errors
    assert len(loaded.flows["c0"].nodes) == 1501
