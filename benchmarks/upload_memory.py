"""Upload a large generated project zip to the sandbox and print the client's peak memory.

The client must stream the file from disk: its peak resident memory stays under 100 MB whatever
the file's size. The sandbox runs in its own process so that only the client is measured, and
the client's own baseline (interpreter, imports, login: before the upload) is measured in the same
run.

    python benchmarks/upload_memory.py [--size-mb 500]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

CLIENT = r"""
import json, resource, sys, time
from pathlib import Path
from azshell.client import AzkabanClient

url, zip_path = sys.argv[1], Path(sys.argv[2])
client = AzkabanClient(url, timeout=(5, 600))
client.login("azkaban", "azkaban")
client.create_project("bigupload", "upload memory benchmark")
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
answer = client.upload_project("bigupload", zip_path)
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"baseline_kb": baseline, "peak_kb": peak, "seconds": elapsed, "answer": answer}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_zip(path: Path, size_mb: int) -> None:
    """A valid Flow 1.0 project plus one incompressible blob of the requested size."""
    chunk = os.urandom(1 << 20)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        zf.writestr("hello.job", "type=command\ncommand=echo hello\n")
        with zf.open("data/blob.bin", "w", force_zip64=True) as blob:
            for i in range(size_mb):
                blob.write(chunk[i % 7 :] + chunk[: i % 7])


def wait_for(url: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/status", timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"sandbox did not start at {url}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=500, help="size of the generated zip")
    args = parser.parse_args()

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "azshell", "sandbox", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with tempfile.TemporaryDirectory(prefix="azshell-bench-") as tmp:
            zip_path = Path(tmp) / "bigupload.zip"
            make_zip(zip_path, args.size_mb)
            size_mb = zip_path.stat().st_size / 2**20
            wait_for(url)
            out = subprocess.run(
                [sys.executable, "-c", CLIENT, url, str(zip_path)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = json.loads(out.strip().splitlines()[-1])
    peak_mb = result["peak_kb"] / 1024
    base_mb = result["baseline_kb"] / 1024
    print(f"zip size            {size_mb:9.1f} MB")
    print(f"client baseline RSS {base_mb:9.1f} MB  (interpreter, imports, login)")
    print(f"client peak RSS     {peak_mb:9.1f} MB  (during the upload)")
    growth = peak_mb - base_mb
    print(f"growth              {growth:9.1f} MB  = {growth / size_mb:.4f} x the file")
    print(f"peak / file size    {peak_mb / size_mb:9.4f}")
    seconds = result["seconds"]
    print(f"upload time         {seconds:9.2f} s   ({size_mb / seconds:.0f} MB/s)")
    print(f"server answer       {result['answer']}")
    verdict = "PASS" if peak_mb < 100 else "FAIL"
    print(f"target: client peak < 100 MB -> {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
