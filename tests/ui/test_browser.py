"""The app in a real headless Chromium: chat, cards, "not for me", reload, a second visitor,
and catalog text that never turns into images or links.

Needs the Debian `chromium` package and `pip install playwright` (scripts/install.sh --dev);
skipped cleanly without them. Set CONVREC_SCREENSHOT_DIR to keep the screenshot.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
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

    yield from _served(build_agent(Settings(db=db, llm="none")))


def _served(agent):
    from ui.app import launch

    port = _free_port()
    app = launch(agent, "127.0.0.1", port, block=False)
    yield f"http://127.0.0.1:{port}/"
    app.close()


@pytest.fixture
def bait():
    """A local web server that records every request: a catalog title pointing at it must never
    make the browser ask it for anything."""
    requests: list[str] = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()


@pytest.fixture
def hostile_app_url(db, tmp_path, bait):
    """The app over a catalog with a title holding an <img> tag, a markdown image and a link to
    the bait server; the item copies Alien's facts, so liking Alien recommends it."""
    pytest.importorskip("gradio")
    from agent.build import build_agent, index_catalog
    from agent.settings import Settings

    base, _ = bait
    title = (
        f"Zorblax <img src={base}/tag.png> ![x]({base}/markdown.png) [click]({base}/link) "
        f"{base}/bare"
    )
    row = {
        "id": "hostile",
        "title": title,
        "year": 1979,
        "genres": ["horror", "sci-fi"],
        "people": {"director": ["Ridley Scott"]},
        "text": "The crew of a commercial spacecraft encounter a deadly lifeform after "
        "investigating an unknown transmission.",
    }
    catalog = tmp_path / "hostile.jsonl"
    catalog.write_text(json.dumps(row) + "\n")
    settings = Settings(db=db, llm="none")
    index_catalog(str(catalog), settings, progress=False)
    yield from _served(build_agent(settings))


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
        " return b && b.dataset.itemId !== id; }",
        arg=rejected,
    )
    assert rejected not in _card_ids(page)
    assert "Not for me" in page.locator("#chat").inner_text()

    before = _card_ids(page)
    _send(page, "something else")
    page.wait_for_function(
        "id => { const b = document.querySelector('#card-0-body .card-body');"
        " return b && b.dataset.itemId !== id; }",
        arg=before[0],
    )
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


def test_undo_after_not_for_me_brings_the_item_back(app_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(app_url)
    _send(page, "I loved Alien (1979) and Aliens (1986)")
    page.wait_for_selector("#card-0 .card-title")
    first = _card_ids(page)

    page.locator("#card-0-dislike").click()  # the mis-press
    page.wait_for_function(
        "id => { const b = document.querySelector('#card-0-body .card-body');"
        " return b && b.dataset.itemId !== id; }",
        arg=first[0],
    )
    page.locator("#undo").click()
    page.wait_for_function(
        "id => { const b = document.querySelector('#card-0-body .card-body');"
        " return b && b.dataset.itemId === id; }",
        arg=first[0],
    )
    assert _card_ids(page) == first
    assert "Undone: you no longer dislike" in page.locator("#chat").inner_text()

    page.reload()  # the saved conversation agrees: the item is back, not disliked
    page.wait_for_selector("#card-0 .card-title")
    assert _card_ids(page) == first
    page.locator("#undo").click()  # and the message before it can be undone too
    page.wait_for_selector("#card-0", state="hidden")
    assert "you no longer like Alien (1979)" in page.locator("#chat").inner_text()


def test_catalog_text_in_the_chat_loads_nothing_and_links_nowhere(hostile_app_url, bait, browser):
    base, requests = bait
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(hostile_app_url)

    _send(page, f"I loved Alien (1979) ![me]({base}/mine.png)")
    page.wait_for_selector("#card-0 .card-title")
    assert "hostile" in _card_ids(page)
    page.wait_for_function("() => document.querySelector('#chat').innerText.includes('Zorblax')")
    page.reload()  # the restored conversation too
    page.wait_for_selector("#card-0 .card-title")

    sources = page.eval_on_selector_all("#chat img", "nodes => nodes.map(n => n.src)")
    links = page.eval_on_selector_all("#chat a", "nodes => nodes.map(n => n.href)")
    assert not [url for url in sources + links if url.startswith(base)], (sources, links)
    page.wait_for_timeout(500)
    assert requests == []
    shown = page.locator("#chat").inner_text()  # the title as written, character for character
    assert f"Zorblax <img src={base}/tag.png> ![x]({base}/markdown.png)" in shown
    assert f"![me]({base}/mine.png)" in shown
