"""The customer's journey in a real browser (chromium), against the real server process.

Open the access link, reply with a file, close, reopen, rate a staff reply; the note's canary
text is in no portal page's HTML; a form posted from a page of another site is refused; every
page passes axe-core without a serious or critical violation and breaks no CSP rule.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from playwright.async_api import Browser, ConsoleMessage, Page, expect

from supportdesk.attachments.storage import FileStore
from supportdesk.core.db import Database
from supportdesk.demo import demo_access_hash, load_demo
from supportdesk.demo.data import TICKETS
from tests import builders
from tests.builders import World
from tests.server import running_server
from tests.web.browser import screenshot, serious_violations
from tests.web.pages import hash_of

NUMBER = 731904
DEMO_NUMBER = 616828
CANARY = "CANARY-portal-note-5d1e"
TIMEOUT_MS = 15_000
TRACEROUTE = b"1  gateway (10.0.0.1)  0.4 ms\n"


async def _seed(db: Database, world: World) -> None:
    built = await builders.ticket(
        db,
        number=NUMBER,
        dept_id=world.dept_id,
        client_id=world.client_id,
        subject="Website down after DNS change",
        body="Since I changed the nameservers https://example.com answers nothing.",
    )
    await builders.reply(
        db,
        built.id,
        name="Grace Hopper",
        body="The zone was missing an A record; it is back. Check https://example.com again.",
    )
    await builders.note(db, built.id, world.staff_id, f"{CANARY}: client was rude on the phone")


class Pages:
    """The journey's tab (CSP enforced), and a second context that runs axe on each page."""

    def __init__(self, page: Page, audit: Page) -> None:
        self.page = page
        self.audit = audit
        self.html: list[str] = []
        self.csp_errors: list[str] = []
        page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp_errors.append(message.text)

    async def check(self, name: str) -> None:
        """Keep the page's HTML, screenshot it, and audit the same URL with axe."""
        self.html.append(await self.page.content())
        await screenshot(self.page, f"portal-{name}")
        await self.audit.goto(self.page.url)
        violations = await serious_violations(self.audit)
        assert violations == [], (name, violations)


async def test_the_customer_journey(
    browser: Browser, db: Database, world: World, server_env: dict[str, str], tmp_path: Path
) -> None:
    await _seed(db, world)
    upload = tmp_path / "traceroute.txt"
    upload.write_bytes(TRACEROUTE)
    with running_server(server_env, tmp_path / "server.log") as server:
        context = await browser.new_context(base_url=server.base_url)
        audit_context = await browser.new_context(base_url=server.base_url, bypass_csp=True)
        context.set_default_timeout(TIMEOUT_MS)
        audit_context.set_default_timeout(TIMEOUT_MS)
        pages = Pages(await context.new_page(), await audit_context.new_page())
        page = pages.page

        # HostBill's old link lands on the portal's page.
        await page.goto(f"/tickets/view/{NUMBER}/&hash={hash_of(NUMBER)}")
        assert re.search(rf"/portal/tickets/{NUMBER}\?hash={hash_of(NUMBER)}$", page.url)
        await expect(page.get_by_role("heading", level=1)).to_contain_text(
            "Website down after DNS change"
        )
        link = page.get_by_role("link", name="https://example.com").first
        assert await link.get_attribute("rel") == "nofollow noopener noreferrer"
        # The keyboard's first stop is the skip link, which moves focus to the main content.
        await page.keyboard.press("Tab")
        await expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
        await page.keyboard.press("Enter")
        await expect(page.locator("main")).to_be_focused()
        # htmx, from the package's static files, runs under the CSP.
        assert await page.evaluate("typeof htmx.process") == "function"
        await pages.check("ticket")

        # Reply with a file.
        await page.get_by_label("Your message").fill("Still down from here, traceroute attached.")
        await page.get_by_label(re.compile("^Files")).set_input_files(upload)
        await page.get_by_role("button", name="Send reply").click()
        await expect(page.get_by_role("status")).to_have_text("Your reply was sent.")
        await expect(page.locator("#ticket-status")).to_have_text("Client-Reply")
        file_link = page.get_by_role("link", name="traceroute.txt")
        await expect(file_link).to_be_visible()
        async with page.expect_download() as download_info:
            await file_link.click()
        download = await download_info.value
        saved = await download.path()
        assert await asyncio.to_thread(saved.read_bytes) == TRACEROUTE
        await pages.check("replied")

        # Close, then reopen.
        await page.get_by_role("button", name="Close ticket").click()
        await expect(page.locator("#ticket-status")).to_have_text("Closed")
        await expect(page.get_by_role("button", name="Send reply")).to_have_count(0)
        await pages.check("closed")
        await page.get_by_role("button", name="Reopen ticket").click()
        await expect(page.get_by_role("status")).to_have_text("The ticket is open again.")
        await expect(page.locator("#ticket-status")).to_have_text("Open")

        # Rate the staff reply.
        staff_reply = page.locator("li.from-staff")
        await staff_reply.get_by_label("4").check()
        await staff_reply.get_by_role("button", name="Rate").click()
        await expect(page.get_by_role("status")).to_have_text("Thank you for rating the reply.")
        await expect(page.locator("li.from-staff legend")).to_contain_text(
            "You rated this reply 4 of 5."
        )
        await pages.check("rated")

        # A wrong link, and the portal's front page.
        await page.goto(f"/portal/tickets/{NUMBER}?hash={'0' * 32}")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Not Found")
        await pages.check("not-found")
        await page.goto("/portal/")
        await pages.check("home")

        for html in pages.html:
            assert CANARY not in html
        assert pages.csp_errors == []
        await context.close()
        await audit_context.close()


