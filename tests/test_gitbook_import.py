"""`til import-gitbook`: a GitBook export comes over with every block converted.

The export is tests/data/gitbook_fixture/, written for these tests (no one's notes):
every block kind and SUMMARY form of the issue, Korean and (at run time) NFD file
names, undefined.md and hex page names, images with spaces and parentheses, an
include, variables, a hint inside a tab, inline and display math, an external image
and an unknown tag. It is imported into temporary copies of the project, in both
modes, and the results are checked as Markdown, as built HTML and by the strict build.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import NamedTuple

import pytest
import yaml
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from sitetools import ROOT, TRACEBACK, VENV_BIN, build, copy_project, page_url
from tilsite.authoring import cli
from tilsite.authoring.gitbook.gitbook import yaml_scalar
from tilsite.authoring.gitbook.slug import romanise, slugify
from tilsite.nav.summary import NOTE_PATH, parse_summary

FIXTURE = ROOT / "tests" / "data" / "gitbook_fixture"
SCREENSHOT = "스크린샷 2022-12-26 오후 8.58.10.png"
NO_EXEC = {"TIL_EXECUTE": "off"}  # the imported pages are under test, not the notebook (mkdocs.yml: til execute)

SHOWCASE = "til-etc/gatsby/01-gitbuk-pogi-seoneon.md"        # hint, tabs, figure, math ...
LEVEL2 = "til-python-math/algorithm/programmers/level2/"


# ------------------------------------------------------------------ helpers

def make_export(dest: Path) -> Path:
    """A copy of the fixture whose screenshot has an NFD (macOS) file name, as GitBook syncs it."""
    shutil.copytree(FIXTURE, dest)
    assets = dest / ".gitbook" / "assets"
    (assets / SCREENSHOT).rename(assets / unicodedata.normalize("NFD", SCREENSHOT))
    return dest


def til(*argv: str) -> tuple[int, str, str]:
    """Run `til ...` in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = cli.main(list(argv))
    return rc, out.getvalue(), err.getvalue()


def tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def front_matter(text: str) -> dict:
    m = re.match(r"^---\n(.*?\n)---\n", text, re.S)
    assert m, f"no front matter in:\n{text[:300]}"
    return yaml.safe_load(m[1])


def soup(site: Path, src: str) -> BeautifulSoup:
    html = (site / page_url(src) / "index.html").read_text("utf-8")
    return BeautifulSoup(html, "html.parser").select_one("article")


class Imported(NamedTuple):
    project: Path
    export: Path
    rc: int
    out: str
    err: str
    report: str


def _import(tmp: Path, *flags: str) -> Imported:
    project = copy_project(tmp / "project")
    export = make_export(tmp / "export")
    report = tmp / "report.md"
    rc, out, err = til("import-gitbook", str(export), "--project", str(project), "--report", str(report), *flags)
    return Imported(project, export, rc, out, err, report.read_text("utf-8") if report.exists() else "")


@pytest.fixture(scope="module")
def mirror(tmp_path_factory) -> Imported:
    """The fixture imported into a copy of the TIL (fill the mirror), unmatched pages added."""
    result = _import(tmp_path_factory.mktemp("mirror"), "--add-unmatched")
    assert result.rc == 0, result.err
    return result


@pytest.fixture(scope="module")
def new_tree(tmp_path_factory) -> Imported:
    result = _import(tmp_path_factory.mktemp("newtree"), "--new-tree")
    assert result.rc == 0, result.err
    return result


