"""Multipart request bodies, read the way Azkaban's commons-fileupload reads them.

Parsing is done by the ``multipart`` package's push parser; this module only decides what the
servlet sees: a map of field name → text value or :class:`UploadedFile` where the LAST part of a
name wins (Azkaban stores parts in a ``HashMap``), file parts spooled straight to disk, and parts
whose ``Content-Disposition`` is not ``form-data`` skipped silently. The last rule is the reason
``curl -H "Content-Type: multipart/mixed" --form ...`` fails on a real server (azkaban#509): curl
then labels every part ``attachment``, commons-fileupload ignores them all, and the server sees no
``session.id`` field.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import multipart

from azshell.sandbox.http import BodyReader, ChunkedReader

# What a body may hold before the servlet (and its login check) sees it. commons-fileupload
# keeps a field over 10 KB on disk (DiskFileItemFactory's threshold); the sandbox keeps text
# fields in memory, so it bounds them instead: all of a request's text together, and the count
# of parts, file parts included (each is a spool file).
MAX_TEXT = 10 * 1024 * 1024
MAX_PARTS = 1000


class FileUploadError(Exception):
    """The body is not parseable multipart (commons-fileupload's FileUploadException)."""


@dataclass
class UploadedFile:
    """A file part: its declared name and type (None when absent), spooled to ``path``."""

    filename: str
    content_type: str | None
    path: Path
    size: int


class _AnyDispositionParser(multipart.PushMultipartParser):
    """The library parser, told to accept non ``form-data`` parts so that they can be skipped."""

    def _create_segment(self, headerlist: list[tuple[str, str]]) -> multipart.MultipartSegment:
        segment = multipart.MultipartSegment(headerlist)
        if segment.name is None:
            segment.name = ""
        return segment


def boundary_of(content_type: str) -> str | None:
    _, options = multipart.parse_options_header(content_type)
    return options.get("boundary") or None


def parse(content_type: str, body: BodyReader | ChunkedReader, spool_dir: Path,
          ) -> dict[str, str | UploadedFile]:
    """Parse a multipart body into Azkaban's parameter map; file parts go to ``spool_dir``."""
    boundary = boundary_of(content_type)
    if not boundary:
        raise FileUploadError(
            "the request was rejected because no multipart boundary was found")
    fields: dict[str, str | UploadedFile] = {}
    spooling: list = []  # the file part being written, if any: removed when parsing fails
    try:
        _collect(boundary, body, spool_dir, fields, spooling)
    except BaseException as err:  # a client gone mid-file too: no spool file may be left behind
        for spool in spooling:
            spool.close()
            Path(spool.name).unlink(missing_ok=True)
        discard(fields)
        if isinstance(err, multipart.MultipartError):
            raise FileUploadError(
                f"Processing of multipart/form-data request failed. {err}") from err
        raise
    return fields


def _collect(boundary: str, body: BodyReader | ChunkedReader, spool_dir: Path,
             fields: dict[str, str | UploadedFile], spooling: list) -> None:
    """Feed the parser and store each finished part in ``fields``."""
    segment = None
    skip = False
    text: list[bytes] = []
    spool = None
    size = 0
    parts = text_total = 0
    parser = _AnyDispositionParser(boundary, max_header_count=32)
    for event in parser.parse_blocking(body.read, 65536):
        if isinstance(event, multipart.MultipartSegment):
            parts += 1
            if parts > MAX_PARTS:
                raise FileUploadError(f"the request was rejected because it has more than "
                                      f"{MAX_PARTS} parts")
            segment, text, size = event, [], 0
            skip = (event.disposition or "") != "form-data"
            spool = None
            if not skip and event.filename is not None:
                spool = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed in _finish)
                    dir=spool_dir, prefix="upload-", delete=False)
                spooling[:] = [spool]
        elif event:  # a piece of payload
            size += len(event)
            if skip:
                continue
            if spool is not None:
                spool.write(event)
            else:
                text_total += len(event)
                if text_total > MAX_TEXT:
                    raise FileUploadError(f"the request was rejected because its text fields "
                                          f"exceed {MAX_TEXT} bytes")
                text.append(event)
        elif segment is not None:  # end of the part
            if not skip:
                _store(fields, segment.name, _finish(segment, spool, text, size))
            spool = None
            spooling.clear()


def _finish(segment: multipart.MultipartSegment, spool, text: list[bytes],
            size: int) -> str | UploadedFile:
    if spool is None:
        charset = segment.charset or "iso-8859-1"  # commons-fileupload's default for fields
        try:
            return b"".join(text).decode(charset, "replace")
        except LookupError:
            return b"".join(text).decode("iso-8859-1")
    spool.close()
    content_type = segment.header("Content-Type")
    return UploadedFile(filename=segment.filename or "", content_type=content_type,
                        path=Path(spool.name), size=size)


def _store(fields: dict[str, str | UploadedFile], name: str, value: str | UploadedFile) -> None:
    old = fields.get(name)
    if isinstance(old, UploadedFile):
        old.path.unlink(missing_ok=True)
    fields[name] = value


def discard(fields: dict[str, str | UploadedFile]) -> None:
    """Remove the spooled files of a parsed request."""
    for value in fields.values():
        if isinstance(value, UploadedFile):
            value.path.unlink(missing_ok=True)
