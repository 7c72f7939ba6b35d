"""The staff journey in a real browser (Debian's chromium), against the real server process.

Sign in, find a ticket in the queue, reply with a file, add a note, assign, change the status,
merge another ticket into it, close it; the keyboard shortcuts and their switch; axe-core finds
no serious or critical violation on any desk page, and no page breaks a CSP rule. Screenshots
land in `screenshots/desk-*.png`.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Browser, expect

from supportdesk.attachments.storage import FileStore
from supportdesk.core.db import Database
from supportdesk.demo import DESK_PASSWORD, DESK_USERNAME, load_demo
from supportdesk.demo.data import TICKETS
from tests import builders
from tests.builders import World
from tests.server import running_server
from tests.web.browser import AuditedTabs
from tests.web.desk.helpers import PASSWORD, staff_with_password

NUMBER = 518204
OTHER = 518205
TIMEOUT_MS = 15_000
LOG = b"[    0.000000] Kernel panic - not syncing: VFS: Unable to mount root fs\n"


async def _seed(db: Database, world: World) -> None:
    await staff_with_password(db)
    await builders.ticket(
        db,
        number=NUMBER,
        dept_id=world.dept_id,
        client_id=world.client_id,
        subject="VPS does not boot after the kernel update",
        body="Since last night's update the console shows a kernel panic.",
    )
    other = await builders.ticket(
        db,
        number=OTHER,
        dept_id=world.dept_id,
        client_id=world.client_id,
        subject="Same VPS: the console is black",
        body="I wrote about this already, sorry. The console is black now.",
        status="Client-Reply",
    )
    await builders.reply(db, other.id, type="Client", name="Ada Lovelace", body="Any news?")


async def test_the_staff_journey(
    browser: Browser, db: Database, world: World, server_env: dict[str, str], tmp_path: Path
) -> None:
    await _seed(db, world)
    upload = tmp_path / "boot.log"
    upload.write_bytes(LOG)
    with running_server(server_env, tmp_path / "server.log") as server:
        pages = await AuditedTabs.open(browser, server.base_url, "desk", TIMEOUT_MS)
        page = pages.page

        # Sign in: the desk sends a stranger to the form, and back after it.
        await page.goto("/desk/?view=open")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the desk")
        await pages.check("sign-in")
        await page.get_by_label("Username").fill("grace")
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("All open")
        assert page.url.endswith("/desk/?view=open")
        await expect(page.get_by_text("Signed in as Grace Hopper")).to_be_visible()
        await pages.check("queue")

        # Find the ticket: j selects the first row, Enter opens it... after a search.
        await page.keyboard.press("/")
        await expect(page.get_by_label("Search tickets")).to_be_focused()
        await page.keyboard.type("kernel")
        await page.keyboard.press("Enter")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Search: kernel")
        await page.keyboard.press("j")
        await expect(page.locator("tr.ticket-row.selected")).to_have_count(1)
        await page.keyboard.press("Enter")
        await expect(page.get_by_role("heading", level=1)).to_contain_text(
            "VPS does not boot after the kernel update"
        )
        assert page.url.endswith(f"/desk/tickets/{NUMBER}")
        await pages.check("ticket")

        # Reply with a file, the status after it left as Answered.
        await page.keyboard.press("r")
        await expect(page.get_by_label("Message to the client")).to_be_focused()
        await page.keyboard.type("Please boot the previous kernel from the GRUB menu.")
        await page.get_by_label("Files").set_input_files(upload)
        await page.get_by_role("button", name="Send reply").click()
        await expect(page.get_by_role("status")).to_have_text("Reply sent.")
        await expect(page.get_by_role("link", name="boot.log")).to_be_visible()
        await expect(page.locator(".facts .status")).to_have_text("Answered")

        # An internal note, marked as such.
        await page.get_by_label("Note for staff (never shown to the client)").fill(
            "CANARY-desk-browser: customer has no backups"
        )
        await page.get_by_role("button", name="Add note").click()
        await expect(page.get_by_role("status")).to_have_text("Note added.")
        note = page.locator("li.entry.note")
        await expect(note).to_contain_text("Internal note — never shown to the client")
        await expect(note).to_contain_text("CANARY-desk-browser")

        # Assign to a colleague, then change the status.
        await page.get_by_label("Owner", exact=True).select_option(label="John Doe")
        await page.get_by_role("button", name="Assign", exact=True).click()
        await expect(page.get_by_role("status")).to_have_text("Owner changed.")
        await expect(page.locator(".facts")).to_contain_text("owner John Doe")
        await page.get_by_label("Status", exact=True).select_option("In-Progress")
        await page.get_by_role("button", name="Save").click()
        await expect(page.get_by_role("status")).to_have_text("Ticket updated.")
        await expect(page.locator(".facts .status")).to_have_text("In-Progress")
        await pages.check("ticket-worked")

        # Merge the client's other ticket into this one, from the queue.
        await page.goto("/desk/?view=awaiting")
        await page.get_by_role("link", name="Same VPS: the console is black").click()
        await page.get_by_label("Merge this ticket into ticket number").fill(str(NUMBER))
        await page.get_by_role("button", name="Merge").click()
        await expect(page.get_by_role("status")).to_have_text("Tickets merged.")
        assert page.url.endswith(f"/desk/tickets/{NUMBER}?done=merged")
        await expect(page.locator("ol.conversation")).to_contain_text("The console is black now.")
        await expect(page.locator("ol.conversation")).to_contain_text("Any news?")
        await pages.check("merged")

        # Close it.
        await page.get_by_role("button", name="Close ticket").click()
        await expect(page.get_by_role("status")).to_have_text("Ticket closed.")
        await expect(page.locator(".facts .status")).to_have_text("Closed")
        await expect(page.get_by_role("button", name="Reopen")).to_be_visible()
        await pages.check("closed")

        # The shortcuts' switch: off, `n` types into nothing; it is remembered.
        await page.get_by_role("checkbox", name="Keyboard shortcuts").uncheck()
        await page.reload()
        await expect(page.get_by_role("checkbox", name="Keyboard shortcuts")).not_to_be_checked()
        note_field = page.get_by_label(re.compile("^Note for staff"))
        await page.keyboard.press("n")
        await expect(note_field).not_to_be_focused()
        await expect(note_field).to_have_value("")
        await page.get_by_role("checkbox", name="Keyboard shortcuts").check()
        await page.evaluate("document.activeElement.blur()")
        await page.keyboard.press("n")
        await expect(note_field).to_be_focused()

        # Sign out: the session is gone, the queue asks for a sign-in again.
        await page.get_by_role("button", name="Sign out").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the desk")
        await page.goto("/desk/")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the desk")
        assert pages.csp_errors == []
        await pages.close()


async def test_the_demo_staff_member_signs_in_with_the_printed_password(
    browser: Browser, db: Database, server_env: dict[str, str], tmp_path: Path
) -> None:
    """What `supportdesk demo` prints works: the demo's desk, its ticket 616828 with notes,
    files, a linked service and its department's SLA policies, passes axe."""
    files = FileStore(Path(server_env["SUPPORTDESK_DATA_DIR"]) / "files")
    async with db.transaction() as session:
        summary = await load_demo(session, files)
    desk = summary["desk"]
    assert (desk["username"], desk["password"]) == (DESK_USERNAME, DESK_PASSWORD)
    spec = next(ticket for ticket in TICKETS if ticket.number == 616828)
    with running_server(server_env, tmp_path / "server.log") as server:
        pages = await AuditedTabs.open(browser, server.base_url, "desk-demo", TIMEOUT_MS)
        page = pages.page
        await page.goto("/desk/")
        await page.get_by_label("Username").fill(desk["username"])
        await page.get_by_label("Password").fill(desk["password"])
        await page.get_by_role("button", name="Sign in").click()
        await expect(page.get_by_text("Signed in as Sara Ek")).to_be_visible()
        await pages.check("queue")
        await page.goto("/desk/tickets/616828")
        await expect(page.get_by_role("heading", level=1)).to_contain_text(spec.subject)
        for note in spec.notes:
            await expect(
                page.locator("li.entry.note").filter(has_text=note.body[:40])
            ).to_contain_text("Internal note")
        # The department's two SLA policies are shown, so axe audits that markup too.
        await expect(page.locator("li.sla-policy")).to_have_count(2)
        await pages.check("ticket-616828")
        assert pages.csp_errors == []
        await pages.close()
