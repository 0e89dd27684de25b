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
import subprocess
import threading
import time
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


class SlowReplies:
    """The agent, with each streamed piece after the first (the cards) `delay` seconds late: a
    reply that streams long enough to type, press Send or press Stop while it does."""

    def __init__(self, agent, delay: float = 2.0) -> None:
        self.agent, self.delay = agent, delay

    def __getattr__(self, name: str):
        return getattr(self.agent, name)

    def reply_stream(self, session_id: str, message: str):
        stream = self.agent.reply_stream(session_id, message)
        try:
            first = next(stream, None)
            if first is None:
                return
            yield first
            for turn in stream:
                time.sleep(self.delay)
                yield turn
        finally:
            stream.close()


@pytest.fixture
def slow_app_url(db):
    pytest.importorskip("gradio")
    from agent.build import build_agent
    from agent.settings import Settings

    yield from _served(SlowReplies(build_agent(Settings(db=db, llm="none"))))


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

    # "New conversation" asks first; "Keep" keeps everything, "Start over" starts over.
    page.locator("#new-conversation").click()
    page.locator("#confirm-new-no").click()
    page.wait_for_selector("#confirm-new", state="hidden")
    assert "I loved Alien (1979)" in page.locator("#chat").inner_text()
    assert _card_ids(page) == now
    page.locator("#new-conversation").click()
    page.locator("#confirm-new-yes").click()
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


def _page(browser, url: str, width: int = 1280, height: int = 900):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    page.wait_for_selector("#message textarea:not([disabled])")
    return page


def _box(page) -> str:
    return page.locator("#message textarea").input_value()


def test_text_typed_during_a_reply_is_kept_and_a_second_send_is_refused_clearly(
    slow_app_url, browser
):
    page = _page(browser, slow_app_url)
    _send(page, "I loved Alien (1979) and Aliens (1986)")
    page.wait_for_selector("#card-0 .card-title")
    page.wait_for_selector("#stop", state="visible")  # the reply is still streaming
    page.locator("#message textarea").type("and also something with robots")
    page.locator("#message textarea").press("Enter")  # a second Send while it streams
    page.wait_for_selector("#status :text('still answering')")
    assert _box(page) == "and also something with robots"
    page.wait_for_timeout(300)  # the refused Send's own handlers have run
    assert page.locator("#stop").is_visible()  # the first reply still streams, still stoppable

    page.wait_for_selector("#stop", state="hidden")  # the reply is done
    assert "Here are 5 picks" in page.locator("#chat").inner_text()
    assert _box(page) == "and also something with robots"
    page.locator("#send").click()  # now it goes
    page.wait_for_function(
        "() => document.querySelector('#chat').innerText.includes('something with robots')"
    )
    page.wait_for_selector("#stop", state="hidden")
    assert _box(page) == ""


def test_stop_ends_a_streaming_reply_and_the_next_message_works(slow_app_url, browser):
    page = _page(browser, slow_app_url)
    _send(page, "I loved Alien (1979) and Aliens (1986)")
    page.wait_for_selector("#card-0 .card-title")
    page.locator("#stop").click()
    page.wait_for_selector("#status :text('Stopped')")
    page.wait_for_selector("#send", state="visible")
    _send(page, "something funny instead")
    page.wait_for_function(
        "() => document.querySelector('#chat').innerText.includes('something funny instead')"
    )
    page.wait_for_selector("#stop", state="hidden")
    assert "busy" not in page.locator("#status").inner_text()


