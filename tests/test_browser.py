"""Browser checks of the built site: Debian's chromium, driven by Playwright, reads it
from a local server.

What a reader sees: math typeset by the vendored KaTeX (also after Material's
instant navigation), figures that load in the colour scheme they belong to,
Korean search that finds the flagship note, no console errors, and not one
request that leaves 127.0.0.1 (the offline audit walks every written note,
every notebook and a fixed sample of placeholder pages).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import posixpath
import random
import re
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright
except ImportError:  # reported by the `chromium` fixture: a failure in CI, a skip elsewhere
    sync_playwright = None
    PlaywrightTimeout = TimeoutError

from sitetools import DOCS, page_url
from tilsite.render.katex import KEEP_TOGETHER_MAX_TEX
from tilsite.nav.summary import parse_summary

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
HOST = "127.0.0.1"

FLAGSHIP = "til-ml/boostcamp-2st/u-stage-1/ai-math/ai-math-9gang-cnn-cheotgeoleum/"
NOTEBOOK = "til-ml/boostcamp-2st/u-stage-1/ai-math/conv-practice/"
PLACEHOLDER_SAMPLE = 20
AUDIT_TABS = 1  # one tab at a time: with 4, a fresh clone's run twice left the note's lazy figures unloaded
TIMEOUT_MS = 10_000

# til.css skips the layout of blocks far from the viewport (content-visibility: auto) until a
# reader scrolls to them; layout checks look at every block as it is once it is shown.
SHOW_ALL_CSS = ".md-content .md-typeset > * { content-visibility: visible !important; }"

# Math delimiters that must not survive typesetting in the visible text.
RAW_MATH = ("$$", "\\(", "\\)", "\\[", "\\]")
RAW_INLINE = re.compile(r"\$[^\s$][^$]*\$")  # $x$ that was not typeset (notebook markdown)

# Visible text of the article outside code, where raw TeX would mean KaTeX did not run.
# (innerText minus <pre>/<code>: code may legitimately show '$$' or '\(')
_VISIBLE_PROSE_JS = """() => {
  const root = document.querySelector('.md-content');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const out = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest('pre, code, script, style, .katex')) continue;
    if (el.offsetParent === null && getComputedStyle(el).position !== 'fixed') continue;
    out.push(n.textContent);
  }
  return out.join('');
}"""

_SHOWN_JS = "el => el.offsetParent !== null && getComputedStyle(el).display !== 'none'"

# Bring each displayed article image into the viewport for a frame, so that
# loading=lazy starts fetching it; returns how many there are.
_SCROLL_IMAGES_JS = f"""async () => {{
  const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const imgs = [...document.querySelectorAll('.md-content img')].filter({_SHOWN_JS});
  for (const img of imgs) {{ img.scrollIntoView({{block: 'center'}}); await frame(); }}
  // Then ask for any still pending: whether a lazy image starts when scrolled past depends on
  // frames and content-visibility timing on a busy machine; what is checked is that each loads.
  for (const img of imgs) if (!img.complete) {{ img.loading = 'eager'; img.src = img.src; }}
  return imgs.length;
}}"""


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _missing_browser(msg: str):
    # In CI a missing browser is a broken runner, not a reason to skip.
    if _in_ci():
        pytest.fail(msg, pytrace=False)
    pytest.skip(msg)


def written_notes(docs: Path = DOCS) -> list[str]:
    """URLs of the notes written by hand: every docs/**/*.md but SUMMARY.md."""
    return sorted(page_url(p.relative_to(docs).as_posix()) for p in docs.rglob("*.md")
                  if p.relative_to(docs).as_posix() != "SUMMARY.md")


def notebook_pages(docs: Path = DOCS) -> list[str]:
    """URLs of the notebook pages: docs/a/b.py is rendered at a/b/."""
    return sorted(page_url(p.relative_to(docs).with_suffix(".md").as_posix()) for p in docs.rglob("*.py"))


def placeholder_sample(docs: Path = DOCS, k: int = PLACEHOLDER_SAMPLE) -> list[str]:
    """A fixed sample of the SUMMARY entries with no written file (their generated pages)."""
    entries = parse_summary((docs / "SUMMARY.md").read_text("utf-8"))
    missing = sorted(e.path for e in entries if not (docs / e.path).is_file())
    return sorted(page_url(p) for p in random.Random(0).sample(missing, min(k, len(missing))))


# ---------------------------------------------------------------- fixtures


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, except that sitemap.xml names this server instead of site_url.

    Material's instant navigation only intercepts links listed in sitemap.xml,
    matched on port and path; the build lists https://example.invalid/til/...,
    so without the rewrite every click would be a full reload (mkdocs serve
    rewrites site_url the same way).
    """

    def do_GET(self):
        if urlsplit(self.path).path != "/sitemap.xml":
            return super().do_GET()
        text = (Path(self.directory) / "sitemap.xml").read_text("utf-8")
        locs = re.findall(r"<loc>([^<]+)</loc>", text)
        home = min(locs, key=len) if locs else ""
        body = text.replace(home, f"http://{HOST}:{self.server.server_address[1]}/").encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


