"""Start-up time of `azshell`, as ratios measured in one run (printed, never asserted).

    python benchmarks/startup.py [--runs N]

- `azshell --version` should stay within 3x of `python -c pass` (it imports neither requests nor
  prompt_toolkit);
- `azshell -c whoami` against an in-process sandbox must never import prompt_toolkit; its time is
  printed too (it pays for requests and one or two HTTP calls).
The time to the first interactive prompt is measured by benchmarks/startup_prompt.py.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def azshell_command() -> list[str]:
    """The installed console script next to this Python, else `python -m azshell`."""
    script = Path(sys.executable).with_name("azshell")
    if script.exists():
        return [str(script)]
    found = shutil.which("azshell")
    return [found] if found else [sys.executable, "-m", "azshell"]


def best_of(argv: list[str], runs: int, env: dict[str, str]) -> tuple[float, float]:
    """(best, median) wall time in seconds of ``runs`` runs; any failure stops the benchmark."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            sys.exit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()}")
    return min(times), statistics.median(times)


def imported(argv: list[str], env: dict[str, str]) -> set[str]:
    """Top-level modules a run imports (from `python -X importtime`)."""
    run_env = {**env, "PYTHONPROFILEIMPORTTIME": "1"}
    done = subprocess.run(argv, env=run_env, capture_output=True, text=True, check=False)
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="Runs per measurement.")
    runs = parser.parse_args().runs

    from azshell.sandbox import Sandbox

    home = Path(tempfile.mkdtemp(prefix="azshell-bench-"))
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_STATE_HOME": str(home / "state"), "XDG_CACHE_HOME": str(home / "cache"),
           "AZSHELL_PASSWORD": "azkaban", "NO_COLOR": "1"}
    env.pop("AZSHELL_CONFIG", None)
    azshell = azshell_command()
    try:
        with Sandbox(port=0) as sandbox:
            whoami = [*azshell, sandbox.url, "--user", "azkaban", "-c", "whoami"]
            subprocess.run(whoami, env=env, capture_output=True, check=True)  # saves a session
            base, base_med = best_of([sys.executable, "-c", "pass"], runs, env)
            version, version_med = best_of([*azshell, "--version"], runs, env)
            batch, batch_med = best_of(whoami, runs, env)
            version_mods = imported([*azshell, "--version"], env)
            batch_mods = imported(whoami, env)
    finally:
        shutil.rmtree(home, ignore_errors=True)

    print(f"{'measurement':34} {'best':>9} {'median':>9} {'ratio':>7}")
    print(f"{'python -c pass':34} {base * 1000:8.1f}ms {base_med * 1000:8.1f}ms {1:7.2f}")
    print(f"{'azshell --version':34} {version * 1000:8.1f}ms {version_med * 1000:8.1f}ms "
          f"{version / base:7.2f}  (goal: within 3x)")
    print(f"{'azshell -c whoami (sandbox)':34} {batch * 1000:8.1f}ms {batch_med * 1000:8.1f}ms "
          f"{batch / base:7.2f}")
    print()
    print(f"--version imports requests: {'requests' in version_mods}, "
          f"prompt_toolkit: {'prompt_toolkit' in version_mods}")
    print(f"-c whoami imports prompt_toolkit: {'prompt_toolkit' in batch_mods}")


if __name__ == "__main__":
    main()
