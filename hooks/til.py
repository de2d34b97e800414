"""MkDocs hooks of the TIL site: the GitBook mirror, build-time snippets, notebooks.

The machinery lives in the installed package ``tilsite`` (``pip install -e .``);
this file only connects it to MkDocs' events.
"""

from __future__ import annotations

import logging
import posixpath
import re
import shutil
from pathlib import Path

import yaml
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, InclusionLevel
from mkdocs.utils import clean_directory, get_relative_url

from tilsite import execute as ex
from tilsite import figures as fig
from tilsite import values
from tilsite import codeblocks, includes, katex, mathhead, preload, wheel
from tilsite import gitdates, imgsize, nbhtml, notebooks, searchtext, serve
from tilsite.summary import NOTE_PATH, SummaryError, md_escape, parse_summary, placeholder_markdown

log = logging.getLogger("mkdocs.hooks.til")

_state: dict = {}


def _cache_root(config) -> Path:
    return Path(config.config_file_path).resolve().parent / ".cache"


def on_startup(command, dirty):
    serve.start(command, dirty)


def on_build_error(error):
    _close_math()
    # MkDocs writes pages as it goes and checks strict-mode warnings last: a failed
    # build must not leave a site that looks deployable. `serve` keeps its last good one.
    site_dir = _state.get("site_dir")
    if not serve.serving() and site_dir and Path(site_dir).is_dir():
        clean_directory(site_dir)
        log.info("build failed: emptied %s so no partial site is left", site_dir)


KATEX_JS = "assets/vendor/katex/katex.min.js"  # read at build time only; readers get CSS and fonts


def _close_math():
    if _state.get("math") is not None:
        _state["math"].close()


def on_config(config):
    _state["site_dir"] = config.site_dir
    cache = _cache_root(config)
    _state["figures"] = fig.FigureCache(cache / "til-figures")
    _close_math()
    _state["math"] = katex.Renderer(Path(config.docs_dir) / KATEX_JS, cache / "til-katex")
    jupyter = config.plugins.get("mkdocs-jupyter")
    if jupyter is not None:
        # mkdocs-jupyter resolves its cache_dir against the working directory
        jupyter.config["cache_dir"] = str(cache / "mkdocs-jupyter")
        if ex.no_exec():
            jupyter.config["execute"] = False
        notebooks.install(cache / "til-notebooks")
    return config


def on_pre_build(config):
    ex.purge_snippets()  # `mkdocs serve` must import edited snippets afresh
    _state["figures"].drawn.clear()


def _front_matter_error(path: Path, text: str) -> str | None:
    if not text.startswith("---"):
        return None
    m = re.match(r"^---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*\n", text, re.S)
    if not m:
        return f"docs/{path}:1: front matter opened with '---' is never closed"
    try:
        data = yaml.safe_load(m.group(1) or "")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1  # +1 for '---', +1 for 1-based
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return f"docs/{path}:{line}: front matter is not valid YAML: {problem}"
    if data is not None and not isinstance(data, dict):
        return f"docs/{path}:2: front matter must be a YAML mapping, got {type(data).__name__}"
    return None


