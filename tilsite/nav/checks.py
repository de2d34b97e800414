"""Checks of the pages under docs/ before anything is rendered: each returns `file:line: message` lines."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ..library import includes
from .summary import NOTE_PATH


def front_matter_error(path: Path, text: str, docs_name: str = "docs") -> str | None:
    """The page's front matter problem, if any: never closed, not YAML, or not a mapping."""
    if not text.startswith("---"):
        return None
    m = re.match(r"^---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*\n", text, re.S)
    if not m:
        return f"{docs_name}/{path}:1: front matter opened with '---' is never closed"
    try:
        data = yaml.safe_load(m.group(1) or "")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1  # +1 for '---', +1 for 1-based
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return f"{docs_name}/{path}:{line}: front matter is not valid YAML: {problem}"
    if data is not None and not isinstance(data, dict):
        return f"{docs_name}/{path}:2: front matter must be a YAML mapping, got {type(data).__name__}"
    return None


def ascii_name_errors(files, docs: Path, docs_name: str) -> list[str]:
    """A file under docs/ with a non-ASCII name: it would become a URL (mirror sites only)."""
    return [f"{docs_name}/{f.src_uri}: file names under {docs_name}/ must be ASCII: they become URLs "
            "(romanize, e.g. 합성곱.md -> hapseonggop.md)"
            for f in files if f.abs_src_path and not f.src_uri.isascii() and Path(f.abs_src_path).is_relative_to(docs)]


def note_path_errors(src: str, entries, docs_name: str) -> list[str]:
    """A written note whose path is not kebab-case, or that SUMMARY.md does not list (mirror sites only)."""
    if not NOTE_PATH.match(src):
        return [f"{docs_name}/{src}:1: a note's path must be ASCII lowercase kebab-case "
                "(a-z, 0-9, '-') ending in .md: it becomes the page's URL"]
    if src not in entries:
        return [f"{docs_name}/{src}:1: this note is not in {docs_name}/SUMMARY.md; add a line "
                f"'* [제목]({src})' under its parent"]
    return []


def page_errors(src: str, text: str, snippet_pre, root: Path, docs_name: str) -> list[str]:
    """Front matter and include errors of one written page."""
    errors = []
    err = front_matter_error(Path(src), text, docs_name)
    if err:
        errors.append(err)
    return errors + includes.check_includes(text, f"{docs_name}/{src}", snippet_pre, root)
