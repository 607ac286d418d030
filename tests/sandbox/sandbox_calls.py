"""Raw HTTP helpers for the sandbox tests: one logged-in user on one sandbox, no azshell.client.

The tests check the wire format, so these helpers only save typing; they never interpret an
answer (status codes and bodies reach the assertions untouched).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import requests

FINAL = {"SUCCEEDED", "FAILED", "KILLED", "EXECUTION_STOPPED", "CANCELLED"}


class Api:
    """``session.id`` as a parameter on every call (the way the protocol advises)."""

    def __init__(self, url: str, user: str = "azkaban", password: str | None = None) -> None:
        self.url = url
        self.http = requests.Session()
        reply = self.http.post(url, data={"action": "login", "username": user,
                                          "password": password or user}, timeout=10)
        self.session_id: str = reply.json()["session.id"]
        self.http.cookies.clear()  # keep the cookie jar empty: the parameter is the session

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.http.get(self.url + path, params={"session.id": self.session_id, **params},
                             timeout=30, allow_redirects=False)

    def post(self, path: str, **data: Any) -> requests.Response:
        return self.http.post(self.url + path, data={"session.id": self.session_id, **data},
                              timeout=30, allow_redirects=False)

    def manager(self, ajax: str, project: str, **params: Any) -> dict[str, Any]:
        return self.get("/manager", ajax=ajax, project=project, **params).json()

    def executor(self, ajax: str, **params: Any) -> dict[str, Any]:
        return self.get("/executor", ajax=ajax, **params).json()

    def schedule(self, ajax: str, **params: Any) -> dict[str, Any]:
        return self.post("/schedule", ajax=ajax, **params).json()

    def create(self, name: str, description: str = "test project") -> requests.Response:
        return self.post("/manager", action="create", name=name, description=description)

    def upload(self, project: str, zip_path: Path, content_type: str | None = "application/zip",
               filename: str | None = None, **fields: str) -> requests.Response:
        data = {"session.id": self.session_id, "ajax": "upload", "project": project, **fields}
        with zip_path.open("rb") as handle:
            part = (filename or zip_path.name, handle, content_type) if content_type \
                else (filename or zip_path.name, handle)
            return self.http.post(self.url + "/manager", data=data, files={"file": part},
                                  timeout=60, allow_redirects=False)

    def execute(self, project: str, flow: str, **options: Any) -> dict[str, Any]:
        return self.executor("executeFlow", project=project, flow=flow, **options)

    def wait(self, execid: int, timeout: float = 30.0, until: set[str] | None = None,
             ) -> dict[str, Any]:
        """Poll ``fetchexecflow`` until the flow status is in ``until`` (default: final)."""
        wanted = until or FINAL
        deadline = time.monotonic() + timeout
        while True:
            flow = self.executor("fetchexecflow", execid=execid)
            if flow.get("status") in wanted or time.monotonic() > deadline:
                return flow
            time.sleep(0.05)

    def wait_job(self, execid: int, job: str, statuses: set[str],
                 timeout: float = 30.0) -> dict[str, Any]:
        """Poll until the (top-level) job has one of ``statuses``."""
        deadline = time.monotonic() + timeout
        while True:
            flow = self.executor("fetchexecflow", execid=execid)
            node = next((n for n in flow.get("nodes", []) if n["id"] == job), None)
            if (node and node["status"] in statuses) or time.monotonic() > deadline:
                return flow
            time.sleep(0.05)

    def read_log(self, execid: int, job: str | None = None, page: int = 50000) -> str:
        """Every page of a flow or job log, concatenated (still HTML-escaped)."""
        offset, parts = 0, []
        while True:
            params: dict[str, Any] = {"execid": execid, "offset": offset, "length": page}
            if job is None:
                chunk = self.executor("fetchExecFlowLogs", **params)
            else:
                chunk = self.executor("fetchExecJobLogs", jobId=job, **params)
            if chunk["length"] == 0:
                return "".join(parts)
            parts.append(chunk["data"])
            offset = chunk["offset"] + chunk["length"]