def on_files(files, config):
    docs = Path(config.docs_dir)
    summary_file = docs / "SUMMARY.md"
    try:
        summary_text = summary_file.read_text("utf-8")
        entries = parse_summary(summary_text)
    except FileNotFoundError:
        raise PluginError("docs/SUMMARY.md is missing: it is the site's navigation") from None
    except SummaryError as exc:
        raise PluginError(str(exc)) from None
    _state["entries"] = {e.path: e for e in entries}

    nav_file = files.get_file_from_path("SUMMARY.md")
    if nav_file is not None:
        # literate-nav reads it from `files`; the site needs no /SUMMARY/ page (nor its search entry)
        nav_file.inclusion = InclusionLevel.EXCLUDED

    errors = []
    for f in files:
        if f.abs_src_path and not f.src_uri.isascii() and Path(f.abs_src_path).is_relative_to(docs):
            errors.append(f"docs/{f.src_uri}: file names under docs/ must be ASCII: they become URLs "
                          "(romanize, e.g. 합성곱.md -> hapseonggop.md)")
    written = sorted(f.src_uri for f in files.documentation_pages() if f.src_uri.endswith(".md")
                     and f.src_uri != "SUMMARY.md" and f.abs_src_path and f.src_uri.isascii())
    root = Path(config.config_file_path).resolve().parent
    snippet_pre = includes.preprocessor(config.mdx_configs.get("pymdownx.snippets", {}))
    for src in written:
        if not NOTE_PATH.match(src):
            errors.append(f"docs/{src}:1: a note's path must be ASCII lowercase kebab-case "
                          "(a-z, 0-9, '-') ending in .md: it becomes the page's URL")
        elif src not in _state["entries"]:
            errors.append(f"docs/{src}:1: this note is not in docs/SUMMARY.md; add a line "
                          f"'* [제목]({src})' under its parent")
        text = (docs / src).read_text("utf-8")
        err = _front_matter_error(Path(src), text)
        if err:
            errors.append(err)
        errors += includes.check_includes(text, f"docs/{src}", snippet_pre, root)
    if errors:
        raise PluginError("\n".join(dict.fromkeys(errors)))  # a file included twice: one message

    written_set = set(written)
    _state["placeholders"] = set()
    written_entries = frozenset(e.path for e in entries if e.path in written_set)
    for entry in entries:
        if entry.external:
            continue  # a nav link off the site: no page
        if entry.path not in written_set and files.get_file_from_path(entry.path) is None:
            files.append(File.generated(config, entry.path, content=placeholder_markdown(
                entry, written_entries, serving=serve.serving())))
            _state["placeholders"].add(entry.path)
    _state["written"] = written_entries
    _state["updated"] = gitdates.last_commit_dates(docs, sorted(written_set))
    _state["notebook_notes"] = _companion_notes(files, docs, written)

    if serve.dirty_serving():
        signature = serve.nav_signature(Path(config.config_file_path), summary_text, written)
        serve.mark_modified(files, _state["placeholders"], signature)
    _register_figures(files, config, written)
    _register_downloads(files, config)
    return files


def _register_downloads(files, config):
    """The snippets files (code block titles link to them) and the package's wheel, for download."""
    package = ex.snippets_root()
    for path in wheel.package_files(package):
        rel = path.relative_to(package.parent).as_posix()
        files.append(File.generated(config, codeblocks.download_path(rel), content=path.read_bytes()))
    pyproject = Path(config.config_file_path).resolve().parent / "pyproject.toml"
    try:
        whl = wheel.build(package, pyproject)
    except (OSError, ValueError, KeyError) as exc:  # no pyproject.toml, or no version / numpy pin in it
        raise PluginError(f"pyproject.toml: cannot write the snippets wheel: {type(exc).__name__}: {exc}") from None
    where = f"{codeblocks.DOWNLOADS}/{whl.filename}"
    files.append(File.generated(config, where, content=whl.data))
    config.extra["til_wheel"] = where  # the notebook page's instructions link it


def _companion_notes(files, docs: Path, written: list[str]) -> dict[str, str]:
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


def _register_figures(files, config, written):
    """Draw (or take from the cache) every figure a written page asks for."""
    docs = Path(config.docs_dir)
    specs: dict[str, tuple[fig.FigureSpec, str]] = {}
    errors: list[str | None] = []
    broken: set[str] = set()
    for src in written:
        text = (docs / src).read_text("utf-8")
        if _imported(text):
            continue
        for m in ex.DIRECTIVE.finditer(text):
            if m["kind"] != "figure":
                continue
            where = f"docs/{src}:{ex.line_of(text, m.start())}"
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
                    data = _state["figures"].get(spec, variant)
                    files.append(File.generated(config, spec.path(variant), content=data))
            except ex.SnippetError as exc:
                # a broken snippets file: one message, not one per figure that uses it
                errors.append(ex.at(where, exc) if str(exc) not in broken else None)
                broken.add(str(exc))
            except ex.ExecError as exc:
                errors.append(ex.at(where, exc))
    if errors:
        raise PluginError("\n".join(e for e in errors if e))
    if _state["figures"].drawn:
        log.info("drew %d figure file(s): %s", len(_state["figures"].drawn), ", ".join(_state["figures"].drawn))
        log.info("drawing figures took %.2f s", _state["figures"].draw_seconds)  # read by bench/build_speed.py


