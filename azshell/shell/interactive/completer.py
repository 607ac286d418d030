"""Completion as you type, driven by the command table and the NameBook.

The parser's ``position`` says what the word at the cursor is (a command, an option, an option's
value, or an argument of some kind); this module only turns that into menu entries. Names come
from the NameBook, already sorted and matched (prefix first, then fuzzy), so a keystroke costs a
binary search and a bounded scan even with tens of thousands of names.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncGenerator, Callable, Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from prompt_toolkit.completion import (
    CompleteEvent,
    Completer,
    Completion,
    PathCompleter,
    ThreadedCompleter,
)
from prompt_toolkit.document import Document
from prompt_toolkit.formatted_text import FormattedText

from azshell.shell.interactive.styles import status_style
from azshell.shell.line.commands import AJAX_PARAMS, COMMANDS, SETTINGS, Arg, Command, Opt
from azshell.shell.line.kinds import KINDS
from azshell.shell.line.parser import Position, execution_url, position
from azshell.shell.names.matching import MENU_LIMIT, fuzzy

if TYPE_CHECKING:
    from azshell.shell.names.book import NameBook

# Called when a completion needs names the book does not have yet ("flows", project) or
# ("jobs", project, flow): the app fetches them in the background.
Wanted = Callable[..., None]

# Parameters worth offering to `call KEY=VALUE` (the Ajax API's common ones).

def _project_file_filter(name: str) -> bool:
    """Upload takes a directory or a .zip: offer nothing else."""
    return os.path.isdir(name) or name.lower().endswith(".zip")


class ShellCompleter(Completer):
    """Completes commands, options, enum values, paths and every name the book knows."""

    def __init__(
        self,
        book: Callable[[], NameBook | None],
        wanted: Wanted | None = None,
        last_execid: Callable[[], int | None] = lambda: None,
        accounts: Callable[[], list[tuple[str, str]]] = list,
        current_url: Callable[[], str | None] = lambda: None,
    ) -> None:
        self.book = book
        self.wanted = wanted
        self.last_execid = last_execid  # what `log --job` means when no EXECID is typed
        self.accounts = accounts  # (url, user) of the saved sessions, most recent first
        self.current_url = current_url
        self.paths = PathCompleter(file_filter=_project_file_filter, expanduser=True)
        self.files = PathCompleter(expanduser=True)

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterator[Completion]:
        text = document.text_before_cursor
        if text.lstrip().startswith("#"):
            return
        pos = position(text)
        start = pos.word_start - len(text)
        if pos.expecting in ("pipeline", "file"):  # after `|` the system shell's words
            if pos.expecting == "file":  # `> FILE`, `>> FILE`: any file
                yield from self.files.get_completions(Document(pos.word), complete_event)
            return
        if pos.expecting == "command":
            yield from _commands(pos.word, start)
            return
        if pos.command is None:
            return
        if pos.expecting == "option-value" and pos.option is not None:
            yield from self._values(pos.option.kind, pos.option.choices, pos, start)
            return
        if pos.expecting == "option-or-arg" and pos.word.startswith("-"):
            yield from _options(pos.command, pos, start)
            return
        if pos.arg is not None:
            yield from self._values(pos.arg.kind, _arg_choices(pos.arg, pos), pos, start)
            following = _following(pos)
            if following is not None:  # an optional argument may be left out: `call /status`
                yield from self._values(following.kind, _arg_choices(following, pos), pos,
                                        start)
        elif pos.expecting == "option-or-arg":
            yield from _options(pos.command, pos, start)

    # -- values by kind ----------------------------------------------------------------------------
    def _values(
        self, kind: str, choices: tuple[str, ...], pos: Position, start: int
    ) -> Iterable[Completion]:
        """The argument's choices, else what its kind's source offers (``Kind.complete``)."""
        if choices:
            return _choices(choices, pos.word, start)
        found = KINDS.get(kind)
        if found is None or not found.complete:
            return ()
        source: Callable[[Position, int, str], Iterable[Completion]] = getattr(
            self, f"complete_{found.complete}")
        return source(pos, start, kind)

    # -- the sources of values, one per Kind.complete; each (pos, start, kind) -> completions --
    def complete_paths(self, pos: Position, start: int, kind: str) -> Iterable[Completion]:
        return self._paths(pos)

    def complete_settings(self, pos: Position, start: int, kind: str) -> Iterable[Completion]:
        return _choices(tuple(SETTINGS), pos.word, start)

    def complete_commands(self, pos: Position, start: int, kind: str) -> Iterable[Completion]:
        return _help_topics(pos.word, start)

    def complete_servers(self, pos: Position, start: int, kind: str) -> Iterable[Completion]:
        return self._servers(pos, start)

    def complete_accounts(self, pos: Position, start: int, kind: str) -> Iterable[Completion]:
        return self._accounts(pos, start)

    def complete_ajax_params(self, pos: Position, start: int, kind: str,
                             ) -> Iterable[Completion]:
        return self._ajax_params(pos, start)

    def complete_projects(self, pos: Position, start: int, kind: str) -> Iterable[Completion]:
        book = self.book()
        return _named(book.match_projects(pos.word), start) if book is not None else ()

    def complete_flows(self, pos: Position, start: int, kind: str) -> Iterable[Completion]:
        book = self.book()
        return self._flows(book, pos, start) if book is not None else ()

    def complete_jobs(self, pos: Position, start: int, kind: str) -> Iterable[Completion]:
        book = self.book()
        return self._jobs(book, pos, start) if book is not None else ()

    def complete_executions(self, pos: Position, start: int, kind: str,
                            ) -> Iterable[Completion]:
        book = self.book()
        return _executions(book, pos.word, start) if book is not None else ()

    def complete_principals(self, pos: Position, start: int, kind: str,
                            ) -> Iterable[Completion]:
        book = self.book()
        return self._principals(book, pos, start, kind) if book is not None else ()

    def _servers(self, pos: Position, start: int) -> Iterable[Completion]:
        """The servers of the saved sessions, the most recent first."""
        found = _match_plain(list(dict.fromkeys(url for url, _ in self.accounts())), pos.word)
        return (Completion(url, start, display_meta="saved session") for url in found)

    def _accounts(self, pos: Position, start: int) -> Iterable[Completion]:
        """Users of the saved sessions: those of the server named (or the current one) first."""
        accounts = self.accounts()
        server = str(pos.previous_values.get("url") or self.current_url() or "").rstrip("/")
        here = {user for url, user in accounts if url == server}
        users = [user for url, user in accounts if url == server]
        users += [user for _, user in accounts if user not in here]
        found = _match_plain(list(dict.fromkeys(users)), pos.word)
        return (Completion(user, start, display_meta="saved session" if user in here else "")
                for user in found)

    def _principals(self, book: NameBook, pos: Position, start: int,
                    kind: str) -> Iterable[Completion]:
        """holder: who holds a permission on the project; proxy-user: for ``remove`` the
        project's proxy users, else any user seen; principal: any user or group seen. A
        ``--group`` given before narrows the menu to groups."""
        project = str(pos.previous_values.get("project") or "")
        here = book.principals(project) if project else None
        if here is None and project and self.wanted is not None:
            self.wanted("permissions", project)
        if kind == "holder":
            pool = {entry for entry in here or () if entry[1] != "proxy"}
        elif kind == "proxy-user" and pos.previous_values.get("action") == "remove":
            pool = {entry for entry in here or () if entry[1] == "proxy"}
        else:
            pool = {(name, "user" if seen_as == "proxy" else seen_as)
                    for name, seen_as in book.principals() or ()}
            pool |= {(user, "user") for _, user in self.accounts()}
            if kind == "proxy-user":
                pool = {entry for entry in pool if entry[1] == "user"}
        if pos.previous_values.get("group"):
            pool = {entry for entry in pool if entry[1] == "group"}
        kinds: dict[str, list[str]] = {}
        for name, seen_as in sorted(pool):
            kinds.setdefault(name, []).append(seen_as)
        return (Completion(name, start, display_meta="/".join(kinds[name]))
                for name in _match_plain(sorted(kinds), pos.word))

    def _flows(self, book: NameBook, pos: Position, start: int) -> Iterable[Completion]:
        project = str(pos.previous_values.get("project") or "")
        if not project:
            return ()
        if not book.knows_flows(project) and self.wanted is not None:
            self.wanted("flows", project)
        taken = set(_more_flows(pos.previous_values))  # `execute P F1 F2`: each flow once
        return _named([(name, meta) for name, meta in book.match_flows(project, pos.word)
                       if name not in taken], start)

    def _jobs(self, book: NameBook, pos: Position, start: int) -> Iterable[Completion]:
        project, flow = self._project_and_flow(book, pos)
        jobs = book.jobs(project, flow)
        if not jobs and project and flow and self.wanted is not None:
            self.wanted("jobs", project, flow)
        for more in _more_flows(pos.previous_values)[1:]:  # the jobs of every flow named
            found = book.jobs(project, more)
            if not found and self.wanted is not None:
                self.wanted("jobs", project, more)
            jobs = [*jobs, *(j for j in found if j not in jobs)]
        taken = set(pos.previous_values.get("disable") or ())
        found = _match_plain([j for j in jobs if j not in taken], pos.word)
        statuses = self._job_statuses(book, pos)
        return (Completion(j, start, display_meta=_job_meta(statuses.get(j))) for j in found)

    def _job_statuses(self, book: NameBook, pos: Position) -> dict[str, str]:
        """The jobs' statuses in the execution the line names (``log 42 <Tab>``), as seen."""
        if pos.command is None or not any(a.kind == "execid" for a in pos.command.args):
            return {}
        execid = pos.previous_values.get("execid") or self.last_execid()
        pasted = execution_url(str(execid)) if execid is not None else None
        if pasted is not None:
            execid = pasted[0]
        if execid is None or not str(execid).isdigit():
            return {}
        return book.job_statuses(int(execid))

    def _project_and_flow(self, book: NameBook, pos: Position) -> tuple[str, str]:
        """From the line, else from the execution named (``log 42 --job ...``)."""
        values = pos.previous_values
        if values.get("project") and values.get("flow"):
            return str(values["project"]), str(values["flow"])
        execid = values.get("execid") or self.last_execid()
        pasted = execution_url(str(execid)) if execid is not None else None
        if pasted is not None:  # a web UI address stands for its execution
            execid = pasted[0]
        if execid is not None and str(execid).isdigit():
            for ex in book.executions():
                if ex.execid == int(execid):
                    return ex.project, ex.flow
        return "", ""

    def _paths(self, pos: Position) -> Iterator[Completion]:
        """PathCompleter on the word alone (it completes the text it is given); a directory
        gets its ``/``, so the next Tab goes into it."""
        word_doc = Document(pos.word, len(pos.word))
        for found in self.paths.get_completions(word_doc,
                                                CompleteEvent(completion_requested=True)):
            full = pos.word[:len(pos.word) + found.start_position] + found.text
            if found.text and not found.text.endswith("/") and \
                    os.path.isdir(os.path.expanduser(full)):
                yield Completion(found.text + "/", found.start_position,
                                 display=found.display, display_meta=found.display_meta)
            else:
                yield found

    def _ajax_params(self, pos: Position, start: int) -> Iterator[Completion]:
        key, eq, value = pos.word.partition("=")
        book = self.book()
        if eq and book is not None and key == "project":
            for name, meta in book.match_projects(value):
                yield Completion(f"project={name}", start, display=name, display_meta=meta)
            return
        if eq and key == "ajax":
            return
        for item in AJAX_PARAMS:
            if item.startswith(pos.word):
                yield Completion(item, start, display_meta="parameter")


