"""Every published page opens in headless Chromium offline: no request, no error, not blank.

Uses Debian's chromium (never a downloaded browser). In CI a missing Chromium is a
failure; on a developer machine the test is skipped with the install command.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium not installed: apt-get install chromium")
        pytest.skip("Chromium not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def _pages(fixture_run: Path) -> list[Path]:
    folder = fixture_run / "2026-11-30"
    return [folder / "index.html", *sorted((folder / "all").glob("*.html"))]


def _is_blank(png: bytes) -> bool:
    from PIL import Image, ImageStat

    image = Image.open(io.BytesIO(png)).convert("L")
    return max(ImageStat.Stat(image).stddev) < 5  # one flat colour


def _check_offline(browser, path: Path) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    blocked, errors, dialogs = [], [], []

    def route(request_route):
        if request_route.request.url.startswith(("file://", "data:")):
            request_route.continue_()
        else:
            blocked.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(path.as_uri(), wait_until="load")
    shot = page.screenshot(full_page=True)
    context.close()
    assert blocked == [], f"{path.name} requested {blocked}"
    assert errors == [], f"{path.name}: {errors}"
    assert dialogs == [], f"{path.name} ran a script: {dialogs}"
    assert not _is_blank(shot), f"{path.name} renders blank"


def test_fixture_pages_open_offline_without_errors(browser, fixture_run):
    pages = _pages(fixture_run)
    assert len(pages) == 4
    for path in pages:
        _check_offline(browser, path)


def test_real_report_pages_open_offline_without_errors(browser, real_run):
    out, _ = real_run
    pages = _pages(out)
    assert [p.name for p in pages] == ["index.html", "aging.html", "data_quality.html"]
    for path in pages:
        _check_offline(browser, path)


def test_malicious_name_is_visible_as_text(browser, fixture_run):
    page = browser.new_page()
    page.route(
        "**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort()
    )
    page.goto((fixture_run / "2026-11-30" / "all" / "malicious.html").as_uri())
    cells = page.locator("td", has_text="<script>alert(1)</script>")
    assert cells.count() >= 2  # shown as text in both tables
    assert page.evaluate("document.querySelectorAll('script').length") == 0
    page.close()
