"""The site mirrors the GitBook tree: docs/SUMMARY.md and the nav MkDocs builds from it.

The reference is tests/data/gitbook_sidebar.txt, a copy of the original GitBook
sidebar (513 entries, two spaces per level, '• ' before each title); it is parsed
here independently of tilsite.summary.
"""

from __future__ import annotations

import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from sitetools import ROOT, page_url
from tilsite.nav.summary import placeholder_markdown

SIDEBAR = ROOT / "tests" / "data" / "gitbook_sidebar.txt"
ENTRIES = 513
TOP_LEVEL = 11

# Titles that literate-nav reads as Markdown: the nav must show them verbatim.
MARKDOWN_LOOKING_TITLES = ["[U]Stage-1", "TIL : Python & Math", "Performance | Review", "Report_Level1_6",
                           "[S]Data Viz", "[NLP] 문장 내 개체간 관계 추출"]

# Titles the GitBook tree uses more than once, with the parents that tell them apart.
# ("(AI Math 6강) 확률론 맛보기" appears once only in the sidebar.)
DUPLICATE_TITLES = {
    "소수 만들기": ["Level1", "Level2"],
    "거리두기 확인하기": ["Level2", "Level2"],
    "23 Tue": ["MAR", "FEB"],
    "Mask Wear Image Classification": ["Boostcamp 2st", "TIL : Project"],
    "Assignment": ["[U]Stage-2", "[U]Stage-1"],
}


# ------------------------------------------------------------------ reference tree

