"""log: an execution's flow log or one job's log, as text on a terminal; ``--follow`` tails it."""

from __future__ import annotations

import re
from typing import Any

from azshell.errors import AzshellError, Interrupted, LogNotReady, NotFound, UsageError
from azshell.shell.handlers.starting import execution_id
from azshell.shell.line.parser import Invocation, is_option, split
from azshell.shell.run.context import Context, Reply
from azshell.shell.run.output import visible


def log(ctx: Context, inv: Invocation) -> Reply | None:
    """The whole log so far (all pages, HTML entities already decoded by the client)."""
    from azshell.shell.follow.logtools import keep, pattern

    job = inv.values["job"] or None
    grep, tail = pattern(inv.values.get("grep")), inv.values.get("tail")
    _check_options(inv, job)
    execid = _execution(ctx, inv, job)
    if inv.values.get("failed"):
        return _failed(ctx, execid, grep, tail)
    if inv.values["follow"]:
        return _follow(ctx, execid, job, grep)
    try:
        if ctx.settings.output == "raw":  # the text itself: page by page, never all in memory
            _stream(ctx, execid, job)
            return None
        text = ctx.client.read_job_log(execid, job) if job else ctx.client.read_flow_log(execid)
    except NotFound as err:
        if not job:
            raise
        from azshell.shell.handlers.jobcheck import unknown_execution_job

        raise unknown_execution_job(ctx, execid, job, err) from None
    except LogNotReady:
        if job and _has_not_started(ctx, execid, job):
            raise AzshellError(f"job {job} of execution {execid} has not started yet, so it has "
                               f"no log; 'log {execid} {job} --follow' waits for it") from None
        raise
    if grep is not None or tail is not None:
        return _reply(ctx, execid, job, keep(text, grep, tail), filtered=True)
    return _reply(ctx, execid, job, text)


def _stream(ctx: Context, execid: int, job: str | None) -> None:
    """Write each page as it comes (``--output raw``): a log of gigabytes costs one page."""
    pages = ctx.client.iter_job_log(execid, job) if job else ctx.client.iter_flow_log(execid)
    tty, last = ctx.out.stdout_tty, ""  # an empty log is one empty line, as before
    for page in pages:
        if page:
            ctx.out.stdout.write(visible(page) if tty else page)
            last = page[-1]
    if last != "\n":
        ctx.out.stdout.write("\n")
    ctx.out.stdout.flush()


def _check_options(inv: Invocation, job: str | None) -> None:
    if inv.values.get("failed") and job:
        raise UsageError("log: --failed reads every failed job's log; name no JOB with it")
    if inv.values.get("failed") and inv.values["follow"]:
        raise UsageError("log: --failed reads logs that are complete; it cannot --follow")
    if inv.values.get("tail") is not None and inv.values["follow"]:
        raise UsageError("log: --tail and --follow do not go together yet; use --grep to "
                         "narrow a followed log")


def _failed(ctx: Context, execid: int, grep: Any, tail: int | None) -> Reply:
    from azshell.shell.follow.logtools import failed_logs

    jobs, text = failed_logs(ctx.client, execid, grep, tail)
    return Reply({"execid": execid, "jobs": jobs}, text=text.rstrip("\n"), raw=text)


def _execution(ctx: Context, inv: Invocation, job: str | None) -> int:
    """The execution to read. ``log abc`` took ``abc`` for a job of the last execution (it is no
    number, no address); with none started, the user most likely meant it as the id."""
    if (inv.values["execid"] is None and ctx.last_execid is None and job
            and not _job_option_given(inv)):
        raise UsageError(f"log: {job!r} is not an execution id (a number or an execution's "
                         "address), and no execution was started in this session")
    return execution_id(ctx, inv.values["execid"])


def _job_option_given(inv: Invocation) -> bool:
    """``log --job load``: then the word is a job name for certain."""
    for word in split(inv.line)[1:]:
        if word == "--":
            return False
        opt = inv.command.option(word.partition("=")[0]) if is_option(word) else None
        if opt is not None and opt.dest == "job":
            return True
    return False


