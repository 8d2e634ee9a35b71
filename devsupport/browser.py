"""Browser-test helpers shared by the tests that drive Chromium."""

from pathlib import Path

from playwright.sync_api import Page, expect


def open_offline(page: Page, html: str, path: Path) -> list[str]:
    """Write `html` to `path`, open it from the file in a new tab as a researcher would read a saved report, save a
    full-page screenshot next to it (`path` with .png) and return the URLs of any request that left the file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html)
    reader = page.context.new_page()
    outside: list[str] = []
    reader.on("request", lambda request: None if request.url.startswith("file:") else outside.append(request.url))
    reader.goto(path.as_uri())
    expect(reader.locator("h1")).to_be_visible()
    reader.screenshot(path=str(path.with_suffix(".png")), full_page=True)
    reader.close()
    return outside
