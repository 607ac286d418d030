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
                      "manpage"}),
    # beside the layers: generated from the option parser and the command table
    "completion": frozenset({"cli", "shell", "errors", "version"}),
    "manpage": frozenset({"cli", "shell", "errors", "version"}),
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
