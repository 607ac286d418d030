"""Time to the first interactive prompt: azshell against a bare prompt_toolkit skeleton.

Both run in a pseudo-terminal (pexpect), in the same run, alternating, many times; the time is
from spawning the process until the prompt text appears. azshell starts with a saved session
against a running sandbox (as after any earlier login). The skeleton is a PromptSession that also
imports requests. The goal: azshell's median at most 0.8x the skeleton's.

    /work/venv/bin/python benchmarks/startup_prompt.py [--runs 21]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pexpect

from azshell.sandbox import Sandbox

GOAL = 0.8
SKELETON = """\
import requests  # noqa: F401  (azshell needs it too)
from prompt_toolkit import PromptSession

try:
    PromptSession().prompt({prompt!r})
except EOFError:
    pass
"""


def environment(home: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"), "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"), "LANG": "C.UTF-8", "TERM": "xterm-256color",
        "PROMPT_TOOLKIT_NO_CPR": "1",
    }


def time_to_prompt(argv: list[str], env: dict[str, str], prompt: str) -> float:
    """Seconds from spawn until ``prompt`` is on the screen; then Ctrl-D and wait for the end."""
    started = time.perf_counter()
    child = pexpect.spawn(argv[0], argv[1:], env=env, dimensions=(40, 120), encoding="utf-8",
                          timeout=30)
    child.expect_exact(prompt)
    elapsed = time.perf_counter() - started
    child.sendcontrol("d")
    child.expect(pexpect.EOF)
    child.close()
    if child.exitstatus != 0:
        raise SystemExit(f"{argv[0]} exited with {child.exitstatus}")
    return elapsed


def save_a_session(azshell: str, url: str, env: dict[str, str]) -> None:
    """One batch run with the password: the session is kept for the interactive runs."""
    done = subprocess.run([azshell, url, "--user", "azkaban", "-c", "whoami"], env={
        **env, "AZSHELL_PASSWORD": "azkaban"}, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"could not log in: {done.stderr.strip()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="Runs of each program.")
    args = parser.parse_args()
    azshell = str(Path(sys.executable).with_name("azshell"))
    with Sandbox(port=0) as sandbox, tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        env = environment(home)
        host = sandbox.url.split("://", 1)[1]
        prompt = f"azkaban@{host}>"
        skeleton = home / "skeleton.py"
        skeleton.write_text(SKELETON.format(prompt=prompt + " "))
        save_a_session(azshell, sandbox.url, env)
        programs = {
            "skeleton": [sys.executable, str(skeleton)],
            "azshell": [azshell, sandbox.url, "--user", "azkaban"],
        }
        for argv in programs.values():  # warm the file cache and .pyc files
            time_to_prompt(argv, env, prompt)
        times: dict[str, list[float]] = {name: [] for name in programs}
        for _ in range(args.runs):
            for name, argv in programs.items():
                times[name].append(time_to_prompt(argv, env, prompt))
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, values in times.items():
        print(f"{name:9} median {medians[name] * 1000:7.1f} ms   "
              f"min {min(values) * 1000:7.1f} ms   max {max(values) * 1000:7.1f} ms")
    ratio = medians["azshell"] / medians["skeleton"]
    verdict = "ok" if ratio <= GOAL else "too slow"
    print(f"ratio azshell/skeleton: {ratio:.3f} (goal <= {GOAL}: {verdict}, {args.runs} runs)")
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
