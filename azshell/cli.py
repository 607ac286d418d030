"""The `azshell` command: choose the run mode before importing anything heavy.

`--version` imports neither requests nor prompt_toolkit; scripts (`-c`, `-f`, piped stdin) never
import prompt_toolkit; only the interactive shell does. `azshell sandbox ...` runs the sandbox
server in the foreground.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from typing import Any

from azshell.options import build_parser


def split_command(parser: argparse.ArgumentParser, argv: list[str]) -> tuple[list[str], list[str]]:
    """``(azshell's own arguments, the shell command)``: the first word that is not an option,
    an option's value or the URL, and is a shell command, starts the command (the kubectl
    habit: ``azshell -p prod executions demo main --wait``). The command table is imported only
    when there is such a word: `azshell --version` does not pay for it."""
    seen_url = False
    i = 0
    while i < len(argv):
        word = argv[i]
        if word == "--":
            break
        if word.startswith("-") and len(word) > 1:
            action = parser._option_string_actions.get(word.partition("=")[0])
            if action is None and not word.startswith("--") and len(word) > 2:
                action = parser._option_string_actions.get(word[:2])  # -ufoo, -kv
                if action is not None and action.nargs == 0:
                    action = None
                elif action is not None:
                    i += 1
                    continue
            if action is not None and action.nargs != 0 and "=" not in word:
                i += 1  # its value
            i += 1
            continue
        if not _address_like(word):  # a URL is never a command: the table is not needed
            from azshell.shell.line.commands import find

            if find(word) is not None:
                return argv[:i], argv[i:]
        if seen_url:
            break
        seen_url = True
        i += 1
    return argv, []


def _address_like(word: str) -> bool:
    """A word with a character no command name has (``.``, ``:``, ``/``, ``[``): a server."""
    return any(ch in word for ch in ".:/[")


def _not_a_url(word: str) -> str | None:
    """Why a bare word is no server address (``azshell projcts``), else None."""
    if _address_like(word) or word == "localhost":
        return None
    from azshell.shell.line.parser import suggest

    return (f"{word!r} is neither a command nor a server URL (give http://HOST:PORT)"
            f"{suggest(word)}")


def _options(args: argparse.Namespace) -> dict[str, Any]:
    """The settings the user typed (None = not given, so lower layers keep their value)."""
    return {
        "url": args.url, "user": args.user, "profile": args.profile, "insecure": args.insecure,
        "ca_cert": args.ca_cert, "truststore": args.truststore, "timeout": args.timeout,
        "output": args.output, "query": args.query, "color": args.color, "pager": args.pager,
        "verbose": args.verbose, "debug": args.debug, "tz": args.tz,
    }


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def choose_mode(args: argparse.Namespace) -> str:
    """``batch`` for -c/-f and for anything that is not a terminal, else ``interactive``."""
    if args.commands or args.file or args.check or args.stream:
        return "batch"
    if _isatty(sys.stdin) and _isatty(sys.stdout):
        return "interactive"
    return "batch"


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script and of ``python -m azshell``."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        # A Ctrl-C whose handler runs only after the work is done (it came as stdin ended, so
        # the read saw the end rather than the signal) still means interrupted, not a traceback
        print("azshell: interrupted", file=sys.stderr)
        return 130


def _main(argv: list[str] | None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["sandbox"]:
        from azshell.sandbox.cli import main as sandbox_main

        return sandbox_main(args_list[1:])
    parser = build_parser()
    own, command = split_command(parser, args_list)
    args = parser.parse_args(own)
    if args.version:
        from azshell import __version__

        print(f"azshell {__version__}")
        return 0
    if args.completion or args.man or args.list_profiles:
        return _print_extra(args)
    problem = _command_words(args, command)
    if problem:
        print(f"azshell: error: {problem}", file=sys.stderr)
        return 2
    not_text = _not_utf8(args)
    if not_text:
        print(f"azshell: error: {not_text} is not UTF-8 text", file=sys.stderr)
        return 2
    code = 1
    gc.disable()  # until the shell is up: azshell.shell.started() says why
    try:
        try:
            code = _run(args, args_list)
        except BrokenPipeError:  # `azshell -c projects | head -1`
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            gc.enable()
            if "azshell.shell.debugging.debuglog" in sys.modules:  # --debug started it
                sys.modules["azshell.shell.debugging.debuglog"].stop(code)
    except KeyboardInterrupt:  # a Ctrl-C that lands after the last command, not a traceback
        print("azshell: interrupted", file=sys.stderr)
        code = 130
    return code


def _command_words(args: argparse.Namespace, command: list[str]) -> str | None:
    """Turn ``azshell COMMAND ARGS...`` into ``-c``; what is wrong with the words, if anything."""
    if args.examples and not args.sandbox:
        return "--examples goes with --sandbox"
    if command:
        if args.commands or args.file:
            return "give a command, -c or -f, not two of them"
        import shlex

        args.commands = [shlex.join(command)]
    elif args.url and _not_a_url(args.url):
        return _not_a_url(args.url)
    if args.commands and args.file:
        return "give either -c or -f, not both"
    if args.stream and (args.commands or args.file not in (None, "-") or args.check):
        return "--stream runs stdin as it comes: not with a command, -c, -f FILE or --check"
    return None


def _print_extra(args: argparse.Namespace) -> int:
    """--completion SHELL, --man and the profiles for completion: printed, nothing started."""
    if args.completion:
        from azshell.completion import script

        sys.stdout.write(script(args.completion))
    elif args.man:
        from azshell.manpage import manpage

        sys.stdout.write(manpage())
    else:  # --list-profiles: what completion offers after --profile; quiet on a broken file
        from azshell.errors import AzshellError
        from azshell.shell.session.settings import load, profile_names

        try:
            print("\n".join(profile_names(load({}))))
        except (AzshellError, OSError):
            return 1
    return 0


def _not_utf8(args: argparse.Namespace) -> str | None:
    """The argument or variable holding bytes that are not UTF-8, if any.

    Python hands such bytes over as lone surrogates, which no request can carry: they would
    fail deep inside as an internal UnicodeEncodeError. The value itself is never repeated (it
    may be a password).
    """
    named = [(f"-c:{i}", text) for i, text in enumerate(args.commands, 1)]
    named += [("the URL", args.url), ("--user", args.user), ("--profile", args.profile)]
    named += [(name, os.environ.get(name)) for name in
              ("AZSHELL_URL", "AZSHELL_USER", "AZSHELL_PROFILE", "AZSHELL_PASSWORD")]
    for name, value in named:
        try:
            (value or "").encode("utf-8")
        except UnicodeEncodeError:
            return name
    return None


def _run(args: argparse.Namespace, args_list: list[str]) -> int:
    from azshell.errors import AzshellError
    from azshell.shell.run.exitcodes import INTERRUPTED, exit_code
    from azshell.shell.session.settings import load

    mode = choose_mode(args)
    try:
        settings = load(_options(args))
    except AzshellError as err:
        print(f"azshell: error: {err}", file=sys.stderr)
        return exit_code(err)

    if settings.tz != "local":
        from azshell.shell.session.timezone import apply_zone

        apply_zone(settings.tz)
    from azshell.shell.run.context import new_context

    ctx = new_context(settings, interactive=mode == "interactive")
    if settings.debug:
        _start_debug_log(ctx, args_list)
    sandbox = None
    try:
        if args.check:
            from azshell.shell.run.batch import run_batch

            return run_batch(ctx, args.commands, args.file, check_only=True)
        if args.sandbox:
            sandbox = _start_sandbox(ctx, args.examples)
        if mode == "interactive":
            from azshell.shell.interactive.app import run as run_app

            _first_run_config(settings)

            return run_app(ctx)
        from azshell.shell import started
        from azshell.shell.run.batch import run_batch

        started()
        return run_batch(ctx, args.commands, args.file, keep_going=args.keep_going,
                         stream=args.stream)
    except AzshellError as err:
        ctx.out.error(str(err))
        return exit_code(err)
    except KeyboardInterrupt:
        ctx.out.error("interrupted")
        return INTERRUPTED
    finally:
        if sandbox is not None:
            sandbox.stop()


def _start_debug_log(ctx: Any, argv: list[str]) -> None:
    """Open this run's debug log (0600) and say where it is, once, on stderr."""
    from azshell.shell.debugging import debuglog

    try:
        path = debuglog.start(ctx, argv)
    except OSError as err:
        ctx.out.note(f"warning: no debug log: {err.strerror or err}")
        return
    ctx.out.note(f"debug log: {path}")


SANDBOX_USERS = ("users: azkaban/azkaban (admin, you are logged in as it), reader/reader "
                 "(reads every project, changes nothing), metrics/metrics (metrics only), "
                 "alice/alice (only what a project grants her)")
EXAMPLES = ("flow1-etl", "flow1-failing", "flow2-pipeline", "flow2-trigger")


def _start_sandbox(ctx: Any, examples: bool = False) -> Any:
    """An in-process sandbox on a free port, with azkaban/azkaban's session kept in memory only;
    ``examples`` uploads the example projects into it."""
    from azshell.sandbox import Sandbox
    from azshell.shell.session.store import MemoryStore

    sandbox = Sandbox(port=0)
    ctx.settings.url, ctx.settings.user = sandbox.url, "azkaban"
    ctx.settings.profile = None
    ctx.session.remember_password("azkaban")
    ctx.session.use_store(MemoryStore())
    ctx.sandbox = sandbox
    if ctx.interactive:
        ctx.out.paragraph(f"sandbox running at {sandbox.url}; {SANDBOX_USERS}")
        from azshell.sandbox.runner.jobs import command_jobs_unsupported

        if command_jobs_unsupported():
            ctx.out.note(f"note: {command_jobs_unsupported()}")
    if examples:
        from azshell.shell.handlers.projects import load_examples

        loaded = load_examples(sandbox.url, EXAMPLES)
        if ctx.interactive:
            ctx.out.paragraph("example projects: " + "; ".join(
                f"{name} (flows {', '.join(flows)})" for name, flows in loaded))
    elif ctx.interactive:
        ctx.out.note("'azshell --sandbox --examples' starts it with the example projects")
    return sandbox




def _first_run_config(settings: Any) -> None:
    """Copy the self-documenting default config for the user to edit (once, like pgcli)."""
    import contextlib

    from azshell.shell.session.paths import write_private
    from azshell.shell.session.settings import DEFAULT_CONFIG

    path = settings.config_file
    if path is None or os.environ.get("AZSHELL_CONFIG") or path.exists():
        return
    with contextlib.suppress(OSError):
        write_private(path, DEFAULT_CONFIG.read_text(encoding="utf-8"))
