"""Check a page's pymdownx.snippets includes before Markdown runs.

pymdownx.snippets reports a missing file or section by raising from inside the
Markdown conversion, which MkDocs prints as a traceback without the page's line,
and it accepts a section that is opened but never closed (it silently includes
the rest of the file).  ``check_includes`` finds these first and returns
'docs/page.md:LINE: message' errors; it uses pymdownx's own regexes and path
lookup, so it accepts exactly the include lines pymdownx does.
"""

from __future__ import annotations

import os
from pathlib import Path

import markdown
from pymdownx.snippets import SnippetExtension, SnippetPreprocessor


def preprocessor(mdx_config: dict) -> SnippetPreprocessor:
    """pymdownx's snippet preprocessor configured like the site's (base_path, ...)."""
    cfg = dict(mdx_config)
    base = cfg.get("base_path", ["."])
    base = [base] if isinstance(base, (str, os.PathLike)) else base
    cfg["base_path"] = [os.fspath(b) for b in base]
    return SnippetPreprocessor(SnippetExtension(**cfg).getConfigs(), markdown.Markdown())


def includes(lines: list[str]):
    """(line number, spec) of every include in `lines`, inline or block form, as pymdownx reads them."""
    P = SnippetPreprocessor
    block = False
    for lineno, line in enumerate(lines, start=1):
        m = P.RE_ALL_SNIPPETS.match(line)
        if m:
            if m["escape"] or (block and m["inline_marker"]):
                continue
            if not m["inline_marker"]:
                block = not block
                continue
            spec = m["snippet"][1:-1].strip()
        elif block:
            spec = P.RE_SNIPPET.match(line)["snippet"].strip()
            if not spec:
                continue
        else:
            continue
        if not spec.startswith(";"):  # ';path' is a commented-out block line
            yield lineno, spec


def section_markers(lines: list[str]) -> tuple[dict[str, int], list[str]]:
    """Sections of an included file: {name: line of its start marker} and pairing errors.

    Errors (as 'LINE: message') for a section opened but never closed, closed
    but never opened, or defined twice (pymdownx would include only the first).
    """
    starts, _, errors = _scan_sections(lines)
    return starts, errors


def section_spans(lines: list[str]) -> dict[str, tuple[int, int]]:
    """{name: (line of its start marker, line of its end marker)} of each closed section (1-based)."""
    return _scan_sections(lines)[1]


def _scan_sections(lines: list[str]) -> tuple[dict[str, int], dict[str, tuple[int, int]], list[str]]:
    """The one reading of section markers: starts, closed spans and pairing errors."""
    starts: dict[str, int] = {}
    spans: dict[str, tuple[int, int]] = {}
    open_: dict[str, int] = {}
    errors: list[str] = []
    for lineno, line in enumerate(lines, start=1):
        m = SnippetPreprocessor.RE_SNIPPET_SECTION.match(line)
        if not m or m["escape"]:
            continue
        name, kind = m["name"], m["type"].lower()
        if kind == "start":
            if name in starts:
                errors.append(f"{lineno}: section '{name}' is opened again (first opened on line "
                              f"{starts[name]}); pymdownx.snippets would include only the first one")
                continue
            starts[name] = open_[name] = lineno
        elif name in open_:
            spans[name] = (open_.pop(name), lineno)
        else:
            errors.append(f"{lineno}: section '{name}' is closed here but was never opened "
                          f"(add '--8<-- [start:{name}]' above it)")
    errors += [f"{line}: section '{name}' is opened here but never closed "
               f"(add '--8<-- [end:{name}]' after its last line)" for name, line in open_.items()]
    return starts, spans, errors


def check_includes(text: str, where: str, pre: SnippetPreprocessor, root: Path,
                   _seen: frozenset[str] = frozenset()) -> list[str]:
    """Errors of the includes in `text` (a page, named `where` in messages).

    `root` is the directory file names in messages are relative to (the
    project's). Included Markdown files are checked recursively.
    """
    errors = []
    for lineno, spec in includes(text.splitlines()):
        here = f"{where}:{lineno}"
        m = SnippetPreprocessor.RE_SNIPPET_FILE.match(spec)
        path = m.group(1).strip() if m else ""
        section = m.group(3)[1:] if m and m.group(3) else None
        found = pre.get_snippet_path(path) if path else None
        if found is None:
            errors.append(f"{here}: included file {path or spec!r} does not exist "
                          f"(paths are relative to {', '.join(_rel(b, root) for b in pre.base_path)})")
            continue
        if found in _seen:
            continue  # pymdownx skips an include loop; so do we
        name = _rel(found, root)
        lines = Path(found).read_text(encoding=pre.encoding).splitlines()
        starts, marker_errors = section_markers(lines)
        errors += [f"{name}:{e} (included from {here})" for e in marker_errors]
        if section is not None and section not in starts:
            known = ", ".join(sorted(starts)) or "none"
            errors.append(f"{here}: {name} has no section '{section}' "
                          f"(expected '--8<-- [start:{section}]' ... '--8<-- [end:{section}]'; "
                          f"its sections: {known})")
        elif section is None and Path(found).suffix == ".md":
            errors += check_includes("\n".join(lines), name, pre, root, _seen | {found})
    return errors


def _rel(path: str, root: Path) -> str:
    rel = os.path.relpath(path, root).replace(os.sep, "/")
    return "." if rel == "." else rel