def _job_meta(status: str | None) -> Any:
    """``job``, or the job's status in the execution named, in its colour."""
    return FormattedText([(status_style(status), status)]) if status else "job"


def _following(pos: Position) -> Arg | None:
    """The argument after the one at the cursor when that one is optional (the word may be
    the next one's: ``call /status`` leaves METHOD out, ``log load`` EXECID)."""
    if pos.command is None or pos.arg is None or not pos.arg.optional or pos.arg.repeat:
        return None
    if not (pos.arg.choices or pos.arg.kind == "execid"):
        return None  # the parser fills it with the word whatever it is (`connect URL`)
    args = pos.command.args
    index = args.index(pos.arg)
    return args[index + 1] if index + 1 < len(args) else None


def _arg_choices(arg: Arg, pos: Position) -> tuple[str, ...]:
    """An argument's choices (some depend on an earlier argument: ``set NAME VALUE``)."""
    return arg.choices_for(pos.previous_values)


def _match_plain(items: list[str], word: str, limit: int = MENU_LIMIT) -> list[str]:
    """Prefix matches (any case) in order, then fuzzy ones: for short lists."""
    low = word.lower()
    found = [i for i in items if i.lower().startswith(low)][:limit]
    if len(word) >= 2 and len(found) < limit:
        found += fuzzy(items, word, limit - len(found), exclude=set(found))
    return found


