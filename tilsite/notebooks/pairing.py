"""A notebook page and its note: which note links to it, and heading ids its TOC can reach."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path


def companion_notes(files, docs: Path, written: list[str]) -> dict[str, str]:
    """{notebook src: the written note that links to it}: the notebook page is shown in that
    note's place in the nav (sidebar, tab, breadcrumbs), though it stays out of SUMMARY.md."""
    out = {}
    notebooks_src = [f.src_uri for f in files.documentation_pages() if f.src_uri.endswith(".py")]
    for nb in notebooks_src:
        for src in written:
            target = posixpath.relpath(nb, posixpath.dirname(src) or ".")
            if re.search(rf"\]\({re.escape(target)}(?:#[^)]*)?\)", (docs / src).read_text("utf-8")):
                out[nb] = src
                break
    return out


_NB_EMPTY_ID = re.compile(r'(<h[1-6] id=)""((?:(?!</h[1-6]>).)*?<a class="anchor-link" href=")#(">)', re.S)


def _toc_ids(items):
    for item in items:
        yield item.id
        yield from _toc_ids(item.children)


def align_notebook_ids(html: str, toc) -> str:
    """Give headings nbconvert left without an id (all-Korean text) the id the TOC links to.

    mkdocs-jupyter builds the TOC with Python-Markdown's slugify ('_1' for an empty
    slug), nbconvert writes id="": the TOC and Material's skip link would point nowhere.
    """
    missing = iter([i for i in _toc_ids(toc) if f'id="{i}"' not in html])
    return _NB_EMPTY_ID.sub(lambda m: (f'{m[1]}"{i}"{m[2]}#{i}{m[3]}' if (i := next(missing, None))
                                       else m[0]), html)