def _built(result: Imported, tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("site") / "site"
    proc = build(result.project, site, NO_EXEC)
    assert proc.returncode == 0, f"strict build of the import failed:\n{proc.stderr[-4000:]}"
    assert TRACEBACK not in proc.stderr
    return site


@pytest.fixture(scope="module")
def mirror_site(mirror, tmp_path_factory) -> Path:
    return _built(mirror, tmp_path_factory)


@pytest.fixture(scope="module")
def new_tree_site(new_tree, tmp_path_factory) -> Path:
    return _built(new_tree, tmp_path_factory)


def note(result: Imported, src: str) -> str:
    return (result.project / "docs" / src).read_text("utf-8")


# ------------------------------------------------------------------ one slug function

def test_tool_and_importer_share_one_slug_function():
    spec = importlib.util.spec_from_file_location("gitbook_to_summary", ROOT / "tools" / "gitbook_to_summary.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    import tilsite.authoring.gitbook.gitbook as gitbook
    assert tool.slugify is slugify and gitbook.slugify is slugify
    assert not hasattr(tool, "romanise"), "the tool must not carry a second romanisation"
    sidebar = (ROOT / "tests" / "data" / "gitbook_sidebar.txt").read_text("utf-8")
    assert tool.build_summary(tool.parse_sidebar(sidebar)) == (ROOT / "docs" / "SUMMARY.md").read_text("utf-8")


@pytest.mark.parametrize("title, slug", [
    ("01 깃북 포기 선언", "01-gitbuk-pogi-seoneon"),           # as docs/SUMMARY.md has it
    ("거리두기 확인하기", "georidugi-hwakinhagi"),
    (unicodedata.normalize("NFD", "스크린샷"), "seukeurinsyat"),  # macOS file names
    ("image (1) (2)", "image-1-2"),
    ("!!!", "entry"),
])
def test_slugify(title, slug):
    assert slugify(title) == slug
    assert romanise(unicodedata.normalize("NFD", title)) == romanise(unicodedata.normalize("NFC", title))


# ------------------------------------------------------------------ fill the mirror

def test_mirror_matches_titles_after_escaping_and_in_order(mirror):
    fm = {p: front_matter(note(mirror, p))["gitbook_file"] for p in (
        "til-etc/ttabaereon-kubernetes.md",                       # '\[따배런\] Kubernetes', undefined.md
        SHOWCASE,                                                 # hex file name
        "til-etc/cointrading/index.md",                           # an entry with a link title
        LEVEL2 + "georidugi-hwakinhagi.md", LEVEL2 + "georidugi-hwakinhagi-2.md")}
    assert fm == {
        "til-etc/ttabaereon-kubernetes.md": "til-etc/undefined.md",
        SHOWCASE: "til-etc/gatsby/ae30-d558-d3ec-ae30.md",
        "til-etc/cointrading/index.md": "til-etc/cointrading.md",
        LEVEL2 + "georidugi-hwakinhagi.md": LEVEL2 + "undefined.md",
        LEVEL2 + "georidugi-hwakinhagi-2.md": LEVEL2 + "undefined-1.md",
    }
    assert "| matched to docs/SUMMARY.md | 11 |" in mirror.report


def test_mirror_report_lists_unmatched_pages(tmp_path):
    project = copy_project(tmp_path / "project")
    rc, out, _ = til("import-gitbook", str(make_export(tmp_path / "export")), "--project", str(project),
                     "--dry-run")
    assert rc == 0
    unmatched = out.split("## Unmatched pages", 1)[1].split("##", 1)[0]
    assert "`README.md`: Introduction" in unmatched
    assert "`til-etc/undefined-1.md`: TIL : etc › 배포 메모" in unmatched   # the group is not in the trail
    # a link to an unmatched page is left for a person, at its source line (after display math and a figure)
    assert re.search(r"ae30-d558-d3ec-ae30\.md:59: link '\.\./\.\./README\.md' leads nowhere in the export", out)


def test_add_unmatched_puts_pages_under_their_parent(mirror):
    before = (ROOT / "docs" / "SUMMARY.md").read_text("utf-8").splitlines()
    after = note(mirror, "SUMMARY.md").splitlines()
    added = [line for line in after if line not in before]
    assert added == ["    * [배포 메모](til-etc/baepo-memo.md)", "* [Introduction](introduction.md)"]
    gatsby_child = after.index("        * [01 깃북 포기 선언](til-etc/gatsby/01-gitbuk-pogi-seoneon.md)")
    assert after[gatsby_child + 1] == added[0], "added as the last child of 'TIL : etc'"
    parse_summary("\n".join(after))


def test_mirror_leaves_summary_alone_without_add_unmatched(tmp_path):
    imported = _import(tmp_path)
    assert imported.rc == 0, imported.err
    assert note(imported, "SUMMARY.md") == (ROOT / "docs" / "SUMMARY.md").read_text("utf-8")


# ------------------------------------------------------------------ conversions, in Markdown

MARKDOWN = [
    # (what, page, expected text) -- the conversion table of the issue
    ("front matter", SHOWCASE, "---\nsource: gitbook\ngitbook_file: til-etc/gatsby/ae30-d558-d3ec-ae30.md\n"
                               "description: GitBook을 떠나 MkDocs로 옮기기로 한 이유.\n---\n"),
    ("inline $$x$$ -> $x$", SHOWCASE, "수식을 $f(x) = x^2$처럼"),
    ("display math on its own lines stays", SHOWCASE, "$$\n(f * g)(i) = \\sum_{p} f(p)\\, g(i - p)\n$$"),
    ("display math alone on a line stays", SHOWCASE, "\n$$\\sigma(z) = \\frac{1}{1 + e^{-z}}$$\n"),
    ("a lone $ is a dollar", "til-etc/ttabaereon-kubernetes.md", "가격은 \\$5 정도다"),
    ("a snippet line is escaped", "til-etc/ttabaereon-kubernetes.md", '```markdown\n;--8<-- "mkdocs.yml"\n```'),
    ("mark", SHOWCASE, "==수식이 코드에서 나오지 않는다=="),
    ("heading gets an ASCII id", SHOWCASE, "## 합성곱의 정의 {#hapseonggopui-jeongui}"),
    ("hint info -> note, variable", SHOWCASE, '!!! note "참고"\n\n    이 노트는 2021년에 썼다.'),
    ("tabs, code title/linenums/wrap", SHOWCASE,
     '=== "Python"\n\n    ``` { .python .til-wrap title="conv.py" linenums="1" }\n    import numpy as np'),
    ("hint inside a tab", SHOWCASE, '=== "설명"\n\n    !!! warning "주의"\n\n        커널을 뒤집는'),
    ("figure, NFD file name", SHOWCASE, '<figure markdown="span">\n![GitBook 편집기]'
                                        "(assets/seukeurinsyat-2022-12-26-ohu-8-58-10.png)\n"
                                        "<figcaption>GitBook 편집기 화면</figcaption>\n</figure>"),
    ("include inlined, success -> tip", SHOWCASE, '!!! tip "팁"\n\n    **공부 규칙**: 하루에 한 가지씩, '
                                                  "부스트캠프 AI Tech에서"),
    ("details -> collapsible", SHOWCASE, '??? note "왜 MkDocs인가"\n\n    - 오프라인으로'),
    ("danger inside details", SHOWCASE, '    !!! danger "위험"\n\n        GitBook 동기화를'),
    ("space URL -> page", SHOWCASE, "[Level2 노트](../../til-python-math/algorithm/programmers/level2/index.md)"),
    ("image (1) (2).png", "til-etc/cointrading/index.md", "![](assets/image-1-2.png)"),
    ("figure unwrapped from <div align> and <picture>", "til-etc/cointrading/index.md",
     '<figure markdown="span">\n![수익 곡선](assets/image.png)\n</figure>'),
    ("figure in a list item GitBook wrote as a lone '*'", "til-etc/cointrading/index.md",
     '*   <figure markdown="span">\n    ![첫 구간 수익](assets/image.png)\n    <figcaption>첫 구간</figcaption>\n'
     '    </figure>\n* 두 번째 구간은'),
    ("external image -> link", "til-etc/cointrading/index.md", "[외부 이미지: 외부 그림](https://example.com/chart.png)"),
    ("file -> download", "til-etc/cointrading/index.md",
     '[백테스팅 보고서](assets/backtest-report.pdf){ download="backtest-report.pdf" }'),
    ("hidden page: description", "til-etc/ttabaereon-kubernetes.md", "description: 쿠버네티스 강의 메모\n"),
    ("swagger kept with a note", "til-etc/ttabaereon-kubernetes.md",
     '!!! note "GitBook API 블록 (swagger)"\n\n    GitBook의 API 블록을 원문 그대로 두었다.\n\n    ````text\n'
     '    {% swagger method="get"'),
    ("unknown tag -> visible note", "til-etc/ttabaereon-kubernetes.md",
     '!!! warning "옮기지 못한 GitBook 블록"\n\n    이 자리의 GitBook 블록 `{% updates format="full" %}`'),
    ("content-ref -> link with the title", "til-etc/index.md",
     '<div class="grid cards til-content-ref" markdown>\n\n-   [Gatsby](gatsby/index.md)'),
    ("anchor link rewritten", "til-etc/gatsby/index.md", "[포기 선언](01-gitbuk-pogi-seoneon.md#hapseonggopui-jeongui)"),
    ("columns -> grid cards", "til-python-math/algorithm/programmers/index.md",
     '<div class="grid cards til-columns" markdown>\n\n-   ### Level 1 {#level-1}'),
    ("cards table -> grid cards", LEVEL2 + "index.md",
     "-   ![](assets/image.png)\n\n    **[거리두기 확인하기](georidugi-hwakinhagi.md)**\n\n    첫 번째 풀이"),
    ("stepper -> ordered list", LEVEL2 + "georidugi-hwakinhagi-2.md",
     "1.  ### 입력 읽기 {#ipryeok-ikgi}\n\n    대기실 5개를 읽는다.\n\n2.  ### 검사"),
    ("code title without wrap", LEVEL2 + "georidugi-hwakinhagi.md", '```python title="solution.py" linenums="1"\n'),
    ("page link", LEVEL2 + "georidugi-hwakinhagi-2.md", "[첫 번째 풀이](georidugi-hwakinhagi.md)"),
    ("GitBook's own heading anchor kept", LEVEL2 + "georidugi-hwakinhagi.md", "## 복잡도 {#complexity}\n"),
    ("HTML table: links and images made URLs", LEVEL2 + "georidugi-hwakinhagi.md",
     '<a href="../georidugi-hwakinhagi-2/#geomsa">두 번째 풀이의 검사</a></p><p><mark>DFS</mark></p></td>'
     '<td><img src="../assets/image.png" alt="격자" width="40"></td></tr><tr><td><a href="../../">Programmers</a>'),
    ("link to it", LEVEL2 + "georidugi-hwakinhagi-2.md", "[복잡도](georidugi-hwakinhagi.md#complexity)는 같다."),
    ("mention -> target's title, button", "introduction.md",
     "[01 깃북 포기 선언](til-etc/gatsby/01-gitbuk-pogi-seoneon.md)을 보라.\n\n"
     "[Gatsby 노트로](til-etc/gatsby/index.md){ .md-button .md-button--primary }"),
    ("embed -> link card", "til-etc/baepo-memo.md",
     '<div class="grid cards til-embed" markdown>\n\n-   **[youtube.com](https://www.youtube.com/watch?v=dQw4w9WgXcQ)**'),
]


@pytest.mark.parametrize("what, page, expected", [pytest.param(*row, id=row[0]) for row in MARKDOWN])
def test_conversion_markdown(mirror, what, page, expected):
    assert expected in note(mirror, page)


def test_nothing_gitbook_specific_left_silently(mirror):
    for path in (mirror.project / "docs").rglob("*.md"):
        text = path.read_text("utf-8")
        if "source: gitbook" not in text:
            continue
        outside_code = re.sub(r"(?ms)^ *(````|```).*?^ *\1$|`[^`\n]+`", "", text)
        assert not re.search(r"\{%|%\}|\.gitbook/|<mark style|<figure>|<details|data-view|class=\"expression\"",
                             outside_code), f"{path}: GitBook syntax left"


def test_report_counts_blocks_assets_and_left_overs(mirror):
    rep = mirror.report
    assert rep == mirror.out.split("\nWrote ")[0].rstrip("\n") + "\n"
    for row in ("| hint | 4 |", "| tabs | 1 |", "| tab | 2 |", "| code | 2 |", "| figure | 3 |",
                "| inline math | 4 |", "| display math | 2 |", "| cards table | 1 |", "| stepper | 1 |",
                "| columns | 1 |", "| details | 1 |", "| mark | 1 |", "| variable | 2 |", "| embed | 1 |",
                "| file | 1 |", "| content-ref | 1 |", "| page mention | 1 |", "| button | 1 |",
                "| swagger | 1 |", "| assets copied | 5 |", "| external image (linked) | 1 |"):
        assert row in rep, row
    assert "hidden in GitBook: 1" in rep
    head, left = rep.split("## Items for a person", 1)
    # summary counts first, in this order
    labels = [m[1] for m in re.finditer(r"^\| ([a-z][^|]*?) \| \d+ \|$", head, re.M)]
    assert [lab.split(" (")[0] for lab in labels] == ["pages in the export", "matched to docs/SUMMARY.md", "kept",
                                                      "added under their parent", "pages written", "assets copied",
                                                      "links made", "items for a person"]
    assert re.search(r"### API block \(1\)\n\n- .*til-etc/undefined\.md:18: \{% swagger %\} API block kept", left)
    assert re.search(r"### unknown tag \(1\)\n\n- .*til-etc/undefined\.md:30: unknown GitBook tag", left)
    assert re.search(r"### external image \(1\)\n\n- .*cointrading\.md:7: https://example\.com/chart\.png", left)


# ------------------------------------------------------------------ conversions, in HTML

def test_conversion_html(mirror_site):
    page = soup(mirror_site, SHOWCASE)
    # math is typeset at build time (tilsite/render/katex.py); the TeX source stays as the label
    inline = page.select_one("span.til-math")
    assert inline["aria-label"] == "f(x) = x^2" and inline.select_one(".katex")
    assert len(page.select("div.til-math--display .katex-display")) == 2
    assert page.select_one("mark").get_text() == "수식이 코드에서 나오지 않는다"
    assert page.select_one("h2#hapseonggopui-jeongui")
    kinds = [tuple(a["class"]) for a in page.select("div.admonition")]
    assert ("admonition", "note") in kinds and ("admonition", "tip") in kinds
    tabs = page.select_one("div.tabbed-set")
    assert [lab.get_text() for lab in tabs.select(".tabbed-labels label")] == ["Python", "설명"]
    assert tabs.select_one(".tabbed-block div.admonition.warning"), "the hint inside the tab"
    code = tabs.select_one("div.til-wrap")
    assert code.select_one(".filename").get_text() == "conv.py" and code.select_one(".linenos")
    fig = page.select_one("figure")
    assert fig.select_one("figcaption").get_text() == "GitBook 편집기 화면"
    img = fig.select_one("img")["src"]
    assert (mirror_site / page_url(SHOWCASE) / img).resolve().is_file()
    details = page.select_one("details.note")
    assert details.select_one("summary").get_text() == "왜 MkDocs인가"
    assert details.select_one("div.admonition.danger")
    assert not page.select("iframe")
    head = BeautifulSoup((mirror_site / page_url(SHOWCASE) / "index.html").read_text("utf-8"), "html.parser")
    assert head.select_one('meta[name="description"]')["content"] == "GitBook을 떠나 MkDocs로 옮기기로 한 이유."


def test_html_table_urls_resolve(mirror_site):
    """A table GitBook wrote as HTML is raw HTML to MkDocs: its URLs must already be final."""
    src = LEVEL2 + "georidugi-hwakinhagi.md"
    table = soup(mirror_site, src).select_one("table:not(.highlighttable)")
    here = mirror_site / page_url(src)
    hrefs = [a["href"] for a in table.select("a") if not a["href"].startswith("https:")]
    assert len(hrefs) == 2
    for href in hrefs:
        path, _, anchor = href.partition("#")
        target = (here / path / "index.html").resolve()
        assert target.is_file(), href
        assert not anchor or f'id="{anchor}"' in target.read_text("utf-8"), href
    assert (here / table.select_one("img")["src"]).resolve().is_file()


@pytest.mark.parametrize("src, selector, check", [
    ("til-etc/cointrading/index.md", "a[download]", lambda el, p: p(el["href"]).is_file()),
    ("til-etc/cointrading/index.md", "p img", lambda el, p: p(el["src"]).is_file()),
    ("til-etc/cointrading/index.md", "ul > li > figure img", lambda el, p: p(el["src"]).is_file()),
    ("til-etc/baepo-memo.md", "div.grid.cards.til-embed a", lambda el, p: el["href"].startswith("https://www.you")),
    ("til-etc/index.md", "div.grid.cards li a", lambda el, p: el.get_text() == "Gatsby"),
    (LEVEL2 + "index.md", "div.grid.cards li", lambda el, p: el.select_one("img") and el.select_one("strong a")),
    (LEVEL2 + "georidugi-hwakinhagi-2.md", "ol > li", lambda el, p: el.select_one("h3").get_text().startswith("입력 읽기")),
    ("til-python-math/algorithm/programmers/index.md", "div.grid.cards.til-columns > ul > li",
     lambda el, p: el.select_one("h3")),
    ("introduction.md", "a.md-button.md-button--primary", lambda el, p: el["href"] == "../til-etc/gatsby/"),
    ("til-etc/ttabaereon-kubernetes.md", "div.admonition.warning", lambda el, p: "updates" in el.get_text()),
    ("til-etc/ttabaereon-kubernetes.md", "p",   # the author's text, not this site's build-time directives
     lambda el, p: "{{ value nomodule:nothing() }}와 {{ figure nomodule:plot_nothing }}" in el.parent.get_text()),
    ("til-etc/ttabaereon-kubernetes.md", "div.highlight code",
     lambda el, p: el.get_text() == '--8<-- "mkdocs.yml"\n'),   # shown, mkdocs.yml not included
])
def test_conversion_html_blocks(mirror_site, src, selector, check):
    el = soup(mirror_site, src).select_one(selector)
    assert el is not None, f"{selector} not in {src}"
    assert check(el, lambda rel: mirror_site / page_url(src) / rel)


# ------------------------------------------------------------------ idempotence, dry run, refusal

def test_second_import_changes_nothing(mirror, tmp_path):
    before = tree_digest(mirror.project / "docs")
    rc, out, err = til("import-gitbook", str(mirror.export), "--project", str(mirror.project), "--add-unmatched")
    assert rc == 0, err
    assert "Nothing changed: all 18 files are already up to date." in out
    assert tree_digest(mirror.project / "docs") == before


def test_dry_run_writes_nothing(tmp_path):
    project = copy_project(tmp_path / "project")
    before = tree_digest(project)
    report = tmp_path / "report.md"
    rc, out, _ = til("import-gitbook", str(make_export(tmp_path / "export")), "--project", str(project),
                     "--dry-run", "--new-tree", "--report", str(report))
    assert rc == 0
    assert "- write: `docs/gita-gisul/til-etc/gatsby/01-gitbuk-pogi-seoneon.md`" in out
    assert "- move: `docs/index.md` → `moved-by-import/index.md`" in out
    assert tree_digest(project) == before and not report.exists()


def test_fill_mode_keeps_a_written_note(tmp_path):
    project = copy_project(tmp_path / "project")
    written = project / "docs" / SHOWCASE
    written.parent.mkdir(parents=True)
    written.write_text("# 01 깃북 포기 선언\n\n여기서 쓴 노트.\n", "utf-8")
    before = tree_digest(project)
    export = make_export(tmp_path / "export")
    report = tmp_path / "report.md"
    mine = written.read_bytes()
    rc, out, err = til("import-gitbook", str(export), "--project", str(project), "--report", str(report))
    assert rc == 0, err
    assert written.read_bytes() == mine, "a written note stays byte-identical"
    assert tree_digest(project) != before, "the rest of the space fills the mirror"
    assert re.search(r"\| kept \(written notes left as they are; --force replaces\) \| 1 \|", out)
    assert re.search(r"## Kept: .*\n\n- `docs/til-etc/gatsby/01-gitbuk-pogi-seoneon\.md`", report.read_text("utf-8"))
    rc, out2, _ = til("import-gitbook", str(export), "--project", str(project))
    assert rc == 0 and "Nothing changed" in out2 and written.read_bytes() == mine
    rc, _, err = til("import-gitbook", str(export), "--project", str(project), "--force")
    assert rc == 0, err
    assert "source: gitbook" in written.read_text("utf-8")


# ------------------------------------------------------------------ a new tree

def test_new_tree_summary(new_tree):
    summary = note(new_tree, "SUMMARY.md")
    entries = parse_summary(summary)
    assert entries[0].title == "Introduction" and entries[0].path == "index.md"
    groups = [e for e in entries if e.depth == 0][1:]
    assert [(g.title, g.path) for g in groups] == [("기타 기술", "gita-gisul/index.md"), ("알고리즘", "algorijeum/index.md")]
    external = [e for e in entries if e.external]
    assert [(e.title, e.path) for e in external] == [("GitBook 문서", "https://docs.gitbook.com/")]
    pages = [e.path for e in entries if not e.external]
    assert all(NOTE_PATH.match(p) for p in pages)
    assert len({page_url(p) for p in pages}) == len(pages), "URLs are unique"
    assert not any("undefined" in p or re.search(r"[0-9a-f]{4}-[0-9a-f]{4}", p) for p in pages)
    assert "gita-gisul/til-etc/baepo-memo.md" in pages            # undefined-1.md, romanised title
    assert "gita-gisul/til-etc/gatsby/01-gitbuk-pogi-seoneon.md" in pages  # hex name, romanised title
    assert "gita-gisul/til-etc/cointrading.md" in pages           # GitBook's own ASCII name kept


def test_new_tree_moves_old_notes_out_never_deletes(new_tree):
    moved = new_tree.project / "moved-by-import"
    for rel in ("index.md", "til-ml/boostcamp-2st/u-stage-1/ai-math/ai-math-9gang-cnn-cheotgeoleum.md",
                "til-ml/boostcamp-2st/u-stage-1/ai-math/conv-practice.py"):
        assert (moved / rel).read_bytes() == (ROOT / "docs" / rel).read_bytes()
        assert f"`docs/{rel}` → `moved-by-import/{rel}`" in new_tree.report
    assert "`til-etc/undefined.md` → `docs/gita-gisul/til-etc/ttabaereon-kubernetes.md`" in \
        new_tree.report.split("## Hidden in GitBook")[1]
    assert front_matter(note(new_tree, "index.md"))["gitbook_file"] == "README.md"


def test_new_tree_builds_strictly(new_tree, new_tree_site):
    nav = soup(new_tree_site, "index.md")
    assert nav.select_one("h1").get_text().startswith("Introduction")
    # navigation.prune renders only the active branch: look from a sibling of the link
    html = (new_tree_site / "gita-gisul/til-etc/baepo-memo/index.html").read_text("utf-8")
    nav = BeautifulSoup(html, "html.parser").select_one("nav.md-nav--primary")
    assert nav.select_one('a.md-nav__link[href="https://docs.gitbook.com/"]').get_text(strip=True) == "GitBook 문서"
    page = soup(new_tree_site, "gita-gisul/til-etc/gatsby/01-gitbuk-pogi-seoneon.md")
    assert page.select_one("div.tabbed-set") and page.select_one("figure img")


def test_new_tree_second_import_changes_nothing(new_tree):
    before = tree_digest(new_tree.project)
    rc, out, err = til("import-gitbook", str(new_tree.export), "--project", str(new_tree.project), "--new-tree")
    assert rc == 0, err
    assert "Nothing changed" in out
    assert tree_digest(new_tree.project) == before


def test_mirror_builds_strictly(mirror_site):
    assert (mirror_site / page_url(SHOWCASE) / "index.html").is_file()


def test_gitbook_url_option_names_the_space(tmp_path):
    """Links to the space's own address become page links; another address stays a plain URL."""
    project = copy_project(tmp_path / "project")
    export = make_export(tmp_path / "export")
    for url, expected in (("https://example.gitbook.io/til",
                           "[Level2 노트](../../til-python-math/algorithm/programmers/level2/index.md)"),
                          ("https://other.gitbook.io/x",
                           "[Level2 노트](https://example.gitbook.io/til/til-python-math/algorithm/programmers/level2)")):
        rc, out, err = til("import-gitbook", str(export), "--project", str(project), "--gitbook-url", url)
        assert rc == 0, err
        assert f"space address: {url}." in out
        assert expected in (project / "docs" / SHOWCASE).read_text("utf-8")


# ------------------------------------------------------------------ bad input

def _edit(rel: str, old: str, new: str):
    def mutate(export: Path) -> None:
        path = export / rel
        text = path.read_text("utf-8")
        assert old in text, f"{rel}: {old!r} not found, the mutation is stale"
        path.write_text(text.replace(old, new, 1), "utf-8")
    return mutate


def _not_gitbook(export: Path) -> None:
    shutil.rmtree(export)
    export.mkdir()
    (export / "notes.md").write_text("# 그냥 폴더\n", "utf-8")


def _latin1(export: Path) -> None:
    (export / "til-etc" / "cointrading.md").write_bytes("# CoinTrading\n\nprix: 5 €, café\n".encode("cp1252"))


def _two_pages_one_path(export: Path) -> None:
    (export / "til-etc" / "Setup.md").write_text("# Setup\n", "utf-8")
    (export / "til-etc" / "setup.md").write_text("# setup\n", "utf-8")
    _edit("SUMMARY.md", "  * [배포 메모]", "  * [Setup](til-etc/Setup.md)\n  * [setup](til-etc/setup.md)\n"
                                         "  * [배포 메모]")(export)


class Bad(NamedTuple):
    id: str
    mutate: object
    message: str          # regex the error must match
    flags: tuple = ()


SHOW_SRC = "til-etc/gatsby/ae30-d558-d3ec-ae30.md"
REFUSALS = [  # exit 2, nothing written: the space as a whole cannot be imported
    Bad("not-a-gitbook-repository", _not_gitbook,
        r"export: not a GitBook repository: it has no SUMMARY\.md, \.gitbook\.yaml or \.gitbook/ folder"),
    Bad("gitbook-yaml-not-a-mapping", lambda e: (e / ".gitbook.yaml").write_text("- root\n", "utf-8"),
        r"export/\.gitbook\.yaml:1: expected a mapping with root:, structure: and redirects:"),
    Bad("nothing-importable", lambda e: [p.unlink() for p in e.rglob("*.md")],
        r"not a GitBook repository: no SUMMARY\.md and no README\.md"),
]
LISTED = [  # confined to a page, an entry or a block: handled, listed as file:line, exit 0
    Bad("summary-entry-to-missing-file", _edit("SUMMARY.md", "til-etc/undefined-1.md", "til-etc/nope.md"),
        r"SUMMARY\.md:12: '배포 메모' points to til-etc/nope\.md, which is not a page of the export"),
    Bad("summary-line-not-an-entry", _edit("SUMMARY.md", "  * [배포 메모]", "  junk [oops]\n  * [배포 메모]"),
        r"SUMMARY\.md:12: not a table-of-contents entry, left out"),
    Bad("block-never-closed", _edit(SHOW_SRC, "{% endhint %}\n\n{% tabs %}", "\n{% tabs %}"),
        SHOW_SRC.replace(".", r"\.") + r":21: \{% hint %\} is (?:never closed|not closed before)"),
    Bad("end-tag-closes-nothing", _edit(SHOW_SRC, "{% endtabs %}", "{% endtabs %}\n{% endtabs %}"),
        SHOW_SRC.replace(".", r"\.") + r":41: \{% endtabs %\} closes nothing"),
    Bad("blocks-crossed", _edit(SHOW_SRC, "{% endtab %}\n{% endtabs %}", "{% endtabs %}\n{% endtab %}"),
        r":35: \{% tab %\} is not closed before line 39; closed there"),
    Bad("tag-arguments-malformed", _edit(SHOW_SRC, '{% hint style="info" %}', "{% hint style=info %}"),
        r":21: malformed tag arguments 'style=info' \(expected key=\"value\" pairs\); the tag's options are ignored"),
    Bad("tag-half-written", _edit(SHOW_SRC, '{% hint style="info" %}', '{% hint style="info"'),
        r":21: '\{%' without its other half; kept as text"),
    Bad("details-never-closed", _edit(SHOW_SRC, "</details>", ""), r":46: <details> is never closed"),
    Bad("include-missing", _edit(SHOW_SRC, "study-rule.md", "nope.md"),
        r":44: \{% include %\} names '\.\./\.\./\.gitbook/includes/nope\.md', which is not in the export"),
    Bad("front-matter-not-yaml", _edit(SHOW_SRC, "icon: flag", "icon: [flag"),
        r":\d+: front matter is not a YAML mapping; kept as text"),
    Bad("file-not-utf8", _latin1, r"til-etc/cointrading\.md:3: not UTF-8 text \(byte 0x80 at offset 23\)"),
    Bad("two-pages-one-path", _two_pages_one_path, r"", ("--new-tree",)),
]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in REFUSALS])
def test_refusals_fail_cleanly_and_write_nothing(case: Bad, tmp_path):
    project = copy_project(tmp_path / "project")
    export = make_export(tmp_path / "export")
    case.mutate(export)
    before = tree_digest(project)
    rc, out, err = til("import-gitbook", str(export), "--project", str(project), *case.flags)
    assert rc == 2, (out, err)
    assert re.search(case.message, err), f"expected /{case.message}/ in:\n{err}"
    assert str(export) in err, "the message names the file"
    assert TRACEBACK not in err and "Nothing was written." in err
    assert tree_digest(project) == before


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in LISTED])
def test_confined_problems_are_listed_and_the_rest_imports(case: Bad, tmp_path):
    project = copy_project(tmp_path / "project")
    export = make_export(tmp_path / "export")
    case.mutate(export)
    rc, out, err = til("import-gitbook", str(export), "--project", str(project), "--add-unmatched", *case.flags)
    assert rc == 0, (out, err)
    assert TRACEBACK not in err
    items = out.split("## Items for a person", 1)[1]
    assert re.search(r"^- " + re.escape(str(export)) + r"/.*" + case.message, items, re.M), \
        f"expected /{case.message}/ in:\n{items[:3000]}"
    assert re.search(r"\| pages written \| (\d+) \|", out)[1] != "0"
    rc, _, _ = til("import-gitbook", str(export), "--project", str(project), "--add-unmatched", "--dry-run",
                   "--strict", *case.flags)
    assert rc == 1, "--strict: the listed items exit 1"