def _commands(word: str, start: int, aliases: bool = True) -> Iterator[Completion]:
    """Command names first, then aliases (only once something is typed)."""
    by_word = {cmd.name: cmd for cmd in COMMANDS}
    found = _match_plain(sorted(by_word), word)
    if aliases and word:
        alias_of = {a: cmd for cmd in COMMANDS for a in cmd.aliases}
        by_word.update(alias_of)
        found += [a for a in sorted(alias_of) if a.startswith(word)]
    for name in found:
        cmd = by_word[name]
        meta = cmd.summary if name == cmd.name else f"= {cmd.name}"
        yield Completion(name, start, display_meta=meta)


def _help_topics(word: str, start: int) -> Iterator[Completion]:
    """What `help` takes: a command, or ``keys``."""
    yield from _commands(word, start, aliases=False)
    if "keys".startswith(word.lower()):
        yield Completion("keys", start, display_meta="the keys of the shell")


def _options(command: Command, pos: Position, start: int) -> Iterator[Completion]:
    given = pos.previous_values
    for opt in command.options:
        if not opt.repeat and given.get(opt.dest) not in (None, False, []):
            continue
        flag = _best_flag(opt, pos.word)
        if flag is not None:
            yield Completion(flag, start, display_meta=opt.help)


def _best_flag(opt: Opt, word: str) -> str | None:
    """The long flag when it fits what is typed, else the short one."""
    for flag in sorted(opt.flags, key=lambda f: not f.startswith("--")):
        if flag.startswith(word):
            return flag
    return None


