"""Batch throughput: 200 commands on stdin against a bare ``requests.Session`` loop.

    .venv/bin/python benchmarks/batch.py [--runs 9] [--commands 200]

Both are whole processes, timed from spawn to exit, alternating, in the same run against one
in-process sandbox. azshell reads the script on stdin (``-f -``, plain JSON to a pipe) with a
saved session. The loop is a Python process that imports requests and makes exactly the HTTP
calls azshell made for that script (recorded from one ``-v`` run, so the two cannot drift
apart), parsing each answer as JSON and writing it to its stdout. The ratio printed is
loop time / azshell time (azshell's share of the loop's throughput); the goal is >= 0.8.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from azshell.sandbox import Sandbox

GOAL = 0.8
ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ("projects", "flows {p}", "jobs {p} finish", "executions {p} finish", "flow {p} finish",
            "permissions {p}", "schedules", "whoami")
LOOP = """\
import json, sys
import requests

url, session = sys.argv[1], sys.argv[2]
calls = json.load(open(sys.argv[3]))
http = requests.Session()
out = sys.stdout
for method, path, params in calls:
    params = [(k, session if v == "<session>" else v) for k, v in params]
    if method == "GET":
        answer = http.get(url + path, params=params, timeout=30)
    else:
        answer = http.post(url + path, data=params, timeout=30,
                           headers={"X-Requested-With": "XMLHttpRequest"})
    out.write(json.dumps(answer.json(), indent=2) + "\\n")
    out.flush()
"""


def environment(home: Path) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / "config"), "XDG_STATE_HOME": str(home / "state"),
            "XDG_CACHE_HOME": str(home / "cache"), "LANG": "C.UTF-8"}


def run(argv: list[str], env: dict[str, str], stdin: str = "") -> tuple[float, str, str]:
    started = time.perf_counter()
    done = subprocess.run(argv, input=stdin, env=env, capture_output=True, text=True,
                          check=False)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{argv[0]} exited {done.returncode}: {done.stderr[-500:]}")
    return took, done.stdout, done.stderr


def recorded_calls(verbose: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The requests of a ``-v`` run: ``→ GET /manager ajax=... session.id=<session>``."""
    calls = []
    for line in verbose.splitlines():
        if not line.startswith("→ "):
            continue
        words = shlex.split(line.split("  ")[0][2:])
        method, path, pairs = words[0], words[1], words[2:]
        calls.append((method, path, [tuple(p.split("=", 1)) for p in pairs]))
    return calls


def saved_session(home: Path) -> str:
    """The session id azshell saved (sessions.json: ``{"user@url": {"session_id": ...}}``)."""
    sessions = json.loads((home / "state" / "azshell" / "sessions.json").read_text())
    return next(iter(sessions.values()))["session_id"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="Runs of each program.")
    parser.add_argument("--commands", type=int, default=200, help="Lines in the script.")
    args = parser.parse_args()
    azshell = str(Path(sys.executable).with_name("azshell"))
    with Sandbox(port=0) as sandbox, tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        env = environment(home)
        project = "bench"
        setup = [f"upload {project} {ROOT / 'examples' / 'flow1-etl'} --create",
                 f"execute {project} finish --wait"]
        base = [azshell, sandbox.url, "--user", "azkaban"]
        setup_args = [word for command in setup for word in ("-c", command)]
        run([*base, *setup_args], {**env, "AZSHELL_PASSWORD": "azkaban"})
        lines = [COMMANDS[i % len(COMMANDS)].format(p=project) for i in range(args.commands)]
        script = "\n".join(lines) + "\n"
        _, _, verbose = run([*base, "-v", "-f", "-"], env, script)
        calls = recorded_calls(verbose)
        if len(calls) < len(lines):
            raise SystemExit(f"recorded {len(calls)} calls for {len(lines)} commands")
        (home / "calls.json").write_text(json.dumps(calls))
        (home / "loop.py").write_text(LOOP)
        programs = {
            "azshell": ([*base, "-f", "-"], script),
            "loop": ([sys.executable, str(home / "loop.py"), sandbox.url, saved_session(home),
                      str(home / "calls.json")], ""),
        }
        for argv, stdin in programs.values():  # warm the caches, check both run
            run(argv, env, stdin)
        times: dict[str, list[float]] = {name: [] for name in programs}
        for _ in range(args.runs):
            for name, (argv, stdin) in programs.items():
                times[name].append(run(argv, env, stdin)[0])
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, values in times.items():
        per = medians[name] / args.commands * 1000
        print(f"{name:8} median {medians[name] * 1000:7.1f} ms ({per:.2f} ms a command)  "
              f"min {min(values) * 1000:7.1f} ms  max {max(values) * 1000:7.1f} ms")
    ratio = medians["loop"] / medians["azshell"]
    verdict = "ok" if ratio >= GOAL else "too slow"
    print(f"{len(calls)} HTTP calls for {args.commands} commands")
    print(f"ratio loop/azshell: {ratio:.3f} (goal >= {GOAL}: {verdict}, {args.runs} runs)")
    return 0 if ratio >= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