def _figure_markdown(spec: fig.FigureSpec, page_src: str) -> str:
    here = posixpath.dirname(page_src) or "."
    cap = fig.caption(spec)
    alt = cap.replace("[", "(").replace("]", ")")
    imgs = "\n".join(
        f"![{alt}]({posixpath.relpath(spec.path(v), here)}#only-{v}){{ loading=lazy }}" for v in fig.THEMES
    )
    return (f'<figure class="til-figure" id="fig-{spec.name}" markdown="span">\n{imgs}\n'
            f"<figcaption>{cap}</figcaption>\n</figure>")


WRITTEN_NOTES = "<!-- written-notes -->"


def _written_notes_markdown(page_src: str) -> str:
    """Bulleted links to every written note, in nav order, with its place in the tree."""
    here = posixpath.dirname(page_src) or "."
    lines = []
    for entry in _state["entries"].values():
        if entry.external or entry.path in _state["placeholders"] or entry.path == page_src:
            continue
        trail = " › ".join(a.title for a in entry.trail)
        link = posixpath.relpath(entry.path, here)
        lines.append(f"- [{md_escape(entry.title)}]({link})" + (f" — {trail}" if trail else ""))
    return "\n".join(lines) or "아직 작성된 노트가 없습니다."


IMPORTED = re.compile(r"\A---[ \t]*\n(?:(?!---).*\n)*?source:[ \t]*gitbook[ \t]*\n")


def _imported(text: str) -> bool:
    """A page brought in by `til import-gitbook`: its text is not ours, so no directives run in it."""
    return bool(IMPORTED.match(text))


def on_page_markdown(markdown, page, config, files):
    src = page.file.src_uri
    if src in _state["written"]:
        page.meta.setdefault("status", "written")  # Material marks it in the nav (extra.status)
    if src in _state["updated"]:
        page.meta["til_updated"] = _state["updated"][src]
    if page.meta.get("source") == "gitbook":
        return markdown  # imported text: `{{ ... }}` in it is the author's, not a directive
    if WRITTEN_NOTES in markdown:
        markdown = markdown.replace(WRITTEN_NOTES, _written_notes_markdown(page.file.src_uri))
    raw = page.file.content_string if page.file.abs_src_path else markdown
    if ex.DIRECTIVE.search(markdown):
        markdown = _expand_directives(markdown, src, raw)
    root = Path(config.config_file_path).resolve().parent
    try:
        markdown, blocks = codeblocks.expand(markdown, root, f"docs/{src}", raw)
    except ex.ExecError as exc:
        raise PluginError(str(exc)) from None
    _state.setdefault("codeblocks", {})[src] = blocks
    return markdown


def _expand_directives(markdown: str, src: str, raw: str) -> str:

    def expand(m):
        try:
            if m["kind"] == "figure":
                return _figure_markdown(fig.parse_figure(m["expr"], m["module"]), src)
            return values.evaluate(m["module"], m["expr"])
        except ex.ExecError as exc:
            pos = raw.find(m.group(0))
            raise PluginError(ex.at(f"docs/{src}:{ex.line_of(raw, max(pos, 0))}", exc)) from None

    return ex.DIRECTIVE.sub(expand, markdown)


_NB_EMPTY_ID = re.compile(r'(<h[1-6] id=)""((?:(?!</h[1-6]>).)*?<a class="anchor-link" href=")#(">)', re.S)


def _toc_ids(items):
    for item in items:
        yield item.id
        yield from _toc_ids(item.children)


def _align_notebook_ids(html: str, toc) -> str:
    """Give headings nbconvert left without an id (all-Korean text) the id the TOC links to.

    mkdocs-jupyter builds the TOC with Python-Markdown's slugify ('_1' for an empty
    slug), nbconvert writes id="": the TOC and Material's skip link would point nowhere.
    """
    missing = iter([i for i in _toc_ids(toc) if f'id="{i}"' not in html])
    return _NB_EMPTY_ID.sub(lambda m: (f'{m[1]}"{i}"{m[2]}#{i}{m[3]}' if (i := next(missing, None))
                                       else m[0]), html)


NOTEBOOK_SEARCH_BOOST = 0.5


def on_pre_page(page, config, files):
    note_src = _state.get("notebook_notes", {}).get(page.file.src_uri)
    note = files.get_file_from_path(note_src).page if note_src else None
    if note is not None:
        # the notebook sits under its note: same section (tab, sidebar branch, breadcrumbs),
        # "previous" leads back to the note, "next" is the note's next page
        page.parent = note.parent
        page.previous_page, page.next_page = note, note.next_page
        _state.setdefault("notebook_note_page", {})[page.file.src_uri] = note
    return page


