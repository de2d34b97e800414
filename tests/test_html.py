"""The built HTML: links resolve, nothing loads from another site, placeholders are
complete but unsearchable, pages stay small, and the flagship note's figures are clean.

All checks read the one strict build of the session (fixture built_site); the
whole site (~515 pages) is parsed once with html.parser.
"""

from __future__ import annotations

import html as html_lib
import json
import posixpath
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from sitetools import DOCS, MEASURES, SITE_URL, page_url, site_url

pytestmark = pytest.mark.build

SITE_PATH = urlsplit(SITE_URL).path
SITE_HOST = urlsplit(SITE_URL).hostname  # canonical links point there
FLAGSHIP_TITLE = "(AI Math 9강) CNN 첫걸음"
MEDIAN_PAGE_LIMIT = 60_000  # bytes; navigation.prune keeps the 513-entry nav out of most pages
PLACEHOLDER_PAGE_LIMIT = 100_000
EXTERNAL_LINK_LIMIT = 40  # distinct off-site <a href> targets; raise it deliberately when notes cite more
HOW_TO_WRITE = "이 노트 쓰기"  # the how-to box, shown only under `make serve` (tilsite/nav/summary.py)

# Resource-loading attributes: none may point off-site.
RESOURCE_ATTRS = {("img", "src"), ("img", "srcset"), ("script", "src"), ("source", "src"),
                  ("source", "srcset"), ("iframe", "src"), ("video", "src"), ("video", "poster"),
                  ("audio", "src"), ("embed", "src"), ("object", "data"), ("image", "href"),
                  ("use", "href")}
NON_FETCH_LINK_RELS = {"canonical", "prev", "next", "alternate"}  # <link> that loads nothing


@dataclass
class Page:
    url: str  # site-relative URL: '' for the home page, 'a/b/' or 'a/b.html'
    size: int
    ids: set[str] = field(default_factory=set)
    refs: list[tuple[str, str, str]] = field(default_factory=list)  # (tag, attr or 'link:<rel>', value)


class _Collector(HTMLParser):
    def __init__(self, page: Page):
        super().__init__(convert_charrefs=True)
        self.page = page

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.page.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.page.ids.add(a["name"])
        if tag == "a" and a.get("href") is not None:
            self.page.refs.append(("a", "href", a["href"]))
        elif tag == "link" and a.get("href") is not None:
            self.page.refs.append(("link", "link:" + (a.get("rel") or ""), a["href"]))
        for attr in ("src", "srcset", "poster", "data", "href", "xlink:href"):
            key = (tag, "href" if attr == "xlink:href" else attr)
            if key in RESOURCE_ATTRS and a.get(attr):
                values = [v.strip().split()[0] for v in a[attr].split(",") if v.strip()] \
                    if attr == "srcset" else [a[attr]]
                self.page.refs += [(tag, key[1], v) for v in values]

    handle_startendtag = handle_starttag


@dataclass
class Site:
    root: Path
    pages: dict[str, Page]  # by URL

    def target(self, page: Page, ref: str) -> tuple[str | None, str]:
        """(site file the ref points to, fragment); file None when the ref leaves the site."""
        parts = urlsplit(ref)
        if parts.scheme or parts.netloc:
            return None, parts.fragment
        path = parts.path
        if path.startswith("/"):  # the 404 page uses absolute URLs under site_url
            if not path.startswith(SITE_PATH):
                return None, parts.fragment
            path = "/" + path[len(SITE_PATH):]
        else:
            path = urlsplit(urljoin("http://s/" + page.url, path or page.url.rsplit("/", 1)[-1])).path
        path = posixpath.normpath(unquote(path).lstrip("/") or ".")
        if (self.root / path).is_dir():  # 'a/b/', '.', 'a/b' are the directory's index.html
            path = posixpath.normpath(f"{path}/index.html")
        return path, unquote(parts.fragment)

    def page_of(self, file: str) -> Page | None:
        return self.pages.get(re.sub(r"(^|/)index\.html$", r"\1", file))


