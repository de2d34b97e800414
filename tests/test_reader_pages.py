"""Pages readers meet, in a real browser: search results that read as text (a Korean query
typed through an IME), and the 404 page a static host serves for an unknown address.

Screenshots of what was checked go to $TIL_SHOTS when it is set (for a person to look at).
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect

from test_browser import (CHROMIUM_ARGS, FLAGSHIP, HOST, _ime_insert, _open_search, _results,  # noqa: F401
                          _SiteHandler, _SiteServer, site_url, visit)

pytestmark = pytest.mark.browser
TEX_COMMAND = re.compile(r"\\[A-Za-z]+")
SHOTS = os.environ.get("TIL_SHOTS")


def _shot(page, name: str):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_search_results_for_a_korean_query_read_as_text(visit, scheme):
    v = visit(scheme)
    v.goto("")
    _open_search(v)
    _ime_insert(v, "합성곱")
    hrefs = _results(v, "합성곱")
    assert FLAGSHIP in hrefs[0], hrefs[:3]
    # Material shows a page's best sections first and folds the rest; open them all
    for more in v.page.locator(".md-search-result__more > summary").all():
        more.click()
    texts = v.page.locator(".md-search-result__item").all_inner_texts()
    found = [c for t in texts for c in TEX_COMMAND.findall(t)]
    assert not found, f"{len(found)} TeX commands in the results for 합성곱: {found[:10]}"
    joined = "\n".join(texts)
    assert "w̄(a) = w(−a)" in joined or "합성곱" in joined
    _shot(v.page, f"search-hapseonggop-desktop-{scheme}")


def test_search_results_on_a_phone(chromium, site_url):
    ctx = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                               locale="ko-KR", service_workers="block")
    try:
        page = ctx.new_page()
        page.goto(site_url)
        page.locator('label.md-header__button[for="__search"]').click()
        page.wait_for_function("""() => document.querySelector('.md-search-result__meta')
            .textContent.trim() === '검색어를 입력하세요'""")
        page.locator("input.md-search__input").focus()
        cdp = ctx.new_cdp_session(page)
        for i in range(1, 4):
            cdp.send("Input.imeSetComposition", {"text": "합성곱"[:i], "selectionStart": i, "selectionEnd": i})
        cdp.send("Input.insertText", {"text": "합성곱"})
        page.wait_for_function("() => document.querySelectorAll('.md-search-result__item').length > 0")
        texts = page.locator(".md-search-result__item").all_inner_texts()
        assert not [c for t in texts for c in TEX_COMMAND.findall(t)]
        _shot(page, "search-hapseonggop-phone-light")
    finally:
        ctx.close()


def test_table_cells_stay_apart_in_results(visit):
    v = visit()
    v.goto("")
    _open_search(v)
    _ime_insert(v, "커널")  # the cost table's header has a column 커널
    _results(v, "커널")
    for more in v.page.locator(".md-search-result__more > summary").all():
        more.click()
    texts = v.page.locator(".md-search-result__item").all_inner_texts()
    assert any(" | " in t for t in texts), "no result shows a table row with its cells parted"


def test_tex_source_still_finds_the_note(visit):
    v = visit()
    v.goto("")
    _open_search(v).press_sequentially("\\partial")  # only in the TeX field now
    v.page.wait_for_function("() => document.querySelectorAll('.md-search-result__item > a').length > 0")
    hrefs = v.page.locator(".md-search-result__item > a").evaluate_all("as => as.map(a => a.href)")
    assert any(FLAGSHIP in h for h in hrefs), hrefs[:5]
    texts = v.page.locator(".md-search-result__item").all_inner_texts()
    assert not [c for t in texts for c in TEX_COMMAND.findall(t)], "the TeX field is searched, not shown"


class _NotFoundHandler(_SiteHandler):
    """A static host: an unknown path gets 404.html with status 404 (as GitHub Pages does)."""

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@pytest.fixture(scope="module")
def host_404(built_site):
    server = _SiteServer((HOST, 0), functools.partial(_NotFoundHandler, directory=str(built_site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://{HOST}:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_404_page_speaks_korean_and_leads_back(chromium, host_404, size):
    opts = (dict(viewport={"width": 1440, "height": 900}) if size == "desktop" else
            dict(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True))
    ctx = chromium.new_context(locale="ko-KR", service_workers="block", **opts)
    try:
        page = ctx.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        resp = page.goto(host_404 + "til-ml/no/such/page/")
        assert resp.status == 404
        h1 = page.locator(".md-content h1").inner_text()
        assert "찾을 수 없습니다" in h1, h1
        assert "Not found" not in h1
        _shot(page, f"404-{size}")
        # the way back: home, and the written notes on it
        page.locator(".md-content a", has_text="작성된 노트").click()
        page.wait_for_url(re.compile(r"/#written-notes$"))
        expect(page.locator("#written-notes")).to_be_visible()  # navigation.instant swaps the page in after the URL changes
        page.go_back()
        page.locator(".md-content a", has_text="첫 페이지").click()
        page.wait_for_url(host_404)
        # search from the 404 page, with a Korean IME
        page.goto(host_404 + "nowhere")
        page.locator(".md-content label", has_text="검색").click()
        page.wait_for_function("""() => document.querySelector('.md-search-result__meta')
            .textContent.trim() === '검색어를 입력하세요'""")
        page.locator("input.md-search__input").focus()
        cdp = ctx.new_cdp_session(page)
        cdp.send("Input.imeSetComposition", {"text": "합성곱", "selectionStart": 3, "selectionEnd": 3})
        cdp.send("Input.insertText", {"text": "합성곱"})
        page.wait_for_function(f"""() => [...document.querySelectorAll('.md-search-result__item > a')]
            .some(a => a.href.includes({FLAGSHIP!r}))""")
        assert not errors, errors
    finally:
        ctx.close()
