"""`til new ENTRY`: start the note of a docs/SUMMARY.md entry.

ENTRY is the entry's path (``til-ml/.../ai-math-8gang-....md``, with or without
``docs/``) or its title trail joined by `` > ``; the end of a trail is enough
when it names one entry (``"AI Math > (AI Math 8강) 베이즈 통계학 맛보기"``).

The file gets the entry's title as its H1, exactly as in SUMMARY.md, and a
diary entry gets its day.  Nothing else is written into it: a directive left in
a comment would still run at build time, so how to add values, figures and
code is printed on the terminal instead.  The placeholder page disappears on
the next build, since a written note takes its entry's place.
"""

from __future__ import annotations

import difflib
import sys
import unicodedata
from pathlib import Path

from ..nav.summary import Entry, SummaryError, md_escape, own_date_markdown, parse_summary

SEP = " > "

HOW_TO = """\
다음 단계 (next steps):
  값 하나      {{{{ value convolution.shapes:output_size(28, 3) }}}}
               snippets/<주제>/<모듈>.py의 식을 빌드할 때 계산해 넣는다.
  그림 하나    {{{{ figure convolution.figures:plot_param_counts }}}}
               plot_<무엇>() 함수의 그림. 독스트링 첫 줄이 캡션이 된다.
  코드 한 절   ```python title="shapes.py"
               --8<-- "snippets/convolution/shapes.py:output_size"
               ```
               파이썬 파일 안의 '# --8<-- [start:이름]' ... '# --8<-- [end:이름]' 구간을 보여 준다.
  미리 보기    make serve  ->  {url}
자세한 규칙은 CONTRIBUTING.md에 있다."""


class NewNoteError(Exception):
    """ENTRY names no entry, several, or one whose note exists: the message says which."""


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def trail_text(entry: Entry) -> str:
    return SEP.join([a.title for a in entry.trail] + [entry.title])


def find_entry(entries: list[Entry], query: str) -> Entry:
    """The one entry `query` names (a path or a title trail), else NewNoteError with close matches."""
    q = _norm(query)
    path = q.removeprefix("docs/")
    by_path = [e for e in entries if e.path == path]
    if by_path:
        return by_path[0]
    parts = [_norm(p) for p in q.split(SEP.strip())]
    hits = [e for e in entries
            if [_norm(t) for t in trail_text(e).split(SEP)][-len(parts):] == parts]
    if len(hits) == 1:
        return hits[0]
    if hits:
        listed = "\n".join(f"  {trail_text(e)}  ({e.path})" for e in hits)
        raise NewNoteError(f"'{query}' names {len(hits)} entries; give the path of one:\n{listed}")
    raise NewNoteError(f"no entry of docs/SUMMARY.md is '{query}'. Close matches:\n"
                       + ("\n".join(f"  {trail_text(e)}  ({e.path})" for e in close_matches(entries, q))
                          or "  (none)"))


def close_matches(entries: list[Entry], query: str, n: int = 5) -> list[Entry]:
    """Entries `query` may have meant: containing it (path or title), then the most similar."""
    stem = query.removeprefix("docs/").removesuffix(".md")
    title = _norm(query.split(SEP.strip())[-1])
    if "/" in query or query.endswith(".md"):  # a path: compare with paths
        keyed = {e.path: e for e in entries}
        found = [e for e in entries if e.path.startswith(stem) or stem in e.path]
        found += [keyed[k] for k in difflib.get_close_matches(query.removeprefix("docs/"), keyed, n, 0.6)]
    else:  # a title or a trail: compare with titles and trails
        keyed = {trail_text(e): e for e in entries}
        found = [e for e in entries if title in _norm(e.title)]
        found += [keyed[k] for k in difflib.get_close_matches(query, keyed, n, 0.5)]
        titles = {}
        for e in entries:
            titles.setdefault(_norm(e.title), e)
        found += [titles[k] for k in difflib.get_close_matches(title, titles, n, 0.5)]
    return list({e.path: e for e in found}.values())[:n]  # Entry is unhashable: dedupe by path


def note_markdown(entry: Entry) -> str:
    """The new note's text: its H1 and, for a diary entry, its day."""
    lines = [f"# {md_escape(entry.title)}", ""]
    if entry.date:
        lines += [own_date_markdown(entry.date), ""]
    return "\n".join(lines)


def new_note(project: Path, query: str) -> Path:
    """Create the note for `query` in `project`; return its path. Raises NewNoteError."""
    summary = project / "docs" / "SUMMARY.md"
    try:
        entries = parse_summary(summary.read_text("utf-8"))
    except FileNotFoundError:
        raise NewNoteError(f"{summary} not found: run this in the project folder or pass --project") from None
    except SummaryError as exc:
        raise NewNoteError(str(exc)) from None
    entry = find_entry(entries, query)
    path = project / "docs" / entry.path
    if path.exists():
        raise NewNoteError(f"docs/{entry.path} already exists: '{trail_text(entry)}' is written; edit that file")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(note_markdown(entry), encoding="utf-8")
    return path


def add_parser(sub) -> None:
    p = sub.add_parser("new", help="start the note of a docs/SUMMARY.md entry",
                       description="Creates docs/<path> for a SUMMARY entry with its exact title (and a diary "
                                   "entry's day), then prints how to add values, figures and code.")
    p.add_argument("entry", help="the entry's path (til-ml/.../x.md) or title trail 'A > B > Title'")
    p.add_argument("--project", type=Path, default=Path("."), help="folder holding mkdocs.yml (default: .)")


def run(args) -> int:
    project = args.project.resolve()
    try:
        path = new_note(project, args.entry)
    except NewNoteError as exc:
        print(f"til new: {exc}", file=sys.stderr)
        return 2
    rel = path.relative_to(project).as_posix()
    page = rel.removeprefix("docs/").removesuffix(".md")
    page = page.removesuffix("index") if page == "index" or page.endswith("/index") else page + "/"
    print(f"created {rel}\n")
    print(HOW_TO.format(url=f"http://127.0.0.1:8000/{page}"))
    return 0
