"""``lint``: what Azkaban would refuse, and what it accepts and then runs wrong.

The loader's own errors come first (the upload would fail on them). The other checks find what
passes the upload and fails later, often at night: bytes Azkaban reads as ISO-8859-1, CRLF line
ends, a script a command names that is missing or not executable, a ``${name}`` nothing defines,
a dependency on a job of another flow, a job type the executor has no plugin for, and Flow 2.0
YAML keys or value types the bean binding refuses (here with their line). Each finding names a
file and a line, a severity (``error``: the upload or the run fails; ``warning``: it runs, maybe
not as meant; ``note``: often meant, worth knowing) and a fix.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azshell.errors import LocalError, ProjectLoadError

from .findings import ERROR, NOTE, WARNING, Finding
from .lint_yaml import flow_yaml_findings, project_file_findings
from .loader import load_directory
from .model import LoadedProject
from .packaging import project_files
from .properties import VARIABLE
from .tree import project_tree

# Job types of a stock Azkaban with the usual jobtype plugins (azkaban-jobtype), used when the
# server does not say which it has (Azkaban has no call that lists them).
COMMON_JOB_TYPES = frozenset({
    "command", "noop", "flow", "javaprocess", "java", "hadoopJava", "hadoopShell", "hive",
    "pig", "spark", "python", "ruby", "script", "hadoopJavaProcess",
})
# What the executor adds to every job's properties (CommonJobProperties, JobRunner), so a
# ``${...}`` naming one of them resolves at run time.
BUILTIN_PROPERTIES = frozenset({
    "azkaban.flow.flowid", "azkaban.flow.execid", "azkaban.flow.projectid",
    "azkaban.flow.projectname", "azkaban.flow.projectversion", "azkaban.flow.submituser",
    "azkaban.flow.executionsource", "azkaban.flow.uuid", "azkaban.flow.start.timestamp",
    "azkaban.flow.start.year", "azkaban.flow.start.month", "azkaban.flow.start.day",
    "azkaban.flow.start.hour", "azkaban.flow.start.minute", "azkaban.flow.start.second",
    "azkaban.flow.start.milliseconds", "azkaban.flow.start.timezone", "azkaban.flow.nested.path",
    "azkaban.job.id", "azkaban.job.attempt", "azkaban.job.innodes", "azkaban.job.outnodes",
    "azkaban.job.attachment.file", "azkaban.job.metadata.file", "azkaban.job.execid",
    "working.dir", "user.to.proxy", "azkaban.link.execution.url", "azkaban.link.workflow.url",
    "azkaban.link.job.url", "azkaban.link.attempt.url", "azkaban.server.name",
    "JOB_PROP_FILE", "JOB_OUTPUT_PROP_FILE", "JOB_NAME",
})
INTERPRETERS = frozenset({"sh", "bash", "zsh", "ksh", "dash", "python", "python2", "python3",
                          "perl", "ruby", "node", "Rscript", "php"})
SCRIPT_SUFFIXES = (".sh", ".bash", ".py", ".pl", ".rb", ".js", ".R", ".php", ".ksh", ".zsh")
_COMMAND_KEY = re.compile(r"command(\.\d+)?")
__all__ = ["BUILTIN_PROPERTIES", "COMMON_JOB_TYPES", "ERROR", "NOTE", "WARNING", "Finding",
           "LintReport", "check_path", "lint", "script_of"]


@dataclass
class LintReport:
    """Every finding of one project, errors first; ``loaded`` is None when nothing loaded."""

    path: str
    findings: list[Finding]
    loaded: LoadedProject | None = None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def notes(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == NOTE]

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "ok": not self.errors, "errors": len(self.errors),
                "warnings": len(self.warnings), "notes": len(self.notes),
                "findings": [f.to_dict() for f in self.findings]}


def lint(path: Path, job_types: Iterable[str] | None = None) -> LintReport:
    """Lint a project directory or zip; ``job_types`` are the server's, when it tells them."""
    path = Path(path)
    with project_tree(path) as root:
        findings, loaded = _lint_directory(root, frozenset(job_types or COMMON_JOB_TYPES))
    order = {ERROR: 0, WARNING: 1, NOTE: 2}
    findings.sort(key=lambda f: (order.get(f.severity, 2), f.file, f.line or 0, f.check))
    return LintReport(str(path), findings, loaded)


