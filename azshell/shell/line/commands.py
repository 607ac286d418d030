"""The command table: the one source of truth for every shell command.

The parser, the completer, the input lexer, the toolbar's syntax hint, ``help`` and the generated
``docs/commands.md`` all read this table, so adding a command is one entry here plus one handler.
This module imports nothing heavy: the interactive app and the batch runner both load it first.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from azshell.shell.line.kinds import KINDS

# What an argument's value is (how it is checked, completed and shown): azshell.shell.line.kinds.
ARG_KINDS = frozenset(KINDS)

# The Ajax API's servlet paths (protocol §1.2) and its common parameters, offered to `call`.
SERVLETS = ("/executor", "/flowtrigger", "/index", "/manager", "/schedule", "/status",
            "/triggers")
AJAX_PARAMS = ("ajax=", "project=", "flow=", "execid=", "jobId=", "offset=", "length=",
               "start=")

# The permissions a user or group may hold on a project, in the words `grant` and `revoke` take
# (the client sends them in the protocol's spelling, PERMISSION_TYPES of client/projects.py).
PERMISSIONS = ("read", "write", "execute", "schedule", "admin")

# `set NAME VALUE`: the settings a user may change in a session, with the values each accepts.
SETTINGS: dict[str, tuple[str, ...]] = {
    "output": ("auto", "json", "table", "wide", "yaml", "csv", "tsv", "raw"),
    "query": (),  # a JMESPath expression, any text ('' for none)
    "color": ("auto", "on", "off"),
    "pager": ("on", "off"),
    "verbose": ("on", "off"),
    "timing": ("on", "off"),
    "toolbar": ("on", "off"),
    "tz": ("local", "UTC"),  # or any IANA zone name, e.g. Europe/Paris
}
# settings whose choices above are suggestions, not the only values (any text, any zone)
OPEN_SETTINGS = frozenset({"query", "tz"})


# Classes built at start-up skip the generated __eq__ and __repr__: each generated method is
# compiled at import, which cost the first prompt about 3 ms in all. Entries compare by identity.
@dataclass(frozen=True, eq=False, repr=False)
class Arg:
    """A positional argument of a command; its value is ``Invocation.values[arg.key]``."""

    name: str
    kind: str
    help: str
    optional: bool = False
    repeat: bool = False
    choices: tuple[str, ...] = ()
    dest: str = ""
    # Choices that depend on an earlier argument: ``(its key, {its value: choices})``, e.g.
    # `set NAME VALUE`, whose values are the setting's. Completion, highlighting and the
    # toolbar all read them through ``choices_for``.
    depends: tuple[str, Mapping[str, tuple[str, ...]]] | None = field(default=None,
                                                                      compare=False)
    # values of that earlier argument whose choices are suggestions, not limits (`set tz`
    # takes any zone, `set query` any expression): highlighting reads ``limits_for``
    open_keys: frozenset[str] = field(default=frozenset(), compare=False)

    @property
    def key(self) -> str:
        """The key of this argument's value in ``Invocation.values``."""
        return self.dest or self.name.lower()

    def choices_for(self, values: Mapping[str, Any]) -> tuple[str, ...]:
        """The choices given the values of the arguments before this one."""
        if self.choices or self.depends is None:
            return self.choices
        key, table = self.depends
        return table.get(str(values.get(key) or "").lower(), ())

    def limits_for(self, values: Mapping[str, Any]) -> tuple[str, ...]:
        """The choices a value must be one of, given the earlier values; () when any goes."""
        if self.depends is not None and str(values.get(self.depends[0]) or "").lower() \
                in self.open_keys:
            return ()
        return self.choices_for(values)

    def usage(self) -> str:
        """``PROJECT``, ``[DESCRIPTION]``, ``[KEY=VALUE]...``."""
        text = f"[{self.name}]" if self.optional else self.name
        return text + "..." if self.repeat else text


@dataclass(frozen=True, eq=False, repr=False)
class Opt:
    """An option of a command: a flag, or a flag that takes a value (``values[opt.dest]``)."""

    flags: tuple[str, ...]
    dest: str
    kind: str = "flag"
    help: str = ""
    metavar: str = ""
    choices: tuple[str, ...] = ()
    repeat: bool = False

    @property
    def takes_value(self) -> bool:
        return self.kind != "flag"

    @property
    def long(self) -> str:
        """The long spelling, which is what usage strings and docs show."""
        return next((f for f in self.flags if f.startswith("--")), self.flags[0])

    def usage(self) -> str:
        """``[--create]``, ``[--disable JOB]...``."""
        text = self.long
        if self.takes_value:
            text += f" {self.metavar or self.dest.upper()}"
        text = f"[{text}]"
        return text + "..." if self.repeat else text


