"""The package as a user gets it: the sdist and the wheel built from it, their metadata, and the
wheel installed into a fresh virtual environment with every dependency at its declared floor, on
the oldest supported Python found here (3.10 from pyenv where it is installed), then run.

The build runs without an isolated environment (setuptools and build are test dependencies),
so nothing is downloaded for it; the floors install takes a few seconds from the package index
(or its cache).
"""

from __future__ import annotations

import email
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
OLDEST = tuple(int(n) for n in re.findall(r"\d+", PYPROJECT["project"]["requires-python"]))


_NOT_SOURCE = {".git", ".venv", "build", "dist", "__pycache__", ".pytest_cache", ".ruff_cache"}


def _source_files() -> list[str]:
    """The checkout's files (git's list), or, in an unpacked sdist, every file but caches."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=ROOT, capture_output=True, check=False)
    if listed.returncode == 0 and listed.stdout:
        names = listed.stdout.decode().split("\0")
        return [name for name in names if name and (ROOT / name).is_file()]
    return [str(path.relative_to(ROOT)) for path in ROOT.rglob("*")
            if path.is_file() and not _NOT_SOURCE & set(path.relative_to(ROOT).parts)
            and not any(part.endswith(".egg-info") for part in path.parts)]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """``(sdist, wheel)``: the sdist from a copy of the tracked files, the wheel from the sdist."""
    work = tmp_path_factory.mktemp("dist")
    source = work / "src"
    for name in _source_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir",
                    str(work / "out"), str(source)], capture_output=True, check=True,
                   timeout=300)
    (sdist,) = (work / "out").glob("*.tar.gz")
    (wheel,) = (work / "out").glob("*.whl")
    return sdist, wheel


def _metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.message_from_bytes(archive.read(name))


def test_the_wheel_is_azkaban_shell_with_full_metadata(dist: tuple[Path, Path]) -> None:
    _, wheel = dist
    assert wheel.name.startswith("azkaban_shell-")
    meta = _metadata(wheel)
    assert meta["Name"] == "azkaban-shell"
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta["License-File"] == "LICENSE"
    assert meta["Requires-Python"] == ">=3.10"
    urls = meta.get_all("Project-URL")
    assert any(url.startswith("Repository, https://") for url in urls)
    classifiers = meta.get_all("Classifier")
    for wanted in ("Programming Language :: Python :: 3.10", "Operating System :: OS Independent",
                   "Development Status :: 4 - Beta", "Intended Audience :: Developers",
                   "Typing :: Typed"):
        assert wanted in classifiers
    requires = meta.get_all("Requires-Dist")
    for floor in ("multipart>=2.0", "prompt_toolkit>=3.0.39", "jmespath>=1.0"):
        assert floor in requires
    assert any(r.startswith("urllib3>=") for r in requires)
    assert any(r.startswith("truststore") and "extra == \"truststore\"" in r for r in requires)
    assert any(r.startswith("PySocks") and "extra == \"socks\"" in r for r in requires)
    assert "](https://" in meta.get_payload()  # the README, with absolute links
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(archive.read(n).decode() for n in names
                            if n.endswith("entry_points.txt"))
    assert "azshell/py.typed" in names
    assert "azshell/shell/session/azshellrc.toml" in names
    assert any(n.endswith(".data/data/share/man/man1/azshell.1") for n in names)
    from azshell.cli import EXAMPLES  # what --sandbox --examples loads: every file of them

    shipped = {n.split(".data/data/share/azshell/examples/", 1)[1] for n in names
               if ".data/data/share/azshell/examples/" in n}
    assert shipped == {str(f.relative_to(ROOT / "examples")) for e in EXAMPLES
                       for f in (ROOT / "examples" / e).rglob("*")
                       if f.is_file() and "__pycache__" not in f.parts}
    assert any(n.endswith("licenses/LICENSE") for n in names)
    assert not any(n.startswith("tests/") for n in names)
    assert "azshell = azshell.cli:main" in entry_points
    assert "azshell.testing = azshell.testing" in entry_points


def test_the_sdist_holds_what_a_packager_needs(dist: tuple[Path, Path]) -> None:
    sdist, _ = dist
    with tarfile.open(sdist) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    for wanted in ("LICENSE", "README.md", "pyproject.toml", "docs/azshell.1", "docs/api.md",
                   "tests/conftest.py", "tests/shell/pty_harness.py", "tests/test_package.py",
                   "examples/flow1-etl/finish.job", ".ci/run"):
        assert wanted in names, wanted
    assert not any("__pycache__" in n for n in names)


def oldest_python() -> tuple[str, str]:
    """``(path, why)``: the oldest Python here that the package supports (pyenv's versions
    first), else this one, said so."""
    roots = [os.environ.get("PYENV_ROOT", ""), str(Path.home() / ".pyenv")]
    found: list[tuple[tuple[int, ...], str]] = []
    for root in filter(None, roots):
        for path in glob.glob(f"{root}/versions/3.*/bin/python3"):
            version = tuple(int(n) for n in re.findall(r"\d+", path.split("/versions/")[1])[:2])
            if version >= OLDEST[:2]:
                found.append((version, path))
    if found:
        version, path = min(found)
        return path, f"Python {version[0]}.{version[1]} from pyenv"
    return sys.executable, (f"only Python {sys.version_info[0]}.{sys.version_info[1]} is "
                            "available here: the floors are installed on it")


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def floors() -> list[str]:
    """Every dependency pinned at its floor (``>=X`` becomes ``==X``), markers dropped."""
    pins = []
    for requirement in PYPROJECT["project"]["dependencies"]:
        spec = requirement.split(";")[0]
        name, floor = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([\w.]+)", spec.strip()).groups()
        pins.append(f"{name}=={floor}")
    return pins


@pytest.mark.slow
def test_the_wheel_at_its_floors_on_the_oldest_python(tmp_path: Path,
                                                      dist: tuple[Path, Path]) -> None:
    _, wheel = dist
    python, why = oldest_python()
    venv = tmp_path / "venv"
    subprocess.run([python, "-m", "venv", str(venv)], check=True, timeout=120)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    constraints = tmp_path / "floors.txt"
    constraints.write_text("\n".join(floors()) + "\n")
    installed = subprocess.run(
        [str(bindir / "python"), "-m", "pip", "install", "-q", "-c", str(constraints),
         str(wheel)], capture_output=True, text=True, timeout=600, check=False)
    assert installed.returncode == 0, f"{why}: {installed.stderr}"
    frozen = subprocess.run([str(bindir / "python"), "-m", "pip", "freeze"], capture_output=True,
                            text=True, check=True).stdout
    versions = {_name(line.split("==")[0]): Version(line.split("==")[1])
                for line in frozen.splitlines() if "==" in line}
    for pin in floors():
        name, floor = pin.split("==")
        if _name(name) in versions:  # tomli only below 3.11
            assert versions[_name(name)] == Version(floor), (why, pin)
    env = {"PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "c"), "XDG_STATE_HOME": str(tmp_path / "s"),
           "XDG_CACHE_HOME": str(tmp_path / "k"), "LANG": "C.UTF-8"}
    azshell = str(bindir / "azshell")
    version = subprocess.run([azshell, "--version"], capture_output=True, text=True, env=env,
                             check=True).stdout
    assert version.startswith("azshell ")
    smoke = subprocess.run(
        [azshell, "--sandbox", "-o", "csv", "-c",
         f"upload demo {ROOT / 'examples' / 'flow1-etl'} --create",
         "-c", "execute demo finish --wait", "-c", "set query executions",
         "-c", "executions demo finish", "-c", "set query ''",
         "-c", "flows demo | grep -c finish"],
        capture_output=True, text=True, env=env, timeout=120, check=False, cwd=tmp_path,
        stdin=subprocess.DEVNULL)
    assert smoke.returncode == 0, f"{why}: {smoke.stderr}"
    assert "SUCCEEDED" in smoke.stdout
    interactive = subprocess.run(
        [str(bindir / "python"), "-c",
         "from prompt_toolkit.input import create_pipe_input\n"
         "from prompt_toolkit.output import DummyOutput\n"
         "from azshell.shell.interactive.app import InteractiveShell\n"
         "from azshell.shell.run.context import new_context\n"
         "from azshell.shell.session.settings import load\n"
         "from prompt_toolkit.history import InMemoryHistory\n"
         "ctx = new_context(load({}), interactive=True)\n"
         "with create_pipe_input() as pipe:\n"
         "    pipe.send_text('help exit\\rexit\\r')\n"
         "    shell = InteractiveShell(ctx, InMemoryHistory(), input=pipe, output=DummyOutput())\n"
         "    raise SystemExit(shell.run())\n"],
        capture_output=True, text=True, env=env, timeout=60, check=False, cwd=tmp_path)
    assert interactive.returncode == 0, f"{why}: {interactive.stderr}"
    assert "\"summary\": \"Leave the shell" in interactive.stdout  # JSON: stdout is a pipe
    assert (venv / "share" / "man" / "man1" / "azshell.1").exists()


@pytest.mark.slow
def test_pipx_install_gives_a_working_azshell(tmp_path: Path, dist: tuple[Path, Path]) -> None:
    pytest.importorskip("pipx")  # a test dependency; skipped only where it could not install
    _, wheel = dist
    env = {**os.environ, "PIPX_HOME": str(tmp_path / "pipx"),
           "PIPX_BIN_DIR": str(tmp_path / "bin"), "PIPX_MAN_DIR": str(tmp_path / "man"),
           "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "c"),
           "XDG_STATE_HOME": str(tmp_path / "s"), "XDG_CACHE_HOME": str(tmp_path / "k")}
    done = subprocess.run([sys.executable, "-m", "pipx", "install", str(wheel)],
                          capture_output=True, text=True, env=env, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    azshell = tmp_path / "bin" / "azshell"
    version = subprocess.run([str(azshell), "--version"], capture_output=True, text=True,
                             env=env, check=True)
    assert version.stdout.startswith("azshell ")
    whoami = subprocess.run([str(azshell), "--sandbox", "-c", "whoami", "--query", "user"],
                            capture_output=True, text=True, env=env, check=False, timeout=60,
                            stdin=subprocess.DEVNULL)
    assert (whoami.returncode, whoami.stdout) == (0, '"azkaban"\n'), whoami.stderr
    examples = subprocess.run([str(azshell), "--sandbox", "--examples", "-c",
                               "flows flow1-etl"], capture_output=True, text=True, env=env,
                              check=False, timeout=60, stdin=subprocess.DEVNULL, cwd=tmp_path)
    assert examples.returncode == 0, examples.stderr  # the wheel's own copy of the examples
    assert json.loads(examples.stdout) == ["audit", "finish"]
    assert (tmp_path / "man" / "man1" / "azshell.1").exists()  # pipx links the man page