def on_page_content(html, page, config, files):
    blocks = _state.get("codeblocks", {}).pop(page.file.src_uri, None)
    if blocks:
        try:
            html = codeblocks.finish_html(html, blocks, lambda p: get_relative_url(codeblocks.download_path(p),
                                                                                   page.url))
        except ex.ExecError as exc:
            raise PluginError(f"docs/{page.file.src_uri}: {exc}") from None
    # formulas become markers holding their TeX: that is what search indexes (on_page_context)
    html = katex.keep_together(katex.mark(html, notebook=bool(getattr(page, "nb_url", None))))
    html = _search_text(html, page)  # formulas as plain text while search indexes the page
    html = imgsize.add_sizes(html, page.url, files)  # figures keep their place before they load
    if getattr(page, "nb_url", None):
        # a companion page: its note ranks first for the words they share (read by search next)
        page.meta.setdefault("search", {}).setdefault("boost", NOTEBOOK_SEARCH_BOOST)
        note = _state.get("notebook_note_page", {}).get(page.file.src_uri)
        if note is not None:  # overrides/main.html links back to it
            page.meta["til_note"] = {"title": note.title, "url": note.url}
        # off-site scripts out, the 0.6 MB inline JupyterLab CSS into one shared file
        html, css = nbhtml.extract_styles(nbhtml.strip_offsite_scripts(html))
        asset = nbhtml.css_asset_path(css)
        _state.setdefault("notebook_css", {})[asset] = css
        link = f'<link rel="stylesheet" href="{get_relative_url(asset, page.url)}">\n'
        return link + _align_notebook_ids(html, page.toc)
    return html


def _search_text(html, page):
    try:
        return searchtext.for_index(html, _state["math"])
    except katex.MathError as exc:
        src = page.file.content_string if page.file.abs_src_path else ""
        raise PluginError(f"docs/{page.file.src_uri}:{katex.line_of_tex(src, exc.tex)}: "
                          f"{' '.join(exc.message.split())}") from None


@event_priority(-100)  # after the search plugin has indexed the plain text (tilsite/searchtext.py)
def on_page_context(context, page, config, nav):
    note = _state.get("notebook_note_page", {}).get(page.file.src_uri)
    if note is not None:
        note.active = True  # the sidebar highlights the note the notebook belongs to
    styles = mathhead.StyleTable()
    page.content = searchtext.strip_index_only(page.content)
    _state.setdefault("search_tex", {})[page.url] = searchtext.section_tex(page.content)
    try:
        page.content = _state["math"].render_markers(page.content, styles)
    except katex.MathError as exc:
        src = page.file.content_string if page.file.abs_src_path else ""
        raise PluginError(f"docs/{page.file.src_uri}:{katex.line_of_tex(src, exc.tex)}: "
                          f"{' '.join(exc.message.split())}") from None
    page.meta["til_math_css"] = styles.css()  # KaTeX's styles as classes: overrides/main.html
    return context


def on_post_page(output, page, config):
    output = preload.preload_body_scripts(output)  # Material's scripts, asked for from the head
    note = _state.get("notebook_note_page", {}).get(page.file.src_uri)
    if note is not None:
        note.active = False
    if getattr(page, "nb_url", None) and not ex.no_exec():
        src = page.file.abs_src_path
        try:
            executed = notebooks.execute_notebook(src)
        except ex.ExecError as exc:
            raise PluginError(str(exc)) from None
        dest = Path(page.file.abs_dest_path).parent / (Path(src).stem + ".ipynb")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(executed, dest)
    return output


@event_priority(-100)  # after the search plugin has written search_index.json
def on_post_build(config):
    searchtext.add_tex_field(Path(config.site_dir) / "search" / "search_index.json", _state.get("search_tex", {}))
    serve.build_succeeded()
    m = _state["math"]
    # read by bench/build_speed.py
    log.info("math: %d formula(s) rendered by KaTeX in %.2f s, %d from cache; %.2f s in all",
             m.misses, m.seconds, m.hits, m.total_seconds)
    m.hits = m.misses = 0
    m.seconds = m.total_seconds = 0.0
    _close_math()
    for asset, css in _state.pop("notebook_css", {}).items():
        out = Path(config.site_dir) / asset
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(css, encoding="utf-8")