class _SiteServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # chromium drops connections it no longer needs (page left mid-load)
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def site_url(built_site):
    """Base URL ('http://127.0.0.1:PORT/') of the built site, served from a background thread."""
    assert (Path(built_site) / "sitemap.xml").is_file(), f"{built_site} has no sitemap.xml"
    server = _SiteServer((HOST, 0), functools.partial(_SiteHandler, directory=str(built_site)))
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class Visit:
    """A browser tab plus everything it asked for and complained about."""

    page: object
    base: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    failed: list[str] = field(default_factory=list)  # failed requests and HTTP >= 400

    def goto(self, path: str = "", wait_until: str = "load"):
        resp = self.page.goto(self.base + path, wait_until=wait_until)
        assert resp is not None and resp.status == 200, f"{path or '/'}: HTTP {resp and resp.status}"
        return resp

    @property
    def off_site(self) -> list[str]:
        return [u for u in self.requests if not _is_local(u)]

    def show_all(self) -> None:
        """Render every block of the article (see SHOW_ALL_CSS); works with scripting off,
        where add_style_tag would wait forever for its load event."""
        self.page.evaluate("""css => { const s = document.createElement('style');
                                       s.textContent = css; document.head.append(s); }""", SHOW_ALL_CSS)

    def visible_prose(self) -> str:
        return self.page.evaluate(_VISIBLE_PROSE_JS)

    def shown(self, selector: str) -> list[bool]:
        """For each element matching `selector`: is it displayed?"""
        return self.page.locator(selector).evaluate_all(f"els => els.map({_SHOWN_JS})")

    def load_images(self) -> list[str]:
        """Scroll every displayed img of the article into view (they are loading=lazy),
        wait until all have settled and return the URLs of those that did not load."""
        # blocks far from the viewport are not rendered (til.css, content-visibility: auto) and a
        # tab in the background gets few frames: render them all, then scroll as a reader would
        self.show_all()
        shown = self.page.evaluate(_SCROLL_IMAGES_JS)
        if not shown:
            return []
        try:
            # what is checked is that each image loads, not how fast: several tabs share two
            # CPUs here, and a fresh clone's run once took longer than the default 10 s
            self.page.wait_for_function(f"""() => [...document.querySelectorAll('.md-content img')]
                .filter({_SHOWN_JS}).every(i => i.complete)""", timeout=4 * TIMEOUT_MS)
        except PlaywrightTimeout:  # the list below names the images still pending
            pass
        return self.page.evaluate(f"""() => [...document.querySelectorAll('.md-content img')]
            .filter({_SHOWN_JS}).filter(i => !i.complete || i.naturalWidth === 0)
            .map(i => i.currentSrc || i.src)""")


def evaluate_in_own_chromium(url: str, js: str, context: dict, show_all: bool = False, name: str = "chromium"):
    """`js` evaluated on `url` in a chromium of its own, in a context made with `context`.

    show_all: lay out every block of the article first (SHOW_ALL_CSS) and wait for the fonts.
    Runs Playwright in a thread of its own: its sync API refuses to start in a thread where
    another sync session (this module's session-wide chromium) is running.
    """
    result: dict = {}

    def run():
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_context(service_workers="block", **context).new_page()
                page.goto(url)
                if show_all:
                    page.add_style_tag(content=SHOW_ALL_CSS)
                    page.evaluate("document.fonts.ready")  # KaTeX's fonts decide the widths
                result["value"] = page.evaluate(js)
                browser.close()
        except Exception as exc:  # re-raised in the test's thread
            result["error"] = exc

    thread = threading.Thread(target=run, name=name)
    thread.start()
    thread.join(timeout=120)
    if "error" in result:
        raise result["error"]
    assert "value" in result, f"{name}: chromium gave no answer for {url} within 120 s"
    return result["value"]


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname == HOST


@pytest.fixture
def visit(chromium, site_url):
    """Open a tab in a fresh context (empty storage): `visit()`, `visit("dark")`,
    or another tab of an open context: `visit(context=v.page.context)`."""
    contexts = []

    def open_tab(scheme: str = "light", context=None) -> Visit:
        if context is None:
            context = chromium.new_context(color_scheme=scheme, locale="ko-KR",
                                           viewport={"width": 1280, "height": 900},
                                           service_workers="block")
            context.set_default_timeout(TIMEOUT_MS)
            contexts.append(context)
        v = Visit(context.new_page(), site_url)
        v.page.on("request", lambda r: v.requests.append(r.url))
        v.page.on("requestfailed", lambda r: v.failed.append(f"{r.url}: {r.failure}"))
        v.page.on("response", lambda r: r.status >= 400 and v.failed.append(f"{r.url}: HTTP {r.status}"))
        v.page.on("console", lambda m: m.type == "error" and v.errors.append(
            f"console: {m.text} ({m.location.get('url', '')})"))
        v.page.on("pageerror", lambda e: v.errors.append(f"pageerror: {e}"))
        return v

    yield open_tab
    for ctx in contexts:
        ctx.close()


