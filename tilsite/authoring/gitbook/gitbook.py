"""`til import-gitbook SRC`: bring a GitBook-synced repository into this project.

Default mode fills the mirror: each page of the export whose title trail matches an
entry of docs/SUMMARY.md becomes that entry's note. `--new-tree` replaces
docs/SUMMARY.md by the export's own tree. tilsite/gitbook_export.py reads the export,
tilsite/gitbook_blocks.py converts each page; this module plans where every page and
asset goes, checks the plan, writes it through a staging folder and reports.

Partial success: a problem confined to a page, an entry, a block or an asset is handled
best effort and listed in the report ('file:line: what', grouped by kind); the import goes
on and exits 0 (--strict: 1 when anything is listed). Exit 2, nothing written, only when SRC
is not a GitBook space, nothing in it can be imported, or the target cannot be written.
In the default mode a page whose entry is already a written note here is kept as it is.
"""

from __future__ import annotations

import argparse
import json
import os
import posixpath
import re
import shutil
import sys
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import yaml

from tilsite.authoring.gitbook import gitbook_blocks as gb
from tilsite.authoring.gitbook.gitbook_blocks import GitbookError, Issue
from tilsite.authoring.gitbook.gitbook_export import Export, SrcEntry, SrcPage, nfc
from tilsite.authoring.gitbook.slug import slugify
from tilsite.nav.summary import SummaryError, md_escape, parse_summary

MOVED_DIR = "moved-by-import"        # --new-tree moves notes the new tree lacks here, never deletes them
STAGING_DIR = ".til-import-staging"
_GENERATED_STEM = re.compile(r"^(?:undefined(?:-\d+)?|[0-9a-f]{4}(?:-[0-9a-f]{4})+)$")


# ------------------------------------------------------------------ planning

@dataclass
class Plan:
    writes: dict[str, bytes] = field(default_factory=dict)      # project-relative path -> content
    copies: dict[str, Path] = field(default_factory=dict)       # project-relative path -> export file
    moves: dict[str, str] = field(default_factory=dict)         # docs note -> where it is moved
    counts: Counter = field(default_factory=Counter)
    issues: list[Issue] = field(default_factory=list)
    external_images: list[Issue] = field(default_factory=list)
    matched: list[tuple[SrcEntry, str]] = field(default_factory=list)
    unmatched: list[SrcEntry] = field(default_factory=list)
    added: list[tuple[SrcEntry, str]] = field(default_factory=list)
    hidden: list[tuple[str, str]] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)       # docs path -> export file landing there