# ------------------------------------------------------------------ the command

def test_console_script_and_make_target():
    proc = subprocess.run([str(VENV_BIN / "til"), "import-gitbook", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    for flag in ("--new-tree", "--dry-run", "--force", "--report", "--project", "--add-unmatched", "--gitbook-url"):
        assert flag in proc.stdout
    make = subprocess.run(["make", "-n", "import", "GITBOOK=/tmp/some export"], cwd=ROOT, capture_output=True,
                          text=True)
    assert make.returncode == 0, make.stderr
    assert "til import-gitbook '/tmp/some export'" in make.stdout


# ------------------------------------------------------------------ SUMMARY.md learns external links

def test_parse_summary_reads_external_entries():
    entries = parse_summary("# Summary\n\n* [홈](index.md)\n* [문서](docs/index.md)\n"
                            "    * [GitBook 문서](https://docs.gitbook.com/)\n    * [설치](docs/install.md)\n")
    ext = entries[2]
    assert ext.external and ext.path == "https://docs.gitbook.com/" and ext.parent is entries[1]
    assert [c.title for c in entries[1].children] == ["GitBook 문서", "설치"]
    assert not any(e.external for e in entries if e is not ext)


def test_parse_summary_external_entry_cannot_have_children():
    from tilsite.nav.summary import SummaryError

    with pytest.raises(SummaryError, match=r"docs/SUMMARY\.md:4: '설치' lives under 'GitBook 문서', an external link"):
        parse_summary("# Summary\n\n* [GitBook 문서](https://docs.gitbook.com/)\n    * [설치](install.md)\n")


def test_without_summary_the_tree_is_the_folders(tmp_path):
    project = copy_project(tmp_path / "project")
    export = make_export(tmp_path / "export")
    (export / "SUMMARY.md").unlink()
    rc, out, err = til("import-gitbook", str(export), "--project", str(project), "--new-tree")
    assert rc == 0, err
    summary = (project / "docs" / "SUMMARY.md").read_text("utf-8")
    entries = parse_summary(summary)
    assert [(e.depth, e.title) for e in entries][:4] == [(0, "Introduction"), (0, "TIL : etc"), (1, "CoinTrading"),
                                                         (1, "Gatsby")]   # README first, then by file name
    assert "    * [배포 메모](til-etc/baepo-memo.md)" in summary.splitlines()   # title from the page's H1
    assert "| pages written | 13 |" in out


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=40))
def test_front_matter_scalars_read_back(value):
    """Imported front matter is written without yaml.safe_dump (too slow for 500 pages): it must read back."""
    assert yaml.safe_load(f"k: {yaml_scalar(value)}\n")["k"] == value