def _assert_typeset(v: Visit, where: str):
    try:
        v.page.locator(".md-content .katex").first.wait_for(state="attached")
    except PlaywrightTimeout:
        pytest.fail(f"{where}: no KaTeX output (.katex) after {TIMEOUT_MS} ms; "
                    "the build typesets math (tilsite/render/katex.py): is the page built from this tree?", pytrace=False)
    errors = v.page.locator(".md-content .katex-error").all_inner_texts()
    assert not errors, f"{where}: KaTeX could not parse {errors}"
    v.show_all()  # the whole article, not only what is on screen
    prose = v.visible_prose()
    raw = [d for d in RAW_MATH if d in prose] + RAW_INLINE.findall(prose)
    assert not raw, f"{where}: raw math {raw} in the visible text: {prose[:300]!r}"


# ---------------------------------------------------------------- tests


def test_flagship_math_is_typeset(visit):
    v = visit()
    v.goto(FLAGSHIP)
    _assert_typeset(v, FLAGSHIP)


def test_notebook_math_is_typeset_and_downloads_work(visit):
    v = visit()
    v.goto(NOTEBOOK)
    _assert_typeset(v, NOTEBOOK)
    links = v.page.locator(".til-nb-downloads a").evaluate_all("as => as.map(a => a.href)")
    assert sorted(posixpath.splitext(u)[1] for u in links) == [".ipynb", ".py"], links
    for url in links:
        resp = v.page.request.get(url)
        assert resp.status == 200, f"{url}: HTTP {resp.status}"
        if url.endswith(".ipynb"):
            nb = json.loads(resp.body())
            outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
            assert outputs, f"{url}: the downloadable notebook has no outputs (was it executed?)"
        else:
            assert "# %%" in resp.text(), f"{url}: not a jupytext percent script"


def test_math_survives_instant_navigation(visit):
    v = visit()
    v.goto("", wait_until="networkidle")  # clicks before sitemap.xml arrives are full reloads
    # a full reload would drop this marker; instant navigation keeps the window
    v.page.evaluate("() => { window.__tilMarker = 'kept'; }")
    link = v.page.locator(f'.md-content a[href$="{FLAGSHIP}"]')
    assert link.count() > 0, "the home page does not link the flagship note (## 작성된 노트)"
    link.first.click()
    v.page.wait_for_url(f"**/{FLAGSHIP}")
    assert v.page.evaluate("() => window.__tilMarker") == "kept", \
        "the click reloaded the page: navigation.instant did not handle it"
    _assert_typeset(v, f"{FLAGSHIP} after instant navigation")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_images_load(visit, scheme):
    v = visit(scheme)
    for path in [FLAGSHIP, NOTEBOOK]:
        v.goto(path)
        if path == FLAGSHIP:
            assert any(v.shown(".md-content img")), f"{path}: no figure is displayed in {scheme} mode"
        bad = v.load_images()
        assert not bad, f"{path} ({scheme}): images did not load: {bad}"
    assert not v.failed, v.failed


def test_no_console_errors(visit):
    v = visit()
    for path in ["", FLAGSHIP, NOTEBOOK, placeholder_sample(k=1)[0]]:
        v.goto(path)
    v.page.wait_for_load_state("networkidle")
    assert not v.errors, "\n".join(v.errors)


def test_no_request_leaves_localhost(visit):
    v = visit()
    for path in ["", FLAGSHIP, NOTEBOOK]:
        v.goto(path, wait_until="networkidle")
        v.load_images()
    assert v.requests, "no request was recorded"
    assert not v.off_site, f"requests left {HOST}: {sorted(set(v.off_site))}"


SEARCH_READY = "검색어를 입력하세요"  # Material's prompt once its worker has the index


def _open_search(v: Visit):
    """Focus the search box once the index is loaded: Material also reads the box when its
    worker becomes ready, which would hide a query that never ran on input."""
    v.page.keyboard.press("/")
    box = v.page.locator("input.md-search__input")
    box.wait_for(state="visible")
    box.focus()
    v.page.wait_for_function(f"""() => document.querySelector('.md-search-result__meta')
        .textContent.trim() === {SEARCH_READY!r}""")
    return box


def _ime_insert(v: Visit, text: str):
    """Type `text` the way a Korean IME delivers it: a composition, then its commit."""
    cdp = v.page.context.new_cdp_session(v.page)
    for i in range(1, len(text) + 1):  # the syllables grow inside one composition
        cdp.send("Input.imeSetComposition", {"text": text[:i], "selectionStart": i, "selectionEnd": i})
    cdp.send("Input.insertText", {"text": text})
    cdp.detach()


