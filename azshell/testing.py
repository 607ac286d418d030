"""A pytest plugin for testing your own Azkaban projects against the embedded sandbox.

Installed with azkaban-shell and enabled by its ``pytest11`` entry point (``-p azshell.testing``
names it explicitly; ``-p no:azshell.testing`` turns it off). It gives:

- ``azkaban_sandbox``: one Azkaban-compatible server for the test session (``.url``; users
  azkaban/azkaban, metrics/metrics, reader/reader);
- ``azkaban_client``: an :class:`azshell.client.AzkabanClient` logged in to it as azkaban;
- ``azkaban_upload``: ``azkaban_upload(name, directory)`` creates the project if needed and
  uploads the directory (or .zip) as its new version, as ``azshell upload --create`` does.

Nothing is imported until a test asks for a fixture: other test runs pay nothing for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from azshell.client import AzkabanClient
    from azshell.sandbox import Sandbox


@pytest.fixture(scope="session")
def azkaban_sandbox() -> Iterator[Sandbox]:
    """A sandbox server on a free loopback port, stopped at the end of the session. Its
    schedules fire only when a test says so (``azkaban_sandbox.schedules.fire_due(ms)``): a
    test must not depend on the hour it runs at."""
    from azshell.sandbox import Sandbox

    with Sandbox(port=0, fire_schedules=False) as sandbox:
        yield sandbox


@pytest.fixture
def azkaban_client(azkaban_sandbox: Sandbox) -> Iterator[AzkabanClient]:
    """A client of the session's sandbox, logged in as azkaban (an admin)."""
    from azshell.client import AzkabanClient

    with AzkabanClient(azkaban_sandbox.url) as client:
        client.login("azkaban", "azkaban")
        yield client


@pytest.fixture
def azkaban_upload(azkaban_client: AzkabanClient) -> Callable[[str, str | Path], dict[str, Any]]:
    """``upload(name, path)``: create project ``name`` if it is missing and upload ``path``."""
    from azshell.errors import NotFound
    from azshell.project import packaged

    def upload(name: str, path: str | Path) -> dict[str, Any]:
        try:
            azkaban_client.project_id(name)
        except NotFound:
            azkaban_client.create_project(name, name)
        with packaged(Path(path)) as zip_path:
            return azkaban_client.upload_project(name, Path(zip_path))

    return upload