@pytest.fixture(scope="module")
def site(built_site) -> Site:
    pages = {}
    for f in sorted(built_site.rglob("*.html")):
        data = f.read_text("utf-8")
        page = Page(site_url(built_site, f), len(data.encode()))
        _Collector(page).feed(data)
        pages[page.url] = page
    return Site(built_site, pages)


def is_offsite(ref: str) -> bool:
    return bool(re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", ref, re.I))


# ------------------------------------------------------------------ links and resources

def test_every_page_was_parsed(site, entries):
    assert len(site.pages) >= len(entries) + 1  # every entry + the 404 page
    missing = [e.path for e in entries if page_url(e.path) not in site.pages]
    assert not missing, f"SUMMARY entries with no page: {missing[:10]}"


def test_internal_links_and_resources_resolve(site):
    broken, bad_anchor = [], []
    for page in site.pages.values():
        for tag, attr, ref in page.refs:
            if attr.startswith("link:") and set(attr[5:].split()) & NON_FETCH_LINK_RELS and is_offsite(ref):
                continue
            if ref.startswith(("mailto:", "tel:", "data:", "javascript:")) or is_offsite(ref):
                continue
            file, frag = site.target(page, ref)
            if file is None or not (site.root / file).is_file():
                broken.append(f"/{page.url}: <{tag} {attr}={ref!r}> -> {file}")
                continue
            if frag and file.endswith(".html"):
                target = site.page_of(file)
                if target is not None and frag not in target.ids:
                    bad_anchor.append(f"/{page.url}: {ref!r} (no id {frag!r} in {file})")
    assert not broken, f"{len(broken)} broken internal references:\n" + "\n".join(broken[:30])
    assert not bad_anchor, f"{len(bad_anchor)} anchors that do not exist:\n" + "\n".join(bad_anchor[:30])


def test_nothing_loads_from_another_site(site):
    offsite = []
    for page in site.pages.values():
        for tag, attr, ref in page.refs:
            if tag == "a" or not is_offsite(ref):
                continue
            if attr.startswith("link:") and set(attr[5:].split()) & NON_FETCH_LINK_RELS:
                continue
            offsite.append(f"/{page.url}: <{tag} {attr}={ref!r}>")
    assert not offsite, "off-site resources:\n" + "\n".join(offsite[:30])


def test_shipped_css_loads_nothing_from_another_site(built_site):
    offsite, broken = [], []
    css_files = sorted(built_site.rglob("*.css"))
    assert css_files
    for css in css_files:
        text = css.read_text("utf-8", errors="replace")
        refs = re.findall(r"url\(\s*(['\"]?)(.*?)\1\s*\)", text) + re.findall(r"@import\s+(['\"])(.*?)\1", text)
        for _, ref in refs:
            if ref.startswith("data:") or ref.startswith("#"):
                continue
            rel = css.relative_to(built_site).as_posix()
            if is_offsite(ref):
                offsite.append(f"{rel}: {ref}")
                continue
            path = (css.parent / unquote(urlsplit(ref).path)).resolve()
            if not path.is_file():
                broken.append(f"{rel}: {ref}")
    assert not offsite, "CSS that fetches from another site:\n" + "\n".join(offsite)
    assert not broken, "CSS url() with no file:\n" + "\n".join(broken)


def test_external_links_are_few_and_listed(site):
    hosts, targets = Counter(), set()
    for page in site.pages.values():
        for tag, _, ref in page.refs:
            if tag == "a" and is_offsite(ref) and urlsplit(ref).hostname != SITE_HOST:
                targets.add(ref)
                hosts[urlsplit(ref).hostname] += 1
    MEASURES.append(f"external <a> links: {len(targets)} distinct targets on hosts {dict(hosts)}")
    assert all(t.startswith("https://") for t in targets), sorted(t for t in targets if not t.startswith("https://"))
    assert len(targets) <= EXTERNAL_LINK_LIMIT, sorted(targets)


# ------------------------------------------------------------------ placeholders and search

def _article(html: str) -> str:
    start = html.index('<article class="md-content__inner md-typeset">')
    return html[start:html.index("</article>", start)]


def _hrefs(fragment: str) -> list[str]:
    return re.findall(r'<a[^>]*\shref="([^"]*)"', fragment)


def _text(fragment: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def test_placeholders_show_title_breadcrumb_children_and_path(site, entries):
    written = {e.path for e in entries if (DOCS / e.path).is_file()}
    problems = []
    placeholders = [e for e in entries if e.path not in written]
    assert placeholders
    for e in placeholders:
        url = page_url(e.path)
        page = site.pages[url]
        art = _article((site.root / url / "index.html").read_text("utf-8"))

        def resolve(href: str) -> str:
            file, _ = site.target(page, href)
            return re.sub(r"(^|/)index\.html$", r"\1", file)

        h1 = re.search(r"<h1[^>]*>(.*?)(?:<a class=\"headerlink\".*?)?</h1>", art, re.S)
        if not h1 or _text(h1[1]) != e.title:
            problems.append(f"/{url}: h1 {h1 and _text(h1[1])!r} != {e.title!r}")
        crumb = re.search(r'<p class="til-status"><strong>위치:</strong>(.*?)</p>', art, re.S)
        if not crumb or [resolve(h) for h in _hrefs(crumb[1])] != [page_url(a.path) for a in e.trail] \
                or " › ".join([a.title for a in e.trail] + [e.title]) not in _text(crumb[1]) \
                or not _text(crumb[1]).endswith("미작성"):
            problems.append(f"/{url}: status line {crumb and _text(crumb[1])!r} does not lead "
                            f"{' › '.join(a.title for a in e.trail)} › {e.title} · 미작성")
        if e.children:
            kids = re.search(r'<h2 id="children">.*?</h2>\s*<ul>(.*?)</ul>', art, re.S)
            if not kids or [resolve(h) for h in _hrefs(kids[1])] != [page_url(c.path) for c in e.children]:
                problems.append(f"/{url}: children links do not match SUMMARY")
        # readers get no repository furniture: the how-to is `til new`'s and `make serve`'s
        text = _text(art)
        leaked = [w for w in ("docs/", "CONTRIBUTING", HOW_TO_WRITE, "til new", ".md") if w in text]
        if leaked:
            problems.append(f"/{url}: repository talk in the built page: {leaked}")
    assert not problems, f"{len(problems)} placeholder problems:\n" + "\n".join(problems[:20])


def test_search_index_written_notes_and_one_title_record_per_placeholder(built_site, entries):
    index = json.loads((built_site / "search" / "search_index.json").read_text("utf-8"))
    by_page: dict[str, list[dict]] = {}
    for d in index["docs"]:
        by_page.setdefault(d["location"].split("#")[0], []).append(d)
    written = [e for e in entries if (DOCS / e.path).is_file()]
    placeholders = [e for e in entries if not (DOCS / e.path).is_file()]
    assert written, "no written note at all"
    missing = [page_url(e.path) for e in written if page_url(e.path) not in by_page]
    assert not missing, f"written notes missing from search: {missing}"
    assert all(d.get("boost", 1) >= 1 for e in written for d in by_page[page_url(e.path)])
    problems = []
    for e in placeholders:
        recs = by_page.get(page_url(e.path), [])
        if len(recs) != 1:
            problems.append(f"/{page_url(e.path)}: {len(recs)} search records, expected one")
            continue
        rec = recs[0]
        trail = " › ".join([a.title for a in e.trail] + [e.title])
        text = _text(rec["text"])
        if rec["title"] != html_lib.escape(e.title, quote=False) and _text(rec["title"]) != e.title:
            problems.append(f"/{page_url(e.path)}: title {rec['title']!r}")
        if trail not in text or "미작성" not in text or not rec.get("boost", 1) < 1:
            problems.append(f"/{page_url(e.path)}: record {rec!r} lacks the trail, 미작성 or a low boost")
        if any(w in text for w in ("GitBook", "이 노트 쓰기", "docs/", "하위 항목", "이 섹션의 항목")):
            problems.append(f"/{page_url(e.path)}: boilerplate indexed: {text[:120]!r}")
    assert not problems, f"{len(problems)} placeholder search records are wrong:\n" + "\n".join(problems[:10])
    assert "SUMMARY/" not in by_page


def test_search_index_holds_tex_source_not_glyphs(built_site):
    # the shown text holds formulas as plain text (tests/test_searchtext.py); the TeX source
    # is in the searched, unshown field "tex" (it was in "text" before issue 16)
    index = json.loads((built_site / "search" / "search_index.json").read_text("utf-8"))
    text = " ".join(d["text"] for d in index["docs"])
    for bad in ("\\(", "\\[", "$$", "katex", "\u200b"):
        assert bad not in text, f"{bad!r} in the search index"
    assert "\\frac{\\partial \\mathcal{L}}" in " ".join(d.get("tex", "") for d in index["docs"]), \
        "formulas are indexed by their TeX source"


def test_pages_stay_small(site, entries):
    sizes = sorted(p.size for p in site.pages.values())
    median = statistics.median(sizes)
    placeholder_urls = {page_url(e.path) for e in entries if not (DOCS / e.path).is_file()}
    biggest = max(site.pages.values(), key=lambda p: p.size)
    biggest_ph = max((site.pages[u] for u in placeholder_urls), key=lambda p: p.size)
    total = sum(f.stat().st_size for f in site.root.rglob("*") if f.is_file())
    MEASURES.append(f"site: {len(sizes)} HTML pages, {total / 1e6:.1f} MB in all; page HTML median "
                    f"{median / 1e3:.1f} KB, p90 {sizes[int(len(sizes) * 0.9)] / 1e3:.1f} KB, "
                    f"max {biggest.size / 1e3:.1f} KB (/{biggest.url}); "
                    f"largest placeholder {biggest_ph.size / 1e3:.1f} KB (/{biggest_ph.url})")
    assert median < MEDIAN_PAGE_LIMIT
    assert biggest_ph.size < PLACEHOLDER_PAGE_LIMIT, f"/{biggest_ph.url} is {biggest_ph.size} bytes"


# ------------------------------------------------------------------ the flagship note's figures

FIGURE_SRC = re.compile(r'<img[^>]*\ssrc="([^"]*assets/figures/([a-z0-9-]+)-(light|dark)\.(svg|png))(?:#[^"]*)?"')
DATE = re.compile(rb"(?:19|20)\d\d-[01]\d-[0-3]\d|<dc:date|CreationDate|Creation Time")


def test_conv_note_figures_exist_and_are_clean(site, entries, built_site):
    """The convolution note (written by hand) shows build-time figures, light and dark, without metadata."""
    entry = next(e for e in entries if e.title == FLAGSHIP_TITLE)
    assert (DOCS / entry.path).is_file(), f"the flagship note docs/{entry.path} is not written yet"
    url = page_url(entry.path)
    html = (built_site / url / "index.html").read_text("utf-8")
    figures = {}
    for m in FIGURE_SRC.finditer(html):
        file, _ = site.target(site.pages[url], m[1])
        figures.setdefault((m[2], m[4]), {})[m[3]] = built_site / file
    assert figures, f"/{url} shows no figure from assets/figures/"
    problems = []
    for (name, fmt), variants in sorted(figures.items()):
        if set(variants) != {"light", "dark"}:
            problems.append(f"{name}: only {sorted(variants)}")
        for variant, path in variants.items():
            if not path.is_file():
                problems.append(f"{path.relative_to(built_site)} missing")
                continue
            data = path.read_bytes()
            if fmt == "svg" and b"<metadata" in data:
                problems.append(f"{path.name} has <metadata>")
            if DATE.search(data) or (fmt == "png" and (b"tIME" in data or b"tEXt" in data)):
                problems.append(f"{path.name} carries a date or text metadata")
    MEASURES.append(f"flagship note: {len(figures)} figures x 2 colour schemes")
    assert not problems, "\n".join(problems)
