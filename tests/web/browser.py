"""What the browser tests share: Debian's chromium, axe-core, screenshots.

Playwright downloads no browser here: it drives the `chromium` package (`.ci/run` installs it
when missing). A missing chromium fails the tests, locally and under CI: it is never a skip.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, Playwright

ROOT = Path(__file__).resolve().parents[2]
# Where a person looks at the pages after a run (gitignored).
SCREENSHOTS = ROOT / "screenshots"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SERIOUS = ("serious", "critical")


def chromium_path() -> str:
    found = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).exists():
        pytest.fail(
            "chromium is not installed: the browser tests drive Debian's chromium package "
            "(apt-get install chromium; .ci/run does it)"
        )
    return found


async def launch(playwright: Playwright) -> Browser:
    return await playwright.chromium.launch(
        executable_path=chromium_path(), headless=True, args=["--no-sandbox"]
    )


async def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot, `screenshots/<name>.png` at the repository's root."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page. The page must come from a
    context with `bypass_csp=True`: the CSP rightly refuses the injected script otherwise."""
    await page.add_script_tag(path=str(AXE))
    violations: list[dict[str, Any]] = await page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ")),
            }));
        }"""
    )
    return [violation for violation in violations if violation["impact"] in SERIOUS]


class AuditedTabs:
    """A journey's tab (the CSP enforced, its violations collected) and a tab of the same
    browser session without the CSP, in which axe audits each page `check` names."""

    def __init__(self, page: Page, audit: Page, prefix: str) -> None:
        self.page = page
        self.audit = audit
        self.prefix = prefix
        self.csp_errors: list[str] = []
        page.on("console", self._console)

    @classmethod
    async def open(
        cls, browser: Browser, base_url: str, prefix: str, timeout_ms: int
    ) -> AuditedTabs:
        context = await browser.new_context(base_url=base_url)
        audit_context = await browser.new_context(base_url=base_url, bypass_csp=True)
        context.set_default_timeout(timeout_ms)
        audit_context.set_default_timeout(timeout_ms)
        return cls(await context.new_page(), await audit_context.new_page(), prefix)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp_errors.append(message.text)

    async def check(self, name: str) -> str:
        """Screenshot the page, audit its URL with axe (signed in as the journey is); its HTML."""
        html = await self.page.content()
        await screenshot(self.page, f"{self.prefix}-{name}")
        cookies = await self.page.context.cookies()
        await self.audit.context.add_cookies([{**cookie} for cookie in cookies])  # type: ignore[typeddict-item]
        await self.audit.goto(self.page.url)
        violations = await serious_violations(self.audit)
        assert violations == [], (name, violations)
        return html

    async def close(self) -> None:
        await self.page.context.close()
        await self.audit.context.close()
