"""A stored attachment as a download, the same for both generations.

What a download says about time and identity comes from the caller's attachment row, never
from the file: files are content-addressed and shared, so the file's modification time (and
Starlette's ETag made from it) would tell a tenant when anybody last stored the same bytes.

`Range` (RFC 9110 section 14): a header this server cannot read (another unit, bad syntax, a
range whose last byte comes before its first) is ignored, and the whole file is served, as the
RFC allows; a readable one with no satisfiable range gets 416 in the generation's error shape
with `Content-Range: bytes */<length>`; otherwise the satisfiable ranges are served (206).
"""

from __future__ import annotations

import re
from email.utils import formatdate
from pathlib import Path

from fastapi import Request
from fastapi.responses import FileResponse
from starlette.types import Receive, Scope, Send

from supportdesk.attachments.filenames import serving_headers
from supportdesk.attachments.repository import StoredAttachment
from supportdesk.core.errors import RangeNotSatisfiable

_MAX_RANGES = 100
_SPEC = re.compile(r"(?:([0-9]{1,19})-([0-9]{1,19})?|-([0-9]{1,19}))")


def satisfiable_ranges(header: str | None, size: int) -> str | None:
    """The `Range` to serve, rewritten to its satisfiable ranges; None to serve the whole file.
    RangeNotSatisfiable when the header is readable but no range in it is."""
    if header is None:
        return None
    unit, equals, ranges = header.partition("=")
    if not equals or unit.strip().lower() != "bytes":
        return None
    specs = [spec.strip() for spec in ranges.split(",") if spec.strip()]
    if not specs or len(specs) > _MAX_RANGES:
        return None
    kept: list[str] = []
    for spec in specs:
        match = _SPEC.fullmatch(spec)
        if match is None:
            return None
        first, last, suffix = match.groups()
        if suffix is not None:
            if int(suffix) > 0:
                kept.append(f"-{int(suffix)}")
        elif last is not None and int(last) < int(first):
            return None
        elif int(first) < size:
            kept.append(f"{int(first)}-{'' if last is None else int(last)}")
    if not kept or size == 0:
        raise RangeNotSatisfiable(size)
    return "bytes=" + ",".join(kept)


class _Download(FileResponse):
    """A FileResponse that sees the `Range` decided above in place of the one sent."""

    def __init__(
        self, path: Path, *, media_type: str, headers: dict[str, str], serve_range: str | None
    ) -> None:
        super().__init__(path, media_type=media_type, headers=headers)
        self.serve_range = serve_range

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(k, v) for k, v in scope["headers"] if k != b"range"]
        if self.serve_range is not None:
            headers.append((b"range", self.serve_range.encode("latin-1")))
        await super().__call__({**scope, "headers": headers}, receive, send)


def download_response(request: Request, found: StoredAttachment, path: Path) -> FileResponse:
    """The file, with validators from its row; `Range` as the module says."""
    serve_range = satisfiable_ranges(request.headers.get("range"), found.byte_length)
    headers = {
        **serving_headers(found.filename),
        "Last-Modified": formatdate(found.uploaded_at.timestamp(), usegmt=True),
        "ETag": f'"{found.public_id}"',
    }
    return _Download(path, media_type=found.content_type, headers=headers, serve_range=serve_range)