@dataclass(frozen=True, eq=False, repr=False)
class Command:
    """One shell command: its words, help, examples and the handler that runs it."""

    name: str
    summary: str
    args: tuple[Arg, ...] = ()
    options: tuple[Opt, ...] = ()
    examples: tuple[str, ...] = ()
    group: str = "general"
    aliases: tuple[str, ...] = ()
    secret: bool = False
    # ``module:function`` references, imported when the command runs (start-up speed):
    handler: str = ""
    # how a list answer reads as a table, ``(data) -> (headers, rows)``; "" = JSON only
    table: str = ""
    # What a success tells the completion's NameBook beyond the names in its answer, which
    # every command teaches by their shape (azshell.shell.names.learning.EFFECTS lists the effects).
    learns: str = ""
    # Needs a logged-in client (the dispatcher connects first or fails with a clear message).
    needs_session: bool = True
    # Whether it changes state on the server, which a read_only profile refuses before sending
    # and a profile's ``confirm`` asks about: True, False, or only with these actions (`sla
    # set`); ``call`` is judged by what it sends (run/guard.py). None: not said, which a test
    # refuses, so a new command cannot slip past read_only unclassified.
    changes: bool | frozenset[str] | None = None

    def usage(self) -> str:
        """One-line syntax, e.g. ``upload PROJECT PATH [--create]``."""
        parts = [self.name]
        parts += [a.usage() for a in self.args]
        parts += [o.usage() for o in self.options]
        return " ".join(parts)

    def error_usage(self, width: int = 80) -> str:
        """``(usage: ...)`` for a one-line error: past ``width`` the options fold into
        ``[OPTIONS]`` and `help` is named (a terminal would break the long line mid-word)."""
        full = self.usage()
        if len(full) <= width:
            return f"(usage: {full})"
        short = " ".join([self.name, *(a.usage() for a in self.args), "[OPTIONS]"])
        return f"(usage: {short}; 'help {self.name}' lists the options)"

    def option(self, flag: str) -> Opt | None:
        """The option spelled ``flag`` (exactly, or a unique prefix of a long flag)."""
        for opt in self.options:
            if flag in opt.flags:
                return opt
        if flag.startswith("--") and len(flag) > 2:
            found = [o for o in self.options if any(f.startswith(flag) for f in o.flags)]
            if len(found) == 1:
                return found[0]
        return None


GROUPS: tuple[tuple[str, str], ...] = (
    ("session", "Sessions and servers"),
    ("projects", "Projects"),
    ("flows", "Flows and jobs"),
    ("executions", "Executions"),
    ("schedules", "Schedules and SLAs"),
    ("shell", "The shell itself"),
    ("debug", "Debugging"),
)

_H = "azshell.shell.handlers"
_R = "azshell.shell.run.render"

_PROJECT = Arg("PROJECT", "project", "The project's name.")
_FLOW = Arg("FLOW", "flow", "The flow's name (a flow of PROJECT).")
_EXECID = Arg(
    "EXECID", "execid",
    "An execution id, or its address in the web UI; defaults to the last execution started "
    "in this session.", optional=True,
)
_JOB = Arg("JOB", "job", "The job's name (a job of FLOW).")
# `job`, `job-set`: a job inside an embedded flow by its path, as `jobs` and `log` name it
_JOB_PATH = Arg("JOB", "job", "The job's name (a job of FLOW); sub:job for a job inside the "
                "embedded flow sub (FLOW:sub JOB works too).")
_EMAILS = "Comma-separated e-mail addresses."
_WAIT = Opt(("-w", "--wait"), "wait",
            help="Follow the execution to its end; fail unless it SUCCEEDED.")
_TIMEOUT = Opt(("--timeout",), "timeout", "number",
               help="Stop waiting after this many seconds (the flow goes on).", metavar="SECONDS")
_NOTIFY = Opt(("--notify",), "notify",
              help="At the end, ring the terminal bell and send a desktop notification (OSC 9 "
                   "and OSC 777, where the terminal supports them).")
_ON_DONE = Opt(("--on-done",), "on_done", "text",
               help="At the end, run this shell command (AZSHELL_EXECIDS, AZSHELL_STATUSES and "
                    "AZSHELL_OK in its environment).", metavar="COMMAND")
# How to run a flow: `execute` and `schedule` take the same options.
_EXECUTION_OPTIONS: tuple[Opt, ...] = (
    Opt(("-d", "--disable"), "disable", "job", help="Skip this job (repeatable).",
        metavar="JOB", repeat=True),
    Opt(("-p", "--param"), "param", "keyvalue",
        help="Set a flow parameter (repeatable).", metavar="KEY=VALUE", repeat=True),
    Opt(("--concurrent",), "concurrent", "enum",
        help="What to do if the flow is already running (pipeline:N waits N jobs).",
        metavar="MODE", choices=("skip", "ignore", "pipeline:1", "pipeline:2", "queue")),
    Opt(("--on-failure",), "on_failure", "enum",
        help="What to do with running jobs when a job fails.",
        metavar="ACTION", choices=("finish", "cancel", "possible")),
    Opt(("--notify-failure",), "notify_failure", "email",
        help=f"Mail these addresses on failure. {_EMAILS}", metavar="EMAILS"),
    Opt(("--notify-success",), "notify_success", "email",
        help=f"Mail these addresses on success. {_EMAILS}", metavar="EMAILS"),
)
_PERM = Arg("PERM", "enum", "A permission: read, write, execute, schedule or admin (admin "
            "implies every other).", repeat=True,
            choices=PERMISSIONS)
_GROUP = Opt(("-g", "--group"), "group", help="NAME is a group, not a user.")