def _results(v: Visit, query: str) -> list[str]:
    """hrefs of the result items, once Material shows those of `query` (no key is pressed to get them).

    Typed a key at a time, the box first holds a prefix ("S", "Se", ...) whose results show
    for a moment; a result is `query`'s when its link highlights `query` (search.highlight: ?h=).
    """
    try:
        v.page.wait_for_function("""q => [...document.querySelectorAll('.md-search-result__item > a')]
            .some(a => (new URL(a.href).searchParams.get('h') || '').toLowerCase() === q.toLowerCase())""",
                                 arg=query)
    except PlaywrightTimeout:
        meta = v.page.locator(".md-search-result__meta").inner_text()
        pytest.fail(f"search for {query!r} shows no result ({meta!r})", pytrace=False)
    return v.page.locator(".md-search-result__item > a").evaluate_all("as => as.map(a => a.href)")


# Material re-runs the query on keyup only; search-input.js relays every input event.
# None of these presses a key after the text is in the box.
TYPING = {
    "ime-composition": _ime_insert,
    "insert-text": lambda v, text: v.page.keyboard.insert_text(text),  # paste, autocomplete
    "type": lambda v, text: v.page.keyboard.type(text),
}


@pytest.mark.parametrize("how", list(TYPING))
def test_search_runs_however_the_query_is_typed(visit, how):
    v = visit()
    v.goto("")
    _open_search(v)
    TYPING[how](v, "합성곱")
    hrefs = _results(v, "합성곱")
    assert hrefs and FLAGSHIP in hrefs[0], f"{how}: the note is not the first result: {hrefs[:5]}"


@pytest.mark.parametrize("query", ["합성곱", "커널", "Convolution"])
def test_search_finds_flagship(visit, query):
    v = visit()
    v.goto("")  # the light home page; search works from any page
    box = _open_search(v)
    box.press_sequentially(query)  # and no extra key afterwards
    hrefs = _results(v, query)
    assert any(FLAGSHIP in h for h in hrefs), f"{query!r} did not find {FLAGSHIP}: {hrefs}"
    # the nav file is not a page: it would match every title in the tree
    assert not any("/SUMMARY/" in h for h in hrefs), f"{query!r} lists the nav file: {hrefs}"


def test_search_finds_unwritten_entries_after_written_notes(visit, entries):
    seaborn = [page_url(e.path) for e in entries if "seaborn" in e.title.lower()]
    assert seaborn, "the mirror has Seaborn entries"
    v = visit()
    v.goto("")
    _open_search(v).press_sequentially("Seaborn")
    hrefs = _results(v, "Seaborn")
    found = [u for u in seaborn if any(urlsplit(h).path.endswith("/" + u) for h in hrefs)]
    assert found, f"'Seaborn' finds none of {seaborn}: {hrefs}"
    texts = v.page.locator(".md-search-result__item").all_inner_texts()
    assert any("미작성" in t for t in texts), f"unwritten results are not marked 미작성: {texts[:3]}"
    # a word the written note and placeholders share: the note first
    v = visit()
    v.goto("")
    _open_search(v)
    v.page.keyboard.insert_text("CNN")
    first = _results(v, "CNN")[0]
    assert FLAGSHIP in first, f"'CNN': a placeholder ranks before the written note: {first}"


def test_dark_toggle_swaps_figures(visit):
    v = visit("light")
    v.goto(FLAGSHIP)
    light, dark = 'img[src*="-light."]', 'img[src*="-dark."]'
    assert v.page.locator(f".md-content {light}").count() > 0, "the flagship note has no figure"
    assert all(v.shown(light)) and not any(v.shown(dark)), "light mode must show only -light figures"
    assert not v.load_images(), "a light figure did not load"
    # lazy + hidden: a reader downloads one scheme's figures (the benchmark's note size relies on it)
    fetched_dark = [u for u in v.requests if "/assets/figures/" in u and "-dark." in u]
    assert not fetched_dark, f"light mode fetched dark figures: {fetched_dark}"
    toggle = v.page.locator('.md-header__button[for^="__palette"]:visible')
    assert v.page.get_attribute("body", "data-md-color-scheme") == "default"
    toggle.first.click()
    v.page.wait_for_function("() => document.body.dataset.mdColorScheme === 'slate'")
    assert all(v.shown(dark)) and not any(v.shown(light)), "dark mode must show only -dark figures"
    assert not v.load_images(), "a dark figure did not load"


