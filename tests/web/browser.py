"""What the browser tests share: Debian's chromium, axe-core, screenshots.

Playwright downloads no browser here: it drives the `chromium` package (`.ci/run` installs it
when missing). A missing chromium fails the tests, locally and under CI: it is never a skip.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, Playwright

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