COMMANDS: tuple[Command, ...] = (
    # -- sessions -------------------------------------------------------------------------------
    Command(
        "login", "Log in to the current server again, as USER if given (the password from "
                 "AZSHELL_PASSWORD or the password_command, else asked).",
        args=(Arg("USER", "account", "The user name; defaults to the current or configured "
                  "user.", optional=True),),
        examples=("login", "login azkaban"),
        group="session", secret=True, handler=f"{_H}.session:login", needs_session=False,
        changes=False,
    ),
    Command(
        "logout", "Log out and forget the saved session for this server and user.",
        examples=("logout",),
        group="session", handler=f"{_H}.session:logout", needs_session=False, changes=False,
    ),
    Command(
        "connect", "Switch to another server (reuses a saved session, else logs in).",
        args=(Arg("URL", "server", "The Azkaban web server's address, e.g. "
                  "http://localhost:8081; the profile's with --profile.", optional=True),
              Arg("USER", "account", "The user name; defaults to the configured user.",
                  optional=True)),
        options=(Opt(("-k", "--insecure"), "insecure",
                     help="Do not verify the server's TLS certificate."),
                 Opt(("--ca-cert",), "ca_cert", "path",
                     help="Verify TLS with this CA bundle file.", metavar="FILE"),
                 Opt(("-p", "--profile"), "profile", "text",
                     help="Take the server, user and TLS settings from this profile of the "
                          "config file.", metavar="NAME")),
        examples=("connect http://localhost:8081", "connect https://azkaban.example.com alice",
                  "connect https://azkaban.test --ca-cert ~/test-ca.pem", "connect --profile prod"),
        group="session", secret=True, handler=f"{_H}.session:connect", needs_session=False,
        changes=False,
    ),
    Command(
        "whoami", "Show the server, its version, the user and the session state.",
        examples=("whoami",),
        group="session", handler=f"{_H}.session:whoami", needs_session=False, changes=False,
    ),
    Command(
        "server", "Show the server's status: version, executors, memory (no login needed).",
        examples=("server",),
        group="session", handler=f"{_H}.server:server", needs_session=False, changes=False,
    ),
    # -- projects -------------------------------------------------------------------------------
    Command(
        "projects", "List the projects you can see.",
        options=(Opt(("-a", "--all"), "all", help="List every project on the server (admins)."),),
        examples=("projects", "projects --all"),
        group="projects", handler=f"{_H}.projects:projects", table=f"{_R}:projects_table",
        learns="project-list", changes=False,
    ),
    Command(
        "create", "Create an empty project.",
        args=(_PROJECT,
              Arg("DESCRIPTION", "text",
                  "A description (quoted if it has spaces); defaults to the project's name.",
                  optional=True)),
        examples=("create demo", 'create demo "Nightly loads"'),
        group="projects", handler=f"{_H}.projects:create", learns="new-project", changes=True,
    ),
    Command(
        "delete", "Delete a project (asks first on a terminal).",
        args=(_PROJECT,),
        options=(Opt(("-y", "--yes"), "yes",
                     help="Do not ask for confirmation (required in scripts)."),),
        examples=("delete demo", "delete demo --yes"),
        group="projects", handler=f"{_H}.projects:delete", learns="gone-project", changes=True,
    ),
    Command(
        "purge", "Remove a deleted project's stored versions for good (asks first on a terminal).",
        args=(Arg("PROJECT_ID", "number", "The numeric id of a deleted project (the ID column of "
                  "'projects' before the delete; 'delete' prints it too); an active project is "
                  "refused before the question."),),
        options=(Opt(("-y", "--yes"), "yes",
                     help="Do not ask for confirmation (required in scripts)."),),
        examples=("purge 42", "purge 42 --yes"),
        group="projects", handler=f"{_H}.admin:purge", changes=True,
    ),
    Command(
        "upload", "Check a project zip or directory locally, then upload it.",
        args=(_PROJECT, Arg("PATH", "path", "A project zip file or a project directory.")),
        options=(Opt(("--create",), "create", help="Create the project first if it is missing."),
                 Opt(("--allow-empty",), "allow_empty",
                     help="Upload it even if it has no flow (Azkaban accepts that, and the "
                          "project then has no flows and loses their schedules)."),
                 Opt(("--plan",), "plan",
                     help="Upload nothing: show what the upload would change and lose (as "
                          "'plan')."),
                 Opt(("--if-changed",), "if_changed",
                     help="Upload only if the files differ from the deployed version's (else "
                          "say unchanged: no new version, no project-log entry)."),
                 Opt(("--no-lint",), "no_lint",
                     help="Do not run the lint's checks first (its errors stop an upload).")),
        examples=("upload demo ./demo", "upload demo build/demo.zip --create",
                  "upload demo ./demo --if-changed", "upload demo ./demo --plan"),
        group="projects", handler=f"{_H}.deploy:upload", learns="flow-list", changes=True,
    ),
    Command(
        "plan", "Show what uploading PATH would change (flows, jobs, file diffs) and lose "
                "(schedules, SLAs, job overrides, flow locks); uploads nothing.",
        args=(_PROJECT, Arg("PATH", "path", "A project zip file or a project directory.")),
        examples=("plan demo ./demo", "plan demo build/demo.zip"),
        group="projects", handler=f"{_H}.deploy:plan", changes=False,
    ),
    Command(
        "diff", "Compare two deployed versions of a project, or a local directory or zip with "
                "the deployed version (plan without the schedules, overrides and locks).",
        args=(_PROJECT,
              Arg("VERSION_A|PATH", "path", "A version number (with VERSION_B), or a project "
                  "zip or directory.", dest="a"),
              Arg("VERSION_B", "number", "The version to compare VERSION_A with.",
                  optional=True, dest="b")),
        examples=("diff demo 3 4", "diff demo ./demo"),
        group="projects", handler=f"{_H}.deploy:diff", changes=False,
    ),
    Command(
        "lint", "Check a project zip or directory: what Azkaban would refuse, and what it "
                "accepts and then runs wrong; each finding with its file, line and fix.",
        args=(Arg("PATH", "path", "A project zip file or a project directory."),),
        examples=("lint ./demo", "lint build/demo.zip"),
        group="projects", handler=f"{_H}.deploy:lint", needs_session=False, changes=False,
    ),
    Command(
        "test", "Run a flow of a local project on a temporary sandbox in this process and "
                "follow it; fail unless it SUCCEEDED (no server needed).",
        args=(Arg("PATH", "path", "A project zip file or a project directory."),
              Arg("FLOW", "text", "The flow to run (a flow of the project at PATH).")),
        options=(*(o for o in _EXECUTION_OPTIONS if o.dest in ("disable", "param",
                                                                "on_failure")),
                 Opt(("--timeout",), "timeout", "number",
                     help="Stop after this many seconds (the sandbox goes with it).",
                     metavar="SECONDS")),
        examples=("test ./demo main", "test ./demo main --param day=2024-01-31",
                  "test build/demo.zip main --disable slow_job"),
        group="executions", handler=f"{_H}.localrun:test", needs_session=False, changes=False,
    ),
    Command(
        "download", "Save a project's zip (the latest version, or --version N).",
        args=(_PROJECT,
              Arg("PATH", "path", "A file to write, or a directory for <project>-<version>.zip; "
                  "defaults to that name here.", optional=True)),
        options=(Opt(("--version",), "version", "number",
                     help="The project version to download (default: the latest).",
                     metavar="N"),
                 Opt(("-f", "--force"), "force", help="Replace the file if it exists.")),
        examples=("download demo", "download demo --version 3", "download demo backups/",
                  "download demo demo.zip --force"),
        group="projects", handler=f"{_H}.admin:download", changes=False,
    ),
    Command(
        "describe", "Change a project's description.",
        args=(_PROJECT,
              Arg("DESCRIPTION", "text", "The new description (the rest of the line).",
                  repeat=True)),
        examples=('describe demo "Nightly loads of the sales data"',
                  "describe demo Nightly loads"),
        group="projects", handler=f"{_H}.admin:describe", changes=True,
    ),
    Command(
        "project-log", "List a project's events (uploads, permissions, schedules), newest first.",
        args=(_PROJECT,),
        options=(Opt(("-n", "--limit"), "limit", "number",
                     help="How many events to list (default 20).", metavar="N"),
                 Opt(("--offset",), "offset", "count",
                     help="Skip this many of the newest events first (default 0).",
                     metavar="N")),
        examples=("project-log demo", "project-log demo --limit 100"),
        group="projects", handler=f"{_H}.admin:project_log",
        table=f"{_H}.admin:project_log_table", changes=False,
    ),
    Command(
        "permissions", "List who may do what on a project: users, groups and proxy users.",
        args=(_PROJECT,),
        examples=("permissions demo",),
        group="projects", handler=f"{_H}.admin:permissions",
        table=f"{_H}.admin:permissions_table", learns="holders", changes=False,
    ),
    Command(
        "grant", "Give a user or group permissions on a project (added to what it has).",
        args=(_PROJECT, Arg("NAME", "principal", "The user (or, with --group, the group)."),
              _PERM),
        options=(_GROUP,),
        examples=("grant demo alice read execute", "grant demo ops read write --group",
                  "grant demo bob admin"),
        group="projects", handler=f"{_H}.admin:grant", learns="holder", changes=True,
    ),
    Command(
        "revoke", "Take permissions on a project away from a user or group (all unless named).",
        args=(_PROJECT, Arg("NAME", "holder", "The user (or, with --group, the group)."),
              Arg("PERM", "enum", "A permission to take away; every permission if none is "
                  "given.", optional=True, repeat=True, choices=_PERM.choices)),
        options=(_GROUP,),
        examples=("revoke demo alice", "revoke demo alice write", "revoke demo ops --group"),
        group="projects", handler=f"{_H}.admin:revoke", learns="holder", changes=True,
    ),
    Command(
        "proxy", "Add or remove a proxy user of a project: a user its jobs may run as.",
        args=(Arg("add|remove", "enum", "add lets the project's jobs run as NAME; remove takes "
                  "that away.", choices=("add", "remove"), dest="action"),
              _PROJECT, Arg("NAME", "proxy-user", "The user name.")),
        examples=("proxy add demo etl", "proxy remove demo etl"),
        group="projects", handler=f"{_H}.admin:proxy", learns="proxy-users", changes=True,
    ),
    # -- flows ----------------------------------------------------------------------------------
    Command(
        "flows", "List the flows of a project.",
        args=(_PROJECT,),
        examples=("flows demo",),
        group="flows", handler=f"{_H}.flows:flows", table=f"{_R}:flows_table",
        learns="flow-list", changes=False,
    ),
    Command(
        "jobs", "List the jobs of a flow with their types and dependencies.",
        args=(_PROJECT, _FLOW),
        examples=("jobs demo main",),
        group="flows", handler=f"{_H}.flows:jobs", table=f"{_R}:jobs_table", changes=False,
    ),
    Command(
        "flow", "Show a flow's facts: its jobs by level, job types, lock, e-mails and next run.",
        args=(_PROJECT, _FLOW),
        examples=("flow demo main",),
        group="flows", handler=f"{_H}.flowadmin:flow", changes=False,
    ),
    Command(
        "job", "Show a job: its type, its command and every property, overridden ones marked.",
        args=(_PROJECT, _FLOW, _JOB_PATH),
        examples=("job demo main load", "job demo pipeline process:step_a"),
        group="flows", handler=f"{_H}.flowadmin:job", changes=False,
    ),
    Command(
        "job-set", "Override properties of a job until the next upload; its other properties "
        "stay as they are.",
        args=(_PROJECT, _FLOW, _JOB_PATH,
              Arg("KEY=VALUE", "keyvalue", "A property to set (the value may be empty, type's "
                  "may not). A Flow 1.0 job's override holds in every flow of the project that "
                  "has the job; a new upload drops every override.",
                  optional=True, repeat=True, dest="props")),
        options=(Opt(("--unset",), "unset", "text",
                     help="Remove this property (repeatable; not type, which every job needs).",
                     metavar="KEY", repeat=True),
                 Opt(("--reset",), "reset",
                     help="Start from the job file's properties, dropping earlier overrides.")),
        examples=("job-set demo main load retries=3",
                  "job-set demo main load 'command=echo hot fix' --unset retry.backoff",
                  "job-set demo pipeline process:step_a retries=2",
                  "job-set demo main load --reset"),
        group="flows", handler=f"{_H}.flowadmin:job_set", changes=True,
    ),
    Command(
        "lock", "Lock a flow: Azkaban refuses to run it until it is unlocked.",
        args=(_PROJECT, _FLOW),
        options=(Opt(("-m", "--message"), "message", "text",
                     help="The reason, kept with the lock (Azkaban 3.90.0 and 4.0.0 do "
                          "not send it with a refused execute).",
                     metavar="TEXT"),),
        examples=("lock demo main", 'lock demo main --message "database upgrade until 06:00"'),
        group="flows", handler=f"{_H}.flowadmin:lock", changes=True,
    ),
    Command(
        "unlock", "Unlock a flow locked with 'lock'.",
        args=(_PROJECT, _FLOW),
        examples=("unlock demo main",),
        group="flows", handler=f"{_H}.flowadmin:unlock", changes=True,
    ),
    Command(
        "graph", "Draw a flow's jobs as a layered graph; with EXECID each job's status, live "
                 "with --follow.",
        args=(_PROJECT, _FLOW,
              Arg("EXECID", "execid", "An execution of FLOW whose job statuses to show.",
                  optional=True)),
        options=(Opt(("-f", "--follow"), "follow",
                     help="Redraw as the execution's jobs change until it ends (Ctrl-C stops "
                          "the drawing, never the flow)."),
                 Opt(("--format",), "format", "enum",
                     help="Write the graph for another tool instead: Graphviz dot or Mermaid.",
                     metavar="FORMAT", choices=("text", "dot", "mermaid")),
                 Opt(("--expand",), "expand",
                     help="Also draw each embedded flow (collapsed to one box otherwise)."),
                 Opt(("--ascii",), "ascii",
                     help="Draw with +-| instead of box-drawing characters.")),
        examples=("graph demo main", "graph demo main 42 --follow", "graph demo pipeline --expand",
                  "graph demo main --format dot",
                  "graph demo main 42 --format mermaid"),
        group="flows", handler=f"{_H}.graph:graph", changes=False,
    ),
    # -- executions -----------------------------------------------------------------------------
    Command(
        "execute", "Start a flow and print its execution id.",
        args=(_PROJECT, _FLOW,
              Arg("FLOW", "flow", "More flows of PROJECT to start with the same options (every "
                  "name and --disable job is checked before any starts; --wait follows them "
                  "all on one display).", optional=True, repeat=True, dest="more_flows")),
        options=(*_EXECUTION_OPTIONS, _WAIT, _TIMEOUT, _NOTIFY, _ON_DONE),
        examples=(
            "execute demo main",
            "execute demo main --wait --timeout 3600",
            "execute demo main --wait --notify",
            "execute demo main --disable slow_job --param day=2024-01-31",
            "execute demo main --concurrent pipeline:2 --on-failure possible",
            "execute demo main audit --wait --notify",
        ),
        group="executions", handler=f"{_H}.executions:execute", learns="started", changes=True,
    ),
    Command(
        "show", "Show an execution: its status, times and the status of every job.",
        args=(_EXECID,),
        examples=("show", "show 42"),
        group="executions", handler=f"{_H}.executions:show", changes=False,
    ),
    Command(
        "executions", "List the recent executions of a flow, newest first.",
        args=(_PROJECT, _FLOW),
        options=(Opt(("-n", "--limit", "--length"), "limit", "number",
                     help="How many executions to list (default 10).", metavar="N"),
                 Opt(("--offset",), "offset", "count",
                     help="Skip this many of the newest executions first (default 0).",
                     metavar="N")),
        examples=("executions demo main", "executions demo main --limit 50",
                  "executions demo main --limit 10 --offset 10"),
        group="executions", handler=f"{_H}.executions:executions", table=f"{_R}:executions_table",
        changes=False,
    ),
    Command(
        "running", "List the unfinished executions of a flow, or of every flow of a project "
                   "('top' shows those of every project).",
        args=(_PROJECT, Arg("FLOW", "flow", "The flow's name (a flow of PROJECT); without it, "
                                            "every flow of PROJECT.", optional=True)),
        examples=("running demo main", "running demo"),
        group="executions", handler=f"{_H}.executions:running", table=f"{_R}:running_table",
        changes=False,
    ),
    Command(
        "top", "A live, full-screen list of running and recent executions to act on (keys: "
               "? in the view); one snapshot as JSON in a script.",
        args=(Arg("PROJECT", "project", "Only this project's executions.", optional=True),
              Arg("FLOW", "flow", "Only this flow's executions.", optional=True)),
        options=(Opt(("--user",), "user", "principal",
                     help="Only the executions this user submitted.", metavar="USER"),
                 Opt(("--status",), "status", "enum",
                     help="Only executions in this status (repeatable).", metavar="STATUS",
                     repeat=True, choices=("RUNNING", "PREPARING", "PAUSED", "SUCCEEDED",
                                           "FAILED", "KILLED", "FAILED_FINISHING",
                                           "CANCELLED")),
                 Opt(("--interval",), "interval", "number",
                     help="Seconds between refreshes (default 2; + and - change it).",
                     metavar="SECONDS")),
        examples=("top", "top demo", "top demo main --status RUNNING", "top --user alice",
                  "top --interval 5"),
        group="executions", handler=f"{_H}.top:top", changes=False,
    ),
    Command(
        "stats", "A flow's health over its last runs: success rate, median and p95 duration, "
                 "trend, last failures and SLA misses; every flow of PROJECT without FLOW.",
        args=(_PROJECT, Arg("FLOW", "flow", "The flow's name; every flow of PROJECT if not "
                            "given.", optional=True)),
        options=(Opt(("-n", "--last"), "last", "number",
                     help="How many of the newest executions to count (default 20).",
                     metavar="N"),),
        examples=("stats demo main", "stats demo main --last 100", "stats demo"),
        group="executions", handler=f"{_H}.health:stats", changes=False,
    ),
    Command(
        "last-success", "Show the id of the last successful execution of a flow.",
        args=(_PROJECT, _FLOW),
        examples=("last-success demo main",),
        group="executions", handler=f"{_H}.executions:last_success", changes=False,
    ),
    Command(
        "wait", "Follow executions to their end with live progress; fail unless every one "
                "SUCCEEDED.",
        args=(Arg("EXECID", "execid", "Execution ids (or their addresses in the web UI); "
                  "defaults to the last execution started in this session.", optional=True,
                  repeat=True),),
        options=(_TIMEOUT, _NOTIFY, _ON_DONE),
        examples=("wait", "wait 42", "wait 42 --timeout 600", "wait 42 43 44 --notify",
                  "wait 42 43 --on-done 'notify-send azkaban done'",
                  "wait http://localhost:8081/executor?execid=42"),
        group="executions", handler=f"{_H}.follow:wait", changes=False,
    ),
    Command(
        "rerun", "Run an ended execution's flow again, skipping the jobs that already succeeded.",
        args=(_EXECID,),
        options=(Opt(("-a", "--all"), "all", help="Run every job again, not only the rest."),
                 _WAIT, _TIMEOUT, _NOTIFY, _ON_DONE),
        examples=("rerun", "rerun 42", "rerun 42 --wait", "rerun 42 --all",
                  "rerun 42 --wait --on-done 'mail -s rerun-done ops < /dev/null'"),
        group="executions", handler=f"{_H}.follow:rerun", changes=True,
    ),
    Command(
        "log", "Print the log of an execution, or of one of its jobs; --follow tails it.",
        args=(_EXECID,
              Arg("JOB", "job", "A job of the execution (sub:job inside an embedded flow); "
                  "the flow's log if not given.", optional=True)),
        options=(Opt(("-j", "--job"), "job", "job",
                     help="Same as JOB (for older scripts).", metavar="JOB"),
                 Opt(("-f", "--follow"), "follow",
                     help="Print new text as it comes until the execution (or job) ends."),
                 Opt(("--grep",), "grep", "text",
                     help="Only the lines that match this regular expression (case-sensitive "
                          "unless it has no capital letter).", metavar="PATTERN"),
                 Opt(("--tail",), "tail", "number",
                     help="Only the last N lines.", metavar="N"),
                 Opt(("--failed",), "failed",
                     help="The logs of the execution's failed jobs only, each headed by its "
                          "job.")),
        examples=("log", "log 42", "log 42 load", "log 42 load --follow", "log 42 --failed",
                  "log 42 load --grep 'ERROR|Exception' --tail 50",
                  "log http://localhost:8081/executor?execid=42&job=load"),
        group="executions", handler=f"{_H}.logs:log", changes=False,
    ),
    Command(
        "cancel", "Kill a running execution.",
        args=(_EXECID,), examples=("cancel", "cancel 42"),
        group="executions", handler=f"{_H}.executions:cancel", changes=True,
    ),
    Command(
        "pause", "Pause a running execution (running jobs finish, no new job starts).",
        args=(_EXECID,), examples=("pause", "pause 42"),
        group="executions", handler=f"{_H}.executions:pause", changes=True,
    ),
    Command(
        "resume", "Resume a paused execution.",
        args=(_EXECID,), examples=("resume", "resume 42"),
        group="executions", handler=f"{_H}.executions:resume", changes=True,
    ),
    Command(
        "retry", "Run the failed jobs of an execution again while it is still finishing.",
        args=(_EXECID,), examples=("retry", "retry 42"),
        group="executions", handler=f"{_H}.executions:retry", changes=True,
    ),
    # -- schedules ------------------------------------------------------------------------------
    Command(
        "schedule", "Run a flow on a cron schedule (a 5-field unix cron or Quartz), replacing "
        "its schedule (named first, and asked on a terminal).",
        args=(_PROJECT, _FLOW,
              Arg("CRON", "cron", "When: a unix cron (min hour day month weekday), a Quartz "
                  "expression (seconds first) or @daily/@hourly/...; quoted or as the rest of "
                  "the words.", repeat=True)),
        options=(*_EXECUTION_OPTIONS,
                 Opt(("-y", "--yes"), "yes", help="Replace the flow's schedule without asking "
                     "(the shell asks first; a script replaces it).")),
        examples=('schedule demo main "30 2 * * 1-5"', "schedule demo main 0 30 2 ? * MON-FRI",
                  "schedule demo main @daily --disable slow_job --param env=prod",
                  "schedule demo main '0 */15 * * *' --concurrent skip"),
        group="schedules", handler=f"{_H}.schedules:schedule", changes=True,
    ),
    Command(
        "schedules", "List every schedule with its next run; 'export' writes them as YAML, "
                     "'apply FILE' makes the server's schedules match a file.",
        args=(Arg("list|export|apply", "enum", "list (the default); export [PROJECT] prints "
                  "YAML; apply FILE shows the plan, asks, then makes exactly those changes.",
                  optional=True, choices=("list", "export", "apply"), dest="action"),
              Arg("PROJECT|FILE", "project", "export: only this project's schedules; apply: "
                  "the YAML file (as export writes it).", optional=True, dest="target")),
        options=(Opt(("-y", "--yes"), "yes",
                     help="apply: do not ask (required in scripts)."),
                 Opt(("--prune",), "prune",
                     help="apply: also remove the schedules of the file's projects that the "
                          "file does not list."),
                 Opt(("--plan",), "plan", help="apply: show the plan and change nothing.")),
        examples=("schedules", "schedules export", "schedules export demo",
                  "schedules apply schedules.yaml", "schedules apply schedules.yaml --yes --prune"),
        group="schedules", handler=f"{_H}.schedfile:schedules",
        table=f"{_H}.schedules:schedules_table", changes=frozenset({"apply"}),
    ),
    Command(
        "backfill", "Run a flow once per date from --from to --to, the date passed as a flow "
                    "parameter; a live table, a summary, resumable (never the same date twice).",
        args=(_PROJECT, _FLOW),
        options=(
            Opt(("--from",), "from", "text", help="The first date: YYYY-MM-DD or "
                "YYYY-MM-DDTHH:MM.", metavar="DATE"),
            Opt(("--to",), "to", "text", help="The last date (included).", metavar="DATE"),
            Opt(("--step",), "step", "text", help="Between two runs: 1d (default), 2d, 1w, 6h, "
                "30m.", metavar="STEP"),
            Opt(("-p", "--param"), "param", "text",
                help="The flow parameter that gets the date, with a strftime FORMAT (default "
                     "date=%Y-%m-%d, or %Y-%m-%dT%H:%M for steps under a day); repeatable; a "
                     "FORMAT without % is a fixed value.",
                metavar="NAME[=FORMAT]", repeat=True),
            Opt(("--parallel",), "parallel", "number",
                help="How many runs at once (default 1: one after the other).", metavar="N"),
            Opt(("--state",), "state", "path",
                help="The state file that records the runs (default "
                     ".azshell-backfill-PROJECT-FLOW.json here); the same command again "
                     "resumes.", metavar="FILE"),
            *(o for o in _EXECUTION_OPTIONS if o.dest != "param"),
        ),
        examples=("backfill demo daily --from 2024-01-01 --to 2024-01-31",
                  "backfill demo daily --from 2024-01-01 --to 2024-03-31 --step 1w "
                  "--param day=%Y%m%d --parallel 2",
                  "backfill demo hourly --from 2024-01-01T00:00 --to 2024-01-01T23:00 "
                  "--step 1h --param hour"),
        group="executions", handler=f"{_H}.backfill:backfill", changes=True,
    ),
    Command(
        "unschedule", "Remove a flow's schedule.",
        args=(_PROJECT, _FLOW),
        examples=("unschedule demo main",),
        group="schedules", handler=f"{_H}.schedules:unschedule", changes=True,
    ),
    Command(
        "sla", "Show the SLA of a flow's schedule, or replace it with 'sla set'.",
        args=(Arg("show|set", "enum", "show (the default) shows the SLA; set replaces it.",
                  optional=True, choices=("show", "set"), dest="action"),
              _PROJECT, _FLOW),
        options=(
            Opt(("--rule",), "rule", "enum",
                help="Starts a rule: the flow (or --job) must succeed, or finish, in time.",
                metavar="RULE", choices=("success", "finish"), repeat=True),
            Opt(("--within",), "within", "text",
                help="The rule's time limit: H:MM, 90m, 2h or 1h30m.", metavar="H:MM",
                repeat=True),
            Opt(("--job",), "job", "job", help="The rule is about this job, not the whole flow.",
                metavar="JOB", repeat=True),
            Opt(("--email",), "email", help="On a miss, mail the SLA addresses.", repeat=True),
            Opt(("--kill",), "kill", help="On a miss, kill the flow (or job).", repeat=True),
            Opt(("--emails",), "emails", "email",
                help=f"Who gets the SLA mails (default: those already set). {_EMAILS}",
                metavar="EMAILS"),
        ),
        examples=("sla demo main",
                  "sla set demo main --rule success --within 2:00 --email --emails ops@example.com",
                  "sla set demo main --rule finish --within 3:00 --kill "
                  "--rule success --job load --within 0:45 --email"),
        group="schedules", handler=f"{_H}.sla:sla",
        table=f"{_H}.sla:sla_table", changes=frozenset({"set"}),
    ),
    Command(
        "trigger", "Show a Flow 2.0 flow's trigger (cron, max wait, dependencies), or pause or "
        "resume it.",
        args=(Arg("show|pause|resume", "enum", "show (the default) shows the trigger; pause "
                  "keeps it from starting the flow; resume lets it start the flow again.",
                  optional=True, choices=("show", "pause", "resume"), dest="action"),
              _PROJECT, _FLOW),
        examples=("trigger demo nightly", "trigger pause demo nightly",
                  "trigger resume demo nightly"),
        group="schedules", handler=f"{_H}.triggers:trigger", changes=frozenset({"pause", "resume"}),
    ),
    # -- the shell ------------------------------------------------------------------------------
    Command(
        "set", "Show or change a shell setting (output, query, color, pager, verbose, timing, "
               "toolbar, tz).",
        args=(Arg("NAME", "setting", "The setting to change.", optional=True,
                  choices=tuple(SETTINGS)),
              Arg("VALUE", "enum", "Its new value.", optional=True, depends=("name", SETTINGS),
                  open_keys=OPEN_SETTINGS)),
        examples=("set", "set output table", "set pager off", "set query '[].projectName'",
                  "set query ''", "set tz UTC", "set tz Europe/Paris"),
        group="shell", handler=f"{_H}.shell:set_", needs_session=False, changes=False,
    ),
    Command(
        "help", "List the commands, or show one command's usage, options and examples "
                "(COMMAND --help does too); 'help keys' lists the keys.",
        args=(Arg("COMMAND", "command", "A command name, or keys for the keys of the shell.",
                  optional=True),),
        examples=("help", "help execute", "help keys"),
        group="shell", aliases=("?",), handler=f"{_H}.shell:help_", needs_session=False,
        changes=False,
    ),
    Command(
        "history", "Show the commands entered before, the newest last; '!N' runs line N again.",
        args=(Arg("N", "number", "How many of the newest lines to show (default 20).",
                  optional=True, dest="count"),),
        options=(Opt(("-a", "--all"), "all", help="Show every line of the history."),),
        examples=("history", "history 50", "history --all"),
        group="shell", handler=f"{_H}.shell:history", needs_session=False, changes=False,
    ),
    Command(
        "clear", "Clear the screen (Ctrl-L does too); nothing in a script.",
        examples=("clear",),
        group="shell", handler=f"{_H}.shell:clear", needs_session=False, changes=False,
    ),
    Command(
        "exit", "Leave the shell (Ctrl-D does too), with exit status N if given.",
        args=(Arg("N", "count", "The exit status (0-255); in a script, the default is that of "
                  "the first failure, else 0.", optional=True, dest="status"),),
        examples=("exit", "exit 3"),
        group="shell", aliases=("quit",), handler=f"{_H}.shell:exit_", needs_session=False,
        changes=False,
    ),
    # -- debugging ------------------------------------------------------------------------------
    Command(
        "call", "Send any Ajax call and print its answer; an error answer (HTTP >= 400, an "
                "error in the JSON) exits 1, a session that is gone 3.",
        args=(Arg("METHOD", "method", "The HTTP method; GET unless given.", optional=True,
                  choices=("GET", "POST")),
              Arg("PATH", "servlet", "The servlet path, e.g. /manager. The answer prints as it "
                  "came, session ids as <session> (`curl --reveal` prints the one in use).",
                  choices=SERVLETS),
              Arg("KEY=VALUE", "ajax-param", "A request parameter.", optional=True,
                  repeat=True, dest="params")),
        examples=("call /status", "call GET /manager ajax=fetchprojectflows project=demo",
                  "call POST /executor ajax=executeFlow project=demo flow=main"),
        group="debug", handler=f"{_H}.debug:call", changes=True,
    ),
    Command(
        "curl", "Print the last HTTP request as a curl command that repeats it.",
        options=(Opt(("--reveal",), "reveal",
                     help="Also print the session id (an export line), which is hidden "
                          "otherwise."),),
        examples=("curl", "curl --reveal"),
        group="debug", handler=f"{_H}.debug:curl", needs_session=False, changes=False,
    ),
)

def load(ref: str) -> Callable[..., Any]:
    """The function a ``module:function`` reference of the table names (imported now)."""
    module_name, _, func = ref.partition(":")
    function: Callable[..., Any] = getattr(importlib.import_module(module_name), func)
    return function


_BY_NAME: dict[str, Command] = {}
for _cmd in COMMANDS:
    for _word in (_cmd.name, *_cmd.aliases):
        _BY_NAME[_word] = _cmd


def find(name: str) -> Command | None:
    """The command called ``name`` (or one of its aliases), else None."""
    return _BY_NAME.get(name)


def names() -> list[str]:
    """Every command name, without aliases, in table order."""
    return [c.name for c in COMMANDS]


def all_words() -> list[str]:
    """Every command name and alias, for completion and highlighting."""
    return list(_BY_NAME)
