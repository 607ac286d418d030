"""The layers import in one direction only (docs/architecture.md lists the allowed arrows).

Read from the source with ``ast``, every import counted, function-level ones included, so a
lazy import cannot slip past: no client, project or sandbox module imports the shell (or the
command line), the sandbox never imports the client (it must not share the client's mistakes),
and the client never imports the sandbox.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "azshell"

# layer -> the azshell layers it may import (itself always allowed)
ALLOWED: dict[str, frozenset[str]] = {
    "errors": frozenset(),
    "threads": frozenset(),
    "quartz": frozenset({"errors"}),
    "project": frozenset({"errors", "quartz"}),
    "client": frozenset({"errors", "project", "threads", "version"}),
    "sandbox": frozenset({"errors", "project", "quartz", "threads", "version"}),
    "shell": frozenset({"errors", "project", "quartz", "client", "threads", "version"}),
    "cli": frozenset({"errors", "shell", "sandbox", "threads", "version", "completion",
                      "manpage", "options"}),
    # the option parser of the `azshell` command (its --help lists the table's commands)
    "options": frozenset({"shell", "errors", "version"}),
    # beside the layers: generated from the option parser and the command table
    "completion": frozenset({"options", "shell", "errors", "version"}),
    "manpage": frozenset({"options", "shell", "errors", "version"}),
    # the pytest plugin for users' own projects: a sandbox and a client to talk to it
    "testing": frozenset({"client", "sandbox", "project", "errors", "version"}),
    "main": frozenset({"cli"}),
    "version": frozenset(),
}


def _layer(module: str) -> str:
    """``azshell.client.api`` -> ``client``; ``azshell`` itself (``__version__``) -> version."""
    parts = module.split(".")
    if parts[0] != "azshell":
        return ""
    if len(parts) == 1 or parts[1] == "__init__":
        return "version"
    return {"__main__": "main"}.get(parts[1], parts[1])


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "azshell":  # from azshell import quartz / __version__
                found += [(node.lineno, f"azshell.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
    return found


SOURCES = sorted(PACKAGE.rglob("*.py"))


# one module may cross a layer on purpose: `test PATH FLOW` runs the flow on a sandbox of its own
EXCEPTIONS = {"azshell/shell/handlers/localrun.py": frozenset({"sandbox"})}


def violations(path: Path) -> list[str]:
    mine = _layer(_module_name(path))
    where = str(path.relative_to(PACKAGE.parent))
    allowed = ALLOWED[mine] | {mine} | EXCEPTIONS.get(where, frozenset())
    bad: list[str] = []
    for line, name in _imports(path):
        other = _layer(name)
        if name.startswith("azshell.__version__"):
            other = "version"
        if other and other not in allowed:
            bad.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {mine} imports {name}")
    return bad


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_follow_the_layers(path: Path) -> None:
    assert violations(path) == []


def test_the_check_sees_a_lazy_import(tmp_path: Path) -> None:
    """The rule is not vacuous: a function-level import of the shell from the client is caught."""
    fake = PACKAGE / "client" / "answers.py"
    source = fake.read_text(encoding="utf-8")
    probe = tmp_path / "probe.py"
    probe.write_text(source + "\n\ndef _f():\n    from azshell.shell.run.context import Context\n",
                     encoding="utf-8")
    names = [name for _, name in _imports(probe)]
    assert "azshell.shell.run.context" in names
    assert _layer("azshell.shell.run.context") not in ALLOWED["client"]
    assert _layer("azshell.client.api") not in ALLOWED["sandbox"]


# -- no import cycles between azshell modules, function-level imports included -----------------

# None left: the option parser moved from cli.py to options.py, which completion.py and
# manpage.py read and cli.py runs.
KNOWN_CYCLES: list[frozenset[str]] = []

MODULES = {_module_name(path): path for path in SOURCES}


def _runtime_imports(module: str, source: str) -> set[str]:
    """The azshell modules ``module`` imports when it runs, at any depth of the code (imports
    under ``if TYPE_CHECKING:`` are for the type checker only); ``from azshell.x import y``
    counts as ``azshell.x.y`` when that is a module, and relative imports are resolved."""
    tree = ast.parse(source)
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            typing_only |= {id(inner) for stmt in node.body for inner in ast.walk(stmt)}
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in MODULES else base)
    return {name for name in found if name in MODULES and name != module}


def import_cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                cycles.append(frozenset(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_no_import_cycles() -> None:
    """A cycle hidden in a function-level import still ties two modules into one: the
    shared piece belongs in a module both import (docs/architecture.md)."""
    graph = {name: _runtime_imports(name, path.read_text(encoding="utf-8"))
             for name, path in MODULES.items()}
    found = [sorted(cycle) for cycle in import_cycles(graph) if cycle not in KNOWN_CYCLES]
    assert found == []


def test_the_cycle_check_sees_a_lazy_import() -> None:
    """Not vacuous: a function-level import back from debuglog into verbose makes a cycle,
    and one under TYPE_CHECKING does not."""
    name = "azshell.shell.debugging.debuglog"
    source = MODULES[name].read_text(encoding="utf-8")
    graph = {other: _runtime_imports(other, path.read_text(encoding="utf-8"))
             for other, path in MODULES.items()}
    lazy = source + "\n\ndef _f():\n    from azshell.shell.debugging.verbose import observer\n"
    graph[name] = _runtime_imports(name, lazy)
    assert frozenset({name, "azshell.shell.debugging.verbose"}) in import_cycles(graph)
    typed = source + "\n\nif TYPE_CHECKING:\n    from azshell.shell.debugging import verbose\n"
    graph[name] = _runtime_imports(name, typed)
    assert frozenset({name, "azshell.shell.debugging.verbose"}) not in import_cycles(graph)
