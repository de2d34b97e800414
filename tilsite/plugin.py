"""The `til` MkDocs plugin: pages that quote tested code, math typeset at build time, the GitBook mirror.

``plugins: - til`` (entry point in the ``mkdocs.plugins`` group). The work lives in
the subpackages (``library``, ``nav``, ``notebooks``, ``render``); this module
connects it to MkDocs' events and keeps the state of one build (or one serve) on
the plugin instance. Options: ``tilsite.config.TilConfig``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from pathlib import Path

from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, InclusionLevel
from mkdocs.utils import clean_directory, get_relative_url

from tilsite.authoring import devserver
from tilsite.config import TilConfig
from tilsite.errors import TilError
from tilsite.library import codeblocks, includes, values, wheel
from tilsite.library import execute as ex
from tilsite.library import figures as fig
from tilsite.nav import checks, gitdates, mirror
from tilsite.nav.dirty import DirtyServe, nav_signature, tree_digest
from tilsite.nav.summary import SummaryError, parse_summary, placeholder_markdown
from tilsite.notebooks import html as nbhtml
from tilsite.notebooks import pairing
from tilsite.notebooks import run as notebooks
from tilsite.render import KATEX_DIR, imgsize, katex, mathhead, preload, searchtext

log = logging.getLogger("mkdocs.plugins.til")

KATEX_SITE_DIR = "assets/vendor/katex"  # where its CSS and fonts go in the site
KATEX_CSS = f"{KATEX_SITE_DIR}/katex.min.css"


class TilPlugin(BasePlugin[TilConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.dirty = DirtyServe()
        self.serve_errors = devserver.ErrorState()
        # placeholder pages' Markdown, kept across `mkdocs serve` rebuilds while SUMMARY and the
        # written notes stay the same (500 pages: 0.1 s of each rebuild)
        self.placeholder_texts: tuple[tuple, dict[str, str]] = ((), {})
        self.math: katex.Renderer | None = None
        self._reset()

    def _reset(self) -> None:
        """Per-build state."""
        self.site_dir: str | None = None
        self.root = Path(".")
        self.docs = Path("docs")
        self.docs_name = "docs"
        self.figures: fig.FigureCache | None = None
        self.values: values.ValueCache | None = None
        self.entries: dict = {}
        self.placeholders: set[str] = set()
        self.written: frozenset[str] = frozenset()
        self.updated: dict[str, str] = {}
        self.notebook_notes: dict[str, str] = {}
        self.notebook_note_page: dict = {}
        self.codeblocks: dict = {}
        self.notebook_css: dict[str, str] = {}
        self.search_tex: dict[str, dict] = {}
        self._written_pages: list[str] = []
        self.notebook_runs: notebooks.Runs | None = None
        self.cache = Path(".cache")

    # -- serve -------------------------------------------------------------------------

    def on_startup(self, command, dirty):
        fast = command == "serve" and self.config.fast_reload
        self.dirty.start(command, dirty or fast)
        if command == "serve" and (self.config.error_page or fast):
            self.serve_errors.show_errors = self.config.error_page  # a failed rebuild: an HTTP 500 page
            self.serve_errors.always_dirty = fast
            devserver.install(self.serve_errors)

    def on_serve(self, server, config, builder):
        try:
            server.watch(str(ex.snippets_root()))  # edited snippets rebuild the pages that quote them
        except ex.ExecError:
            pass  # no package: the build says so
        return server

    def on_build_error(self, error):
        self._close_math()
        self.dirty.build_failed()
        # MkDocs writes pages as it goes and checks strict-mode warnings last: a failed
        # build must not leave a site that looks deployable. `serve` keeps its last good one.
        if not self.dirty.serving() and self.site_dir and Path(self.site_dir).is_dir():
            clean_directory(self.site_dir)
            log.info("build failed: emptied %s so no partial site is left", self.site_dir)

    # -- config ------------------------------------------------------------------------

    def _close_math(self):
        if self.math is not None:
            self.math.close()

    def _katex_dir(self) -> Path:
        return self.root / self.config.katex_dir if self.config.katex_dir else KATEX_DIR

    def on_config(self, config):
        self._reset()
        ex.use_package(self.config.package)
        self.site_dir = config.site_dir
        self.root = Path(config.config_file_path).resolve().parent
        self.docs = Path(config.docs_dir)
        try:
            self.docs_name = self.docs.resolve().relative_to(self.root).as_posix()
        except ValueError:
            self.docs_name = str(self.docs)
        cache = self.cache = self.root / self.config.cache_dir
        self.figures = fig.FigureCache(cache / "til-figures", self.config.execute)
        self.values = values.ValueCache(cache / "til-values", self.config.execute)
        self._close_math()
        self.math = None
        if self.config.math:
            self.math = katex.Renderer(self._katex_dir() / "katex.min.js", cache / "til-katex")
            if KATEX_CSS not in config.extra_css:
                config.extra_css.insert(0, KATEX_CSS)
        self._add_markdown_extensions(config)
        jupyter = config.plugins.get("mkdocs-jupyter")
        if jupyter is not None:
            # mkdocs-jupyter resolves its cache_dir against the working directory
            jupyter.config["cache_dir"] = str(cache / "mkdocs-jupyter")
            if not ex.draws(self.config.execute):
                jupyter.config["execute"] = False
            if not ex.reads_cache(self.config.execute):
                jupyter.config["cache"] = False
            self.notebook_runs = notebooks.Runs(cache / "til-notebooks", self.config.execute)
            notebooks.install(self.notebook_runs)
        return config

    def _add_markdown_extensions(self, config):
        """What the plugin's output needs, when the site does not list it: figures, includes, math."""
        needed = {"attr_list": {}, "md_in_html": {},
                  "pymdownx.snippets": {"base_path": [str(self.root)], "check_paths": True,
                                        "dedent_subsections": True},
                  "pymdownx.superfences": {}}
        if self.config.math:
            needed["pymdownx.arithmatex"] = {"generic": True}
        for name, options in needed.items():
            if name not in config.markdown_extensions:
                config.markdown_extensions.append(name)
                if options:
                    config.mdx_configs[name] = options

    def on_pre_build(self, config):
        ex.purge_snippets()  # `mkdocs serve` must import edited snippets afresh
        self.figures.drawn.clear()

    # -- files -------------------------------------------------------------------------

    @event_priority(0)
    def _files_mirror(self, files, config):
        """Check the pages; with `mirror`, add a placeholder page for every unwritten SUMMARY entry."""
        summary_text = ""
        entries = []
        if self.config.mirror:
            try:
                summary_text = (self.docs / "SUMMARY.md").read_text("utf-8")
                entries = parse_summary(summary_text, f"{self.docs_name}/SUMMARY.md")
            except FileNotFoundError:
                raise TilError(f"{self.docs_name}/SUMMARY.md is missing: it is the site's navigation") from None
            except SummaryError as exc:
                raise TilError(str(exc)) from None
            nav_file = files.get_file_from_path("SUMMARY.md")
            if nav_file is not None:
                # literate-nav reads it from `files`; the site needs no /SUMMARY/ page (nor its search entry)
                nav_file.inclusion = InclusionLevel.EXCLUDED
        self.entries = {e.path: e for e in entries}

        errors = checks.ascii_name_errors(files, self.docs, self.docs_name) if self.config.mirror else []
        written = sorted(f.src_uri for f in files.documentation_pages() if f.src_uri.endswith(".md")
                         and f.src_uri != "SUMMARY.md" and f.abs_src_path and f.src_uri.isascii())
        snippet_pre = includes.preprocessor(config.mdx_configs.get("pymdownx.snippets", {}))
        for src in written:
            if self.config.mirror:
                errors += checks.note_path_errors(src, self.entries, self.docs_name)
            text = (self.docs / src).read_text("utf-8")
            errors += checks.page_errors(src, text, snippet_pre, self.root, self.docs_name)
        if errors:
            raise TilError("\n".join(dict.fromkeys(errors)))  # a file included twice: one message

        written_set = set(written)
        self.placeholders = set()
        written_entries = frozenset(e.path for e in entries if e.path in written_set)
        memo = (summary_text, written_entries, self.dirty.serving())
        if self.placeholder_texts[0] != memo:
            self.placeholder_texts = (memo, {})
        texts = self.placeholder_texts[1]
        for entry in entries:
            if entry.external:
                continue  # a nav link off the site: no page
            if entry.path not in written_set and files.get_file_from_path(entry.path) is None:
                if entry.path not in texts:
                    texts[entry.path] = placeholder_markdown(entry, written_entries, serving=self.dirty.serving())
                files.append(File.generated(config, entry.path, content=texts[entry.path]))
                self.placeholders.add(entry.path)
        self.written = written_entries
        self.updated = gitdates.last_commit_dates(self.docs, sorted(written_set)) if self.config.git_dates else {}
        self.notebook_notes = pairing.companion_notes(files, self.docs, written)
        self._written_pages = written

        if self.dirty.dirty_serving():
            signature = nav_signature(Path(config.config_file_path), summary_text, written)
            self.dirty.mark_modified(files, self.placeholders, signature, config.theme,
                                     self._page_key_function(files, signature))
        return files

    def _page_key_function(self, files, signature: str):
        """What a written page's HTML depends on, hashed (tilsite/nav/dirty.py says what and why)."""
        try:
            package = tree_digest(ex.snippets_root(), contents=True)
        except ex.ExecError:
            package = ""  # no package: the build says so
        pages = {f.src_uri for f in files.documentation_pages()}
        others = tree_digest(self.docs, contents=False, skip=lambda rel: rel in pages)
        site = "\n".join(sorted(pages)) + repr(sorted(self.notebook_notes.items()))  # notebooks and their notes
        pyproject = self.root / "pyproject.toml"  # the wheel's name, linked from notebook pages
        site += pyproject.read_text("utf-8") if pyproject.is_file() else ""

        def code(f) -> str:
            """The snippets code the page shows: a notebook's imports reach less than the whole package."""
            if f.src_uri in self.notebook_notes and f.abs_src_path:
                try:
                    return notebooks.notebook_deps_hash(f.abs_src_path)
                except (ex.ExecError, SyntaxError, OSError):
                    pass  # a broken snippet: the build says so; the whole package stands in
            return package

        def key(f) -> str:
            h = hashlib.sha256("\0".join((signature, code(f), others, site, f.src_uri,
                                           self.updated.get(f.src_uri, ""))).encode())
            if f.abs_src_path:
                h.update(Path(f.abs_src_path).read_bytes())
            return h.hexdigest()

        return key

    @event_priority(0)
    def _files_figures(self, files, config):
        self._register_figures(files, config, self._written_pages)
        return files

    @event_priority(0)
    def _files_downloads(self, files, config):
        self._register_downloads(files, config)
        return files

    @event_priority(0)
    def _files_katex(self, files, config):
        """KaTeX's CSS and fonts (never its JavaScript: math is typeset at build time)."""
        if self.config.math:
            kdir = self._katex_dir()
            for path in sorted(kdir.rglob("*")):
                if path.is_file() and path.suffix != ".js":
                    uri = f"{KATEX_SITE_DIR}/{path.relative_to(kdir).as_posix()}"
                    if files.get_file_from_path(uri) is None:
                        files.append(File.generated(config, uri, abs_src_path=str(path)))
        return files

    on_files = CombinedEvent(_files_mirror, _files_figures, _files_downloads, _files_katex)

    def _register_downloads(self, files, config):
        """The package's files (code block titles link to them) and its wheel, for download."""
        package = ex.snippets_root()
        for path in wheel.package_files(package) if self.config.downloads else ():
            rel = path.relative_to(package.parent).as_posix()
            files.append(File.generated(config, codeblocks.download_path(rel), content=path.read_bytes()))
        pyproject = self.root / "pyproject.toml"
        if not self.config.wheel or not pyproject.is_file():
            return  # no pyproject.toml: no wheel, quietly
        try:
            whl = wheel.build(package, pyproject)
        except (OSError, ValueError, KeyError) as exc:  # no version / numpy pin in it
            raise TilError(f"pyproject.toml: cannot write the {self.config.package} wheel: "
                           f"{type(exc).__name__}: {exc}") from None
        where = f"{codeblocks.DOWNLOADS}/{whl.filename}"
        files.append(File.generated(config, where, content=whl.data))
        config.extra["til_wheel"] = where  # the notebook page's instructions link it

    def _register_figures(self, files, config, written):
        """Draw (or take from the cache) every figure a written page asks for."""
        specs: dict[str, tuple[fig.FigureSpec, str]] = {}
        errors: list[str | None] = []
        broken: set[str] = set()
        for src in written:
            text = (self.docs / src).read_text("utf-8")
            if ex.imported(text):
                continue
            for m in ex.DIRECTIVE.finditer(text):
                if m["kind"] != "figure":
                    continue
                where = f"{self.docs_name}/{src}:{ex.line_of(text, m.start())}"
                try:
                    spec = fig.parse_figure(m["expr"], m["module"])
                    other = specs.get(spec.name)
                    if other and other[0] != spec:
                        raise ex.ExecError(f"figure name '{spec.name}' is already used by "
                                           f"{other[0].qualname}.{other[0].func} ({other[1]})")
                    if other:
                        continue
                    specs[spec.name] = (spec, where)
                    for variant in fig.THEMES:
                        data = self.figures.get(spec, variant)
                        files.append(File.generated(config, spec.path(variant), content=data))
                except ex.SnippetError as exc:
                    # a broken package file: one message, not one per figure that uses it
                    errors.append(ex.at(where, exc) if str(exc) not in broken else None)
                    broken.add(str(exc))
                except ex.ExecError as exc:
                    errors.append(ex.at(where, exc))
        if errors:
            raise TilError("\n".join(e for e in errors if e))
        if self.figures.drawn:
            log.info("drew %d figure file(s): %s", len(self.figures.drawn), ", ".join(self.figures.drawn))
            log.info("drawing figures took %.2f s", self.figures.draw_seconds)  # read by bench/build_speed.py

    # -- pages -------------------------------------------------------------------------

    @event_priority(0)
    def _markdown_meta(self, markdown, page, config, files):
        """Nav mark of a written note (mirror) and its last commit date."""
        src = page.file.src_uri
        if src in self.written:
            page.meta.setdefault("status", "written")  # Material marks it in the nav (extra.status)
        if src in self.updated:
            page.meta["til_updated"] = self.updated[src]
        return markdown

    @event_priority(0)
    def _markdown_directives(self, markdown, page, config, files):
        """`<!-- written-notes -->`, `{{ value }}`, `{{ figure }}` and included code blocks."""
        src = page.file.src_uri
        if page.meta.get("source") == "gitbook":
            return markdown  # imported text: `{{ ... }}` in it is the author's, not a directive
        if self.config.mirror and mirror.WRITTEN_NOTES in markdown:
            markdown = markdown.replace(mirror.WRITTEN_NOTES, mirror.written_notes_markdown(
                self.entries.values(), self.placeholders, src))
        raw = page.file.content_string if page.file.abs_src_path else markdown
        if ex.DIRECTIVE.search(markdown):
            markdown = self._expand_directives(markdown, src, raw)
        try:
            markdown, blocks = codeblocks.expand(markdown, self.root, f"{self.docs_name}/{src}", raw)
        except ex.ExecError as exc:
            raise TilError(str(exc)) from None
        self.codeblocks[src] = blocks
        return markdown

    on_page_markdown = CombinedEvent(_markdown_meta, _markdown_directives)

    def _expand_directives(self, markdown: str, src: str, raw: str) -> str:

        def expand(m):
            try:
                if m["kind"] == "figure":
                    return fig.figure_markdown(fig.parse_figure(m["expr"], m["module"]), src)
                return self.values.get(m["module"], m["expr"])
            except ex.ExecError as exc:
                pos = raw.find(m.group(0))
                raise TilError(ex.at(f"{self.docs_name}/{src}:{ex.line_of(raw, max(pos, 0))}", exc)) from None

        return ex.DIRECTIVE.sub(expand, markdown)

    def on_pre_page(self, page, config, files):
        note_src = self.notebook_notes.get(page.file.src_uri)
        note = files.get_file_from_path(note_src).page if note_src else None
        if note is not None:
            # the notebook sits under its note: same section (tab, sidebar branch, breadcrumbs),
            # "previous" leads back to the note, "next" is the note's next page
            page.parent = note.parent
            page.previous_page, page.next_page = note, note.next_page
            self.notebook_note_page[page.file.src_uri] = note
        return page

    @event_priority(0)
    def _content_codeblocks(self, html, page, config, files):
        """Copy text and download links of included code blocks."""
        blocks = self.codeblocks.pop(page.file.src_uri, None)
        if blocks:
            try:
                href = (lambda p: get_relative_url(codeblocks.download_path(p), page.url)) \
                    if self.config.downloads else None
                html = codeblocks.finish_html(html, blocks, href)
            except ex.ExecError as exc:
                raise TilError(f"{self.docs_name}/{page.file.src_uri}: {exc}") from None
        return html

    @event_priority(0)
    def _content_math_markers(self, html, page, config, files):
        """Formulas become markers holding their TeX: that is what search indexes (before on_page_context)."""
        if self.config.math:
            html = katex.keep_together(katex.mark(html, notebook=bool(getattr(page, "nb_url", None))))
        return html

    @event_priority(0)
    def _content_search_text(self, html, page, config, files):
        """Formulas as plain text, table cells parted, while search indexes the page (tilsite/render/searchtext.py)."""
        if self.math is None:
            return html
        try:
            return searchtext.for_index(html, self.math)
        except katex.MathError as exc:
            raise self._math_error(page, exc) from None

    @event_priority(0)
    def _content_image_sizes(self, html, page, config, files):
        """Figures keep their place before they load: width and height from the image files."""
        return imgsize.add_sizes(html, page.url, files)

    @event_priority(0)
    def _content_notebook(self, html, page, config, files):
        """A notebook page: search boost, link back to its note, one shared stylesheet, heading ids."""
        if not getattr(page, "nb_url", None):
            return html
        # a companion page: its note ranks first for the words they share (read by search next)
        page.meta.setdefault("search", {}).setdefault("boost", self.config.notebook_search_boost)
        note = self.notebook_note_page.get(page.file.src_uri)
        if note is not None:  # overrides/main.html links back to it
            page.meta["til_note"] = {"title": note.title, "url": note.url}
        # off-site scripts out, the 0.6 MB inline JupyterLab CSS into one shared file
        html, css = nbhtml.extract_styles(nbhtml.strip_offsite_scripts(html))
        asset = nbhtml.css_asset_path(css)
        self.notebook_css[asset] = css
        link = f'<link rel="stylesheet" href="{get_relative_url(asset, page.url)}">\n'
        return link + pairing.align_notebook_ids(html, page.toc)

    on_page_content = CombinedEvent(_content_codeblocks, _content_math_markers, _content_search_text,
                                    _content_image_sizes, _content_notebook)

    @event_priority(0)
    def _context_active_note(self, context, page, config, nav):
        note = self.notebook_note_page.get(page.file.src_uri)
        if note is not None:
            note.active = True  # the sidebar highlights the note the notebook belongs to
        return context

    def _math_error(self, page, exc: katex.MathError) -> TilError:
        src = page.file.content_string if page.file.abs_src_path else ""
        return TilError(f"{self.docs_name}/{page.file.src_uri}:{katex.line_of_tex(src, exc.tex)}: "
                        f"{' '.join(exc.message.split())}")

    @event_priority(-100)  # after the search plugin has indexed the plain text (tilsite/render/searchtext.py)
    def _context_math(self, context, page, config, nav):
        """Typeset the formula markers with KaTeX; its inline styles become classes in the head."""
        if self.math is None:
            return context
        styles = mathhead.StyleTable()
        page.content = searchtext.strip_index_only(page.content)
        self.search_tex[page.url] = searchtext.section_tex(page.content)  # TeX stays searchable: a hidden field
        try:
            page.content = self.math.render_markers(page.content, styles)
        except katex.MathError as exc:
            raise self._math_error(page, exc) from None
        page.meta["til_math_css"] = styles.css()  # KaTeX's styles as classes: overrides/main.html
        return context

    on_page_context = CombinedEvent(_context_active_note, _context_math)

    def on_env(self, env, config, files):
        """The theme's templates compiled once, not on every build (0.4 s of each `mkdocs serve` rebuild)."""
        import jinja2

        if env.bytecode_cache is None:  # checked against each template's source: an edit recompiles it
            folder = self.cache / "jinja2"
            folder.mkdir(parents=True, exist_ok=True)
            env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(folder))
        return env

    @event_priority(0)
    def _post_written(self, output, page, config):
        self.dirty.page_written(page.file.src_uri)  # a build that fails later: tilsite/nav/dirty.py
        return output

    @event_priority(0)
    def _post_preload(self, output, page, config):
        return preload.preload_body_scripts(output)  # Material's scripts, asked for from the head

    @event_priority(0)
    def _post_math_css(self, output, page, config):
        """KaTeX's styles as classes in the head, unless the theme's template already put them there."""
        css = page.meta.get("til_math_css")
        if css and f"<style>{css}</style>" not in output:
            output = output.replace("</head>", f"<style>{css}</style>\n</head>", 1)
        return output

    @event_priority(0)
    def _post_active_note(self, output, page, config):
        note = self.notebook_note_page.get(page.file.src_uri)
        if note is not None:
            note.active = False
        return output

    @event_priority(0)
    def _post_executed_notebook(self, output, page, config):
        """The executed .ipynb next to the notebook page, for download."""
        if getattr(page, "nb_url", None) and ex.draws(self.config.execute):
            src = page.file.abs_src_path
            try:
                executed = notebooks.execute_notebook(src, self.notebook_runs)
            except ex.ExecError as exc:
                raise TilError(str(exc)) from None
            dest = Path(page.file.abs_dest_path).parent / (Path(src).stem + ".ipynb")
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(executed, dest)
        return output

    on_post_page = CombinedEvent(_post_written, _post_preload, _post_math_css, _post_active_note, _post_executed_notebook)

    @event_priority(0)
    def _post_build_math(self, config):
        m = self.math
        if m is None:
            return
        # read by bench/build_speed.py
        log.info("math: %d formula(s) rendered by KaTeX in %.2f s, %d from cache; %.2f s in all",
                 m.misses, m.seconds, m.hits, m.total_seconds)
        m.hits = m.misses = 0
        m.seconds = m.total_seconds = 0.0
        self._close_math()

    @event_priority(0)
    def _post_build_values(self, config):
        self.values.save(partial=self.dirty.dirty_serving())
        log.info("values: %d computed, the others from the cache", self.values.computed)  # bench/build_speed.py

    @event_priority(0)
    def _post_build_notebook_css(self, config):
        for asset, css in self.notebook_css.items():
            out = Path(config.site_dir) / asset
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(css, encoding="utf-8")
        self.notebook_css = {}

    @event_priority(-100)  # after the search plugin has written search_index.json
    def _post_build_search_index(self, config):
        """The search index, read and written once: the TeX field (tilsite/render/searchtext.py) and,
        after a rebuild of a few pages under `mkdocs serve`, the records of the others (tilsite/nav/dirty.py)."""
        index_file = Path(config.site_dir) / "search" / "search_index.json"
        serving = self.dirty.dirty_serving()
        if (self.search_tex or serving) and index_file.is_file():
            index = json.loads(index_file.read_text("utf-8"))
            searchtext.add_tex_field(index, self.search_tex)
            if serving:  # after the TeX field: the records put back carry theirs
                self.dirty.complete_search_index(index)
            index_file.write_text(json.dumps(index, separators=(",", ":")), "utf-8")  # as Material writes it
        self.search_tex = {}

    @event_priority(0)
    def _post_build_dirty(self, config):
        self.dirty.build_succeeded()  # what the next serve rebuild compares with (tilsite/nav/dirty.py)

    on_post_build = CombinedEvent(_post_build_dirty, _post_build_math, _post_build_values, _post_build_notebook_css,
                                  _post_build_search_index)
