"""Every link of the flagship note takes the reader to its target, as a person follows it.

After a fresh load (lazy figures not loaded yet), on a desktop (1440x900) and a phone
(390x844, the TOC opened from the drawer as a person opens it), each entry of the page's
table of contents is clicked, and each in-page '#' link of the text (equation, figure,
footnote and section references) is followed. Once the page has settled, the target's
top must be within LAND_PX of the viewport's top (below the fixed header); near the end
of the page it is enough that the page is scrolled to the bottom with the target in view.

Run as a script to measure another build: python tests/test_links_land.py SITE_DIR
"""

from __future__ import annotations

import functools
import sys
import threading
from pathlib import Path
from urllib.parse import unquote

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, _SiteHandler, _SiteServer

try:
    from playwright.sync_api import sync_playwright
except ImportError:
    sync_playwright = None

pytestmark = pytest.mark.browser
NOTE = "til-ml/boostcamp-2st/u-stage-1/ai-math/ai-math-9gang-cnn-cheotgeoleum/"
LAND_PX = 200
SIZES = {
    "desktop": dict(viewport={"width": 1440, "height": 900}),
    "phone": dict(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=3),
}

# Wait until the page stops moving: scroll position and the target's top unchanged for 600 ms
# (a figure that loads or a block laid out late would move the target after the jump).
_SETTLE_JS = """async id => {
  const el = document.getElementById(id);
  const frame = () => new Promise(r => setTimeout(r, 100));
  let last = null, still = 0;
  for (let i = 0; i < 80 && still < 6; i++) {
    await frame();
    const now = [Math.round(scrollY), Math.round(el.getBoundingClientRect().top)].join();
    still = now === last ? still + 1 : 0; last = now;
  }
  const r = el.getBoundingClientRect();
  const bottom = scrollY + innerHeight >= document.documentElement.scrollHeight - 2;
  return {top: Math.round(r.top), bottom, inView: r.top >= 0 && r.top < innerHeight, height: innerHeight};
}"""


def _landed(where: dict) -> bool:
    return 0 <= where["top"] <= LAND_PX or (where["bottom"] and where["inView"])


def _targets(page, selector: str) -> list[tuple[str, str]]:
    """(href, text) of the '#' links matched by `selector`, in document order, one per target."""
    # Material writes hrefs out in full: a link into this page is one with its path and a '#'
    # (tab labels, '#__tabbed_…', switch tabs and are not followed)
    links = page.locator(selector).evaluate_all("""as => as
        .filter(a => a.hash.length > 1 && a.pathname === location.pathname && !a.hash.startsWith('#__'))
        .map(a => [a.hash, a.textContent.trim()])""")
    seen, out = set(), []
    for href, text in links:
        if href not in seen:
            seen.add(href)
            out.append((href, text))
    return out


def _open_toc(page, size: str):
    """Show the page's table of contents as a reader does: on a phone, open the drawer and
    the current page's entry in it."""
    if size == "desktop":
        return ".md-sidebar--secondary .md-nav--secondary a.md-nav__link"
    page.locator('label.md-header__button[for="__drawer"]').click()
    page.locator('.md-sidebar--primary label.md-nav__link[for="__toc"]').click()
    return ".md-sidebar--primary .md-nav--secondary a.md-nav__link"


def measure(browser, url: str, size: str) -> dict:
    """{"toc": [(href, where)], "text": [(href, where)]}: where each link took the reader."""
    ctx = browser.new_context(locale="ko-KR", service_workers="block", **SIZES[size])
    ctx.set_default_timeout(20_000)
    try:
        page = ctx.new_page()
        page.goto(url, wait_until="load")
        toc = _targets(page, _open_toc(page, size))
        text = [t for t in _targets(page, ".md-content a:not(.headerlink)")]
        out = {"toc": [], "text": []}
        for kind, links in (("toc", toc), ("text", text)):
            for href, label in links:
                page.goto("about:blank")
                page.goto(url, wait_until="load")  # fresh: nothing laid out or loaded below the fold
                selector = _open_toc(page, size) if kind == "toc" else ".md-content a:not(.headerlink)"
                if kind == "text":  # a link inside a collapsed answer: the reader opens the answer first
                    page.locator(f'{selector}[href$="{href}"]').first.evaluate(
                        "a => { for (let d = a.closest('details'); d; d = d.parentElement.closest('details')) d.open = true; }")
                link = page.locator(f'{selector}[href$="{href}"]').first
                link.click()
                where = page.evaluate(_SETTLE_JS, unquote(href[1:]))
                out[kind].append((f"{href} {label[:20]}", where))
        return out
    finally:
        ctx.close()