def test_offline_audit(visit, record_property):
    written, notebooks, sample = written_notes(), notebook_pages(), placeholder_sample()
    pages = sorted(set(written + notebooks + [""] + sample))
    first = visit()
    ctx = first.page.context  # one context: no per-page context set-up cost
    first.page.close()
    visits, problems = [], []
    for start in range(0, len(pages), AUDIT_TABS):
        # a few tabs load at once, so their network-idle waits overlap
        batch = [(path, visit(context=ctx)) for path in pages[start:start + AUDIT_TABS]]
        for path, v in batch:
            v.page.goto(v.base + path, wait_until="commit")
        for path, v in batch:
            v.page.wait_for_load_state("networkidle")  # the search worker's fetches included
            v.page.bring_to_front()  # background tabs get no animation frames: lazy images stall
            bad_imgs = v.load_images()
            if bad_imgs or v.errors or v.failed or v.off_site:
                problems.append(f"/{path}: images not loaded {bad_imgs}, errors {v.errors}, "
                                f"failed {v.failed}, off-site {v.off_site}")
            v.page.close()
        visits += [v for _, v in batch]
    n_req = sum(len(v.requests) for v in visits)
    n_off = sum(len(v.off_site) for v in visits)
    n_failed = sum(len(v.failed) for v in visits)
    n_err = sum(len(v.errors) for v in visits)
    summary = (f"audited {len(pages)} pages ({len(written)} written notes incl. home, "
               f"{len(notebooks)} notebooks, {len(sample)} placeholders), {n_req} requests, "
               f"{n_off} off-site, {n_failed} failed, {n_err} console errors")
    print(summary)
    record_property("offline_audit", summary)
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- reading on desktop and phone

def _lay_out_all(v: "Visit") -> None:
    v.show_all()

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 3}

# Elements of the article wider than the screen that are not inside a scroll container
# narrower than the screen; and whether the page itself scrolls sideways.
_OVERFLOW_JS = """() => {
  const vw = document.documentElement.clientWidth;
  const scrolls = el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  const bad = [];
  for (const el of document.querySelectorAll('.md-content *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || (r.right <= vw + 0.5 && r.left >= -0.5)) continue;
    // held: some ancestor scrolls sideways and fits the screen (a display:table with
    // overflow:auto does not count: it grows instead, so the walk goes on)
    let box = el.parentElement, held = false;
    while (box && box !== document.body && !held) {
      const b = box.getBoundingClientRect();
      held = scrolls(box) && b.left >= -0.5 && b.right <= vw + 0.5;
      box = box.parentElement;
    }
    if (!held) bad.push(el.tagName.toLowerCase() + '.' + el.className + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
  }
  const page = document.scrollingElement;
  return {pageScroll: page.scrollWidth - page.clientWidth, bad: bad.slice(0, 10), vw};
}"""


@pytest.fixture
def phone(chromium, site_url):
    contexts = []

    def open_tab(scheme: str = "light", **options) -> Visit:
        ctx = chromium.new_context(color_scheme=scheme, locale="ko-KR", service_workers="block",
                                   **{**PHONE, **options})
        ctx.set_default_timeout(TIMEOUT_MS)
        contexts.append(ctx)
        return Visit(ctx.new_page(), site_url)

    yield open_tab
    for ctx in contexts:
        ctx.close()


@pytest.mark.parametrize("path", [FLAGSHIP, NOTEBOOK, ""])
def test_phone_never_scrolls_sideways(phone, path):
    v = phone()
    v.goto(path)
    v.page.wait_for_load_state("networkidle")
    _lay_out_all(v)
    out = v.page.evaluate(_OVERFLOW_JS)
    assert out["pageScroll"] <= 0, f"/{path}: the page scrolls {out['pageScroll']} px sideways at {out['vw']} px"
    assert not out["bad"], f"/{path}: wider than the screen and not in a scroll container: {out['bad']}"


def test_wide_math_scrolls_with_a_cue_and_a_margin(phone):
    v = phone()
    v.goto(FLAGSHIP)
    _lay_out_all(v)
    wide = v.page.locator(".til-math--display").evaluate_all("""els => els
        .filter(e => e.scrollWidth > e.clientWidth + 1)
        .map(e => ({bg: getComputedStyle(e).backgroundImage, left: e.getBoundingClientRect().left,
                    right: innerWidth - e.getBoundingClientRect().right, overflow: getComputedStyle(e).overflowX}))""")
    assert wide, "no display equation is wider than a phone: nothing to check"
    for w in wide:
        assert w["overflow"] == "auto" and "gradient" in w["bg"], f"no scroll cue: {w}"
        assert w["left"] >= 8 and w["right"] >= 8, f"no side margin: {w}"


# Equation numbers \tag{n} that overlap their formula: KaTeX pins the number to the right
# edge of the formula's box, which on a narrow screen is inside the formula itself.
_TAG_OVERLAPS_JS = """() => {
  const out = [];
  for (const tag of document.querySelectorAll('.md-content .til-math--display .tag')) {
    const t = tag.getBoundingClientRect();
    for (const base of tag.parentElement.querySelectorAll(':scope > .base')) {
      const b = base.getBoundingClientRect();
      const overlap = Math.min(t.right, b.right) - Math.max(t.left, b.left);
      const rows = Math.min(t.bottom, b.bottom) - Math.max(t.top, b.top);
      if (overlap > 0.5 && rows > 0.5)
        out.push(`${tag.innerText.trim()} over ${overlap.toFixed(1)} px of ${tag.closest('.til-math').getAttribute('aria-label').slice(0, 50)}`);
    }
  }
  return {tags: document.querySelectorAll('.md-content .til-math--display .tag').length, out};
}"""


