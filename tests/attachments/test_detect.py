"""Content types come from the bytes: an allowlist, executables and markup refused with 415."""

from __future__ import annotations

import gzip
import io
import zipfile

import pytest

from supportdesk.attachments.detect import detect_content_type
from supportdesk.core.errors import UnsupportedMediaType


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("report.txt", "hello")
    return buffer.getvalue()


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00"
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (PNG, "screenshot.png", "image/png"),
        (JPEG, "photo.jpg", "image/jpeg"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "spinner.gif", "image/gif"),
        (b"GIF87a\x01\x00\x01\x00\x00\x00\x00;", "old.gif", "image/gif"),
        (WEBP, "photo.webp", "image/webp"),
        (PDF, "invoice.pdf", "application/pdf"),
        (_zip(), "logs.zip", "application/zip"),
        (b"PK\x05\x06" + b"\x00" * 18, "empty.zip", "application/zip"),
        (gzip.compress(b"log line\n"), "syslog.gz", "application/gzip"),
        (b"2026-11-27 09:51:56 kernel: panic\n", "console.log", "text/plain"),
        (b"\xef\xbb\xbfserver {\n  listen 80;\n}\n", "nginx.conf", "text/plain"),
        ("Räksmörgås ✓\n".encode(), "notes.txt", "text/plain"),
        (b"\x1b[31merror\x1b[0m\tcolumn\r\n", "ansi.log", "text/plain"),
        (b"id,name\n1,Ada\n", "clients.csv", "text/csv"),
        (b"id,name\n1,Ada\n", "clients.txt", "text/plain"),
        (b'{"status": "down", "code": 502}', "status.json", "application/json"),
        (b"[1, 2, 3]", "anything", "application/json"),
        (b"[2026-11-27] not json\n", "app.log", "text/plain"),
        (b"<134>Nov 27 09:51:56 host sshd: syslog priority is not markup\n", "a.log", "text/plain"),
        (b"a < b and c > d\n", "math.txt", "text/plain"),
    ],
)
def test_allowed_types_are_detected_from_the_bytes(
    data: bytes, filename: str, expected: str
) -> None:
    assert detect_content_type(data, filename) == expected


def test_the_client_supplied_name_does_not_make_bytes_an_image() -> None:
    assert detect_content_type(b"just text", "picture.png") == "text/plain"


@pytest.mark.parametrize(
    ("data", "described"),
    [
        (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8, "ELF executable"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "Windows executable"),
        (b"\xcf\xfa\xed\xfe\x07\x00\x00\x01", "Mach-O"),
        (b"\xca\xfe\xba\xbe\x00\x00\x00\x02", "Mach-O"),
        (b"\x00asm\x01\x00\x00\x00", "WebAssembly"),
        (b"#!/bin/sh\nrm -rf /\n", "script"),
        (b"<!DOCTYPE html><html><body>hi</body></html>", "HTML"),
        (b"<html><script>alert(1)</script></html>", "HTML"),
        (b"\n  <HTML>\n<HEAD>", "HTML"),
        (b"<script>alert(1)</script>", "HTML"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "SVG"),
        (b'<?xml version="1.0"?><svg/>', "XML"),
        (b"\xef\xbb\xbf<!-- comment --><p>", "HTML"),
        (b"Harmless first line\n<script src=//evil.example></script>\n", "HTML"),
        (b"\x00\x01\x02\x03\xff\xfe", "unrecognised"),
        ("log line\n".encode("utf-16"), "unrecognised"),
        (b"text with a NUL\x00 byte", "unrecognised"),
        (b"\xc3\x28 invalid utf-8", "unrecognised"),
    ],
)
def test_executables_markup_and_unknown_binary_are_refused(data: bytes, described: str) -> None:
    with pytest.raises(UnsupportedMediaType) as refused:
        detect_content_type(data, "harmless.txt")
    error = refused.value
    assert error.status_code == 415
    assert error.v2_code == "unsupported_media_type"
    assert described in error.message
    assert "Allowed types:" in error.message
