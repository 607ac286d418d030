"""``azshell sandbox``: run the sandbox in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

BANNER = """\
azshell sandbox: an Azkaban-compatible web server for trying azshell (not for production)
  URL    {url}
  users  azkaban/azkaban  (role admin, group azkaban: may do everything)
         metrics/metrics  (role metrics)
         reader/reader    (role reader = READ: reads every project, cannot write or execute)
         alice/alice      (no role: may do only what a project grants her)
  login  curl -X POST --data "action=login&username=azkaban&password=azkaban" {url}
State is kept in memory and lost on exit. Press Ctrl-C to stop."""


EPILOG = """\
examples:
  azshell sandbox                     serve on http://127.0.0.1:8081
  azshell sandbox --port 0            on a free port (the banner says which)
  azshell http://127.0.0.1:8081 --user azkaban   then, in another terminal

users: azkaban/azkaban (admin), metrics/metrics, reader/reader. State is kept in memory.
exit codes: 0 stopped with Ctrl-C or SIGTERM, 1 cannot listen, 2 usage error."""


def _parser() -> argparse.ArgumentParser:
    """The options of `azshell sandbox`, worded like `azshell --help` (each ends with a period)."""
    parser = argparse.ArgumentParser(
        prog="azshell sandbox",
        description="Run a local Azkaban-compatible web server in the foreground (for trying\n"
                    "azshell and for tests, not for production).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=False,
    )
    parser.add_argument("-h", "--help", action="help", help="Show this help and exit.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="Address to listen on (default: 127.0.0.1, loopback only).")
    parser.add_argument("--port", type=int, default=8081,
                        help="Port to listen on; 0 picks a free one (default: 8081).")
    parser.add_argument("--session-ttl", type=float, default=36000.0, metavar="SECONDS",
                        help="Idle time after which a session expires (default: 36000).")
    parser.add_argument("--job-timeout", type=float, default=300.0, metavar="SECONDS",
                        help="Time after which a running job is killed (default: 300).")
    parser.add_argument("--hold-schedules", action="store_true",
                        help="Keep and list schedules without ever firing them.")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Start the sandbox, print how to reach it, serve until Ctrl-C or SIGTERM."""
    args = _parser().parse_args(argv)
    if not 0 <= args.port <= 65535:
        print(f"azshell sandbox: invalid port {args.port}", file=sys.stderr)
        return 2
    from azshell.sandbox import Sandbox

    try:
        sandbox = Sandbox(host=args.host, port=args.port, session_ttl=args.session_ttl,
                          job_timeout=args.job_timeout, fire_schedules=not args.hold_schedules)
    except OSError as err:
        print(f"azshell sandbox: cannot listen on {args.host}:{args.port}: {err.strerror or err}",
              file=sys.stderr)
        return 1
    # The handler goes in before the banner: whoever read the banner may send SIGTERM at once.
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        print(BANNER.format(url=sandbox.url), flush=True)
        from azshell.sandbox.runner.jobs import command_jobs_unsupported

        if command_jobs_unsupported():
            print(f"note: {command_jobs_unsupported()}", flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    print("sandbox stopped", flush=True)
    return 0