# ------------------------------------------------------------------ forms seen in real GitBook repositories

class _Ctx:
    """A PageContext where every link and asset exists under its own name."""

    def link(self, target, file, line):
        return target.replace("README.md", "index.md")

    def asset(self, target, file, line):
        return "assets/" + target.rsplit("/", 1)[-1].replace(" ", "-")

    def title(self, target, file):
        return "제목"

    def variable(self, name):
        return None

    def url(self, link):
        return link

    def formula(self, tex, display):
        return None if tex != r"\frac{" else "KaTeX parse error: Expected group"


def convert(text: str) -> str:
    from tilsite.authoring.gitbook import gitbook_blocks as gb

    nodes = gb.parse(text, "page.md")
    return gb.tidy(gb.Renderer(_Ctx(), gb.headings(nodes)).render(nodes))


@pytest.mark.parametrize("source, expected", [
    pytest.param('{% tabs %} {% tab title="A.java" %}\n\n```java\nclass A {}\n```\n\n{% endtab %} {% endtabs %}\n',
                 '=== "A.java"\n\n    ```java\n    class A {}\n    ```\n', id="tabs-on-one-line"),
    pytest.param('{% embed url="https://a.example/" %}\n\n{% embed url="https://b.example/" %}\n캡션 B\n{% endembed %}\n',
                 "-   **[a.example](https://a.example/)**\n\n    ---\n\n    <https://a.example/>\n\n</div>\n\n"
                 '<div class="grid cards til-embed" markdown>\n\n-   **[b.example](https://b.example/)**\n\n'
                 "    ---\n\n    캡션 B\n", id="embed-with-and-without-caption"),
    pytest.param('{% file src="../.gitbook/assets/a b.txt" %}\n\n글\n',
                 '[a-b.txt](assets/a-b.txt){ download="a-b.txt" }\n\n글\n', id="file-without-endfile"),
    pytest.param('```jinja\n{% hint style="info" %}\n{% if x %}\n```\n\n`{% raw %}` 그대로\n',
                 '```jinja\n{% hint style="info" %}\n{% if x %}\n```\n\n`{% raw %}` 그대로\n', id="tags-in-code-stay"),
    pytest.param('<mark style="color:green;">`POST`</mark> 요청\n', "==`POST`== 요청\n", id="mark-around-code"),
    pytest.param("### 소스 분석 <a href=\"#source\" id=\"source\"></a>\n\n[위로](#source)\n",
                 "### 소스 분석 {#source}\n\n[위로](#source)\n", id="gitbook-heading-anchor"),
    pytest.param("값은 $$a$$와 $10, 그리고 \\$5\n", "값은 $a$와 \\$10, 그리고 \\$5\n", id="dollars"),
])
def test_real_world_forms(source, expected):
    assert expected in convert(source)
