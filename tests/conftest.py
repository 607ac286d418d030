"""Shared fixtures: a running sandbox, logged-in sessions, project zips and uploads.

Every test talks to a real HTTP server on loopback (the sandbox), never to a mocked ``requests``.
The session-scoped ``sandbox`` is shared by the whole run: tests must use their own project
names (``project_name``) and must not expire sessions there (use ``fresh_sandbox`` for that).
"""

from __future__ import annotations

import inspect
import re
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from azshell.sandbox import Sandbox

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TEST_JOB_TIMEOUT = 30.0


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """One sandbox for the whole test run (engine shut down at the end). Its schedules never
    fire: a test's `@hourly` must not start a flow when the suite runs across the hour
    (tests/sandbox/test_schedule_firing.py fires them on sandboxes of its own)."""
    with Sandbox(job_timeout=TEST_JOB_TIMEOUT, fire_schedules=False) as sb:
        yield sb


@pytest.fixture(scope="session")
def sandbox_url(sandbox: Sandbox) -> str:
    return sandbox.url


@pytest.fixture
def fresh_sandbox() -> Iterator[Sandbox]:
    """A private sandbox: for tests that expire sessions or count ids from 1 (schedules held,
    as in ``sandbox``)."""
    with Sandbox(job_timeout=TEST_JOB_TIMEOUT, fire_schedules=False) as sb:
        yield sb


def login(url: str, user: str = "azkaban", password: str | None = None) -> str:
    """Log in with a form POST and return the session id."""
    reply = requests.post(url, data={"action": "login", "username": user,
                                     "password": password if password is not None else user},
                          timeout=10)
    reply.raise_for_status()
    return reply.json()["session.id"]


@pytest.fixture
def session_id(sandbox_url: str) -> str:
    """A fresh ``azkaban`` (admin) session on the shared sandbox."""
    return login(sandbox_url)


@pytest.fixture
def reader_session(sandbox_url: str) -> str:
    """A ``reader`` session (role reader: READ on every project, nothing else)."""
    return login(sandbox_url, "reader")


@pytest.fixture
def project_name() -> str:
    """A project name no other test uses."""
    return f"t{uuid.uuid4().hex[:12]}"


def create_project(url: str, session: str, name: str, description: str = "test project") -> None:
    reply = requests.post(f"{url}/manager", data={"action": "create", "name": name,
                                                  "description": description,
                                                  "session.id": session}, timeout=10)
    assert reply.json().get("status") == "success", reply.text


def make_zip(tmp_path: Path, files: dict[str, str | bytes], name: str = "project.zip") -> Path:
    """Write ``files`` (archive path → content) into a new zip under ``tmp_path``."""
    target = tmp_path / name
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content in files.items():
            archive.writestr(path, content)
    return target


