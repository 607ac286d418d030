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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="azshell sandbox",
        description="Run a local Azkaban-compatible web server in the foreground.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="Address to listen on (default: 127.0.0.1, loopback only).")
    parser.add_argument("--port", type=int, default=8081,
                        help="Port to listen on; 0 picks a free one (default: 8081).")
    parser.add_argument("--session-ttl", type=float, default=36000.0, metavar="SECONDS",
                        help="Idle time after which a session expires (default: 36000).")
    parser.add_argument("--job-timeout", type=float, default=300.0, metavar="SECONDS",
                        help="Time after which a running job is killed (default: 300).")
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
                          job_timeout=args.job_timeout)
    except OSError as err:
        print(f"azshell sandbox: cannot listen on {args.host}:{args.port}: {err.strerror or err}",
              file=sys.stderr)
        return 1
    print(BANNER.format(url=sandbox.url), flush=True)
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    print("sandbox stopped", flush=True)
    return 0
