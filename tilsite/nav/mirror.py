"""The GitBook mirror's generated text: the list of written notes (`<!-- written-notes -->`)."""

from __future__ import annotations

import posixpath

from .summary import md_escape

WRITTEN_NOTES = "<!-- written-notes -->"


def written_notes_markdown(entries, placeholders: set[str], page_src: str) -> str:
    """Bulleted links to every written note, in nav order, with its place in the tree."""
    here = posixpath.dirname(page_src) or "."
    lines = []
    for entry in entries:
        if entry.external or entry.path in placeholders or entry.path == page_src:
            continue
        trail = " › ".join(a.title for a in entry.trail)
        link = posixpath.relpath(entry.path, here)
        lines.append(f"- [{md_escape(entry.title)}]({link})" + (f" — {trail}" if trail else ""))
    return "\n".join(lines) or "아직 작성된 노트가 없습니다."