def zip_directory(directory: Path, target: Path) -> Path:
    """Zip the contents of ``directory`` (paths relative to it)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(directory).as_posix())
    return target


def upload(url: str, session: str, project: str, zip_path: Path,
           content_type: str = "application/zip") -> requests.Response:
    """A multipart ``ajax=upload`` the way the API documentation describes it."""
    with zip_path.open("rb") as handle:
        return requests.post(
            f"{url}/manager",
            data={"session.id": session, "ajax": "upload", "project": project},
            files={"file": (zip_path.name, handle, content_type)}, timeout=60)


def upload_example(url: str, session: str, example: str, project: str, tmp_path: Path,
                   ) -> dict[str, Any]:
    """Create ``project`` and upload ``examples/<example>`` into it; returns the JSON answer."""
    source = EXAMPLES / example
    assert source.is_dir(), f"example {example} is missing"  # a skip would hide its tests
    create_project(url, session, project)
    archive = zip_directory(source, tmp_path / f"{example}.zip")
    reply = upload(url, session, project, archive)
    assert reply.status_code == 200, reply.text
    return reply.json()


@pytest.fixture(name="login")
def login_fixture() -> Callable[..., str]:
    """``login(url, user="azkaban", password=user) -> session id``."""
    return login


@pytest.fixture(name="create_project")
def create_project_fixture() -> Callable[..., None]:
    """``create_project(url, session_id, name, description="test project")``."""
    return create_project


@pytest.fixture(name="upload")
def upload_fixture() -> Callable[..., requests.Response]:
    """``upload(url, session_id, project, zip_path, content_type="application/zip")``."""
    return upload


@pytest.fixture(name="zip_directory")
def zip_directory_fixture() -> Callable[[Path, Path], Path]:
    """``zip_directory(directory, target_zip) -> target_zip``."""
    return zip_directory


@pytest.fixture(name="make_zip")
def make_zip_fixture() -> Callable[..., Path]:
    """``make_zip(tmp_path, {"a.job": "type=command\\ncommand=echo hi\\n"}) -> Path``."""
    return make_zip


@pytest.fixture
def put_project(client: Any, project_name: str, tmp_path: Path,
                ) -> Callable[..., str]:
    """``put_project(files, description)``: create the test's project on the shared sandbox and
    upload ``files`` (archive path -> content) as its first version; returns its name."""

    def run(files: dict[str, str | bytes], description: str = "test project") -> str:
        client.create_project(project_name, description)
        client.upload_project(project_name, make_zip(tmp_path, files))
        return project_name

    return run


@pytest.fixture(name="upload_example")
def upload_example_fixture(sandbox_url: str, session_id: str, tmp_path: Path,
                           ) -> Callable[..., dict[str, Any]]:
    """``upload_example("basic-flow", "myproject")`` on the shared sandbox as ``azkaban``."""

    def run(example: str, project: str) -> dict[str, Any]:
        return upload_example(sandbox_url, session_id, example, project, tmp_path)

    return run


@pytest.fixture
def client(sandbox: Sandbox) -> Any:
    """A logged-in ``azshell.client.AzkabanClient`` (admin) on the shared sandbox."""
    from azshell.client import AzkabanClient  # an import error fails these tests, never skips

    api = AzkabanClient(sandbox.url)
    api.login("azkaban", "azkaban")
    return api


# -- the `slow` mark -------------------------------------------------------------------------------
# A test is `slow` when it starts a process (the `azshell` command, a pseudo-terminal, curl, sh)
# or runs real flows on the sandbox; `pytest -m "not slow"` then runs the quick in-process rest.
# Marked here, from what a test uses, so that a new test of that kind is marked without thought.
SLOW_FIXTURES = frozenset({"az", "shell", "upload_example"})
_RUNS_SOMETHING = re.compile(r"subprocess\.|\bexecute\b|executeFlow|wait_for\(|\bwait\b|"
                             r"\brerun\b|Follower\(|LogFollower\(|\brun\(")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _is_slow(item):
            item.add_marker(pytest.mark.slow)


def _is_slow(item: pytest.Item) -> bool:
    if item.get_closest_marker("pty") is not None or item.get_closest_marker("slow") is not None:
        return True
    if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    function = getattr(item, "function", None)
    try:
        source = inspect.getsource(function) if function is not None else ""
    except (OSError, TypeError):
        return False
    if _RUNS_SOMETHING.search(source):
        return True
    helpers = _process_helpers(inspect.getmodule(function))  # `_start(...)` that spawns one
    return any(re.search(rf"\b{name}\(", source) for name in helpers)


def _process_helpers(module: object) -> list[str]:
    """The module's own functions that start a process."""
    found = []
    for name, value in vars(module).items() if module is not None else ():
        if inspect.isfunction(value) and value.__module__ == getattr(module, "__name__", None):
            try:
                if "subprocess." in inspect.getsource(value) and not name.startswith("test"):
                    found.append(name)
            except (OSError, TypeError):
                continue
    return found
