"""No hand-typed computed number in a written note or notebook.

Every number in a note that results from a computation comes from a ``{{ value ... }}``
directive, so that the page cannot disagree with the code. This test reads each note's
Markdown source (prose and math; code blocks and inline code are the code itself, link
targets are addresses) and fails on any numeral with three or more digits or a decimal
point that no directive produced, unless the number is on that note's short list of
facts that are not computed (dates, years, citation numbers).

It is a pure test of ``docs/**/*.md``: sections added later are scanned the same way.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

# Per note: numbers that are facts rather than results of a computation, each with why.
ALLOWED: dict[str, dict[str, str]] = {
    "til-ml/boostcamp-2st/u-stage-1/ai-math/ai-math-9gang-cnn-cheotgeoleum.md": {
        "2021": "the note's date (작성일)",
        "2016": "publication year of a cited paper",
        "1998": "publication year of LeNet-5 (LeCun et al.)",
        "7.2.4": "section number of a cited book (d2l)",
        "7.4": "section number of a cited book (d2l)",
        "7.6": "section number of a cited book (d2l)",
        "180": "a half turn (180° rotation): a definition, not a result",
    },
    "index.md": {
        "2021": "title of a GitBook tab (2021 TIL)",
        "2020": "title of a GitBook tab (2020 TIL)",
    },
}

DIRECTIVE = re.compile(r"\{\{.*?\}\}", re.S)
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,}).*?^(?P=indent)(?P=fence)[ \t]*$", re.S | re.M)
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
ATTR = re.compile(r"\{[#.][^}]*\}")  # heading anchors {#id}
SNIPPET = re.compile(r"^\s*--8<--.*$", re.M)
# A numeral: grouped thousands, a decimal (also section numbers like 7.2.4), or 3+ digits.
# Digits glued to letters (conv2d, im2col, x86) are names, not numbers.
# Korean may follow directly (9,408개, 7.2.4절), so only ASCII letters count as glue.
NUMERAL = re.compile(r"(?<![0-9A-Za-z_.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![0-9A-Za-z_])"
                     r"|(?<![0-9A-Za-z_.])\d+(?:\.\d+)+(?![0-9A-Za-z_])"
                     r"|(?<![0-9A-Za-z_.])\d{3,}(?![0-9A-Za-z_])")


def written_notes() -> list[Path]:
    """Every page with prose: Markdown notes and jupytext notebooks (docs/**/*.py, their Markdown cells)."""
    return sorted([p for p in DOCS.rglob("*.md") if p.name != "SUMMARY.md"] + list(DOCS.rglob("*.py")))


def prose(path: Path) -> str:
    """A page's Markdown; for a percent-format notebook its Markdown cells, other lines blanked (line numbers kept)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        return text
    out, markdown = [], False
    for line in text.splitlines():
        if line.startswith("# %%"):
            markdown = "[markdown]" in line
            out.append("")
        else:
            out.append(line[2:] if markdown and line.startswith("# ") else "")
    return "\n".join(out)


def blank(m: re.Match) -> str:
    """Replace a match by spaces and the same newlines, so line numbers stay right."""
    return re.sub(r"[^\n]", " ", m.group(0))


def hand_numbers(text: str) -> list[tuple[int, str]]:
    """(line, numeral) for every numeral in prose or math that no directive produced."""
    for pattern in (HTML_COMMENT, FENCE, SNIPPET, DIRECTIVE, INLINE_CODE, LINK_TARGET, ATTR):
        text = pattern.sub(blank, text)
    found = []
    for m in NUMERAL.finditer(text):
        found.append((text.count("\n", 0, m.start()) + 1, m.group(0)))
    return found


@pytest.mark.parametrize("note", written_notes(), ids=lambda p: p.relative_to(DOCS).as_posix())
def test_no_hand_typed_computed_number(note: Path):
    rel = note.relative_to(DOCS).as_posix()
    allowed = ALLOWED.get(rel, {})
    bad = [f"{rel}:{line}: {num!r} is typed by hand; produce it with {{{{ value ... }}}} "
           f"or, if it is not computed, list it in ALLOWED with the reason"
           for line, num in hand_numbers(prose(note)) if num not in allowed]
    assert not bad, "\n".join(bad)


def test_allowlist_is_short_and_used():
    """An allowlist entry nothing needs any more is removed, so the list stays short."""
    for rel, allowed in ALLOWED.items():
        assert len(allowed) <= 10, rel
        path = DOCS / rel
        if not path.exists():
            continue
        present = {num for _, num in hand_numbers(prose(path))}
        # Entries the new sections are expected to cite may be absent until they are merged.
        unused = set(allowed) - present - {"1998", "7.2.4", "7.6"}
        assert not unused, f"{rel}: allowlist entries no longer in the note: {sorted(unused)}"


@pytest.mark.parametrize("text, expected", [
    ("가중치가 9,408개다", ["9,408"]),
    ("오차 0.5", ["0.5"]),
    ("출력 {{ value convolution.shapes:output_size(28, 3) }}칸", []),
    ("$O = 224 - 3 + 1$", ["224"]),
    ("`conv2d` 와 im2col, 28×28", []),
    ("[링크](https://arxiv.org/abs/1603.07285)", []),
    ("```python\nx = 1234\n```\n", []),
    ("## 제목 {#sec-100}", []),
    ("7.2.4절", ["7.2.4"]),
])
def test_scanner_finds_what_it_should(text, expected):
    assert [n for _, n in hand_numbers(text)] == expected
