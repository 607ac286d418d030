"""`plan` of a 200-job project over a slow link, against the same calls made one after another.

    .venv/bin/python benchmarks/plan_latency.py [--runs 5] [--jobs 200] [--delay-ms 20]

A real server is not on loopback: each call waits for the network. Here every request
crosses a small TCP proxy that holds it ``--delay-ms`` before passing it on (answers come back
at once), in front of an in-process sandbox holding a project of ``--jobs`` jobs. ``plan``
asks ``fetchJobInfo`` once a job, since Azkaban has no call for all overrides at once. Both
programs are whole processes, alternating, in the same run: azshell's ``plan`` and a bare
``requests`` loop making exactly the calls ``plan`` made (recorded from one ``-v`` run), one
after another, as ``plan`` did before it sent them from several threads. The ratio printed is
azshell time / loop time; the goal is <= 0.5.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from batch import environment, recorded_calls, run, saved_session

from azshell.sandbox import Sandbox

GOAL = 0.5
LOOP = """\
import sys, json
import requests

url, session = sys.argv[1], sys.argv[2]
http = requests.Session()
for method, path, params in json.load(open(sys.argv[3])):
    params = [(k, session if v == "<session>" else v) for k, v in params]
    cookies = {"azkaban.browser.session.id": v for k, v in params if k == "cookie"}
    params = [(k, v) for k, v in params if k != "cookie"]
    if method == "GET":
        answer = http.get(url + path, params=params, cookies=cookies, timeout=30)
    else:
        answer = http.post(url + path, data=params, timeout=30)
    sys.stdout.write(answer.text[:200])
"""


class SlowProxy:
    """Loopback TCP proxy: bytes towards the server wait ``delay`` seconds, answers do not."""

    def __init__(self, upstream: tuple[str, int], delay: float) -> None:
        self.upstream, self.delay = upstream, delay
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            client, _ = self.listener.accept()
            server = socket.create_connection(self.upstream)
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._pump, args=(client, server, self.delay),
                             daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, 0.0), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket, delay: float) -> None:
        try:
            while chunk := source.recv(65536):
                if delay:
                    time.sleep(delay)
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


def write_project(folder: Path, jobs: int) -> None:
    """A chain of ``jobs`` command jobs: one flow, as many fetchJobInfo calls as jobs."""
    folder.mkdir()
    for i in range(1, jobs + 1):
        depends = f"\ndependencies=j{i - 1}" if i > 1 else ""
        (folder / f"j{i}.job").write_text(f"type=command\ncommand=echo {i}{depends}\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="Runs of each program.")
    parser.add_argument("--jobs", type=int, default=200, help="Jobs in the project.")
    parser.add_argument("--delay-ms", type=float, default=20.0, help="Delay of each request.")
    args = parser.parse_args()
    azshell = str(Path(sys.executable).with_name("azshell"))
    with Sandbox(port=0) as sandbox, tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        env = environment(home)
        project = home / "big"
        write_project(project, args.jobs)
        run([azshell, sandbox.url, "--user", "azkaban", "-c", f"upload big {project} --create"],
            {**env, "AZSHELL_PASSWORD": "azkaban"})
        host, port = sandbox.url.split("://", 1)[1].split(":")
        proxy = SlowProxy((host, int(port)), args.delay_ms / 1000)
        base = [azshell, proxy.url, "--user", "azkaban"]
        run([*base, "-c", "whoami"], {**env, "AZSHELL_PASSWORD": "azkaban"})  # its session
        _, _, verbose = run([*base, "-v", "-c", f"plan big {project}"], env)
        calls = recorded_calls(verbose)
        jobs = sum(1 for _, _, params in calls if ("ajax", "fetchJobInfo") in params)
        if jobs != args.jobs:
            raise SystemExit(f"plan asked fetchJobInfo {jobs} times for {args.jobs} jobs")
        (home / "calls.json").write_text(json.dumps(calls))
        (home / "loop.py").write_text(LOOP)
        programs = {
            "azshell": [*base, "-c", f"plan big {project}"],
            "loop": [sys.executable, str(home / "loop.py"), proxy.url, saved_session(home),
                     str(home / "calls.json")],
        }
        for argv in programs.values():  # warm the caches, check both run
            run(argv, env)
        times: dict[str, list[float]] = {name: [] for name in programs}
        for _ in range(args.runs):
            for name, argv in programs.items():
                times[name].append(run(argv, env)[0])
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, values in times.items():
        print(f"{name:8} median {medians[name] * 1000:8.1f} ms  min {min(values) * 1000:8.1f} ms"
              f"  max {max(values) * 1000:8.1f} ms")
    ratio = medians["azshell"] / medians["loop"]
    verdict = "ok" if ratio <= GOAL else "too slow"
    print(f"{len(calls)} HTTP calls ({jobs} fetchJobInfo), {args.delay_ms:g} ms a request")
    print(f"ratio azshell/loop: {ratio:.3f} (goal <= {GOAL}: {verdict}, {args.runs} runs)")
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
