"""What one refresh of ``top`` costs against how many executions the server has.

For each size (10, 100 and 1,000 executions by default) a fresh sandbox gets that many ended
executions of a one-job flow, plus three that keep running (a job that sleeps). ``top``'s
source (azshell.shell.top.source) is then refreshed until its list is complete (the first
rounds, which find the highest id and load the recent past, are reported apart), and then
``--rounds`` more times, each measured: the requests sent, the bytes of the answers, and the
CPU time of the refreshing thread (the client's work: the sandbox runs in other threads of the
same process and is not counted). The steady cost should not grow with the history.

    .venv/bin/python benchmarks/top_refresh.py [--sizes 10 100 1000] [--rounds 10]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

from azshell.client import AzkabanClient, ExecuteOptions
from azshell.sandbox import Sandbox
from azshell.shell.top.source import Source

RUNNING = 3


def _project(client: AzkabanClient, where: Path) -> None:
    archive = where / "bench.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("quick.job", "type=noop\n")
        z.writestr("nap.job", "type=command\ncommand=sleep 600\n")
        z.writestr("slow.job", "type=noop\ndependencies=nap\n")
    client.create_project("bench", "top benchmark")
    client.upload_project("bench", archive)


def _fill(client: AzkabanClient, size: int) -> list[int]:
    """``size`` ended executions, then RUNNING that go on; returns the running ones' ids."""
    ignore = ExecuteOptions(concurrent="ignore")
    last = 0
    for _ in range(size):
        last = client.execute("bench", "quick", ignore)
    while client.execution_update(last, 2**62).get("status") != "SUCCEEDED":
        time.sleep(0.05)
    return [client.execute("bench", "slow", ignore) for _ in range(RUNNING)]


class Meter:
    """Counts the requests and answer bytes the client's observer sees."""

    def __init__(self) -> None:
        self.requests = 0
        self.bytes = 0

    def __call__(self, exchange: object) -> None:
        self.requests += 1
        self.bytes += int(getattr(exchange, "size", 0) or 0)


def _measure(source: Source, meter: Meter) -> tuple[int, int, float]:
    meter.requests = meter.bytes = 0
    started = time.thread_time()
    source.refresh()
    return meter.requests, meter.bytes, (time.thread_time() - started) * 1000


def run(size: int, rounds: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp, Sandbox(job_timeout=900) as sandbox:
        client = AzkabanClient(sandbox.url)
        client.login("azkaban", "azkaban")
        _project(client, Path(tmp))
        running = _fill(client, size)
        meter = Meter()
        client.observer = meter
        source = Source(client)
        warm = [_measure(source, meter)]
        while source.incomplete and len(warm) < 50:
            warm.append(_measure(source, meter))
        steady = [_measure(source, meter) for _ in range(rounds)]
        shown = len(source.snapshot())
        for execid in running:
            client.cancel(execid)
    return {
        "size": size, "shown": shown, "warm_rounds": len(warm),
        "warm_requests": sum(w[0] for w in warm), "warm_bytes": sum(w[1] for w in warm),
        "requests": statistics.mean(s[0] for s in steady),
        "bytes": statistics.mean(s[1] for s in steady),
        "cpu_ms": statistics.median(s[2] for s in steady),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    print(f"{'executions':>10} {'listed':>6} {'warm-up':>16} {'requests':>9} {'bytes':>8} "
          f"{'CPU ms':>7}   (per steady refresh; {RUNNING} executions running)")
    for size in args.sizes:
        r = run(size, args.rounds)
        warm = f"{r['warm_rounds']:.0f}x {r['warm_requests']:.0f}r {r['warm_bytes'] / 1024:.0f}K"
        print(f"{r['size'] + RUNNING:>10} {r['shown']:>6} {warm:>16} {r['requests']:>9.1f} "
              f"{r['bytes']:>8.0f} {r['cpu_ms']:>7.2f}")


if __name__ == "__main__":
    main()
