"""Included code blocks that run when copied, titled with their file's name.

A page includes code from ``snippets/`` with pymdownx.snippets, one fenced
block per section:

    ```python
    --8<-- "snippets/convolution/signal1d.py:convolve"
    ```

``expand`` rewrites each such block (before Markdown runs) into

* the block itself, titled with the file's name (``signal1d.py``; a title of
  the page's own must start with that name or the repository path), inside a
  ``<div class="til-code">`` that ``finish_html`` gives a ``data-copy``
  attribute: Material's copy button copies that text instead of the visible
  code.  It holds the whole program (``tilsite.library.deps.program``): imports, the
  helpers and constants the shown code needs, and the shown code, in source
  order;
* a collapsed block "함께 복사되는 import와 도우미 함수" under it with
  everything in the program but the shown code, so nothing is copied that a
  reader cannot see.

``finish_html`` also links the title to the file, which the build copies into
the site (``DOWNLOADS``).  Blocks that include something else are left alone.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from pathlib import Path

from . import includes
from .deps import program
from .execute import ExecError, SnippetError, at, line_of, module_file, package

DOWNLOADS = "downloads"  # site folder of the snippets files and the wheel
NEEDS_TITLE = "함께 복사되는 import와 도우미 함수"


@functools.lru_cache(maxsize=4)
def include_block(pkg: str) -> re.Pattern:
    """A fence holding exactly one include of a `pkg` .py file (optionally one section), at any indent."""
    return re.compile(
        r'^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^\n`]*)\n'
        r'(?P=indent)--8<--[ \t]+(?P<q>["\'])(?P<path>' + re.escape(pkg) +
        r'/[^"\'\n:]+\.py)(?::(?P<section>[\w-]+))?(?P=q)[ \t]*\n'
        r'(?P=indent)(?P=fence)[ \t]*$', re.M)


_TITLE = re.compile(r'\btitle=(?P<q>["\'])(?P<title>.*?)(?P=q)')


@dataclass(frozen=True)
class Block:
    """One included block of a page, rewritten by expand()."""

    path: str  # e.g. snippets/convolution/signal1d.py
    section: str | None
    copy: str  # what the copy button copies: the whole program


def download_path(path: str) -> str:
    """Site path of an included snippets file: downloads/snippets/convolution/signal1d.py."""
    return f"{DOWNLOADS}/{path}"


def section_lines(text: str, section: str | None) -> tuple[int, int]:
    """First and last line (1-based) of a section's content, or of the whole file."""
    lines = text.splitlines()
    if section is None:
        return 1, len(lines)
    span = includes.section_spans(lines).get(section)
    if span is None:
        raise ExecError(f"has no section '{section}'")  # includes.check_includes reports it first
    return span[0] + 1, span[1] - 1


def _module(path: str) -> str:
    return path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def _fence(indent: str, fence: str, info: str, body: str) -> list[str]:
    return [f"{indent}{fence}{info}"] + [f"{indent}{line}" if line else "" for line in body.splitlines()] + \
        [f"{indent}{fence}"]


