"""How a stored file leaves the server, for both generations (RFC 9110 §13, §14).

An attachment's bytes never change, so its strong `ETag` is its own `tatt_` id: the same on
every server process. (Not the stored file's SHA-256: a digest lets anyone who holds a tag
confirm a guess of the file's bytes.) `If-None-Match` with it answers 304. A `Range` of one
byte range answers 206 with that part; a range that starts past the end answers 416 in the
door's error shape; anything else in `Range` (several ranges, another unit, bad syntax) is
ignored, as RFC 9110 allows, and the whole file is sent.

What a download says about time comes from the caller's attachment row, never from the file:
files are content-addressed and shared, so the file's modification time would tell a tenant
when anybody last stored the same bytes.
"""

from __future__ import annotations

import re
from email.utils import formatdate
from pathlib import Path

import anyio
from fastapi import Request
from fastapi.responses import Response
from starlette.types import Receive, Scope, Send

from supportdesk.api.conditional import not_modified
from supportdesk.attachments.detect import download_content
from supportdesk.attachments.filenames import serving_headers
from supportdesk.attachments.repository import StoredAttachment
from supportdesk.core.errors import RangeNotSatisfiable

CHUNK = 64 * 1024
_ONE_RANGE = re.compile(r"^(?i:bytes)=(?:([0-9]{1,19})-([0-9]{0,19})|-([0-9]{1,19}))$", re.ASCII)


def _file_content() -> dict[str, object]:
    # `application/octet-stream` first: what a generated client reads any file as (the bytes).
    return {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}} | (
        download_content()
    )


# The `responses=` of a download route, but for its errors (in the door's shape).
DOWNLOAD_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "The file, as a download, with its stored (detected) content type.",
        "content": _file_content(),
    },
    206: {
        "description": "The one byte range that `Range` asked for (`Content-Range` says which).",
        "content": _file_content(),
    },
    304: {"description": "Not modified: the `If-None-Match` tag is the file's."},
}


def _header(name: str, description: str) -> dict[str, object]:
    return {
        "name": name,
        "in": "header",
        "required": False,
        "schema": {"type": "string"},
        "description": description,
    }


# The request headers a download honours (read by `file_response`, so declared here).
DOWNLOAD_PARAMETERS = {
    "parameters": [
        _header("If-None-Match", "The file's `ETag`: answered 304 with no body."),
        _header("Range", "One byte range, `bytes=first-last`, `bytes=first-` or `bytes=-n`."),
        _header("If-Range", "The file's `ETag`: the range is sent only while it is current."),
    ]
}


class FileDownload(Response):
    """The whole file (200) or one span of it (206), read in chunks; headers only for HEAD."""

    def __init__(
        self,
        path: Path,
        *,
        size: int,
        span: tuple[int, int] | None,
        media_type: str,
        headers: dict[str, str],
    ) -> None:
        super().__init__(status_code=206 if span else 200, headers=headers, media_type=media_type)
        self.path = path
        self.start, self.end = span or (0, size)
        self.headers["content-length"] = str(self.end - self.start)
        if span:
            self.headers["content-range"] = f"bytes {self.start}-{self.end - 1}/{size}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        if scope.get("state", {}).get("head"):
            await send({"type": "http.response.body", "body": b""})
            return
        async with await anyio.open_file(self.path, "rb") as file:
            await file.seek(self.start)
            left = self.end - self.start
            while True:
                chunk = await file.read(min(CHUNK, left))
                left -= len(chunk)
                more = bool(chunk) and left > 0
                await send({"type": "http.response.body", "body": chunk, "more_body": more})
                if not more:
                    return


def requested_span(range_header: str | None, size: int) -> tuple[int, int] | None:
    """The `[start, end)` one byte range asks for, clipped to the file; None for the whole
    file; RangeNotSatisfiable when it starts past the end."""
    match = _ONE_RANGE.match(range_header.strip()) if range_header else None
    if match is None or size == 0:
        return None
    first, last, suffix = match.groups()
    if suffix is not None:
        if int(suffix) == 0:
            raise RangeNotSatisfiable(size)
        return max(0, size - int(suffix)), size
    start = int(first)
    end = size if not last else min(int(last) + 1, size)
    if last and int(last) < start:
        return None  # "an invalid range": ignored, like any other we do not understand
    if start >= size:
        raise RangeNotSatisfiable(size)
    return start, end


def file_response(request: Request, found: StoredAttachment, path: Path) -> Response:
    """The download of a stored file: 200, 206, 304, or a RangeNotSatisfiable to raise."""
    tag = f'"{found.public_id}"'
    headers = {
        **serving_headers(found.filename),
        "ETag": tag,
        "Last-Modified": formatdate(found.uploaded_at.timestamp(), usegmt=True),
        "Accept-Ranges": "bytes",
    }
    unchanged = not_modified(tag, request.headers.get("if-none-match"))
    if unchanged is not None:
        # A 304 carries what guides a cache (RFC 9110 §15.4.5), not the file's metadata.
        unchanged.headers["Cache-Control"] = headers["Cache-Control"]
        return unchanged
    size = path.stat().st_size
    if_range = request.headers.get("if-range")
    # If-Range compares strongly: only this exact tag keeps the range.
    wanted = request.headers.get("range") if if_range is None or if_range == tag else None
    span = requested_span(wanted, size)
    return FileDownload(path, size=size, span=span, media_type=found.content_type, headers=headers)
