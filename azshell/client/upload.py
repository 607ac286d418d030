"""A project zip as a streaming ``multipart/form-data`` body.

The zip is read from disk piece by piece while it is sent, so memory does not grow with its size
(a project with bundled jars can be hundreds of megabytes). The multipart Content-Type, boundary
included, comes from the encoder: a hand-written ``multipart/mixed`` is what broke uploads in
azkaban#509 (§11). Everything the server must see is a multipart *field*, ``session.id`` and
``ajax=upload`` included: query parameters are ignored for multipart requests (§5.0).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from requests_toolbelt.multipart.encoder import MultipartEncoder, MultipartEncoderMonitor

from azshell.errors import LocalError

Progress = Callable[[int, int], None]

# Above this size the session is checked before sending, so a big file is never sent twice.
LARGE_UPLOAD = 1 << 20
ZIP_CONTENT_TYPE = "application/zip"


@dataclass
class ZipUpload:
    """The file part of an upload; opened afresh for every attempt."""

    path: Path
    progress: Progress | None = None
    field: str = "file"

    def __post_init__(self) -> None:
        try:
            self.size = self.path.stat().st_size
        except OSError as err:
            raise LocalError(f"cannot read {self.path}: {err.strerror or err}") from None
        if not self.path.is_file():
            raise LocalError(f"{self.path} is not a file")

    @property
    def large(self) -> bool:
        return self.size > LARGE_UPLOAD

    @property
    def filename(self) -> str:
        """The part's file name: the server wants the ``.zip`` extension (§5.2 check 7)."""
        name = self.path.name
        return name if name.lower().endswith(".zip") else f"{name}.zip"

    @contextlib.contextmanager
    def body(self, fields: list[tuple[str, str]]) -> Iterator[tuple[Any, str]]:
        """``(data, content_type)`` for ``requests``; the file is closed on exit."""
        try:
            handle = self.path.open("rb")
        except OSError as err:
            raise LocalError(f"cannot read {self.path}: {err.strerror or err}") from None
        with handle:
            parts: list[tuple[str, Any]] = list(fields)
            parts.append((self.field, (self.filename, handle, ZIP_CONTENT_TYPE)))
            encoder = MultipartEncoder(fields=parts)
            data: Any = encoder
            if self.progress is not None:
                report = self.progress
                total = encoder.len
                report(0, total)
                data = MultipartEncoderMonitor(
                    encoder, lambda monitor: report(min(monitor.bytes_read, total), total))
            yield data, encoder.content_type
