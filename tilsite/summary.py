"""Read and check docs/SUMMARY.md, the GitBook-format navigation, and write the
placeholder page of every entry whose note is not written yet."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

_ENTRY = re.compile(r"^(?P<indent> *)\* \[(?P<title>(?:\\.|[^\]\\])+)\]\((?P<target>[^()\s]*)\)\s*$")
NOTE_PATH = re.compile(r"^[a-z0-9][a-z0-9-]*(?:/[a-z0-9][a-z0-9-]*)*\.md$")  # a note path is its URL
_DIARY = re.compile(r"^til-(?P<y>\d{4})/(?P<m>\d\d)/(?P<d>\d\d)\.md$")


class SummaryError(ValueError):
    """A problem in SUMMARY.md, reported as 'docs/SUMMARY.md:LINE: message'."""


@dataclass
class Entry:
    line: int
    depth: int
    title: str
    path: str
    parent: Entry | None = None
    children: list[Entry] = field(default_factory=list)

    @property
    def trail(self) -> list[Entry]:
        """Ancestors from the top level down to this entry's parent."""
        out, node = [], self.parent
        while node is not None:
            out.append(node)
            node = node.parent
        return out[::-1]

    @property
    def date(self) -> str | None:
        """ISO date of a diary entry (til-2021/06/30.md is 2021-06-30)."""
        m = _DIARY.match(self.path)
        return f"{m['y']}-{m['m']}-{m['d']}" if m else None


def _entry_folder(path: str) -> str:
    """Folder an entry sits in: 'a/b.md' -> 'a', 'a/b/index.md' -> 'a'."""
    parent = posixpath.dirname(path)
    return posixpath.dirname(parent) if posixpath.basename(path) == "index.md" else parent


def unescape(title: str) -> str:
    return re.sub(r"\\(.)", r"\1", title)


def parse_summary(text: str, where: str = "docs/SUMMARY.md") -> list[Entry]:
    """Entries of SUMMARY.md in document order, checked for the rules below.

    Each line is '* [Title](path.md)' indented by four spaces per level;
    a path is relative, ASCII, lowercase kebab-case, ends in .md, is used once,
    and an entry with children is '<folder>/index.md' whose children live in <folder>/.
    """
    entries: list[Entry] = []
    stack: list[Entry] = []
    seen: dict[str, int] = {}
    errors: list[str] = []

    def fail(lineno: int, msg: str) -> None:
        errors.append(f"{where}:{lineno}: {msg}")

    def stand_in(lineno: int, depth: int, title: str) -> None:
        # a broken entry still holds its place, so its children are not reported too
        if depth <= len(stack):
            del stack[depth:]
            stack.append(Entry(lineno, depth, title, "", stack[-1] if stack else None))

    for lineno, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or (lineno == 1 and raw.startswith("# ")):
            continue
        m = _ENTRY.match(raw)
        if not m:
            fail(lineno, f"not a nav entry (expected '* [제목](path.md)'): {raw.strip()!r}")
            lead = len(raw) - len(raw.lstrip(" "))
            if raw.lstrip(" ").startswith("* ") and lead % 4 == 0:
                stand_in(lineno, lead // 4, raw.strip())
            continue
        indent, title, target = len(m["indent"]), unescape(m["title"]), m["target"]
        if indent % 4:
            fail(lineno, f"indent must be a multiple of 4 spaces, got {indent}")
            continue
        depth = indent // 4
        if depth > len(stack):
            fail(lineno, f"'{title}' is nested {depth - len(stack)} levels deeper than the entry above")
            continue
        if not target:
            fail(lineno, f"'{title}' points nowhere: the link target is empty")
            stand_in(lineno, depth, title)
            continue
        if not NOTE_PATH.match(target):
            fail(lineno, f"'{title}' points to {target!r}: a target must be a relative, lowercase, "
                         "ASCII kebab-case path ending in .md, with no anchor (e.g. til-ml/bert.md)")
            stand_in(lineno, depth, title)
            continue
        if target in seen:
            fail(lineno, f"'{title}' points to {target}, already used on line {seen[target]}")
            stand_in(lineno, depth, title)
            continue
        del stack[depth:]
        seen[target] = lineno
        parent = stack[-1] if stack else None
        if parent is not None and parent.path:  # a stand-in parent has no folder to check against
            folder = posixpath.dirname(parent.path)
            if posixpath.basename(parent.path) != "index.md":
                if not parent.children:  # once per parent, not once per child
                    fail(parent.line, f"'{parent.title}' has children, so it must be "
                                      f"{parent.path[:-3]}/index.md")
            elif _entry_folder(target) != folder:
                fail(lineno, f"'{title}' lives under '{parent.title}', so its path must be in {folder}/, "
                             f"got {target}")
        entry = Entry(lineno, depth, title, target, parent if parent is None or parent.path else None)
        if parent is not None and parent.path:
            parent.children.append(entry)
        entries.append(entry)
        stack.append(entry)
    if errors:
        raise SummaryError("\n".join(errors))
    return entries


def md_escape(text: str) -> str:
    """Escape Markdown syntax characters of a title used as link text."""
    return re.sub(r"([\\\[\]*_`])", r"\\\1", text)


OWN_DATE_LABEL = "작성일"  # a page's own date (a note's writing day, a diary entry's day), not "last updated"


def own_date_markdown(date: str) -> str:
    """The line that gives a page's own date, the same on written notes and placeholders."""
    return f"{OWN_DATE_LABEL}: {date}"


def placeholder_markdown(entry: Entry) -> str:
    """Markdown of the generated page for an entry whose note is not written."""
    here = posixpath.dirname(entry.path)

    def rel(target: Entry) -> str:
        return posixpath.relpath(target.path, here or ".")

    lines = [
        "---",
        "search:",
        "  exclude: true",
        "til_placeholder: true",
        "---",
        "",
        f"# {md_escape(entry.title)}",
        "",
    ]
    trail = entry.trail
    if trail:
        crumbs = " › ".join(f"[{md_escape(a.title)}]({rel(a)})" for a in trail)
        lines += [f"**위치:** {crumbs} › {md_escape(entry.title)}", ""]
    if entry.date:
        lines += [own_date_markdown(entry.date), ""]
    lines += [
        '!!! note "아직 쓰지 않은 노트"',
        f"    이 노트는 아직 작성되지 않았습니다. `docs/{entry.path}` 파일을 만들면 "
        "다른 수정 없이 이 안내 페이지를 대신합니다.",
        "",
    ]
    if entry.children:
        lines += ["## 하위 항목 {#children}", ""]
        lines += [f"- [{md_escape(c.title)}]({rel(c)})" for c in entry.children]
        lines.append("")
    return "\n".join(lines)