async def test_a_form_on_another_site_is_refused(
    browser: Browser, db: Database, world: World, server_env: dict[str, str], tmp_path: Path
) -> None:
    await _seed(db, world)
    with running_server(server_env, tmp_path / "server.log") as server:
        context = await browser.new_context()
        context.set_default_timeout(TIMEOUT_MS)
        page = await context.new_page()
        link = f"{server.base_url}/portal/tickets/{NUMBER}?hash={hash_of(NUMBER)}"
        await page.goto(link)
        # The worst case: the other site even knows the hash and this browser's CSRF token.
        token = await page.locator("input[name=csrf_token]").first.get_attribute("value")
        evil = (
            f'<!doctype html><html lang="en"><title>Win a prize</title><form method="post" '
            f'action="{server.base_url}/portal/tickets/{NUMBER}/close">'
            f'<input type="hidden" name="csrf_token" value="{token}">'
            f'<input type="hidden" name="hash" value="{hash_of(NUMBER)}">'
            "<button>Claim</button></form></html>"
        )
        await context.route(
            "http://prizes.example/**",
            lambda route: route.fulfill(body=evil, content_type="text/html"),
        )
        await page.goto("http://prizes.example/")
        async with page.expect_response(lambda r: r.request.method == "POST") as answered:
            await page.get_by_role("button", name="Claim").click()
        refused = await answered.value
        assert refused.status == 403
        await expect(page.get_by_role("heading", level=1)).to_have_text("Forbidden")
        await expect(page.locator("main")).to_contain_text("another site")
        await screenshot(page, "portal-cross-site-refused")
        await page.goto(link)
        await expect(page.locator("#ticket-status")).to_have_text("Open")
        await context.close()


async def test_the_demo_tickets_page(
    browser: Browser, db: Database, server_env: dict[str, str], tmp_path: Path
) -> None:
    """The demo's ticket 616828 (the link `make run` prints): a whole conversation with
    files; none of its staff notes shows, and axe finds nothing serious."""
    files = FileStore(Path(server_env["SUPPORTDESK_DATA_DIR"]) / "files")
    async with db.transaction() as session:
        await load_demo(session, files)
    spec = next(ticket for ticket in TICKETS if ticket.number == DEMO_NUMBER)
    notes = [note.body for demo in TICKETS for note in demo.notes]
    assert notes, "the demo has staff notes"
    with running_server(server_env, tmp_path / "server.log") as server:
        context = await browser.new_context(base_url=server.base_url)
        audit_context = await browser.new_context(base_url=server.base_url, bypass_csp=True)
        pages = Pages(await context.new_page(), await audit_context.new_page())
        await pages.page.goto(f"/portal/tickets/{DEMO_NUMBER}?hash={demo_access_hash(DEMO_NUMBER)}")
        await expect(pages.page.get_by_role("heading", level=1)).to_contain_text(spec.subject)
        await pages.check("demo-616828")
        html = pages.html[0]
        for note in notes:
            assert note not in html
        assert pages.csp_errors == []
        await context.close()
        await audit_context.close()