@pytest.mark.parametrize("device", ["phone", "small phone", "desktop"])
def test_equation_numbers_never_cover_their_formula(visit, phone, device):
    """At 390 px, at 360 px (a common Android width) and on a desktop."""
    if device == "desktop":
        v = visit()
    else:
        v = phone(viewport={"width": 360 if device == "small phone" else 390, "height": 800})
    v.goto(FLAGSHIP)
    _lay_out_all(v)
    found = v.page.evaluate(_TAG_OVERLAPS_JS)
    assert found["tags"] >= 10, f"only {found['tags']} numbered equations on the note"
    assert not found["out"], f"{device}: equation numbers drawn over their formula: {found['out']}"


# Inline formulas torn from the text glued to them: the particle, comma or bracket that
# touches a formula (no space between) lands on another line than the formula's edge.
_TORN_JS = """() => {
  const sameLine = (a, b) => Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0;
  const bad = []; let glued = 0;
  for (const m of document.querySelectorAll('.md-content span.til-math')) {
    const bases = [...m.querySelectorAll('.base')];
    // longer formulas keep KaTeX's own breaks (tilsite/render/katex.py KEEP_TOGETHER_MAX_TEX)
    if (!bases.length || m.getAttribute('aria-label').length > %d) continue;
    for (const [node, after] of [[m.nextSibling, true], [m.previousSibling, false]]) {
      if (!node || node.nodeType !== 3 || !node.length) continue;
      const ch = after ? node.data[0] : node.data[node.length - 1];
      if (/\\s/.test(ch)) continue;
      glued++;
      const r = document.createRange();
      r.setStart(node, after ? 0 : node.length - 1); r.setEnd(node, after ? 1 : node.length);
      const edge = (after ? bases[bases.length - 1] : bases[0]).getBoundingClientRect();
      if (!sameLine(r.getBoundingClientRect(), edge))
        bad.push((after ? '' : ch + ' | ') + m.getAttribute('aria-label').slice(0, 30) + (after ? ' | ' + ch : ''));
    }
  }
  return {glued, bad};
}""" % KEEP_TOGETHER_MAX_TEX


@pytest.mark.parametrize("width", [390, 360])
def test_inline_math_keeps_its_particle_on_the_line(phone, width):
    """"W의", "K,", "네제곱(x)": a line never breaks between a formula and the text touching it."""
    v = phone(viewport={"width": width, "height": 800})
    v.goto(FLAGSHIP)
    _lay_out_all(v)
    found = v.page.evaluate(_TORN_JS)
    assert found["glued"] > 100, f"only {found['glued']} formula edges touch text: is this the note?"
    assert not found["bad"], f"{width} px: {len(found['bad'])} torn from their text, e.g. {found['bad'][:5]}"
    # held together, a formula and its particle must still fit: the page never scrolls sideways
    overflow = v.page.evaluate(_OVERFLOW_JS)
    assert overflow["pageScroll"] <= 0 and not overflow["bad"], f"{width} px: {overflow}"


def test_display_math_has_paragraph_spacing(visit):
    v = visit()
    v.goto(FLAGSHIP)
    _lay_out_all(v)
    gaps = v.page.evaluate("""() => [...document.querySelectorAll('.md-content .til-math--display')]
      .filter(m => m.previousElementSibling && m.previousElementSibling.tagName === 'P')
      .map(m => m.getBoundingClientRect().top - m.previousElementSibling.getBoundingClientRect().bottom)""")
    assert gaps, "no display equation follows a paragraph"
    fs = float(v.page.evaluate("() => getComputedStyle(document.querySelector('.md-content p')).fontSize")[:-2])
    assert max(gaps) <= 1.3 * fs, f"blank space above display math: {max(gaps):.0f} px (font {fs} px)"


def test_math_is_complete_without_javascript(chromium, site_url):
    ctx = chromium.new_context(java_script_enabled=False, locale="ko-KR")
    try:
        v = Visit(ctx.new_page(), site_url)
        v.page.on("request", lambda r: v.requests.append(r.url))
        for path in [FLAGSHIP, NOTEBOOK]:
            v.goto(path)
            n = v.page.locator(".md-content .til-math").count()
            typeset = v.page.locator(".md-content .til-math > .katex, .md-content .til-math > .katex-display").count()
            assert n > 0 and typeset == n, f"/{path}: {typeset} of {n} formulas typeset with scripting off"
            _assert_typeset(v, f"{path} (no JavaScript)")
        assert not [u for u in v.requests if "katex" in u and u.endswith(".js")], "KaTeX JavaScript was fetched"
    finally:
        ctx.close()


