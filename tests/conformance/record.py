"""Record a transcript: ``python -m tests.conformance.record URL OUT.json``.

Runs the scenario against the server at URL (users azkaban/azkaban and metrics/metrics, as a
solo server has them) with projects named ``<prefix><tag>-*``, deletes them afterwards, and
writes the normalized transcript headed with the version the server's /status reported.
``--sandbox`` starts an embedded sandbox instead of URL.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path
from typing import Any

import requests

from . import scenario
from .normalize import dumps
from .runner import Runner


def record(url: str, prefix: str = "conf7-", tag: str | None = None) -> dict[str, Any]:
    """Run the scenario against ``url``; the transcript as data."""
    run_names = f"{prefix}{tag or uuid.uuid4().hex[:6]}"
    runner = Runner(url, run_names)
    status = requests.get(f"{runner.url}/status", timeout=30)
    version = status.json().get("version", "unknown") if status.ok else "unknown"
    stopped = None
    try:
        scenario.run(runner)
    except Exception as exc:  # the transcript so far, and why it stopped
        stopped = f"{type(exc).__name__}: {exc}"
    finally:
        scenario.clean_up(runner)
    transcript: dict[str, Any] = {"server": {"version": version},
                                  "steps": len(runner.entries), "entries": runner.entries}
    if stopped:
        transcript["stopped"] = stopped
    return transcript


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.conformance.record",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the server, e.g. http://127.0.0.1:8081 (or - with "
                                    "--sandbox)")
    parser.add_argument("out", type=Path, help="where to write the transcript (JSON)")
    parser.add_argument("--prefix", default="conf7-", help="project name prefix")
    parser.add_argument("--sandbox", action="store_true", help="run an embedded sandbox")
    args = parser.parse_args(argv)
    if args.sandbox:
        from azshell.sandbox import Sandbox

        with Sandbox() as sandbox:
            transcript = record(sandbox.url, args.prefix)
    else:
        transcript = record(args.url, args.prefix)
    args.out.write_text(dumps(transcript), encoding="utf-8")
    print(f"{transcript['steps']} steps from {transcript['server']['version']} "
          f"written to {args.out}", file=sys.stderr)
    if "stopped" in transcript:
        print(f"the scenario stopped early: {transcript['stopped']}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