def _lint_directory(root: Path, job_types: frozenset[str]) -> tuple[list[Finding], Any]:
    files = [(name, file) for name, file in project_files(root)]
    findings: list[Finding] = []
    yaml_files: set[str] = set()
    for name, file in files:
        if name.endswith(".flow"):
            found = list(flow_yaml_findings(name, file.read_bytes()))
            if any(f.severity == ERROR for f in found):
                yaml_files.add(Path(name).name)
            findings += found
        elif name.endswith(".project"):
            findings += project_file_findings(name, file.read_bytes())
    try:
        loaded = load_directory(root)
    except ProjectLoadError as err:
        findings.append(Finding("", None, ERROR, "loader", str(err),
                                "Azkaban refuses the upload with this message; fix the file "
                                "it names"))
        return findings + _file_findings(files), None
    sources = _sources(loaded)
    for message in loaded.errors:
        where = _error_file(message, sources)
        if Path(where).name in yaml_files and "Error loading flow yaml" in message:
            continue  # said above, with its line
        findings.append(Finding(where, None, ERROR, "loader", message,
                                "Azkaban refuses the upload with this error"))
    findings += _file_findings(files)
    findings += list(_job_findings(root, loaded, job_types))
    findings += list(_reference_findings(root, files, loaded))
    findings += list(_shared_job_findings(loaded))
    return findings, loaded


# -- files: bytes and line ends -----------------------------------------------------------------

def _file_findings(files: list[tuple[str, Path]]) -> list[Finding]:
    found: list[Finding] = []
    for name, file in files:
        if not name.endswith((".job", ".properties", *SCRIPT_SUFFIXES)):
            continue
        try:
            data = file.read_bytes()
        except OSError:
            continue
        if name.endswith((".job", ".properties")):
            found += non_ascii_findings(name, data)
        found += crlf_findings(name, data)
    return found


def non_ascii_findings(name: str, data: bytes) -> list[Finding]:
    """Azkaban loads ``.job`` and ``.properties`` files with ``Properties.load(InputStream)``:
    ISO-8859-1, so UTF-8 text arrives garbled (``é`` becomes ``Ã©``)."""
    lines = [number for number, line in enumerate(data.split(b"\n"), 1)
             if any(byte > 0x7F for byte in line)]
    if not lines:
        return []
    more = f" (and {len(lines) - 1} more line{'s' if len(lines) > 2 else ''})" if lines[1:] else ""
    sample = _first_non_ascii(data.split(b"\n")[lines[0] - 1])
    return [Finding(name, lines[0], WARNING, "non-ascii",
                    f"non-ASCII bytes{more}: Azkaban reads this file as ISO-8859-1, so "
                    f"{sample} arrives garbled",
                    "write each such character as a \\uXXXX escape (native2ascii), or keep "
                    "the file ASCII")]


def _first_non_ascii(line: bytes) -> str:
    text = line.decode("utf-8", errors="replace")
    char = next((c for c in text if ord(c) > 0x7F), "?")
    if char == "\ufffd":
        return "a byte above 0x7F"
    escaped = f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else "an escape"
    return f"{char!r} (write {escaped})"


def crlf_findings(name: str, data: bytes) -> list[Finding]:
    """A script with CRLF ends fails (``/bin/sh^M: bad interpreter``, ``$'\\r': command not
    found``); in properties the ``\\r`` is harmless to Java but not to the scripts that read
    them, and it marks a file saved by a Windows editor."""
    if b"\r\n" not in data:
        return []
    first = data.split(b"\n").index(next(line for line in data.split(b"\n")
                                          if line.endswith(b"\r"))) + 1
    count = data.count(b"\r\n")
    return [Finding(name, first, WARNING, "crlf",
                    f"{count} line{'s end' if count > 1 else ' ends'} in CRLF (Windows line "
                    "ends)",
                    "convert the file to LF line ends (dos2unix, or your editor's line-end "
                    "setting)")]