def _choices(choices: tuple[str, ...], word: str, start: int) -> Iterator[Completion]:
    low = word.lower()
    for choice in choices:
        if choice.lower().startswith(low):
            yield Completion(choice, start)


def _more_flows(values: dict) -> list[str]:
    """The flows a line names: FLOW, then the more FLOWs of ``execute P F1 F2``."""
    first = values.get("flow")
    more = values.get("more_flows") or []
    return [str(f) for f in ([first] if first else []) + list(more)]


def _named(pairs: list[tuple[str, str]], start: int) -> Iterator[Completion]:
    for name, meta in pairs:
        yield Completion(name, start, display_meta=meta)


def _executions(book: NameBook, word: str, start: int) -> Iterator[Completion]:
    """Recent executions, newest first, that start with the digits typed; the menu's columns
    (status, flow, start) line up, and each status has its colour."""
    found = [ex for ex in book.executions() if str(ex.execid).startswith(word)][:MENU_LIMIT]
    status_width = max((len(ex.status or "?") for ex in found), default=0)
    flow_width = max((len(_flow_of(ex)) for ex in found), default=0)
    id_width = max((len(str(ex.execid)) for ex in found), default=0)
    for ex in found:
        yield Completion(str(ex.execid), start, display=str(ex.execid).rjust(id_width),
                         display_meta=execution_meta(ex, status_width, flow_width))


def _flow_of(ex: Any) -> str:
    return f"{ex.project}/{ex.flow}" if ex.project or ex.flow else ""


def execution_meta(ex: Any, status_width: int = 0, flow_width: int = 0) -> Any:
    """``SUCCEEDED demo/main 01-31 10:02``: what tells one execution from another, as
    formatted text (the status in its colour), padded to the widths of the menu's columns."""
    status = ex.status or "?"
    parts: list[tuple[str, str]] = [(status_style(status), status.ljust(status_width))]
    rest = [_flow_of(ex).ljust(flow_width)] if ex.project or ex.flow or flow_width else []
    if ex.when_ms and ex.when_ms > 0:
        rest.append(datetime.fromtimestamp(ex.when_ms / 1000).strftime("%m-%d %H:%M"))
    if rest:
        parts.append(("", " " + " ".join(rest)))
    return FormattedText(parts)


class BusyCompleter(Completer):
    """Runs a completer in a thread and knows whether a completion is in progress.

    prompt_toolkit ignores a new completion while one runs, so names that arrive from the
    background during a completion would never reach the menu: the app asks ``busy`` and
    tries again once the running completion has ended.
    """

    def __init__(self, inner: Completer) -> None:
        self.inner = ThreadedCompleter(inner)
        self.busy = 0
        self._after: Callable[[], None] | None = None

    def after_busy(self, callback: Callable[[], None]) -> bool:
        """Run ``callback`` on the event loop once the running completion has ended; False
        (and nothing kept) when none is running."""
        if not self.busy:
            return False
        self._after = callback
        return True

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[Completion]:
        return self.inner.get_completions(document, complete_event)

    async def get_completions_async(
        self, document: Document, complete_event: CompleteEvent
    ) -> AsyncGenerator[Completion, None]:
        self.busy += 1
        try:
            async for completion in self.inner.get_completions_async(document, complete_event):
                yield completion
        finally:
            self.busy -= 1
            if not self.busy and self._after is not None:
                callback, self._after = self._after, None
                # call_soon: prompt_toolkit finishes the ending completion first
                asyncio.get_running_loop().call_soon(callback)
