"""Turn the GitBook sidebar (tests/data/gitbook_sidebar.txt) into docs/SUMMARY.md.

Run once to create SUMMARY.md; after that SUMMARY.md is the source of truth and is
edited by hand. Kept so the URL scheme is documented and reproducible:

* every path is ASCII, lowercase and kebab-case; Korean is romanised
  (Revised Romanisation, syllable by syllable, without sound-change rules);
* an entry with children is ``<slug>/index.md``, a leaf is ``<slug>.md``;
* diary entries use numbers: ``2021 TIL > JUN > 30 Wed`` is ``til-2021/06/30.md``;
* a slug already taken by a sibling gets ``-2``, ``-3`` ...

Usage: python tools/gitbook_to_summary.py tests/data/gitbook_sidebar.txt > docs/SUMMARY.md
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without pip install
from tilsite.authoring.gitbook.slug import slugify  # noqa: E402  (one romanisation for the whole project)

_MONTHS = {m: f"{i:02d}" for i, m in enumerate(
    "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), start=1)}
_TOP = {  # top-level items whose romanised slug would be unreadable or empty
    "MAIN": "index",
    ": TIL?": "til",
    ": WIL": "wil",
    ": Plan": "plan",
    ": Retrospective": "retrospective",
    "2021 TIL": "til-2021",
    "2020 TIL": "til-2020",
}


def parse_sidebar(text: str) -> list[tuple[int, str]]:
    """(depth, title) for each '  • title' line; two spaces per level."""
    entries = []
    for line in text.splitlines():
        m = re.match(r"^((?:  )+)• (.+)$", line)
        if m:
            entries.append((len(m.group(1)) // 2 - 1, m.group(2)))
    return entries


def escape_title(title: str) -> str:
    """Escape characters that Markdown would read as syntax inside [link text]."""
    return re.sub(r"([\\\[\]*_`])", r"\\\1", title)


def build_summary(entries: list[tuple[int, str]]) -> str:
    lines = ["# Summary", ""]
    stack: list[tuple[str, set[str]]] = [("", set())]  # (folder, slugs used there)
    for i, (depth, title) in enumerate(entries):
        del stack[depth + 1:]
        folder, used = stack[depth]
        has_children = i + 1 < len(entries) and entries[i + 1][0] > depth
        if depth == 0 and title in _TOP:
            slug = _TOP[title]
        elif folder.startswith("til-20") and title in _MONTHS:
            slug = _MONTHS[title]
        elif re.fullmatch(r"\d{1,2} [A-Z][a-z]{2}", title) and re.search(r"til-20\d\d/\d\d/$", folder):
            slug = f"{int(title.split()[0]):02d}"
        else:
            slug = slugify(title)
        base, n = slug, 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        path = f"{folder}{slug}"
        target = f"{path}/index.md" if has_children else f"{path}.md"
        lines.append(f"{'    ' * depth}* [{escape_title(title)}]({target})")
        stack.append((f"{path}/", set()))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as fh:
        sys.stdout.write(build_summary(parse_sidebar(fh.read())))
