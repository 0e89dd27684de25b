"""The app in a real headless Chromium: chat, cards, "not for me", reload, a second visitor.

Needs the Debian `chromium` package and `pip install playwright` (scripts/install.sh --dev);
skipped cleanly without them. Set CONVREC_SCREENSHOT_DIR to keep the screenshot.
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 20_000

# Checked before any fixture runs, so a machine without a browser skips without building an index.
sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
if not Path(CHROMIUM).is_file():
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def app_url(db):
    pytest.importorskip("gradio")
    from agent.build import build_agent
    from agent.settings import Settings
    from ui.app import launch

    agent = build_agent(Settings(db=db, llm="none"))
    port = _free_port()
    app = launch(agent, "127.0.0.1", port, block=False)
    yield f"http://127.0.0.1:{port}/"
    app.close()


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _card_ids(page) -> list[str]:
    return page.eval_on_selector_all(
        "[id^=card-][id$=-body] .card-body", "nodes => nodes.map(n => n.dataset.itemId)"
    )


def _send(page, text: str) -> None:
    page.locator("#message textarea").fill(text)
    page.locator("#message textarea").press("Enter")


def test_chat_cards_and_not_for_me(app_url, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(app_url)

    _send(page, "   ")
    page.wait_for_selector("#status :text('empty')")

    _send(page, "I loved Alien (1979) and Aliens (1986)")
    page.wait_for_selector("#card-0 .card-title")
    first = _card_ids(page)
    assert len(first) >= 3
    assert page.locator("#card-0 .card-reason").inner_text().startswith("Why:")

    rejected = first[0]
    page.locator("#card-0-dislike").click()
    page.wait_for_function(
        "id => { const b = document.querySelector('#card-0-body .card-body');"
        " return b && b.dataset.itemId !== id; }", arg=rejected)
    assert rejected not in _card_ids(page)
    assert "Not for me" in page.locator("#chat").inner_text()

    before = _card_ids(page)
    _send(page, "something else")
    page.wait_for_function(
        "id => { const b = document.querySelector('#card-0-body .card-body');"
        " return b && b.dataset.itemId !== id; }", arg=before[0])
    assert rejected not in _card_ids(page)

    shots = Path(os.environ.get("CONVREC_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "ui.png"), full_page=True)

    # A reload keeps this tab's conversation and cards.
    now = _card_ids(page)
    page.reload()
    page.wait_for_selector("#card-0 .card-title")
    assert "I loved Alien (1979)" in page.locator("#chat").inner_text()
    assert _card_ids(page) == now

    # "New conversation" starts over in this tab.
    page.locator("#new-conversation").click()
    page.wait_for_selector("#card-0", state="hidden")
    assert "I loved Alien" not in page.locator("#chat").inner_text()

    # Someone else (another browser profile) starts from scratch.
    other = browser.new_context().new_page()
    other.set_default_timeout(TIMEOUT_MS)
    other.goto(app_url)
    other.wait_for_selector("#chat")
    other.wait_for_timeout(500)
    assert "I loved Alien" not in other.locator("#chat").inner_text()
    assert not other.locator("#card-0").is_visible()