def parse_sidebar(text: str) -> list[tuple[int, str]]:
    """(depth, title) of each sidebar line in order; depth 0 is the top level.

    A line is '  ' * (depth + 1) + '• ' + title.
    """
    out = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        m = re.fullmatch(r"((?:  )+)• (.+)", line)
        assert m, f"{SIDEBAR.name}:{lineno}: not a sidebar line: {line!r}"
        out.append((len(m[1]) // 2 - 1, m[2]))
    return out


@pytest.fixture(scope="module")
def sidebar() -> list[tuple[int, str]]:
    return parse_sidebar(SIDEBAR.read_text("utf-8"))


# ------------------------------------------------------------------ SUMMARY.md

def test_sidebar_reference_is_intact(sidebar):
    assert len(sidebar) == ENTRIES
    assert sum(1 for depth, _ in sidebar if depth == 0) == TOP_LEVEL


def test_summary_has_every_entry_once(entries):
    assert len(entries) == ENTRIES
    assert sum(1 for e in entries if e.depth == 0) == TOP_LEVEL
    urls = [page_url(e.path) for e in entries]
    dupes = {u for u in urls if urls.count(u) > 1}
    assert not dupes, f"entries sharing a URL: {sorted(dupes)}"


def test_summary_titles_order_and_nesting_match_gitbook(entries, sidebar):
    ours = [(e.depth, e.title) for e in entries]
    for i, (mine, ref) in enumerate(zip(ours, sidebar)):
        assert mine == ref, (f"entry {i + 1} (docs/SUMMARY.md:{entries[i].line}) is {mine}, "
                             f"the GitBook sidebar has {ref}")
    assert len(ours) == len(sidebar)


def test_urls_are_ascii_lowercase(entries):
    bad = [(e.line, e.path) for e in entries if not re.fullmatch(r"[a-z0-9/-]*", page_url(e.path))]
    assert not bad, f"non-ASCII-lowercase URLs (SUMMARY line, path): {bad}"


@pytest.mark.parametrize("title", DUPLICATE_TITLES)
def test_duplicate_titles_get_distinct_urls(entries, title):
    same = [e for e in entries if e.title == title]
    assert len(same) >= 2, f"{title!r} should appear at least twice"
    assert len({e.path for e in same}) == len(same)
    assert [e.parent.title for e in same] == DUPLICATE_TITLES[title]


@pytest.mark.parametrize(("trail", "date"), [
    (["2021 TIL", "JUN", "30 Wed"], "2021-06-30"),
    (["2020 TIL", "DEC", "3 Tue"], "2020-12-03"),
])
def test_diary_placeholder_shows_its_date(entries, trail, date):
    entry = next(e for e in entries if [a.title for a in e.trail] + [e.title] == trail)
    assert entry.date == date
    assert f"작성일: {date}" in placeholder_markdown(entry)


# ------------------------------------------------------------------ the nav MkDocs built

class _NavParser(HTMLParser):
    """Items of Material's primary nav: nested lists of [title, href, children | None].

    children is None when the item is pruned (navigation.prune renders only the
    active branch) or is a page.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root: list = []
        self._lists: list[list] = []  # open <ul class="md-nav__list"> item lists
        self._items: list[list] = []  # open <li class="md-nav__item">
        self._navs = 0  # open <nav> elements, counting from the primary nav
        self._toc = 0  # open <nav> elements inside the page's TOC (Material nests it in the active item)
        self._title: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "nav" and (self._navs or "md-nav--primary" in cls):
            self._navs += 1
            if self._toc or "md-nav--secondary" in cls:
                self._toc += 1
        if not self._navs or self._toc:
            return
        if tag == "ul" and "md-nav__list" in cls:
            lst = self.root if not self._items else []
            if self._items:
                self._items[-1][2] = lst
            self._lists.append(lst)
        elif tag == "li" and "md-nav__item" in cls:
            item = [None, None, None]
            self._lists[-1].append(item)
            self._items.append(item)
        elif tag == "a" and "md-nav__link" in cls and self._items and self._items[-1][1] is None:
            self._items[-1][1] = a.get("href")
        elif tag == "span" and "md-ellipsis" in cls and self._items and self._items[-1][0] is None:
            self._title = []

    def handle_endtag(self, tag):
        if not self._navs:
            return
        if tag == "nav":
            self._navs -= 1
            self._toc = max(0, self._toc - 1)
        elif self._toc:
            return
        elif tag == "span" and self._title is not None:
            self._items[-1][0] = " ".join("".join(self._title).split())
            self._title = None
        elif tag == "li" and self._items:
            self._items.pop()
        elif tag == "ul" and self._lists:
            self._lists.pop()

    def handle_data(self, data):
        if self._title is not None and not self._toc:
            self._title.append(data)


def read_nav(site: Path, url: str) -> list:
    """Primary nav of the page at `url`, hrefs made absolute ('/a/b/')."""
    p = _NavParser()
    p.feed((site / url / "index.html").read_text("utf-8"))

    def absolute(items):
        for item in items:
            item[1] = urlsplit(urljoin(f"http://site/{url}", item[1])).path
            if item[2] is not None:
                absolute(item[2])
        return items

    return absolute(p.root)


def built_nav(site: Path) -> list[tuple[int, str, str]]:
    """(depth, title, url) of the whole nav, read from the built pages.

    Each section's children are read from the section's own page, where
    navigation.prune leaves them unpruned; sections are found by walking from the home page.
    """
    titles: dict[str, set[str]] = defaultdict(set)
    children: dict[str, list[str]] = {}
    todo, seen = [""], set()
    top = None
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        nav = read_nav(site, url)
        top = top or [i[1] for i in nav]

        def collect(items):
            for title, href, kids in items:
                titles[href].add(title)
                if kids is not None:
                    children.setdefault(href, [k[1] for k in kids])
                    collect(kids)
                elif href not in children and href.strip("/") not in seen:
                    todo.append(href.strip("/") + "/" if href.strip("/") else "")

        collect(nav)
    ambiguous = {u: t for u, t in titles.items() if len(t) > 1}
    assert not ambiguous, f"pages shown under different titles in different navs: {ambiguous}"
    out = []

    def walk(urls, depth):
        for u in urls:
            out.append((depth, next(iter(titles[u])), u))
            walk(children.get(u, []), depth + 1)

    walk(top, 0)
    return out


@pytest.fixture(scope="module")
def nav(built_site):
    return built_nav(built_site)


@pytest.mark.build
def test_built_nav_matches_gitbook(nav, sidebar):
    ours = [(depth, title) for depth, title, _ in nav]
    for i, (mine, ref) in enumerate(zip(ours, sidebar)):
        assert mine == ref, f"nav item {i + 1} ({nav[i][2]}) is {mine}, the GitBook sidebar has {ref}"
    assert len(ours) == len(sidebar) == ENTRIES


@pytest.mark.build
@pytest.mark.parametrize("title", MARKDOWN_LOOKING_TITLES)
def test_markdown_looking_titles_survive_literate_nav(nav, title):
    assert title in {t for _, t, _ in nav}


@pytest.mark.build
def test_nav_urls_are_ascii_lowercase_and_unique(nav, entries):
    urls = [u for _, _, u in nav]
    assert len(set(urls)) == len(urls)
    assert all(re.fullmatch(r"/[a-z0-9/-]*", u) for u in urls), [u for u in urls if not u.isascii()]
    assert urls == ["/" + page_url(e.path) for e in entries]


@pytest.mark.build
@pytest.mark.parametrize(("url", "date"), [("til-2021/06/30/", "2021-06-30"), ("til-2020/12/03/", "2020-12-03")])
def test_built_diary_placeholder_shows_its_date(built_site, url, date):
    html = (built_site / url / "index.html").read_text("utf-8")
    assert re.search(rf"작성일: {date}", html), f"{url} does not show {date}"
