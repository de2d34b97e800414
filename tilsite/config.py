"""The `til` plugin's options (``plugins: - til: {...}`` in mkdocs.yml), checked by MkDocs."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c


class _ExecuteMode(c.Choice):
    """auto / off / force; YAML reads a bare `off` as false (and `!ENV` values the same way)."""

    def run_validation(self, value):
        if value is False:
            value = "off"
        return super().run_validation(value)


class TilConfig(base.Config):
    package = c.Type(str, default="snippets")
    """Importable package whose modules `{{ value }}` and `{{ figure }}` name, relative to it."""

    mirror = c.Type(bool, default=False)
    """GitBook mirror: placeholders for unwritten SUMMARY entries, written-note marks, SUMMARY checks."""

    execute = _ExecuteMode(("auto", "off", "force"), default="auto")
    """auto: draw and run what changed; off: stub figures, notebooks not run; force: ignore the caches."""

    cache_dir = c.Type(str, default=".cache")
    """Folder of drawn figures, computed values, typeset math, executed notebooks and compiled theme templates, relative to mkdocs.yml."""

    math = c.Type(bool, default=True)
    """Typeset `$...$` and `$$...$$` with KaTeX at build time; readers get its CSS and fonts only."""

    katex_dir = c.Optional(c.Type(str))
    """Folder holding katex.min.js, katex.min.css and fonts/, relative to mkdocs.yml (default: the copy in tilsite)."""

    wheel = c.Type(bool, default=True)
    """Offer the package as a wheel for download (off by itself when there is no pyproject.toml)."""

    downloads = c.Type(bool, default=True)
    """Offer each included package file for download (code block titles link to it)."""

    git_dates = c.Type(bool, default=True)
    """Show each written note's last commit date (off by itself outside a Git checkout)."""

    notebook_search_boost = c.Type(float, default=0.5)
    """Search boost of a notebook page, so its note ranks first for the words they share."""

    error_page = c.Type(bool, default=True)
    """Under `mkdocs serve`, answer pages with an HTTP 500 page naming file:line while a rebuild fails."""

    fast_reload = c.Type(bool, default=True)
    """Under `mkdocs serve`, re-render only the written pages whose inputs changed (and placeholders when the nav changed); search still covers every page."""
