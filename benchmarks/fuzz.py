"""The long fuzz run: the properties of tests/fuzz with many more examples, and the figures.

Each property runs ``--examples`` generated inputs (hypothesis, fresh random seed each run unless
``--seed``); a finding does not stop the run, it is counted by kind, and the first of each kind
is printed. At the end, one line per property and a total in the form issue 9 asks for:

    runs 40,000: 0 tracebacks, 0 internal errors, 0 duplicates, 0 leaks; threads +0, fds +0

``tracebacks``: an exception other than an AzshellError reached the caller (a user would have
seen a traceback or "internal error"); ``internal errors``: the shell printed "internal error"
or the sandbox answered its own 500; ``duplicates``: a state change reached the hostile server
twice without a session-gone answer in between; ``leaks``: a session id or password in an
error, on the screen or in data, a raw control character on a terminal, or a spool file left
behind; threads and fds are this process's, before and after.

    python benchmarks/fuzz.py [--examples 5000] [--only server] [--seed 1]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "fuzz"), str(ROOT / "tests" / "shell"), str(ROOT / "tests")]

import fuzzing  # noqa: E402 (needs the paths above)
from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

KINDS = ("traceback", "internal error", "duplicate", "leak")


class Tally:
    """Runs and findings of one property."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.runs = 0
        self.found: Counter[str] = Counter()
        self.first: dict[str, str] = {}
        self.seconds = 0.0

    def record(self, check: Callable[[], None]) -> None:
        self.runs += 1
        try:
            check()
        except fuzzing.Finding as finding:
            self._add(finding.kind, str(finding))
        except Exception as err:  # the harness itself, or a check that blew up: a traceback
            self._add("traceback", f"{type(err).__name__}: {err}")

    def _add(self, kind: str, text: str) -> None:
        self.found[kind] += 1
        self.first.setdefault(kind, text[:400])

    def line(self) -> str:
        counts = ", ".join(f"{self.found[k]} {k}s" for k in KINDS)
        return f"{self.name:<34} runs {self.runs:>7,}: {counts} ({self.seconds:.0f} s)"


def _run(tally: Tally, strategy: Any, body: Callable[..., None], examples: int,
         chosen_seed: int | None) -> None:
    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def prop(value: Any) -> None:
        tally.record(lambda: body(value))

    if chosen_seed is not None:
        prop = seed(chosen_seed)(prop)
    started = time.perf_counter()
    prop()
    tally.seconds = time.perf_counter() - started


def _with_tmp(check: Callable[[Any, Path], None]) -> Callable[[Any], None]:
    def body(value: Any) -> None:
        with tempfile.TemporaryDirectory(prefix="azshell-fuzz-") as tmp:
            check(value, Path(tmp))
    return body


def properties(server: Any, sandbox: Any) -> dict[str, tuple[str, Any, Callable[..., None]]]:
    """name -> (group, strategy of one value, check of that value)."""
    calls = sorted(fuzzing.READS) + sorted(fuzzing.WRITES) + ["download", "login"]
    return {
        "parser": ("pure", fuzzing.lines, fuzzing.check_line),
        "run_line offline": ("pure", fuzzing.lines, fuzzing.check_run_line_offline),
        "answer decoding": ("pure", st.tuples(fuzzing.statuses, fuzzing.answer_bodies),
                            lambda v: fuzzing.check_decoding(*v)),
        "file readers": ("files", fuzzing.file_bytes | fuzzing.toml_bytes,
                         _with_tmp(fuzzing.check_file_readers)),
        "project files": ("files", fuzzing.project_files, _with_tmp(fuzzing.check_project_files)),
        "client x hostile server": (
            "server", st.tuples(fuzzing.shapes, st.sampled_from(calls)),
            _with_tmp(lambda v, tmp: fuzzing.check_client_answer(server, v[0], v[1], tmp))),
        "shell x hostile server": (
            "server", st.tuples(fuzzing.shapes, st.sampled_from(fuzzing.SHELL_LINES),
                                st.booleans()),
            lambda v: fuzzing.check_shell_answer(server, *v)),
        "sandbox x hostile multipart": (
            "server", fuzzing.uploads, lambda v: fuzzing.check_sandbox_body(sandbox, v)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=5000, help="Inputs per property.")
    parser.add_argument("--only", choices=("pure", "files", "server"), help="One group only.")
    parser.add_argument("--seed", type=int, help="A fixed seed (default: a new one each run).")
    args = parser.parse_args(argv)

    from azshell.client import AzkabanClient
    from azshell.sandbox import Sandbox

    # the client's one deadline thread (a process singleton) is started first, so that it is
    # there before and after: only what the runs leave behind is counted
    with Sandbox() as warm_server, AzkabanClient(warm_server.url) as warm:
        warm.server_status()
    time.sleep(0.5)  # let that sandbox's threads end, as after the runs
    before = fuzzing.leftovers()
    server = fuzzing.HostileServer()
    sandbox = Sandbox()
    tallies = []
    try:
        for name, (group, strategy, body) in properties(server, sandbox).items():
            if args.only and group != args.only:
                continue
            tally = Tally(name)
            _run(tally, strategy, body, args.examples, args.seed)
            print(tally.line(), flush=True)
            for kind, text in tally.first.items():
                print(f"    first {kind}: {text}", flush=True)
            tallies.append(tally)
    finally:
        server.close()
        sandbox.stop()
    time.sleep(0.5)  # let the servers' threads end
    after = fuzzing.leftovers()
    total = Counter()
    for tally in tallies:
        total.update(tally.found)
    runs = sum(t.runs for t in tallies)
    counts = ", ".join(f"{total[k]} {k}s" for k in KINDS)
    print(f"total: runs {runs:,}: {counts}; threads {after['threads'] - before['threads']:+d}, "
          f"fds {after['fds'] - before['fds']:+d}")
    return 1 if sum(total.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