def _reply(ctx: Context, execid: int, job: str | None, text: str, filtered: bool = False,
           ) -> Reply:
    """The log as text, line by line, on a terminal and in pipes (``| grep ERROR`` works);
    the JSON document only with ``-o json``. ERROR and WARN lines stand out on a terminal."""
    data = {"execid": execid, "job": job, "log": text}
    shown = text.rstrip("\n")
    if ctx.out.stdout_tty:  # the server's control characters shown, never obeyed
        shown = visible(shown)
    if ctx.out.color:
        shown = highlight_levels(shown)  # azshell's own colours, after that
    if not shown and ctx.out.stdout_tty:
        shown = "(no line matches)" if filtered else "(the log is empty so far)"
    return Reply(data, text=shown, raw=text, text_in_pipes=True, styled=True)


_LEVELS = re.compile(r"\b(ERROR|FATAL|SEVERE|WARN|WARNING)\b")
_LEVEL_COLOR = {"ERROR": "31", "FATAL": "31", "SEVERE": "31", "WARN": "33", "WARNING": "33"}


def highlight_levels(text: str) -> str:
    """Each line that names a log level ERROR (red) or WARN (yellow) in that colour."""
    out = []
    for line in text.split("\n"):
        found = _LEVELS.search(line)
        out.append(f"\x1b[{_LEVEL_COLOR[found[1]]}m{line}\x1b[0m" if found else line)
    return "\n".join(out)


def _has_not_started(ctx: Context, execid: int, job: str) -> bool:
    """Tells a job without a log file yet from a real server error (both LogNotReady)."""
    from azshell.client.execution_model import job_not_started

    try:
        model = ctx.client.execution_model(execid)
    except AzshellError:
        return False
    return not model.finished and job_not_started(model, job)


def _follow(ctx: Context, execid: int, job: str | None, grep: Any = None) -> Reply | None:
    """Stream the text as it comes; with ``--output json`` collect it into one document."""
    from azshell.shell.follow.log import LogFollower

    collect = ctx.settings.output == "json"
    pieces: list[str] = []
    tail = [""]  # the last character written

    def write(text: str) -> None:
        tail[0] = text[-1:] or tail[0]
        if collect:
            pieces.append(text)
        else:  # on a terminal the job's control characters are shown, not obeyed
            ctx.out.stdout.write(visible(text) if ctx.out.stdout_tty else text)
            ctx.out.stdout.flush()

    def waiting(name: str) -> None:
        if ctx.out.stderr_tty:
            ctx.out.note(f"job {name} has not started yet; waiting for it (Ctrl-C stops)")

    def end_line() -> None:  # what comes next (the prompt, a note) starts on its own line
        if not collect and tail[0] not in ("", "\n"):
            ctx.out.stdout.write("\n")
            ctx.out.stdout.flush()

    sink: Any = write
    if grep is not None:
        from azshell.shell.follow.logtools import LineFilter

        sink = LineFilter(grep, write)
    follower = LogFollower(ctx.client, execid, job, write=sink, waiting=waiting)
    try:
        follower.run()
        if grep is not None:
            sink.close()
    except KeyboardInterrupt:
        if not collect and ctx.out.stdout_tty:
            # the terminal echoed ^C where the cursor was: the error line starts below it
            ctx.out.stdout.write("\n")
            ctx.out.stdout.flush()
        else:
            end_line()
        raise Interrupted(_interrupted_note(execid, job, follower)) from None
    end_line()
    if follower.model is not None:  # the completion menu shows the status seen last
        from azshell.shell.handlers.starting import learn_status

        learn_status(ctx, follower.model)
    return _reply(ctx, execid, job, "".join(pieces)) if collect else None


def _interrupted_note(execid: int, job: str | None, follower: Any) -> str:
    what = f"the log of job {job} of execution {execid}" if job else \
        f"the log of execution {execid}"
    model = follower.model
    if model is not None and model.finished:
        return f"interrupted: stopped following {what}"
    again = f"log {execid} {job} --follow" if job else f"log {execid} --follow"
    return (f"interrupted: stopped following {what}; the execution goes on "
            f"(follow it again with '{again}')")
