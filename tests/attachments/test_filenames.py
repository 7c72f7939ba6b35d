"""Client filenames become safe labels: no paths, no header injection, a fitting extension."""

from __future__ import annotations

import pytest

from supportdesk.attachments.filenames import (
    clean_filename,
    content_disposition,
    safe_filename,
    serving_headers,
)


@pytest.mark.parametrize(
    ("offered", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\drivers\\etc\\hosts", "hosts"),
        ("C:\\Users\\ada\\report.pdf", "report.pdf"),
        ("/var/log/nginx/error.log", "error.log"),
        ("..", "attachment"),
        ("../", "attachment"),
        ("", "attachment"),
        (None, "attachment"),
        ("   ", "attachment"),
        (".bashrc", "bashrc"),
        ("name.", "name"),
        ('say "hi".txt', "say hi.txt"),
        ("it's `here`.txt", "its here.txt"),
        ("back\\slash.txt", "slash.txt"),
        ("evil\r\nSet-Cookie: a=1.txt", "evilSet-Cookie_ a=1.txt"),
        ("tab\there.txt", "tabhere.txt"),
        ("nul\x00byte.txt", "nulbyte.txt"),
        ("a<b>c|d?e*f.txt", "a_b_c_d_e_f.txt"),
        ("semi;colon%20.txt", "semi_colon_20.txt"),
        ("many    spaces___and.txt", "many spaces_and.txt"),
        ("Räksmörgås.txt", "Räksmörgås.txt"),
        ("Ra\u0308ksmo\u0308rga\u030as.txt", "Räksmörgås.txt"),  # NFC
        ("日本語のログ.txt", "日本語のログ.txt"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),  # a bidi override hides nothing
        ("zero\u200bwidth.txt", "zerowidth.txt"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("com1.log", "_com1.log"),
        ("console.log", "console.log"),
    ],
)
def test_clean_filename(offered: str | None, expected: str) -> None:
    assert clean_filename(offered) == expected


def test_long_names_are_cut_to_255_bytes_keeping_the_extension() -> None:
    assert clean_filename("a" * 400 + ".log") == "a" * 251 + ".log"
    cut = clean_filename("ö" * 300 + ".pdf")
    assert len(cut.encode()) <= 255
    assert cut.endswith(".pdf")
    assert cut.removesuffix(".pdf") == "ö" * len(cut.removesuffix(".pdf"))


@pytest.mark.parametrize(
    ("offered", "content_type", "expected"),
    [
        ("screenshot.png", "image/png", "screenshot.png"),
        ("Screenshot.PNG", "image/png", "Screenshot.PNG"),
        ("photo.jpeg", "image/jpeg", "photo.jpeg"),
        ("photo", "image/jpeg", "photo.jpg"),
        ("setup.exe", "image/png", "setup.exe.png"),
        ("invoice.pdf.exe", "application/pdf", "invoice.pdf.exe.pdf"),
        ("report.docx", "application/zip", "report.docx"),
        ("plugin.jar", "application/zip", "plugin.jar.zip"),
        ("logs.tar.gz", "application/gzip", "logs.tar.gz"),
        ("console.log", "text/plain", "console.log"),
        ("README", "text/plain", "README"),
        ("page.html", "text/plain", "page.html.txt"),
        ("drawing.svg", "text/plain", "drawing.svg.txt"),
        ("run.bat", "text/plain", "run.bat.txt"),
        ("data.json", "application/json", "data.json"),
        ("payload.js", "application/json", "payload.js.json"),
        ("../../etc/passwd", "text/plain", "passwd"),
        ("", "image/png", "attachment.png"),
    ],
)
def test_safe_filename_fits_the_detected_type(
    offered: str, content_type: str, expected: str
) -> None:
    assert safe_filename(offered, content_type) == expected


def test_an_appended_extension_still_fits_in_255_bytes() -> None:
    name = safe_filename("x" * 300 + ".exe", "image/png")
    assert len(name.encode()) <= 255
    assert name.endswith(".png")


class TestContentDisposition:
    def test_ascii_names_are_quoted(self) -> None:
        assert content_disposition("console.log") == 'attachment; filename="console.log"'

    def test_non_ascii_names_add_a_percent_encoded_filename_star(self) -> None:
        assert content_disposition("résumé.pdf") == (
            "attachment; filename=\"resume.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf"
        )

    def test_names_with_no_ascii_fall_back_to_attachment_with_the_extension(self) -> None:
        assert content_disposition("日本語.pdf") == (
            'attachment; filename="attachment.pdf"; '
            "filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.pdf"
        )

    @pytest.mark.parametrize(
        "stored",
        ['a"; filename="evil.exe', "x\r\nSet-Cookie: a=1", "..\\..\\boot.ini", "ö\"\r\n'.txt"],
    )
    def test_a_stored_name_cannot_break_out_of_the_header(self, stored: str) -> None:
        header = content_disposition(stored)
        header.encode("latin-1")
        assert "\r" not in header
        assert "\n" not in header
        assert "\\" not in header
        quoted = header.split('filename="', 1)[1].split('"', 1)
        assert ";" not in quoted[0]
        assert quoted[1] in ("", "; filename*=UTF-8''" + header.split("''", 1)[-1])


def test_files_are_served_as_downloads_that_browsers_do_not_sniff_or_render() -> None:
    headers = serving_headers("console.log")
    assert headers["Content-Disposition"] == 'attachment; filename="console.log"'
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in headers["Content-Security-Policy"]