def summary(found: dict) -> str:
    lines = []
    for kind, rows in found.items():
        ok = sum(_landed(w) for _, w in rows)
        lines.append(f"{kind}: {ok} of {len(rows)} land")
        lines += [f"  MISS {h}: top {w['top']} px (bottom {w['bottom']})" for h, w in rows if not _landed(w)]
    return "\n".join(lines)


def _serve(site: Path):
    server = _SiteServer(("127.0.0.1", 0), functools.partial(_SiteHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def note_url(built_site):
    """The note's address on a local server of the built site."""
    server = _serve(built_site)
    yield f"http://127.0.0.1:{server.server_address[1]}/{NOTE}"
    server.shutdown()
    server.server_close()


def _measure_in_own_browser(url: str, size: str, out: dict) -> None:
    """measure() in a thread of its own, with its own Playwright and chromium (one sync Playwright
    per thread): most of a link's time is waiting, so the two sizes run side by side."""
    try:
        with sync_playwright() as pw:
            own = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                out[size] = measure(own, url, size)
            finally:
                own.close()
    except BaseException as e:  # noqa: BLE001 - re-raised in the test that reads it
        out[size] = e


@pytest.fixture(scope="module")
def landings(note_url, chromium) -> dict:
    """{size: measure(...)} for both sizes, the phone's in a second thread (the session's chromium,
    tests/conftest.py, belongs to this one)."""
    out: dict = {}
    phone = threading.Thread(target=_measure_in_own_browser, args=(note_url, "phone", out))
    phone.start()
    try:
        out["desktop"] = measure(chromium, note_url, "desktop")
    finally:
        phone.join()
    return out


@pytest.mark.parametrize("size", list(SIZES))
def test_every_link_lands(landings, size):
    found = landings[size]
    if isinstance(found, BaseException):
        raise found
    print(f"{size}\n{summary(found)}")
    assert len(found["toc"]) >= 20 and len(found["text"]) >= 5, found
    missed = [h for rows in found.values() for h, w in rows if not _landed(w)]
    assert not missed, f"{size}: links that do not land:\n{summary(found)}"


def test_in_page_link_keeps_the_page_and_the_history(note_url, chromium):
    """Following a link into the page is the browser's fragment jump: the page is not fetched
    again (Material's instant navigation did, and the jump came 2.5 s late), and back and
    forward return to the place the reader left and to the target."""
    url = note_url
    ctx = chromium.new_context(locale="ko-KR", service_workers="block", **SIZES["desktop"])
    try:
        page = ctx.new_page()
        page.goto(url, wait_until="load")
        fetched = []
        page.on("request", lambda r: fetched.append(r.url) if r.resource_type in ("fetch", "xhr") and r.url.split("#")[0] == url else None)
        link = page.locator('.md-content a:not(.headerlink)[href$="#backprop-matrix"]').first
        link.scroll_into_view_if_needed()
        page.wait_for_timeout(300)  # Material records the offset 100 ms after the last scroll
        left_at = page.evaluate("scrollY")
        link.click()
        assert _landed(page.evaluate(_SETTLE_JS, "backprop-matrix"))
        page.go_back()
        page.wait_for_function(f"Math.abs(scrollY - {left_at}) <= 2 && location.hash === ''", timeout=5_000)
        page.go_forward()
        assert _landed(page.evaluate(_SETTLE_JS, "backprop-matrix"))
        assert page.evaluate("location.pathname") == "/" + NOTE
        assert not fetched, f"the page was fetched again: {fetched}"
    finally:
        ctx.close()


if __name__ == "__main__":
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for site in sys.argv[1:]:
            srv = _serve(Path(site))
            for size in SIZES:
                print(site, size)
                print(summary(measure(b, f"http://127.0.0.1:{srv.server_address[1]}/{NOTE}", size)))
            srv.shutdown()
        b.close()