def test_over_long_input_stays_in_the_box_with_the_note(app_url, browser):
    from agent.agent import MAX_MESSAGE_CHARS

    page = _page(browser, app_url)
    text = "I loved Alien (1979) " * (MAX_MESSAGE_CHARS // 20 + 5)
    _send(page, text)
    page.wait_for_selector("#status :text('the limit is')")
    assert _box(page) == text
    assert "I loved Alien" not in page.locator("#chat").inner_text()


def test_the_diversity_slider_moved_by_keyboard_applies(app_url, browser):
    page = _page(browser, app_url)
    slider = page.locator("#diversity input[type=range]")
    slider.focus()
    for _ in range(5):
        slider.press("ArrowRight")
    page.wait_for_selector("#status :text('Diversity set to 0.5')")
    _send(page, "I loved Alien (1979) and Aliens (1986)")
    page.wait_for_selector("#card-0 .card-title")
    page.reload()  # the slider comes back from the saved conversation: the agent has 0.5
    page.wait_for_selector("#card-0 .card-title")
    page.wait_for_function(
        "() => document.querySelector('#diversity input[type=range]')?.value === '0.5'"
    )


def test_the_chat_clear_icon_asks_and_then_starts_a_new_conversation(app_url, browser):
    page = _page(browser, app_url)
    _send(page, "I loved Alien (1979) and Aliens (1986)")
    page.wait_for_selector("#card-0 .card-title")
    picks = _card_ids(page)
    names = page.eval_on_selector_all(
        "#chat button", "nodes => nodes.map(n => n.getAttribute('aria-label') || n.title)"
    )
    assert not [n for n in names if n and "share" in n.lower()], names  # no share icon

    page.locator("#chat button[aria-label=Clear]").click()
    page.locator("#confirm-new-no").click()  # keep: the conversation comes back
    page.wait_for_function("() => document.querySelector('#chat').innerText.includes('Alien')")
    assert _card_ids(page) == picks

    page.locator("#chat button[aria-label=Clear]").click()
    page.locator("#confirm-new-yes").click()  # start over: chat, cards and state
    page.wait_for_selector("#card-0", state="hidden")
    page.reload()
    page.wait_for_selector("#message textarea:not([disabled])")
    page.wait_for_timeout(500)
    assert "I loved Alien" not in page.locator("#chat").inner_text()
    assert not page.locator("#card-0").is_visible()


def test_phone_shows_the_cards_presence_above_the_fold_with_big_targets(app_url, browser):
    page = _page(browser, app_url, 390, 844)
    _send(page, "I loved Alien (1979) and Aliens (1986)")
    page.wait_for_selector("#card-0 .card-title")
    hint = page.locator("#picks-hint a")
    hint.wait_for()
    box = hint.bounding_box()
    assert box["y"] + box["height"] <= 844, box  # seen without scrolling
    assert "on the cards" in hint.inner_text()
    chat = page.locator("#chat").inner_text()  # a compact list: the reasons are on the cards
    reason = page.locator("#card-0 .card-reason").inner_text().removeprefix("Why: ")
    assert reason not in chat and "on the cards" in chat
    small = page.eval_on_selector_all(
        "button",
        "nodes => nodes.filter(n => n.offsetParent !== null && n.closest('#chat') === null)"
        ".map(n => [n.id || n.innerText, n.getBoundingClientRect().height])"
        ".filter(([_, h]) => h < 44)",
    )
    assert small == [], small
    hint.click()
    page.wait_for_timeout(300)
    assert page.locator("#card-0").bounding_box()["y"] < 844


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core from npm, kept in a cache folder outside the repository ($CONVREC_AXE_DIR,
    default ~/.cache/convrec/axe)."""
    folder = Path(os.environ.get("CONVREC_AXE_DIR", Path.home() / ".cache" / "convrec" / "axe"))
    script = folder / "node_modules" / "axe-core" / "axe.min.js"
    if not script.is_file():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("the accessibility check needs axe-core from npm, and npm is absent")
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(folder), "axe-core"],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return script


def test_main_page_passes_axe_and_names_its_controls(app_url, browser, axe_script):
    page = _page(browser, app_url)
    assert page.get_by_role("textbox", name="Message").count() == 1
    _send(page, "I loved Alien (1979) and Aliens (1986)")
    page.wait_for_selector("#card-0 .card-title")
    title = page.locator("#card-0 .card-title").inner_text().strip()
    like = page.get_by_role("button", name=f"Like {title}")
    like.wait_for()
    assert page.get_by_role("button", name=f"Not for me {title}").count() == 1
    page.add_script_tag(path=str(axe_script))
    result = page.evaluate("async () => await axe.run(document)")
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], bad


def test_liked_items_make_a_shortlist_to_copy_or_download(app_url, browser):
    page = _page(browser, app_url)
    _send(page, "I loved Alien (1979) and Aliens (1986)")
    page.wait_for_selector("#card-0 .card-title")
    title = page.locator("#card-0 .card-title").inner_text().strip()
    page.locator("#shortlist-box button").first.click()  # open the accordion first
    page.wait_for_selector("#shortlist textarea")
    page.locator("#card-0-like").click()
    page.wait_for_function(
        "t => (document.querySelector('#shortlist textarea') || {value: ''}).value.includes(t)",
        arg=title,
        timeout=60_000,  # the like goes through the agent: slow on a loaded CI machine
    )
    shortlist = page.locator("#shortlist textarea").input_value()
    assert "Alien (1979)" in shortlist  # named in the message: liked too
    with page.expect_download() as download:
        page.locator("#shortlist-download").click()
    assert title in Path(download.value.path()).read_text()