# -- jobs: types and commands -------------------------------------------------------------------

def _job_findings(root: Path, loaded: LoadedProject, job_types: frozenset[str],
                  ) -> Iterator[Finding]:
    seen: set[tuple[str, str]] = set()
    for flow in loaded.flows.values():
        for node in flow.nodes.values():
            key = (node.source, node.name)
            if key in seen:
                continue
            seen.add(key)
            yield from _type_findings(root, node, job_types)
            yield from _command_findings(root, node)


def _type_findings(root: Path, node: Any, job_types: frozenset[str]) -> Iterator[Finding]:
    if not node.type or node.type in job_types or VARIABLE.search(node.type):
        return
    close = difflib.get_close_matches(node.type, sorted(job_types), n=1, cutoff=0.6)
    hint = f"did you mean type={close[0]}? " if close else ""
    yield Finding(node.source, _line_of(root, node.source, "type", node.name), WARNING,
                  "job-type", f"job {node.name} has type {node.type!r}, which is not a job type "
                  "the server is known to have: the job fails with 'Job type ... is "
                  "unrecognized'",
                  f"{hint}use one of {', '.join(sorted(job_types))}, or install that jobtype "
                  "plugin on the executors")


def _command_findings(root: Path, node: Any) -> Iterator[Finding]:
    if node.type != "command":
        return
    job_dir = (root / node.source).parent
    for key in sorted(k for k in node.props if _COMMAND_KEY.fullmatch(k)):
        script = script_of(node.props[key])
        if script is None:
            continue
        path, needs_exec = script
        target = (job_dir / path) if not os.path.isabs(path) else Path(path)
        line = _line_of(root, node.source, key, node.name)
        shown = os.path.normpath(os.path.join(os.path.dirname(node.source), path))
        if not target.is_file():
            if os.path.isabs(path):
                continue  # a file on the executors, not in the project
            yield Finding(node.source, line, ERROR, "script-missing",
                          f"job {node.name}: {key} runs {path}, which is not in the project "
                          f"(looked for {shown}; commands run in the job file's directory)",
                          f"add {shown} to the project, or fix the path in {key}")
        elif needs_exec and not target.stat().st_mode & stat.S_IXUSR:
            yield Finding(node.source, line, ERROR, "script-not-executable",
                          f"job {node.name}: {key} runs {path}, which is not executable: "
                          "'Permission denied'",
                          f"chmod +x {shown} (zip tools keep the bit), or run it as "
                          f"'sh {path}'")


def script_of(command: str) -> tuple[str, bool] | None:
    """``(path, must be executable)`` of the project file a command runs, if it names one:
    ``./run.sh``, ``bin/run.sh`` (executable) or ``bash run.sh``, ``python3 x.py`` (read)."""
    words = _words(command)
    if not words:
        return None
    first = words[0]
    if "/" in first and not first.startswith(("~", "$")):
        return first, True
    if os.path.basename(first) not in INTERPRETERS:
        return None
    for word in words[1:]:
        if word in ("-c", "-m", "-e"):
            return None  # inline code or a module, not a file
        if word.startswith("-"):
            continue
        return (word, False) if word.endswith(SCRIPT_SUFFIXES) or "/" in word else None
    return None


def _words(command: str) -> list[str]:
    """The command's words up to the first that uses the shell's expansions (``${x}``,
    ``$(...)``: what it names is known only at run time)."""
    try:
        words = shlex.split(command)
    except ValueError:
        return []
    cut = next((i for i, word in enumerate(words) if "$" in word or "`" in word), len(words))
    return words[:cut]


def _line_of(root: Path, source: str, key: str, job: str) -> int | None:
    """The line that sets ``key`` in a job's file (``key=``, ``key:``, or YAML ``key:`` near the
    job's node); None when it comes from elsewhere (a .properties file)."""
    try:
        lines = (root / source).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    pattern = re.compile(rf"^\s*(?:-\s*)?{re.escape(key)}\s*[=: ]")
    start = 0
    if source.endswith(".flow"):
        name = re.compile(rf"^\s*-?\s*name\s*:\s*['\"]?{re.escape(job)}['\"]?\s*$")
        start = next((i for i, text in enumerate(lines) if name.match(text)), 0)
    for number in range(start, len(lines)):
        if pattern.match(lines[number]):
            return number + 1
    return None


