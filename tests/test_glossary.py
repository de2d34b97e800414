"""One term per concept: the prose of the notes written here uses the glossary's words (CONTRIBUTING.md).

The glossary table lists, per concept, the word to use, the words to avoid and
phrases where an avoided word means something else.  This test strips what is
not prose (code, math, figure directives, link targets, the mirror's titles),
expands value directives (their tables are prose the reader sees) and fails on
any avoided word, naming the file and line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tilsite.library import execute as ex
from tilsite.library import values

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def glossary() -> list[tuple[str, list[str], list[str]]]:
    """(preferred, avoided, other-meaning phrases) per row of CONTRIBUTING.md's glossary table."""
    text = (ROOT / "CONTRIBUTING.md").read_text("utf-8")
    section = text.split("## Glossary", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) != 4 or cells[0] in ("한국어", "---"):
            continue
        split = lambda c: [w.strip() for w in c.split(",") if w.strip()]  # noqa: E731
        rows.append((cells[0], split(cells[2]), split(cells[3])))
    return rows


def _word(term: str) -> str:
    # ASCII words need word boundaries ("bias" but not "biased" or "unbiased"); Korean ones don't.
    return rf"(?<![A-Za-z_]){re.escape(term)}(?![A-Za-z_])" if term.isascii() else re.escape(term)


def prose_lines(markdown: str, module_eval=values.evaluate) -> list[tuple[int, str]]:
    """(line number, prose) of a Markdown page: code, math, directives' code and titles removed."""
    out, in_fence, in_math = [], False, False
    for no, line in enumerate(markdown.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if stripped == "$$":
            in_math = not in_math
            continue
        if in_math or line.startswith("# ") or "--8<--" in line:
            continue

        def value(m):
            if m["kind"] == "figure":
                return ""  # captions are the figure module's text, checked with the figures
            return module_eval(m["module"], m["expr"])

        line = ex.DIRECTIVE.sub(value, line)
        for sub_no, text in enumerate(line.splitlines() or [""]):
            text = re.sub(r"`[^`]*`", " ", text)  # inline code
            text = re.sub(r"\$[^$]*\$", " ", text)  # inline math
            text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets
            text = re.sub(r"<[^>]+>", " ", text)  # HTML tags (their text stays)
            out.append((no, text))
    return out


def violations(markdown: str, where: str, module_eval=values.evaluate) -> list[str]:
    found = []
    rules = glossary()
    for no, text in prose_lines(markdown, module_eval):
        for preferred, avoided, other in rules:
            masked = text
            for phrase in [*other, preferred]:
                masked = masked.replace(phrase, "□" * len(phrase))
            for term in sorted(avoided, key=len, reverse=True):  # "특징 맵" before "맵": one report each
                # the English term in parentheses right after the preferred one, e.g. 편향(bias)
                masked = re.sub(rf"(□+\s?)\(([^)]*){_word(term)}([^)]*)\)",
                                lambda m: m[1] + "(" + "□" * (len(m[0]) - len(m[1]) - 2) + ")", masked)
                for m in re.finditer(_word(term), masked):
                    found.append((no, m.start(), f"{where}:{no}: '{term}' is avoided by the glossary; write "
                                  f"'{preferred}' (…{text[max(0, m.start() - 12):m.end() + 12].strip()}…)"))
                masked = re.sub(_word(term), lambda m: "□" * len(m[0]), masked)
    return [f for _, _, f in sorted(found)]


def written_pages() -> list[tuple[str, str]]:
    """(path, Markdown) of every note written here, notebooks as their markdown cells."""
    import jupytext

    pages = []
    for path in sorted(DOCS.rglob("*.md")):
        if path.name != "SUMMARY.md":
            pages.append((str(path.relative_to(ROOT)), path.read_text("utf-8")))
    for path in sorted(DOCS.rglob("*.py")):
        nb = jupytext.read(path)
        cells = [c.source for c in nb.cells if c.cell_type == "markdown"]
        pages.append((str(path.relative_to(ROOT)) + " (markdown cells)", "\n\n".join(cells)))
    return pages


def test_glossary_table_is_parsed():
    rules = {p: (a, o) for p, a, o in glossary()}
    assert rules["특성 맵"] == (["특징 맵", "특징맵", "피처 맵", "지도", "맵"], ["지도 학습"])
    assert rules["보폭"][0] == ["스트라이드"] and rules["편향"][0] == ["bias"]


@pytest.mark.parametrize(("path", "markdown"), written_pages(), ids=lambda v: v if v.endswith((".md", ")")) else "")
def test_written_pages_use_the_glossarys_words(path, markdown):
    assert not violations(markdown, path), "\n".join(violations(markdown, path))


def test_the_check_can_fail():
    page = "\n".join([
        "# 특징 맵 제목은 미러의 것",  # 1 skipped: H1 is the mirror's title
        "특징 맵과 스트라이드를 쓴 문장.",  # 2 two violations
        "편향(bias)은 괜찮고 편향만 써도 괜찮다. 지도 학습도 괜찮다.",  # 3 none
        "`stride`와 $맵$은 코드와 수식이다.",  # 4 none
        "```python",
        "bias = 1  # 맵",  # 6 code: none
        "```",
        "출력 맵 하나와 bias 하나.",  # 8 two violations
        "{{ value convolution.worked:X1D }}",  # 9 values are checked too
    ])
    found = violations(page, "page.md", module_eval=lambda module, expr: "스트라이드 표")
    assert [f.split(": '")[0] + f.split(": '")[1].split("'")[0] for f in found] == [
        "page.md:2특징 맵", "page.md:2스트라이드", "page.md:8맵", "page.md:8bias", "page.md:9스트라이드",
    ]
