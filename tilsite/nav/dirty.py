"""Fast and still correct reloads under `til serve --dirty` (what `make serve` runs).

With `--dirty`, MkDocs re-renders only pages whose File says it is modified, but it
judges by mtimes, which is wrong here both ways:

* generated placeholder pages always look modified, so all 500 are re-rendered;
* a written note that shows snippet output never looks modified when only a
  snippet changed, so it would be served stale.

So this module decides instead. A placeholder's HTML depends only on the nav:
SUMMARY.md, which notes are written, mkdocs.yml and the theme overrides. Their
hash is the nav signature; placeholders are re-rendered when it changed since
the last successful build. Written notes and notebooks are always re-rendered
(there are few, and their snippets may have changed). Static files keep MkDocs'
own mtime rule.

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

    def mark_modified(self, files, placeholders: set[str], signature: str) -> None:
        """Tell MkDocs which pages to re-render in this dirty build (see module docstring)."""
        nav_changed = signature != self.signature
        self.pending = signature  # committed by build_succeeded()
        for f in files.documentation_pages():
            if f.src_uri in placeholders:
                f.is_modified = (lambda changed=nav_changed: changed)
            else:
                f.is_modified = lambda: True

    def build_succeeded(self) -> None:
        if self.pending is not None:
            self.signature, self.pending = self.pending, None


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
