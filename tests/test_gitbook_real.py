"""`til import-gitbook` on the constructs real GitBook spaces hold (tests/data/gitbook_real/, own text).

Each construct converts or is shown visibly and listed as 'file:line: what'; the import exits 0,
--strict exits 1, the result builds with `mkdocs build --strict`, and a second run changes nothing.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil

import pytest

from sitetools import ROOT, TRACEBACK, build, copy_project
from tilsite.authoring import cli

FIXTURE = ROOT / "tests" / "data" / "gitbook_real"
BLOCKS_PAGE = {"--new-tree": "blocks.md", "--add-unmatched": "beulrok-moeum.md"}  # GitBook's name / romanised title


def til(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = cli.main(list(argv))
    return rc, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module", params=["--new-tree", "--add-unmatched"])
def imported(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("real")
    project = copy_project(tmp / "project")
    export = shutil.copytree(FIXTURE, tmp / "export")
    rc, out, err = til("import-gitbook", str(export), "--project", str(project), "--report", str(tmp / "r.md"),
                       request.param)
    return project, export, rc, (tmp / "r.md").read_text("utf-8"), request.param


def test_imports_with_exit_0_and_lists_each_construct(imported):
    project, export, rc, report, mode = imported
    assert rc == 0
    head = report.split("## Items for a person")[0]
    assert "items for a person" in head and "| pages in the export | 4 |" in head
    # fill mode: no title of the fixture is in the TIL, so --add-unmatched adds every page
    assert ("| added under their parent (--add-unmatched) | 5 |" in head) == (mode == "--add-unmatched")
    for line in ("information_theory/README.md:11: formula KaTeX rejects",
                 "SUMMARY.md:8: '사라진 쪽' points to information_theory/gone.md",
                 "blocks.md:17: {% endtabs %} closes nothing",
                 "blocks.md:5: condition {% if visitor.claims",
                 "blocks.md:3: integration block @github-files/github-code-block",
                 "blocks.md:19: https://img.shields.io/badge/build-ok-green",
                 "plain-front.md:2: front matter is not a YAML mapping"):
        assert line in report, line
    assert "### formula rejected (2)" in report


def test_conversions(imported):
    project, export, rc, report, mode = imported
    docs = project / "docs"
    summary = (docs / "SUMMARY.md").read_text("utf-8")
    assert "정보 이론 \\[기초\\]" in summary or "정보 이론 [기초]" in summary
    assert "<a" not in summary and "전처리" in summary
    blocks = next(docs.rglob(BLOCKS_PAGE[mode])).read_text("utf-8")
    assert "https://github.com/example/repo/blob/main/conv.py" in blocks
    assert "유료 독자에게" in blocks and "모두에게" in blocks and "{% if" not in blocks
    assert '!!! warning "주의"' in blocks  # curly quotes read
    assert "![배지]" not in blocks and "[외부 이미지: 배지](https://img.shields.io" in blocks
    assert "kernel.png" in blocks and "two-words.png" in blocks and "&#91;Eng&#93;" in blocks
    assert '<a href="https://example.com/x.png">외부 이미지: 바깥 칸</a>' in blocks
    assert "```python" in blocks and "```code```" in blocks and "[dot]: <" in blocks
    assert 'src="https://' not in blocks  # no off-site <img>
    info = next(t for t in (p.read_text("utf-8") for p in docs.rglob("*.md")) if "엔트로피" in t)
    assert '!!! failure "조판하지 못한 수식"' in info and "\\frac{1}{" in info
    assert "\\(" not in info and "(정말로)" in info
    # a formula in a line: its source as code in a box, the reason in the box's title
    assert '<span class="til-math-rejected" title="KaTeX가 이 수식을 거부했다: ' in info
    assert "`\\frac{1}{`</span>" in info
    # a blank line between two formulas of one $$ block: a line break, not "b + cd = e"
    assert "$$\n\\begin{gathered}\na = b + c \\\\\nd = e\n\\end{gathered}\n$$" in info


def test_strict_build_and_idempotence(imported, tmp_path):
    project, export, rc, report, mode = imported
    proc = build(project, tmp_path / "site", {"TIL_EXECUTE": "off"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert TRACEBACK not in proc.stderr
    page = next(t for t in (p.read_text("utf-8") for p in (tmp_path / "site").rglob("*.html")) if "엔트로피" in t)
    assert re.search(r'<span class="til-math-rejected" title="KaTeX[^"<>]*"><code>\\frac\{1\}\{</code></span>', page)
    rc2, out, _ = til("import-gitbook", str(export), "--project", str(project), mode)
    assert rc2 == 0 and "Nothing changed" in out


def test_strict_flag_exits_1_when_items_are_listed(imported):
    project, export, rc, report, mode = imported
    rc2, _, _ = til("import-gitbook", str(export), "--project", str(project), "--new-tree", "--dry-run", "--strict")
    assert rc2 == 1