class PageCtx:
    """What a page's renderer asks of the import: links, assets, titles, variables."""

    def __init__(self, imp: Importer, page: SrcPage):
        self.imp, self.page = imp, page
        self.issues: list[Issue] = []
        self.folder = posixpath.dirname(page.entry.dest)

    def formula(self, tex: str, display: bool) -> str | None:
        return self.imp.formula(tex, display)

    def _rel(self, dest: str) -> str:
        return posixpath.relpath(dest, self.folder or ".")

    def _base(self, file: str) -> str:
        """Export-relative path of the file a node came from (an include, or the page itself)."""
        return self.imp.export.rel_of[file]

    def _anchor(self, page: SrcPage, anchor: str, file: str, line: int) -> str:
        if not anchor:
            return ""
        want = nfc(unquote(anchor)).lower()
        for text, hid in page.headings:
            if want == hid or want in gb.gitbook_anchors(text):
                return "#" + hid
        self.issues.append(Issue(file, line, f"anchor '#{anchor}' is not a heading of {page.file}; "
                                             "the link goes to the top of the page"))
        return ""

    def link(self, target: str, file: str, line: int) -> str | None:
        out = self._link(target, file, line)
        if out is not None:
            self.imp.plan.counts["links made"] += 1
        return out

    def _link(self, target: str, file: str, line: int) -> str | None:
        target = target.strip()
        if target.startswith("<") and target.endswith(">"):
            target = target[1:-1]
        if target.startswith("#"):
            return self._anchor(self.page, target[1:], file, line) or None
        base = self.imp.space_url
        if base and (target == base or target.startswith(base + "/") or target.startswith(base + "#")):
            rest, _, anchor = target[len(base):].partition("#")
            page = self.imp.by_url.get(nfc(unquote(rest.strip("/"))))
            if page is None:
                return target  # not a page of this export: the link stays as it was
            return self._rel(page.entry.dest) + self._anchor(page, anchor, file, line)
        if re.match(r"^(?:[a-z][a-z0-9+.-]*:|//)", target, re.I):
            return target
        path, _, anchor = target.partition("#")
        rel = self.imp.export.find(path, self._base(file))
        if rel is None:
            return None
        page = self.imp.export.pages.get(rel)
        if page is not None and page.entry.dest:
            return self._rel(page.entry.dest) + self._anchor(page, anchor, file, line)
        if rel.endswith(".md"):
            return None  # a page the import leaves out
        return self.asset(target, file, line)

    def asset(self, target: str, file: str, line: int) -> str | None:
        rel = self.imp.export.find(target.split("#", 1)[0], self._base(file))
        if rel is None or rel.endswith(".md"):
            return None
        return self._rel(self.imp.place_asset(rel, self.folder))

    def title(self, target: str, file: str) -> str | None:
        rel = self.imp.export.find(target.split("#", 1)[0], self._base(file))
        page = self.imp.export.pages.get(rel) if rel else None
        return page.title if page else None

    def url(self, link: str) -> str:
        """Relative URL of a docs-relative link as the built page sees it (directory URLs)."""
        if re.match(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", link, re.I):
            return link
        path, sep, anchor = link.partition("#")
        target = posixpath.normpath(posixpath.join(self.folder, path))
        if target.endswith(".md"):
            target = page_url(target)
        here = page_url(self.page.entry.dest)
        rel = posixpath.relpath(target or ".", here or ".")
        if target.endswith("/") or not target:
            rel = "./" if rel == "." else rel + "/"
        return rel + sep + anchor

    def variable(self, name: str) -> str | None:
        scope, _, key = name.partition(".vars.")
        table = self.imp.export.vars if scope == "space" else self.page.meta.get("vars") or {}
        value = table.get(key) if isinstance(table, dict) else None
        return None if value is None else str(value)


_RESOLVER = yaml.resolver.Resolver()


def yaml_scalar(value: str) -> str:
    """A string as a YAML scalar: plain when that reads back the same, else double-quoted (JSON is YAML).

    yaml.safe_dump does the same at a thirtieth of the speed; a 500-page import would spend a second on it.
    """
    if (re.fullmatch(r"[^\W_][^:#\n\"'\\{}\[\],&*!|>%@`]*", value) and value == value.strip()
            and _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == "tag:yaml.org,2002:str"):
        return value  # not read back as a number, date, bool or null
    return json.dumps(value, ensure_ascii=False)


def page_url(src: str) -> str:
    """Site URL of a docs/ page, as MkDocs writes directory URLs: 'a/b.md' -> 'a/b/', 'a/index.md' -> 'a/'."""
    stem = posixpath.splitext(src)[0]
    if posixpath.basename(stem) == "index":
        stem = posixpath.dirname(stem)
    return f"{stem}/" if stem else ""


def asset_name(name: str) -> str:
    """ASCII file name of an asset: 'image (1) (2).png' -> 'image-1-2.png', Hangul romanised."""
    stem, ext = posixpath.splitext(nfc(name))
    ext = re.sub(r"[^a-z0-9.]", "", ext.lower())
    return slugify(stem, default="file", max_len=64) + ext


class Importer:
    def __init__(self, export: Export, project: Path, args: argparse.Namespace):
        self.export, self.project, self.args = export, project, args
        self.docs = project / "docs"
        self.plan = Plan()
        self.space_url = (args.gitbook_url or export.space_url() or "").rstrip("/") or None
        self.by_url: dict[str, SrcPage] = {}
        self._katex = None
        self._assets: dict[tuple[str, str], str] = {}     # (folder, export file) -> docs path
        self._asset_names: dict[str, set[str]] = {}

    # -- destinations
    def mirror(self) -> str | None:
        """Give each export page the path of the docs/SUMMARY.md entry with its title trail.

        Returns the new SUMMARY.md text when --add-unmatched added entries, else None.
        """
        summary_path = self.docs / "SUMMARY.md"
        text = summary_path.read_text("utf-8")
        try:
            ours = parse_summary(text)
        except SummaryError as exc:
            raise GitbookError(str(exc)) from None
        by_trail: dict[tuple[str, ...], deque] = {}
        for e in ours:
            if not e.external:
                key = tuple(nfc(a.title) for a in e.trail) + (nfc(e.title),)
                by_trail.setdefault(key, deque()).append(e)
        matched: dict[int, object] = {}   # id(SrcEntry) -> our Entry
        for src in self.export.walk():
            if src.file is None or src.group:
                continue
            queue = by_trail.get(src.trail)
            if queue:
                ours_entry = queue.popleft()
                matched[id(src)] = ours_entry
                src.dest = ours_entry.path
                self.plan.matched.append((src, src.dest))
            else:
                self.plan.unmatched.append(src)
        if not self.args.add_unmatched or not self.plan.unmatched:
            return None
        return self._add_unmatched(text, ours, matched)

    def _add_unmatched(self, text: str, ours, matched) -> str:
        lines = text.rstrip("\n").split("\n")
        last_line = {}
        for e in ours:  # line of the last entry in each entry's subtree
            node = e
            while node is not None:
                last_line[id(node)] = e.line
                node = node.parent
        used = {e.path for e in ours}
        inserts: list[tuple[int, int, str]] = []
        placed: dict[int, tuple[str, int, int]] = {}  # id(SrcEntry) -> (path, depth, anchor line)
        still = []
        for seq, src in enumerate(self.plan.unmatched):
            parent = src.parent
            while parent is not None and parent.group:
                parent = parent.parent
            if parent is None:
                folder, depth, anchor = "", 0, len(lines)
            elif id(parent) in placed:
                ppath, pdepth, anchor = placed[id(parent)]
                folder, depth = posixpath.dirname(ppath), pdepth + 1
            elif id(parent) in matched:
                pe = matched[id(parent)]
                if posixpath.basename(pe.path) != "index.md":
                    self.plan.issues.append(Issue(self.export.where(src.file), src.line,
                                                  f"not added: its parent {pe.path} is a leaf in docs/SUMMARY.md"))
                    still.append(src)
                    continue
                folder, depth, anchor = posixpath.dirname(pe.path), pe.depth + 1, last_line[id(pe)]
            else:
                still.append(src)
                continue
            slug = slugify(src.title)
            base, n = slug, 2
            while any(p in used for p in self._paths(folder, slug)):
                slug, n = f"{base}-{n}", n + 1
            path = self._paths(folder, slug)[1 if src.children else 0]
            used.update(self._paths(folder, slug))
            src.dest = path
            placed[id(src)] = (path, depth, anchor)
            inserts.append((anchor, seq, f"{'    ' * depth}* [{md_escape(src.title)}]({path})"))
            self.plan.added.append((src, path))
        self.plan.unmatched = still
        for anchor, _, line in sorted(inserts, key=lambda t: (-t[0], -t[1])):
            lines.insert(anchor, line)
        return "\n".join(lines) + "\n"

    @staticmethod
    def _paths(folder: str, slug: str) -> tuple[str, str]:
        prefix = f"{folder}/" if folder else ""
        return f"{prefix}{slug}.md", f"{prefix}{slug}/index.md"

    def new_tree(self) -> str:
        """Paths for the export's own tree; returns the new SUMMARY.md."""
        home = self.export.readme if self.export.readme in self.export.pages else None
        lines = ["# Summary", ""]
        owners: dict[str, str] = {}

        def slug_of(e: SrcEntry) -> tuple[str, bool]:
            """(slug, from the file name?) GitBook's own ASCII file names are kept as URLs."""
            if e.file:
                stem = posixpath.splitext(posixpath.basename(e.file))[0]
                if stem == "README":
                    stem = posixpath.basename(posixpath.dirname(e.file))
                if stem and stem.isascii() and not _GENERATED_STEM.match(stem.lower()):
                    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
                    if slug:
                        return slug, True
            return slugify(e.title), False

        def assign(entries: list[SrcEntry], folder: str, depth: int) -> None:
            used = {"index", "assets"} if not folder else {"index"}
            slugs: dict[int, str] = {}
            for from_file in (True, False):
                for e in entries:
                    if e.url or (e.file is not None and e.file == home):
                        continue
                    slug, by_file = slug_of(e)
                    if by_file != from_file:
                        continue
                    base, n = slug, 2
                    while slug in used:
                        slug, n = f"{base}-{n}", n + 1
                    used.add(slug)
                    slugs[id(e)] = slug
            for e in entries:
                pad = "    " * depth
                if e.url:
                    lines.append(f"{pad}* [{md_escape(e.title)}]({e.url})")
                    continue
                if e.file is not None and e.file == home:
                    if e.dest == "index.md":
                        continue  # listed first, at the top (it sat under a '## group')
                    e.dest = "index.md"
                elif e.file and e.file in owners:
                    e.dest = owners[e.file]  # the same page listed twice: it lands once, where first listed
                    continue
                else:
                    slug = slugs[id(e)]
                    e.dest = f"{folder}{slug}/index.md" if e.children else f"{folder}{slug}.md"
                lines.append(f"{pad}* [{md_escape(e.title)}]({e.dest})")
                if e.file:
                    owners[e.file] = e.dest
                sub = posixpath.dirname(e.dest)
                assign(e.children, f"{sub}/" if sub else "", depth + 1)

        top = self.export.entries
        if home is None:
            lines.append("* [Home](index.md)")
        elif not any(e.file == home for e in top):
            # the home page under a '## group': the site's home is top level, so its entry moves to the top
            entry = next(e for e in self.export.walk() if e.file == home)
            entry.dest = "index.md"
            owners[home] = "index.md"
            lines.append(f"* [{md_escape(entry.title)}](index.md)")
        assign(top, "", 0)
        for e in self.export.walk():
            if e.file:
                self.plan.matched.append((e, e.dest))
        return "\n".join(lines) + "\n"

    # -- formulas
    def formula(self, tex: str, display: bool) -> str | None:
        """None if the site's KaTeX (tilsite/render/katex.py, as the build runs it) typesets `tex`, else why not."""
        if self._katex is None:
            import tempfile

            from tilsite.render import KATEX_DIR, katex
            # a private cache: the check writes nothing into the project (a dry run writes nothing at all)
            self._katex_dir = tempfile.TemporaryDirectory(prefix="til-import-katex-")
            self._katex = katex.Renderer(KATEX_DIR / "katex.min.js", Path(self._katex_dir.name))
        try:
            self._katex.render(tex, display)
        except Exception as exc:  # MathError, or a KaTeX internal error on odd input
            return " ".join(str(getattr(exc, "message", exc)).split())[:160]
        return None

    def close(self) -> None:
        if self._katex is not None:
            self._katex.close()
            self._katex = None
            self._katex_dir.cleanup()

    # -- assets
    def place_asset(self, rel: str, folder: str) -> str:
        key = (folder, rel)
        if key not in self._assets:
            used = self._asset_names.setdefault(folder, set())
            name = asset_name(posixpath.basename(rel))
            stem, ext = posixpath.splitext(name)
            n = 2
            while name in used:
                name, n = f"{stem}-{n}{ext}", n + 1
            used.add(name)
            dest = posixpath.join(folder, "assets", name)
            self._assets[key] = dest
            self.plan.copies[f"docs/{dest}"] = self.export.files[rel]
            self.plan.counts["assets copied"] += 1
        return self._assets[key]

    # -- pages
    def convert(self) -> None:
        for page in self.export.pages.values():
            entry = page.entry
            if entry.dest is None:
                continue
            url = posixpath.splitext(page.file)[0]
            url = "" if page.file == self.export.readme else re.sub(r"(^|/)README$", "", url)
            self.by_url[url] = page
        for page in self.export.pages.values():
            if page.entry.dest is None:
                continue
            ctx = PageCtx(self, page)
            renderer = gb.Renderer(ctx, page.headings)
            body = gb.neutralise_snippets(gb.tidy(renderer.render(page.nodes)))
            if not re.match(r"#[ \t]", body):
                body = f"# {md_escape(page.title)}\n\n{body}"
            meta = {"source": "gitbook", "gitbook_file": page.file}
            if page.meta.get("description"):
                meta["description"] = " ".join(str(page.meta["description"]).split())
            if page.meta.get("hidden"):
                self.plan.hidden.append((page.file, page.entry.dest))
            front = "".join(f"{k}: {yaml_scalar(v)}\n" for k, v in meta.items())
            self._write(f"docs/{page.entry.dest}", f"---\n{front}---\n\n{body}", page.file)
            self.plan.counts.update(renderer.counts)
            self.plan.issues += renderer.issues + ctx.issues
            self.plan.external_images += renderer.external_images

    def group_pages(self) -> None:
        """A '## group' of the export becomes a section whose index page lists its children."""
        for e in self.export.walk():
            if e.group and e.dest:
                here = posixpath.dirname(e.dest)
                items = [f"- [{md_escape(c.title)}]({c.url if c.url else posixpath.relpath(c.dest, here)})"
                         for c in e.children if c.url or c.dest]
                text = (f"---\nsource: gitbook\n---\n\n# {md_escape(e.title)}\n\n" + "\n".join(items) + "\n")
                self._write(f"docs/{e.dest}", text, f"SUMMARY.md:{e.line} (group)")

    def _write(self, path: str, text: str, source: str) -> None:
        if path in self.plan.writes:
            self.plan.issues.append(Issue(self.export.where(source), 1, f"would land on {path}, like "
                                          f"{self.plan.sources[path]}; not imported", "page"))
            return
        self.plan.writes[path] = text.encode("utf-8")
        self.plan.sources[path] = source

    def home_if_missing(self) -> None:
        if "docs/index.md" not in self.plan.writes:
            top = [e for e in self.export.entries if e.dest or e.url]
            items = [f"- [{md_escape(e.title)}]({e.url or e.dest})" for e in top]
            self._write("docs/index.md", "---\nsource: gitbook\n---\n\n# Home\n\n" + "\n".join(items) + "\n",
                        "(home)")


# ------------------------------------------------------------------ checking and writing

def _is_import(path: Path) -> bool:
    try:
        head = path.read_text("utf-8")[:2000]
    except (UnicodeDecodeError, OSError):
        return False
    m = re.match(r"^---[ \t]*\n(.*?\n)---", head, re.S)
    return bool(m and re.search(r"^source:[ \t]*gitbook[ \t]*$", m[1], re.M))


def classify(project: Path, plan: Plan) -> tuple[list[str], list[str], list[str], list[str]]:
    """(new, updated, unchanged, refused) project-relative paths of the planned writes and copies."""
    new, updated, same, refused = [], [], [], []
    targets = {p: data for p, data in plan.writes.items()}
    for path in sorted(set(targets) | set(plan.copies)):
        dest = project / path
        if path in plan.moves:
            new.append(path)
            continue
        if not dest.exists():
            new.append(path)
            continue
        data = targets[path] if path in targets else plan.copies[path].read_bytes()
        if dest.read_bytes() == data:
            same.append(path)
        elif path.endswith(".md") and _is_import(dest) or path == "docs/SUMMARY.md":
            updated.append(path)
        else:
            refused.append(path)
    return new, updated, same, refused


def plan_moves(project: Path, plan: Plan) -> None:
    """--new-tree: notes and notebooks in docs/ that the new tree does not hold move to MOVED_DIR."""
    docs = project / "docs"
    for path in sorted(docs.rglob("*")):
        rel = path.relative_to(project).as_posix()
        if not path.is_file() or rel == "docs/SUMMARY.md" or rel.startswith("docs/assets/"):
            continue
        if path.suffix not in (".md", ".py", ".ipynb"):
            continue
        if rel in plan.writes and (path.read_bytes() == plan.writes[rel] or _is_import(path)):
            continue
        plan.moves[rel] = f"{MOVED_DIR}/{rel[len('docs/'):]}"


def write(project: Path, plan: Plan, changed: list[str]) -> None:
    """Stage every changed file, then move notes out and the staged files into place."""
    staging = project / STAGING_DIR
    if staging.exists():
        shutil.rmtree(staging)
    try:
        for path in changed:
            out = staging / path
            out.parent.mkdir(parents=True, exist_ok=True)
            if path in plan.writes:
                out.write_bytes(plan.writes[path])
            else:
                shutil.copyfile(plan.copies[path], out)
        for src, dest in plan.moves.items():
            target = project / dest
            n = 2
            while target.exists():
                target = project / f"{dest}.{n}"
                n += 1
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(project / src, target)
        for path in changed:
            dest = project / path
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / path, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# ------------------------------------------------------------------ the report

_KINDS = [  # (kind, words of the message) for items whose maker gave no kind
    ("missing image or file", ("image ", "{% file %}", "the file ")),
    ("link leads nowhere", ("link ", "content-ref")),
    ("anchor", ("anchor ",)),
    ("unknown tag", ("unknown GitBook tag",)),
    ("API block", ("API block",)),
    ("variable", ("variable ",)),
    ("SUMMARY entry", ("not added:",)),
]


def kind_of(issue: Issue) -> str:
    if issue.kind != "other":
        return issue.kind
    return next((k for k, words in _KINDS if any(w in issue.what for w in words)), "other")


def items(imp: Importer) -> list[Issue]:
    """Every listed item for a person, in the export's order."""
    return imp.export.issues + imp.plan.issues + imp.plan.external_images


def report(args, export: Export, imp: Importer, new, updated, same, kept) -> str:
    plan = imp.plan
    imported = sum(1 for p in export.pages.values() if p.entry.dest) - len(kept)
    mode = "new tree (--new-tree)" if args.new_tree else "fill the mirror"
    listed = items(imp)
    rows = [
        ("pages in the export", len(export.pages)),
        ("matched to docs/SUMMARY.md" if not args.new_tree else "placed in the new tree", len(plan.matched)),
        ("kept (written notes left as they are; --force replaces)", len(kept)),
        ("added under their parent (--add-unmatched)", len(plan.added)),
        ("pages written", imported),
        ("assets copied", plan.counts["assets copied"]),
        ("links made", plan.counts["links made"]),
        ("items for a person", len(listed)),
    ]
    out = ["# GitBook import report", "", f"Source `{export.src}`, mode: {mode}, space address: "
           f"{imp.space_url or '(none found)'}.", "", "| measure | count |", "|---|---:|"]
    out += [f"| {k} | {v} |" for k, v in rows]
    out += ["", f"Files new / updated / unchanged: {len(new)} / {len(updated)} / {len(same)}; "
                f"unmatched pages (not imported): {len(plan.unmatched)}; hidden in GitBook: {len(plan.hidden)}; "
                f"notes moved out of docs/: {len(plan.moves)}."]
    groups: dict[str, list[Issue]] = {}
    for i in listed:
        groups.setdefault(kind_of(i), []).append(i)
    out += ["", "## Items for a person", ""]
    if not groups:
        out.append("Nothing: every page, block and asset converted.")
    for kind, group in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        out += ["", f"### {kind} ({len(group)})", ""] + [f"- {i}" for i in group]

    def section(title: str, lines: list[str]) -> None:
        if lines:
            out.extend(["", f"## {title} ({len(lines)})", ""] + [f"- {i}" for i in lines])

    section("Kept: written notes here, left byte-identical (--force replaces them)", [f"`{p}`" for p in kept])
    section("Unmatched pages (not imported; --add-unmatched or --new-tree brings them)",
            [f"`{e.file}`: {' › '.join(e.trail)}" for e in plan.unmatched])
    section("Added to docs/SUMMARY.md", [f"`{e.file}` → `docs/{p}`" for e, p in plan.added])
    section("Hidden in GitBook (imported)", [f"`{f}` → `docs/{d}`" for f, d in plan.hidden])
    section("Files of the export not in its SUMMARY.md (not imported)", [f"`{f}`" for f in export.unlisted])
    section(f"Moved out of docs/ into {MOVED_DIR}/ (nothing deleted)", [f"`{s}` → `{d}`"
                                                                        for s, d in plan.moves.items()])
    out += ["", "## Blocks converted", "", "| GitBook construct | count |", "|---|---:|"]
    out += [f"| {k} | {v} |" for k, v in sorted(plan.counts.items())
            if k not in ("assets copied", "links made")] or ["| (none) | 0 |"]
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------ command line

def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "import-gitbook", help="import a GitBook-synced repository into docs/",
        description="Convert a GitBook-synced repository (SRC) to this site's Markdown. By default each page "
                    "whose title trail matches an entry of docs/SUMMARY.md becomes that entry's note; "
                    "--new-tree replaces docs/SUMMARY.md by the export's own tree.")
    p.add_argument("src", metavar="SRC", help="folder holding the GitBook-synced repository")
    p.add_argument("--new-tree", action="store_true", help="replace docs/SUMMARY.md by the export's tree")
    p.add_argument("--dry-run", action="store_true", help="print the plan and write nothing")
    p.add_argument("--force", action="store_true", help="replace written notes (default: keep them, listed)")
    p.add_argument("--strict", action="store_true", help="exit 1 when the report lists any item for a person")
    p.add_argument("--report", metavar="FILE", help="also write the Markdown report to FILE")
    p.add_argument("--project", metavar="DIR", default=".", help="project folder (holds mkdocs.yml); default: .")
    p.add_argument("--add-unmatched", action="store_true",
                   help="add pages that match no entry to docs/SUMMARY.md under their parent")
    p.add_argument("--gitbook-url", metavar="URL",
                   help="the space's address (e.g. https://me.gitbook.io/til), else inferred from the links")


