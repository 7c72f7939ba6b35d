"""`supportdesk-client`, the command line on the library, against the real server process."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from supportdesk_client._cli import main
from tests.client.conftest import Desk

SCRIPT = Path(sys.executable).parent / "supportdesk-client"
OPEN = ("tickets", "open", "--department", "hosting", "--subject")


def cli(desk: Desk, key: str, *args: str, stdin: str = "", status: int = 0) -> tuple[str, str]:
    """Run the command line in this process as `key` (from the environment, as a user sets it)."""
    out, err = io.StringIO(), io.StringIO()
    os.environ["SUPPORTDESK_API_KEY"] = key
    try:
        code = main(
            ["--url", desk.server.base_url, *args],
            stdin=io.StringIO(stdin),
            stdout=out,
            stderr=err,
        )
    finally:
        del os.environ["SUPPORTDESK_API_KEY"]
    assert code == status, (args, out.getvalue(), err.getvalue())
    return out.getvalue(), err.getvalue()


def test_a_client_works_its_tickets_from_the_terminal(desk: Desk, tmp_path: Path) -> None:
    me = desk.client_key
    out, _ = cli(
        desk,
        me,
        *OPEN,
        "Mail bounces",
        "--message",
        "Every mail to info@ bounces.",
    )
    assert out.startswith("opened #")
    number = out.split("#")[1].strip()
    log = tmp_path / "bounce.txt"
    log.write_bytes(b"550 5.1.1 user unknown\n")
    out, _ = cli(
        desk,
        me,
        "--json",
        *OPEN,
        "Evil \x1b]0;pwned\x07 title",
        "--attach",
        str(log),
        stdin="From stdin.\n",
    )
    second = json.loads(out)
    assert second["body"] == "From stdin.\n"
    assert second["attachments"][0]["filename"] == "bounce.txt"

    out, _ = cli(desk, me, "tickets", "list")
    assert "Mail bounces" in out
    assert "Evil ]0;pwned title" in out  # shown, without the escape sequence
    assert "\x1b" not in out
    assert "\x07" not in out
    listed = json.loads(cli(desk, me, "--json", "tickets", "list", "--max", "1")[0])
    assert [t["id"] for t in listed] == [second["id"]]

    cli(desk, me, "tickets", "reply", number, stdin="It still bounces this morning.")
    out, _ = cli(desk, me, "tickets", "show", number)
    assert "Mail bounces" in out
    assert "Every mail to info@ bounces." in out
    assert "It still bounces this morning." in out
    out, _ = cli(desk, me, "tickets", "show", second["number"])
    assert "[attachment bounce.txt, 23 B]" in out

    assert cli(desk, me, "tickets", "close", number)[0].strip() == f"#{number} closed"
    assert "closed" not in cli(desk, me, "tickets", "reopen", number)[0]

    # Errors: the server's reason on stderr, exit status 1; as JSON with --json.
    _, err = cli(desk, me, "tickets", "show", "999999", status=1)
    assert "404 not_found" in err
    assert "request id req_" in err
    _, err = cli(desk, me, "--json", "note", number, "x", status=1)
    assert json.loads(err)["error"]["code"] == "forbidden"
    assert me not in err


def test_staff_note_assign_status_tag_and_export(desk: Desk, tmp_path: Path) -> None:
    staff = desk.staff_key
    numbers = [
        json.loads(
            cli(
                desk,
                desk.client_key,
                "--json",
                *OPEN,
                f"Ticket {n}",
                "--message",
                f"Text {n}",
            )[0]
        )["number"]
        for n in range(3)
    ]
    first = numbers[0]
    assert cli(desk, staff, "note", first, "Checked the MX records.")[0].startswith("noted tnote_")
    out, _ = cli(desk, staff, "assign", first, str(desk.staff_id))
    assert "owner Sam Support" in out
    assert "On-Hold" in cli(desk, staff, "status", first, "On-Hold")[0]
    out, _ = cli(desk, staff, "tag", first, "mail", "--add", "vip")
    assert "tags mail, vip" in out
    assert "tags vip" in cli(desk, staff, "tag", first, "--remove", "mail")[0]
    out, _ = cli(desk, staff, "assign", first, "none")
    assert "owner nobody" in out
    shown = cli(desk, staff, "tickets", "show", first)[0]
    assert "note by Sam Support" in shown
    assert "Checked the MX records." in shown

    out, err = cli(desk, staff, "export")
    lines = [json.loads(line) for line in out.splitlines()]
    assert sorted(t["number"] for t in lines) == sorted(numbers)
    assert "tickets 3" in err
    target = tmp_path / "export.jsonl"
    _, err = cli(desk, staff, "export", "--full", "--output", str(target))
    details = [json.loads(line) for line in target.read_text().splitlines()]
    assert {t["body"] for t in details} == {"Text 0", "Text 1", "Text 2"}
    assert f"[{'#' * 30}] 3/3" in err
    # The client's own export holds its tickets and never the note.
    client_export = cli(desk, desk.client_key, "export", "--full", "--no-progress")
    assert "Checked the MX records." not in client_export[0]
    assert client_export[1] == ""


def test_the_console_script_runs_with_the_key_from_a_file(desk: Desk, tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text(desk.client_key + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTDESK_")}
    env["SUPPORTDESK_URL"] = desk.server.base_url
    result = subprocess.run(
        [str(SCRIPT), "--key-file", str(key_file), "--json", "tickets", "list"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    missing = subprocess.run(
        [str(SCRIPT), "tickets", "list"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert missing.returncode == 1
    assert "SUPPORTDESK_API_KEY" in missing.stderr


@pytest.mark.parametrize(
    "args", [["tickets"], ["assign", "1"], ["tickets", "open", "--subject", "x"]]
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(args, stdout=io.StringIO(), stderr=io.StringIO())
    assert exited.value.code == 2