def test_korean_typography_as_computed(visit):
    v = visit()
    v.goto(FLAGSHIP)
    style = v.page.evaluate("""() => {
      const cs = sel => { const e = document.querySelector(sel); return e && getComputedStyle(e); };
      const out = {};
      for (const sel of ['.md-content p', '.md-content h1', '.md-content figcaption', '.md-content td',
                         '.md-nav__link', '.md-content li']) {
        const s = cs(sel);
        out[sel] = s && {wb: s.wordBreak, ow: s.overflowWrap, fs: s.fontStyle, size: parseFloat(s.fontSize),
                         family: s.fontFamily};
      }
      return out;
    }""")
    for sel, s in style.items():
        assert s is not None, f"{sel} not found on the note"
        assert s["wb"] == "keep-all", f"{sel}: word-break {s['wb']}"
        assert s["ow"] in ("break-word", "anywhere"), f"{sel}: overflow-wrap {s['ow']}"
    assert style[".md-content figcaption"]["fs"] == "normal", "captions are slanted"
    assert style[".md-content td"]["size"] >= 14, f"table text {style['.md-content td']['size']} px"
    family = style[".md-content p"]["family"]
    assert "Apple SD Gothic Neo" in family and "Malgun Gothic" in family and family.endswith("sans-serif")


def test_title_does_not_break_inside_a_word(phone):
    v = phone()
    v.goto(FLAGSHIP)
    # each line of the wrapped title starts at a word boundary: no line starts with "음"
    lines = v.page.evaluate("""() => {
      const h = document.querySelector('.md-content h1');
      const text = h.firstChild.textContent, range = document.createRange(), tops = new Map();
      for (let i = 0; i < text.length; i++) {
        range.setStart(h.firstChild, i); range.setEnd(h.firstChild, i + 1);
        const t = Math.round(range.getBoundingClientRect().top);
        tops.set(t, (tops.get(t) || '') + text[i]);
      }
      return [...tops.values()];
    }""")
    for prev, line in zip(lines, lines[1:]):
        assert prev.endswith(" ") or line.startswith(" "), f"the title breaks inside a word: {lines}"


# ---------------------------------------------------------------- page furniture

def _crumbs(v: Visit) -> list[str]:
    return [t.strip() for t in v.page.locator(".md-path .md-path__link").all_inner_texts()]


def test_breadcrumbs_on_note_and_notebook(visit, entries):
    note = next(e for e in entries if page_url(e.path) == FLAGSHIP)
    v = visit()
    v.goto(FLAGSHIP)
    crumbs = _crumbs(v)
    assert crumbs[-len(note.trail):] == [a.title for a in note.trail], crumbs
    v.goto(NOTEBOOK)
    assert _crumbs(v) == crumbs, "the notebook page sits under its note: the same breadcrumbs"
    # and in the note's place in the nav: its tab is active and its section open
    tab = v.page.locator(".md-tabs__item--active").inner_text().strip()
    assert tab == note.trail[0].title, tab
    assert v.page.locator(f'.md-sidebar--primary a[href$="{posixpath.basename(FLAGSHIP.rstrip("/"))}/"]').count()
    back = v.page.locator(".til-nb-back")
    assert note.title in back.inner_text()
    back.click()
    v.page.wait_for_url(f"**/{FLAGSHIP}")


def test_nav_marks_written_notes(visit):
    v = visit()
    v.goto(FLAGSHIP)
    marked = v.page.locator(".md-sidebar--primary .md-nav__link:has(.md-status--written)").all_inner_texts()
    plain = v.page.locator(".md-sidebar--primary .md-nav__link:not(:has(.md-status--written))").count()
    assert any("CNN 첫걸음" in t for t in marked), marked
    assert len(marked) < plain, "placeholders are marked as written"
    title = v.page.locator(".md-sidebar--primary .md-status--written").first.get_attribute("title")
    assert title == "작성된 노트"


def test_home_lists_written_notes_above_the_fold(visit):
    v = visit()
    v.goto("")
    link = v.page.locator(f'.md-content a[href$="{FLAGSHIP}"]').first
    assert link.bounding_box()["y"] + link.bounding_box()["height"] <= 900, "below the fold"


def test_section_page_lists_written_notes_and_hides_how_to(visit):
    section = posixpath.dirname(FLAGSHIP.rstrip("/")) + "/"
    v = visit()
    v.goto(section)
    assert v.page.locator(f'#written-notes ~ ul a[href$="{posixpath.basename(FLAGSHIP.rstrip("/"))}/"]').count()
    # the how-to (file to create, til new) is for `make serve` only, never in the built site
    assert v.page.locator("details", has_text="이 노트 쓰기").count() == 0
    text = v.page.locator(".md-content").inner_text()
    assert "docs/" not in text and "CONTRIBUTING" not in text, text[:300]


def test_note_shows_last_updated_from_git(visit):
    v = visit()
    v.goto(FLAGSHIP)
    date = v.page.locator(".til-updated time").get_attribute("datetime")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", date), date
    assert "마지막 수정" in v.page.locator(".til-updated").text_content()


