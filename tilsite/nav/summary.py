"""Read and check docs/SUMMARY.md, the GitBook-format navigation, and write the
placeholder page of every entry whose note is not written yet."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from .korean import particle

_ENTRY = re.compile(r"^(?P<indent> *)\* \[(?P<title>(?:\\.|[^\]\\])+)\]\((?P<target>[^()\s]*)\)\s*$")
EXTERNAL_URL = re.compile(r"^https?://[^\s()<>]+$")  # a nav link off the site, e.g. from an imported GitBook
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
    def external(self) -> bool:
        """An entry linking off the site: a nav link, with no page and no children."""
        return bool(EXTERNAL_URL.match(self.path))

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
    An entry may instead link off the site ('* [Title](https://...)'): it has no page
    and no children.
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
        if EXTERNAL_URL.match(target):
            del stack[depth:]
            parent = stack[-1] if stack else None
            entry = Entry(lineno, depth, title, target, parent if parent is None or parent.path else None)
            if parent is not None and parent.path:
                if parent.external:
                    fail(lineno, f"'{title}' lives under '{parent.title}', an external link, "
                                 "which cannot have children")
                parent.children.append(entry)
            entries.append(entry)
            stack.append(entry)
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
        if parent is not None and parent.external:
            fail(lineno, f"'{title}' lives under '{parent.title}', an external link, which cannot have children")
        elif parent is not None and parent.path:  # a stand-in parent has no folder to check against
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


UNWRITTEN = "미작성"  # the mark of an entry whose note is not written, in its page and search record
# Placeholders rank after written notes in search (Material multiplies the score by the boost).
PLACEHOLDER_BOOST = 0.05


def written_below(entry: Entry, written: frozenset[str] | set[str]) -> list[Entry]:
    """Written notes among `entry`'s descendants, in nav order."""
    out = []
    for child in entry.children:
        if child.path in written:
            out.append(child)
        out += written_below(child, written)
    return out


def placeholder_markdown(entry: Entry, written: frozenset[str] | set[str] = frozenset(),
                         home: str = "index.md", serving: bool = False) -> str:
    """Markdown of the generated page for an entry whose note is not written.

    Readers see the entry's place, and for a section its items with the written
    notes marked and listed; nothing about the repository. serving=True (``make serve``,
    the author's own preview) adds how to write the note: the file to create and `til new`.
    Search indexes one record per placeholder: the title and the status line (place in
    the tree and "미작성"); the rest is marked data-search-exclude.
    """
    here = posixpath.dirname(entry.path)
    title = entry.title

    def rel(target: str) -> str:
        return posixpath.relpath(target, here or ".")

    lines = [
        "---",
        "search:",
        f"  boost: {PLACEHOLDER_BOOST}",
        "til_placeholder: true",
        "---",
        "",
        f"# {md_escape(title)}",
        "",
    ]
    trail = entry.trail
    status = ["**위치:** " + " › ".join([f"[{md_escape(a.title)}]({rel(a.path)})" for a in trail]
                                         + [md_escape(title)])]
    if entry.children:
        status.append(f"섹션, 항목 {len(entry.children)}개")
    status.append(UNWRITTEN)
    lines += [" · ".join(status), '{ .til-status }', ""]
    if entry.date:
        lines += [own_date_markdown(entry.date), '{ .til-status data-search-exclude="1" }', ""]
    # <section>, not <div>: Material's search parser matches end tags by name, so a nested
    # </div> (an admonition's) would end the exclusion early; headings need their own mark
    lines += ['<section class="til-placeholder" data-search-exclude="1" markdown>', ""]
    if entry.children:
        lines += ['## 이 섹션의 항목 {#children data-search-exclude="1"}', ""]
        for c in entry.children:
            mark = " · **작성된 노트**" if c.path in written else ""
            lines.append(f"- [{md_escape(c.title)}]({rel(c.path)}){mark}")
        lines.append("")
        below = written_below(entry, written)
        lines += ['## 이 섹션의 작성된 노트 {#written-notes data-search-exclude="1"}', ""]
        if below:
            for w in below:
                inner = " › ".join(a.title for a in w.trail[len(trail) + 1:])
                lines.append(f"- [{md_escape(w.title)}]({rel(w.path)})" + (f" — {md_escape(inner)}" if inner else ""))
        else:
            lines.append(f"아직 이 섹션에는 옮겨 적은 노트가 없습니다. "
                         f"[작성된 노트 전체]({rel(home)}#written-notes)를 둘러보세요.")
        lines.append("")
    else:
        parent = (f"[{md_escape(trail[-1].title)}]({rel(trail[-1].path)}) 섹션의 다른 항목이나 "
                  if trail else "")
        lines += [
            '!!! info "아직 옮겨 적지 않은 노트"',
            f"    **{md_escape(title)}**{particle(title, '은')} 원래 GitBook에 있던 글로, 아직 이 사이트로 "
            f"옮겨 적지 않았습니다. {parent}[작성된 노트]({rel(home)}#written-notes)를 읽어 보세요.",
            "",
        ]
    if serving:
        # the author's preview only: the built site never names repository files
        what = "이 섹션의 소개 글" if entry.children else "이 노트"
        lines += [
            '??? tip "이 노트 쓰기 (make serve에서만 보이는 안내)"',
            f"    {what}를 쓰려면 `til new {entry.path}`를 실행하거나, `docs/{entry.path}` 파일을 만들고 "
            f"첫 줄에 `# {title}`{particle(title, '을')} 쓰세요. 저장하면 이 안내 페이지 대신 그 글이 보입니다.",
            "",
        ]
    lines += ["</section>", ""]
    return "\n".join(lines)
