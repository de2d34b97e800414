"""Fast and still correct reloads under `til serve --dirty` (what `make serve` runs).

With `--dirty`, MkDocs re-renders only pages whose File says it is modified, but it
judges by mtimes, which is wrong here both ways:

* generated placeholder pages always look modified, so all 500 are re-rendered;
* a written note that shows snippet output never looks modified when only a
  snippet changed, so it would be served stale.

So this module decides instead, by comparing with the last successful build:

* A placeholder's HTML depends only on the nav: SUMMARY.md, which notes are
  written, mkdocs.yml and the theme overrides. Their hash is the nav signature;
  placeholders are re-rendered when it changed.
* A written note or notebook is re-rendered when its inputs changed: its own
  source, the nav signature, the snippets code it shows (a note: the bytes of
  the whole package, what its values, figures and included code read; a
  notebook paired with a note: the code its imports reach, as its run is
  keyed), the files under docs/ that are not pages (name, size and mtime: the
  images whose sizes it shows), the list of pages, which note each notebook
  belongs to, pyproject.toml (the wheel's name), and its last commit date. A save that changes nothing, or an edit undone (the fix of a
  broken build, say), re-renders nothing. Includes from outside the package and
  docs/ are not followed: edit the page, or restart, to see those.
* A page written by a build that then failed is re-rendered by the next one,
  whatever it compares with: it may show what the failed build saw.

Static files keep MkDocs' own mtime rule.

Two more things follow from re-rendering a few pages only:

* the theme's static pages (404.html, sitemap.xml) show the nav and the list of
  pages only, so they too are rendered again only when the nav signature changed;
* Material's search plugin writes an index of the pages rendered in this build
  (it expects one page per dirty rebuild, and `mkdocs serve` without --dirty
  keeps nothing), so after a rebuild search would find 3 pages of 515. The
  index is completed from the last good build's records of the pages not
  rendered again and still on the site (``complete_search_index``).

The state lives on a DirtyServe object held by the plugin, which MkDocs keeps across serve rebuilds.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

_DIRTY_WARNING = "A 'dirty' build is being performed"


class _DropDirtyWarning(logging.Filter):
    """MkDocs warns on every dirty build, which strict mode turns into a failure;
    the rule above keeps the nav exact, so the warning does not apply."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(_DIRTY_WARNING)


class DirtyServe:
    """Which pages a `serve --dirty` rebuild re-renders (see module docstring)."""

    def __init__(self) -> None:
        self.command: str | None = None
        self.dirty = False
        self.signature: str | None = None
        self.pending: str | None = None
        self.rendered: set[str] = set()  # URLs of the pages this build renders
        self.pages: set[str] = set()  # URLs of every page of this build
        self.page_keys: dict[str, str] = {}  # src_uri -> hash of a written page's inputs, last good build
        self.pending_keys: dict[str, str] = {}
        self.placeholders: set[str] = set()
        self.written_now: set[str] = set()  # src_uris of the pages this build has written
        self.search_docs: list[dict] | None = None  # the last good build's search records

    def start(self, command: str, dirty: bool) -> None:
        self.command, self.dirty, self.signature = command, dirty, None
        if command == "serve" and dirty:
            logger = logging.getLogger("mkdocs.commands.build")
            if not any(isinstance(f, _DropDirtyWarning) for f in logger.filters):
                logger.addFilter(_DropDirtyWarning())

    def serving(self) -> bool:
        return self.command == "serve"

    def dirty_serving(self) -> bool:
        return self.serving() and self.dirty

    def mark_modified(self, files, placeholders: set[str], signature: str, theme, page_key) -> None:
        """Tell MkDocs which pages to re-render in this dirty build, and whether the
        theme's static pages are rendered again (see module docstring).
        `page_key(file)` hashes a written page's inputs."""
        nav_changed = signature != self.signature
        self.pending = signature  # committed by build_succeeded()
        self.pending_keys, self.placeholders, self.written_now = {}, placeholders, set()
        self.rendered, self.pages = set(), set()
        for f in files.documentation_pages():
            url = "" if f.url in (".", "./") else f.url  # as Page.url, and search records, name the home page
            self.pages.add(url)
            if f.src_uri in placeholders:
                modified = nav_changed
            else:
                key = self.pending_keys[f.src_uri] = page_key(f)
                modified = key != self.page_keys.get(f.src_uri)
            f.is_modified = (lambda m=modified: m)
            if modified:
                self.rendered.add(url)
        if not nav_changed:
            theme.static_templates.clear()  # the last good build's 404.html and sitemap.xml stay

    def page_written(self, src_uri: str) -> None:
        self.written_now.add(src_uri)

    def build_succeeded(self) -> None:
        if self.pending is not None:
            self.signature, self.pending = self.pending, None
            self.page_keys = self.pending_keys
        self.written_now = set()

    def build_failed(self) -> None:
        """What this failed build wrote is rendered again by the next one."""
        for src in self.written_now:
            self.page_keys.pop(src, None)
        if self.pending is not None and (self.pending != self.signature or self.written_now & self.placeholders):
            self.signature = None  # its 404.html and sitemap.xml (written first) or placeholders may show its nav
        self.pending, self.written_now = None, set()

    def complete_search_index(self, index: dict) -> None:
        """Put back into Material's search index (its parsed search_index.json) the records
        of the pages this build did not render (see module docstring), each page's records
        where they were."""

        def page(doc: dict) -> str:
            return doc["location"].partition("#")[0]

        if self.search_docs is not None:
            # this build's records of a page: its last run, from its page record (Material's own
            # merge under --dirty keeps the old records of all but one page before the new ones)
            fresh: dict[str, list[dict]] = {}
            for doc in index["docs"]:
                if page(doc) in self.rendered:
                    if doc["location"] == page(doc):
                        fresh[page(doc)] = []
                    fresh.setdefault(page(doc), []).append(doc)
            docs = []
            for doc in self.search_docs:
                if page(doc) not in self.rendered:
                    if page(doc) in self.pages:  # a page gone from the site: not searchable
                        docs.append(doc)
                else:
                    docs.extend(fresh.pop(page(doc), []))  # at the page's first record, once
            for rest in fresh.values():  # a page new to the site
                docs.extend(rest)
            index["docs"] = docs
        self.search_docs = index["docs"]


def tree_digest(root: Path, *, contents: bool, skip=lambda rel: False) -> str:
    """Hash of the files under `root`: their bytes (contents=True), or their names, sizes and mtimes."""
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")) if root.is_dir() else []:
        rel = path.relative_to(root).as_posix()
        parts = path.relative_to(root).parts
        if skip(rel) or "__pycache__" in parts or any(p.startswith(".") for p in parts):
            continue  # as MkDocs, dotfiles (an editor's swap files) are not part of the site
        try:
            if not path.is_file():
                continue
            data = path.read_bytes() if contents else "{0.st_size} {0.st_mtime_ns}".format(path.stat()).encode()
        except FileNotFoundError:
            continue  # an editor's temporary file, gone since the listing
        h.update(rel.encode() + b"\0" + data)
    return h.hexdigest()


def nav_signature(config_file: Path, summary_text: str, written: list[str]) -> str:
    """Hash of everything a placeholder page's HTML depends on."""
    h = hashlib.sha256(summary_text.encode())
    h.update("\n".join(sorted(written)).encode())
    h.update(config_file.read_bytes())
    overrides = config_file.parent / "overrides"
    for path in sorted(overrides.rglob("*")) if overrides.is_dir() else []:
        if path.is_file():
            h.update(str(path.relative_to(overrides)).encode() + path.read_bytes())
    return h.hexdigest()
