"""Running one attempt of one job: ``command`` subprocesses, ``noop``, and the job log.

A job runs on its own thread (JobRunner in Azkaban). ``command`` jobs run ``command``,
``command.1``, ``command.2`` ... one after the other with ``sh -c`` in their own process group,
so a kill, a time-out or the engine's shutdown can stop everything they started. Output goes to
the job log line by line as it arrives: stdout at INFO, stderr at ERROR, like Azkaban's gobblers.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from azshell.sandbox.runner.props import PropsError, parse_output_props, props_file_text
from azshell.sandbox.runner.types import FAILED, KILLED, SUCCEEDED

if TYPE_CHECKING:
    from azshell.sandbox.runner.joblog import LogBuffer
    from azshell.sandbox.runner.nodes import NodeRun


class JobHost(Protocol):
    """What a job attempt needs from the execution it runs in (job_threads.JobThreads)."""

    @property
    def cond(self) -> threading.Condition: ...

    def now_ms(self) -> int: ...

    @property
    def exec_dir(self) -> Path: ...

    @property
    def job_timeout(self) -> float: ...

    def begin_job(self, node: NodeRun, log: LogBuffer,
                  ) -> tuple[dict[str, str], str | None] | None: ...

    def job_finished(self, node: NodeRun, status: str) -> None: ...

    def job_directory(self, node: NodeRun, props: dict[str, str]) -> Path: ...

KILL_GRACE_SECONDS = 1.0  # SIGTERM first, SIGKILL after this (Azkaban waits 5 s)
ORPHAN_PIPE_SECONDS = 0.3  # how long to keep reading after the shell exited
_POLL = 0.05


def command_list(props: dict[str, str]) -> list[str]:
    """``command`` then ``command.1``, ``command.2``... up to the first gap (ProcessJob)."""
    if "command" not in props:
        return []
    commands = [props["command"]]
    index = 1
    while f"command.{index}" in props:
        commands.append(props[f"command.{index}"])
        index += 1
    return commands


def command_jobs_unsupported() -> str | None:
    """Why this system cannot run ``command`` jobs (they need /bin/sh and process groups, as
    Azkaban's ProcessJob does on Linux), or None where it can."""
    if not hasattr(os, "killpg") or not os.path.exists("/bin/sh"):
        return ("the sandbox runs command jobs only on a POSIX system (/bin/sh and process "
                "groups); here only noop jobs run (on Windows, use WSL)")
    return None


def _kill_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


class JobRunner:
    """One attempt of one job, run on its own thread."""

    def __init__(self, execution: JobHost, node: NodeRun, log: LogBuffer) -> None:
        self.execution = execution
        self.node = node
        self.log = log
        self.timed_out = False

    # The thread body -----------------------------------------------------------------------

    def run(self) -> None:
        ex, node = self.execution, self.node
        try:
            started = ex.begin_job(node, self.log)
        except Exception as exc:  # a broken job must fail, never hang the flow
            self.log.error(f"Job set up failed: {type(exc).__name__}: {exc}")
            ex.job_finished(node, FAILED)
            return
        if started is None:  # killed during its retry back-off or before it could start
            ex.job_finished(node, KILLED)
            return
        props, problem = started
        # the executor is built from the props' type (an override may change it); the node's
        # type, which fetchexecflow shows, stays the uploaded one
        job_type = (props or {}).get("type") or node.type
        self.log.info(f"Starting job {node.id} at {node.start_time}")
        status = FAILED
        try:
            if problem is not None:
                self.log.error(f"Bad property definition! {problem}")
            elif job_type == "noop":
                self.log.info("Building noop job executor.")
                status = SUCCEEDED
            elif job_type == "command":
                self.log.info("Building command job executor. ")
                status = self._run_commands(props or {})
            else:
                self.log.error(
                    f"Job type {job_type} is unrecognized. Could not construct job "
                    f"[{node.id}] of type [{job_type}]."
                )
                self.log.error("Failed to build job type")
        except Exception as exc:  # a broken job must fail, never kill the engine
            self.log.error(f"Job run failed! {type(exc).__name__}: {exc}")
            status = FAILED
        if node.kill_requested and status != SUCCEEDED:
            status = KILLED
        end_ms = ex.now_ms()
        self.log.info(
            f"Finishing job {node.id} attempt: {node.attempt} at {end_ms} with status {status}"
        )
        ex.job_finished(node, status)

    # command jobs ----------------------------------------------------------------------------

    def _run_commands(self, props: dict[str, str]) -> str:
        commands = command_list(props)
        if not commands:
            self.log.error("Job set up failed: Missing required property 'command'")
            return FAILED
        unsupported = command_jobs_unsupported()
        if unsupported:
            self.log.error(f"Job run failed: {unsupported}")
            return FAILED
        workdir = self.execution.job_directory(self.node, props)
        files = self._prop_files(props)
        env = dict(os.environ)
        env.update({k[4:]: v for k, v in props.items() if k.startswith("env.") and len(k) > 4})
        job_env = {
            "JOB_NAME": self.node.id,
            "JOB_PROP_FILE": str(files[0]),
            "JOB_OUTPUT_PROP_FILE": str(files[1]),
        }
        env.update(job_env)
        self.log.info(f"{len(commands)} commands to execute.")
        start = time.monotonic()
        for command in commands:
            self.log.info(f"Command: {command}")
            shown = ", ".join(f"{k}={v}" for k, v in job_env.items())
            self.log.info(f"Environment variables: {{{shown}}}")
            self.log.info(f"Working directory: {workdir}")
            code, pid = self._run_process(command, workdir, env)
            seconds = int(time.monotonic() - start)
            outcome = "successfully" if code == 0 else "unsuccessfully"
            self.log.info(f"Process with id {pid} completed {outcome} in {seconds} seconds.")
            if code != 0:
                self.log.error("Job run failed!")
                self.log.error(
                    "java.lang.RuntimeException: azkaban.jobExecutor.utils.process."
                    f"ProcessFailureException: Process exited with code {code}"
                )
                return FAILED
        self.node.output_props = self._read_output(files[1])
        return SUCCEEDED

    def _prop_files(self, props: dict[str, str]) -> tuple[Path, Path]:
        folder = self.execution.exec_dir / ".azkaban"
        folder.mkdir(parents=True, exist_ok=True)
        base = f"{self.node.nested_id.replace(':', '_')}_{self.node.attempt}"
        prop_file = folder / f"{base}_props_tmp"
        output_file = folder / f"{base}_output_tmp"
        prop_file.write_text(props_file_text(props), encoding="utf-8")
        output_file.unlink(missing_ok=True)
        return prop_file, output_file

    def _read_output(self, path: Path) -> dict[str, str] | None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            return None
        props = parse_output_props(text)
        if props:
            self.log.info(f"Output properties: {props}")
        return props

    def _run_process(self, command: str, workdir: Path, env: dict[str, str]) -> tuple[int, int]:
        """Run one command, streaming its output; returns (exit code, pid)."""
        ex, node = self.execution, self.node
        with ex.cond:
            if node.kill_requested:
                return -1, -1
            proc = subprocess.Popen(
                ["/bin/sh", "-c", command],
                cwd=str(workdir),
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
            node.process = proc
        self.log.info(f"Spawned process with id {proc.pid}")
        try:
            self._pump(proc)
        finally:
            code = proc.wait()
            _kill_group(proc.pid, signal.SIGKILL)  # children left behind in its group
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
            with ex.cond:
                node.process = None
        return code, proc.pid

    def _pump(self, proc: subprocess.Popen) -> None:
        """Copy output to the log until both pipes close; enforce kill and time-out."""
        selector = selectors.DefaultSelector()
        pending: dict[int, bytes] = {}
        levels: dict[int, str] = {}
        for stream, level in ((proc.stdout, "INFO"), (proc.stderr, "ERROR")):
            if stream is not None:
                selector.register(stream, selectors.EVENT_READ, level)
                pending[stream.fileno()] = b""
                levels[stream.fileno()] = level
        deadline = time.monotonic() + self.execution.job_timeout
        term_at: float | None = None
        exited_at: float | None = None
        try:
            while selector.get_map():
                for key, _ in selector.select(timeout=_POLL):
                    self._read_chunk(selector, key, pending)
                now = time.monotonic()
                term_at = self._enforce_limits(proc, now, deadline, term_at)
                if exited_at is None and proc.poll() is not None:
                    exited_at = now
                if exited_at is not None and now - exited_at > ORPHAN_PIPE_SECONDS:
                    break
        finally:
            for fd, rest in pending.items():
                if rest:
                    self._log_line(rest, levels[fd])
            selector.close()

    def _enforce_limits(
        self, proc: subprocess.Popen, now: float, deadline: float, term_at: float | None
    ) -> float | None:
        """Kill the process group on a kill request or the time-out: TERM, then KILL."""
        if term_at is None and (self.node.kill_requested or now >= deadline):
            if self.node.kill_requested:
                self.log.error("Kill has been called.")
            else:
                self.timed_out = True
                self.log.error(
                    f"Job exceeded the sandbox's time limit of "
                    f"{self.execution.job_timeout:g} seconds. Killing it."
                )
            _kill_group(proc.pid, signal.SIGTERM)
            return now
        if term_at is not None and now - term_at > KILL_GRACE_SECONDS:
            self.log.warn("Kill with signal TERM failed. Killing with KILL signal.")
            _kill_group(proc.pid, signal.SIGKILL)
            return float("inf")
        return term_at

    def _read_chunk(self, selector: selectors.BaseSelector, key, pending: dict) -> None:
        fd = key.fileobj.fileno()
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            chunk = b""
        if not chunk:
            selector.unregister(key.fileobj)
            if pending.get(fd):
                self._log_line(pending.pop(fd), key.data)
            pending.pop(fd, None)
            return
        data = pending.get(fd, b"") + chunk
        *lines, rest = data.split(b"\n")
        pending[fd] = rest
        for line in lines:
            self._log_line(line, key.data)

    def _log_line(self, raw: bytes, level: str) -> None:
        self.log.log(raw.rstrip(b"\r").decode("utf-8", errors="replace"), level)


__all__ = ["JobRunner", "PropsError", "command_list"]