def plan_import(args) -> tuple[Export, Importer, str | None]:
    project = Path(args.project).resolve()
    if not (project / "mkdocs.yml").is_file():
        raise GitbookError(f"{project}: no mkdocs.yml here; run in the project or pass --project DIR")
    export = Export(Path(args.src))
    if not export.pages:
        raise GitbookError(f"{args.src}: nothing to import: no page of its table of contents is in the export")
    imp = Importer(export, project, args)
    summary = imp.new_tree() if args.new_tree else imp.mirror()
    try:
        imp.convert()
    finally:
        imp.close()
    if args.new_tree:
        imp.group_pages()
        imp.home_if_missing()
    if summary is not None:
        imp.plan.writes["docs/SUMMARY.md"] = summary.encode("utf-8")
        if args.new_tree:
            try:
                parse_summary(summary)
            except SummaryError as exc:  # the importer's own mistake: say so rather than write it
                raise GitbookError(f"the new docs/SUMMARY.md would be invalid:\n{exc}") from None
    if args.new_tree:
        plan_moves(project, imp.plan)
    return export, imp, summary


def run(args) -> int:
    try:
        export, imp, _ = plan_import(args)
    except GitbookError as exc:
        print(f"til import-gitbook: error: {exc}", file=sys.stderr)
        print("Nothing was written.", file=sys.stderr)
        return 2
    project = imp.project
    plan = imp.plan
    new, updated, same, refused = classify(project, plan)
    kept = [] if args.force else refused
    if args.force:
        updated, refused = updated + refused, []
    for path in kept:  # fill mode keeps the notes written here, byte for byte
        plan.writes.pop(path, None)
    text = report(args, export, imp, new, updated, same, kept)
    print(text)
    changed = new + updated
    listed = bool(items(imp))
    if args.dry_run:
        print("## Plan (--dry-run: nothing written)\n")
        for label, paths in (("write", new), ("update", updated), ("keep (unchanged)", same),
                             ("keep (a written note)", kept)):
            for p in paths:
                print(f"- {label}: `{p}`")
        for s, d in plan.moves.items():
            print(f"- move: `{s}` → `{d}`")
        return 1 if args.strict and listed else 0
    try:
        if args.report:
            Path(args.report).write_text(text, "utf-8")
        if not changed and not plan.moves:
            print(f"Nothing changed: all {len(same)} files are already up to date"
                  + (f"; {len(kept)} written notes kept." if kept else "."))
        else:
            write(project, plan, changed)
            print(f"Wrote {len(new)} new and {len(updated)} updated files; {len(same)} unchanged; "
                  f"{len(kept)} written notes kept; moved {len(plan.moves)} notes to {MOVED_DIR}/.")
    except OSError as exc:
        print(f"til import-gitbook: error: cannot write the target: {exc}", file=sys.stderr)
        return 2
    return 1 if args.strict and listed else 0