# -- ${...} references --------------------------------------------------------------------------

def _reference_findings(root: Path, files: list[tuple[str, Path]], loaded: LoadedProject,
                        ) -> Iterator[Finding]:
    """A name no job's properties, flow config or built-in defines fails the job with 'Could
    not find variable substitution' unless each execution passes it as a flow parameter."""
    missing: dict[str, list[str]] = {}
    for flow in loaded.flows.values():
        for node in flow.nodes.values():
            known = set(node.props) | BUILTIN_PROPERTIES
            for value in node.props.values():
                for name in VARIABLE.findall(value or ""):
                    if name not in known and node.name not in missing.setdefault(name, []):
                        missing[name].append(node.name)
    if not missing:
        return
    for name, jobs in sorted(missing.items()):
        places = list(_occurrences(files, name))
        file, line = places[0] if places else ("", None)
        shown = ", ".join(sorted(jobs)[:5]) + (", ..." if len(jobs) > 5 else "")
        yield Finding(file, line, WARNING, "unresolved",
                      f"${{{name}}} is defined by no properties file, flow config or Azkaban "
                      f"built-in (used by job{'s' if len(jobs) > 1 else ''} {shown}): the job "
                      "fails with 'Could not find variable substitution' unless the execution "
                      "sets it",
                      f"define {name} in a .properties file (or the flow's config), or pass "
                      f"--param {name}=VALUE on every execution and schedule")


def _occurrences(files: list[tuple[str, Path]], name: str) -> Iterator[tuple[str, int]]:
    needle = f"${{{name}}}".encode()
    for rel, file in files:
        if not rel.endswith((".job", ".properties", ".flow")):
            continue
        try:
            data = file.read_bytes()
        except OSError:
            continue
        for number, line in enumerate(data.split(b"\n"), 1):
            if needle in line:
                yield rel, number


def _shared_job_findings(loaded: LoadedProject) -> Iterator[Finding]:
    """Flow 1.0 builds a flow from each job nothing depends on: a job two such jobs depend on
    belongs to both flows and runs in each, which is rarely what was meant."""
    if loaded.flow_version != "1.0":
        return
    owners: dict[str, list[str]] = {}
    sources: dict[str, str] = {}
    for fid in loaded.top_level_flows():
        for name, node in loaded.flows[fid].nodes.items():
            owners.setdefault(name, []).append(fid)
            sources[name] = node.source
    for name, flows in sorted(owners.items()):
        if len(flows) > 1:
            yield Finding(sources[name], None, NOTE, "shared-job",
                          f"job {name} belongs to flows {', '.join(flows)} (jobs of each "
                          "depend on it): it runs once in each of them",
                          "if one flow was meant, make the other flows' last jobs depend on "
                          "one end job; else split the shared job into one copy per flow")


def _sources(loaded: LoadedProject) -> dict[str, str]:
    return {name: node.source for flow in loaded.flows.values()
            for name, node in flow.nodes.items()}


def _error_file(message: str, sources: dict[str, str]) -> str:
    """The file a loader error is about: a ``.flow`` file it names, else a job it names."""
    match = re.search(r"([\w.-]+\.flow)\b", message)
    if match:
        return match.group(1)
    for name in sorted(sources, key=len, reverse=True):
        if re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w.-])", message):
            return sources[name]
    return ""


def check_path(path: Path, what: str) -> Path:
    """The path a lint, plan or test names: an existing directory or ``.zip``."""
    path = Path(path).expanduser()
    if not path.exists():
        raise LocalError(f"{what}: no such file or directory: {path}")
    if not (path.is_dir() or path.name.lower().endswith(".zip")):
        raise LocalError(f"{what}: {path} is neither a directory nor a .zip file")
    return path