def expand(markdown: str, root: Path, where: str, raw: str | None = None) -> tuple[str, list[Block]]:
    """The page with its snippets code blocks rewritten, and the blocks (in page order).

    `root` is the project folder (include paths are relative to it), `where`
    names the page in messages ('docs/x.md'), `raw` is the page's file as
    written (line numbers count its front matter); errors are
    ExecError('docs/x.md:LINE: ...').
    """
    blocks: list[Block] = []
    raw = markdown if raw is None else raw

    def rewrite(m: re.Match) -> str:
        pos = raw.find(m.group(0))
        here = f"{where}:{line_of(raw, max(pos, 0)) + 1}"  # the include line
        path, section, indent, fence = m["path"], m["section"], m["indent"], m["fence"]
        name = Path(path).name
        info = m["info"]
        title = _TITLE.search(info)
        if title is None:
            info = f'{info.rstrip()} title="{name}"'
        else:  # the file's name or its repository path, then optionally more words: shown as the name
            for named in (path, name):
                if title["title"] == named or title["title"].startswith(named + " "):
                    shown = name + title["title"][len(named):]
                    info = info[:title.start()] + f'title="{shown}"' + info[title.end():]
                    break
            else:
                raise ExecError(f"{here}: the block's title {title['title']!r} must name its file, "
                                f"'{name}' (or leave the title out: the build sets it)")
        file = module_file(_module(path))
        if file is None or file.resolve() != (root / path).resolve():
            raise ExecError(f"{here}: {path} is not the file of the installed module {_module(path)} "
                            f"({file}): run 'make install'")
        try:
            text = file.read_text("utf-8")
            first, last = section_lines(text, section)
            prog = program(_module(path), lines=(first, last))
        except SnippetError as exc:  # e.g. the file does not parse: reported at its own line
            raise ExecError(at(here, exc)) from None
        except ExecError as exc:
            raise ExecError(f"{here}: {path}{':' + section if section else ''}: {exc}") from None
        except (OSError, SyntaxError) as exc:
            raise ExecError(f"{here}: {path}: {type(exc).__name__}: {exc}") from None
        if re.search(r"^[ \t]*;*-+8<-+", prog.text, re.M):
            raise ExecError(f"{here}: {path}: the program holds a '--8<--' line, which pymdownx.snippets "
                            "would read as an include")
        n = len(blocks)
        blocks.append(Block(path, section, prog.text))
        out = [f'{indent}<div class="til-code" data-til-code="{n}" markdown>', ""]
        out += [f"{indent}{fence}{info}", m.group(0).splitlines()[1], f"{indent}{fence}", "", f"{indent}</div>"]
        if prog.needs.strip():  # imports at least, unless the block shows the whole file
            out += ["", f'{indent}??? note "{NEEDS_TITLE}"', ""]
            # plain text, not highlighted: the helpers of 16 blocks in token spans cost 13 KB of the
            # note's gzip weight (23 -> 15 KB for these blocks, with the copy text 35 -> 21 KB)
            out += _fence(indent + "    ", fence, "text", prog.needs)
        return "\n".join(out)

    return include_block(package()).sub(rewrite, markdown), blocks


# inside content tabs md_in_html leaves the div alone, `markdown` attribute and all
_MARK = re.compile(r'<div class="til-code" data-til-code="(?P<n>\d+)"(?: markdown(?:="[^"]*")?)?>(?P<head>.*?<span class="filename">)'
                   r'(?P<title>[^<]*)(?P<tail></span>)', re.S)


def finish_html(page_html: str, blocks: list[Block], href) -> str:
    """Put each block's program into its data-copy attribute and link its title to the file.

    `href(path)` is the URL of a snippets file's download, relative to the page; with href None
    the title is left as it is (no downloads).
    """
    done = set()

    def fill(m: re.Match) -> str:
        n = int(m["n"])
        block = blocks[n]
        done.add(n)
        copy = html.escape(block.copy, quote=True).replace("\n", "&#10;")
        name = Path(block.path).name
        title = m["title"]
        if href is None:
            return f'<div class="til-code" data-copy="{copy}">{m["head"]}{title}{m["tail"]}'
        rest = title[len(name):] if title.startswith(name) else ""
        link = (f'<a href="{html.escape(href(block.path))}" download="{name}" '
                f'title="{name} 내려받기">{name}</a>{rest}')
        return f'<div class="til-code" data-copy="{copy}">{m["head"]}{link}{m["tail"]}'

    out = _MARK.sub(fill, page_html)
    missing = sorted(set(range(len(blocks))) - done)
    if missing:
        raise ExecError(f"code block(s) {', '.join(blocks[i].path for i in missing)} were not rendered "
                        "as expected (no title found)")
    return out