def test_notebook_page_in_dark_mode(visit):
    v = visit("dark")
    v.goto(NOTEBOOK)
    assert v.page.get_attribute("body", "data-md-color-scheme") == "slate"
    labels = v.page.locator(".til-nb-downloads a").all_inner_texts()
    assert any(".py" in t for t in labels) and any(".ipynb" in t for t in labels), labels
    look = v.page.evaluate("""() => {
      const lum = c => { const m = c.match(/\\d+(\\.\\d+)?/g).map(Number); return (0.2126*m[0] + 0.7152*m[1] + 0.0722*m[2]) / 255; };
      const p = document.querySelector('.jp-RenderedMarkdown p');
      const img = document.querySelector('.jp-OutputArea-output img');
      return {text: lum(getComputedStyle(p).color), page: lum(getComputedStyle(document.body).backgroundColor),
              imgBg: img && getComputedStyle(img).backgroundColor, imgPad: img && getComputedStyle(img).paddingTop};
    }""")
    assert look["page"] < 0.3 and look["text"] > 0.6, f"notebook prose is not light on dark: {look}"
    assert look["imgBg"] in ("rgb(255, 255, 255)",) and look["imgPad"] != "0px", \
        f"matplotlib output is not set on a light card: {look}"


# ---------------------------------------------------------------- KaTeX styles as classes

def test_styles_as_classes_lay_out_like_katex_inline_styles(chromium, site_url, tmp_path):
    """Every formula of the note, typeset as KaTeX writes it (inline styles) and as the build
    ships it (classes + one <style>), gives every element the same box."""
    from tilsite.render import KATEX_DIR, katex
    from tilsite.render import mathhead

    note = (DOCS / "til-ml/boostcamp-2st/u-stage-1/ai-math/ai-math-9gang-cnn-cheotgeoleum.md").read_text("utf-8")
    import markdown
    body = markdown.markdown(note, extensions=["pymdownx.arithmatex"], extension_configs={
        "pymdownx.arithmatex": {"generic": True}})
    markers = katex.mark(body)
    formulas = re.findall(r'<(?:span|div) class="til-math[^"]*">[^<]*</(?:span|div)>', markers)
    assert len(formulas) > 100, "the note's formulas were not found"
    renderer = katex.Renderer(KATEX_DIR / "katex.min.js", tmp_path)  # shipped with the plugin
    try:
        doc = "\n".join(f"<p>{f}</p>" for f in formulas)
        inline = renderer.render_markers(doc)
        table = mathhead.StyleTable()
        classes = renderer.render_markers(doc, table)
    finally:
        renderer.close()
    assert 'style="' in inline and not re.search(r'<span[^>]* style="', classes)
    head = f'<meta charset="utf-8"><link rel="stylesheet" href="{site_url}assets/vendor/katex/katex.min.css">'
    boxes_js = """async () => { await document.fonts.ready; document.body.offsetHeight; await document.fonts.ready;
      return [...document.querySelectorAll('.katex *')].map(e => { const r = e.getBoundingClientRect();
        return [r.x, r.y, r.width, r.height].map(x => Math.round(x * 100) / 100); }); }"""
    ctx = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = ctx.new_page()
        page.goto(site_url)  # same origin for the fonts
        page.set_content(f"<html><head>{head}</head><body>{inline}</body></html>")
        want = page.evaluate(boxes_js)
        page.set_content(f"<html><head>{head}<style>{table.css()}</style></head><body>{classes}</body></html>")
        got = page.evaluate(boxes_js)
    finally:
        ctx.close()
    assert len(got) == len(want) > 10_000
    bad = [i for i, (a, b) in enumerate(zip(got, want)) if a != b]
    assert not bad, f"{len(bad)} of {len(want)} boxes moved, the first at element {bad[0]}: {got[bad[0]]} != {want[bad[0]]}"


def test_scripts_are_asked_for_before_the_long_page_has_arrived(visit):
    """Material's bundle sits at the end of the body; the head's preload asks for it while
    the note's HTML is still arriving (here over a 10 Mbps link), not after it has all come."""
    v = visit()
    cdp = v.page.context.new_cdp_session(v.page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 20,
                                                  "downloadThroughput": 10e6 / 8, "uploadThroughput": 10e6 / 8})
    v.goto(FLAGSHIP)
    timing = v.page.evaluate("""() => ({
      html: performance.getEntriesByType('navigation')[0].responseEnd,
      scripts: [...document.querySelectorAll('body script[src]')].map(s => s.src),
      preloads: [...document.querySelectorAll('head link[rel=preload][as=script]')].map(l => l.href),
      started: Object.fromEntries(performance.getEntriesByType('resource').map(e => [e.name, e.startTime])) })""")
    assert timing["html"] > 300, f"the page arrived in {timing['html']:.0f} ms: the throttling did not apply"
    assert sorted(timing["preloads"]) == sorted(set(timing["scripts"])), "a preload for every body script, no other"
    bundle = next(s for s in timing["scripts"] if "/bundle." in s)
    assert timing["started"][bundle] < timing["html"], (
        f"the bundle was asked for at {timing['started'][bundle]:.0f} ms, after the HTML ended at {timing['html']:.0f} ms")
