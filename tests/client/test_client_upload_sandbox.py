"""A large upload is streamed: the client's memory does not grow with the file.

The client runs in a subprocess so that only its allocations are traced (the sandbox, which
receives the file, lives in the test process).
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from azshell.sandbox import Sandbox

SIZE_MB = 50

CLIENT = r"""
import sys, tracemalloc
from pathlib import Path
from azshell.client import AzkabanClient

url, zip_path, project = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
client = AzkabanClient(url, timeout=(5, 120))
client.login("azkaban", "azkaban")
client.create_project(project, "upload memory test")
seen = []
tracemalloc.start()
answer = client.upload_project(project, zip_path, lambda sent, total: seen.append(sent))
current, peak = tracemalloc.get_traced_memory()
print(peak, answer["version"], len(seen), seen[-1])
"""


def big_zip(path: Path, size_mb: int) -> Path:
    block = bytes(range(256)) * 4096  # 1 MiB
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        zf.writestr("hello.job", "type=command\ncommand=echo hello\n")
        with zf.open("data/blob.bin", "w", force_zip64=True) as blob:
            for _ in range(size_mb):
                blob.write(block)
    return path


@pytest.mark.slow
def test_upload_memory_does_not_grow_with_the_file(sandbox: Sandbox, project_name: str,
                                                   tmp_path: Path) -> None:
    archive = big_zip(tmp_path / "big.zip", SIZE_MB)
    size = archive.stat().st_size
    out = subprocess.run([sys.executable, "-c", CLIENT, sandbox.url, str(archive), project_name],
                         check=True, capture_output=True, text=True, timeout=180).stdout
    peak, version, progress_calls, last = (int(x) for x in out.split())
    assert version == 1
    assert last > size  # every byte went out (plus the multipart framing)
    assert progress_calls > 100  # reported piece by piece
    assert peak < size / 20, f"peak {peak} bytes while sending {size} bytes"
