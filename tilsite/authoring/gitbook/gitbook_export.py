"""Read a GitBook-synced repository: its configuration, its tree (SUMMARY.md or folders),
its pages parsed into block trees, and every file indexed by its NFC path.

Used by tilsite/gitbook.py; a problem in the export raises GitbookError('file:line: message').
"""

from __future__ import annotations

import os
import posixpath
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import yaml

from tilsite.authoring.gitbook import gitbook_blocks as gb
from tilsite.authoring.gitbook.gitbook_blocks import GitbookError

_ENTRY = re.compile(r"^(?P<indent>[ \t]*)[*+-][ \t]+\[(?P<title>(?:\\.|[^\]\\\[]|\[(?:\\.|[^\]\\])*\])*)\]"
                    r"\((?P<target><[^>]*>|[^)\s]*)(?:[ \t]+\"[^\"]*\")?\)[ \t]*$")
_GITBOOK_URL = re.compile(r"https?://(?:[\w-]+\.gitbook\.io/[^/\s)#\"'>]+|app\.gitbook\.com/@[^/\s]+/s/[^/\s)#\"'>]+)")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


_ANCHOR = re.compile(r"""[ \t]*<a\b[^>]*>[ \t]*</a>""", re.I)


def unescape(title: str) -> str:
    """A SUMMARY title as text: GitBook's backslash escapes and its <a id> anchors removed."""
    return nfc(re.sub(r"\\(.)", r"\1", _ANCHOR.sub("", title)).strip())


@dataclass
class SrcEntry:
    """One entry of the export's tree: a page, a group heading or an external link."""

    line: int
    title: str
    file: str | None = None         # export-relative POSIX path (NFC) of the page
    url: str | None = None          # an external link
    group: bool = False             # a '## heading' of SUMMARY.md
    parent: SrcEntry | None = None
    children: list[SrcEntry] = field(default_factory=list)
    dest: str | None = None         # docs-relative path it lands on

    @property
    def trail(self) -> tuple[str, ...]:
        """Titles from the top down to this entry; groups are not part of it."""
        out, node = [], self
        while node is not None:
            if not node.group:
                out.append(node.title)
            node = node.parent
        return tuple(out[::-1])


@dataclass
class SrcPage:
    file: str
    title: str
    meta: dict
    nodes: list
    headings: list[tuple[str, str]]
    entry: SrcEntry | None = None


class Export:
    """A GitBook-synced repository, read and checked; every file indexed by its NFC path."""

    def __init__(self, src: Path):
        self.src = src
        if not src.is_dir():
            raise GitbookError(f"{src}: not a folder")
        config = {}
        if (src / ".gitbook.yaml").is_file():
            config = self._yaml(src / ".gitbook.yaml", ".gitbook.yaml") or {}
            if not isinstance(config, dict) or not isinstance(config.get("structure") or {}, dict):
                raise GitbookError(f"{src / '.gitbook.yaml'}:1: expected a mapping with root:, structure: "
                                   "and redirects:")
        root = str(config.get("root", "") or "").strip().strip("/")
        self.root = src / root if root not in ("", ".") else src   # as given: messages name files this way
        structure = config.get("structure") or {}
        self.readme = nfc(str(structure.get("readme", "README.md")))
        self.summary_name = nfc(str(structure.get("summary", "SUMMARY.md")))
        self.issues: list[gb.Issue] = []    # problems confined to a page or an entry: listed, never fatal
        self.files: dict[str, Path] = {}
        self._by_name: dict[str, list[str]] | None = None
        self.rel_of: dict[str, str] = {}   # a node's file (as where() names it) -> export-relative path
        for folder, dirs, names in os.walk(self.root):
            dirs[:] = sorted(d for d in dirs if d != ".git")  # Git's own objects are not the space
            for name in sorted(names):
                path = Path(folder) / name
                self.files[nfc(path.relative_to(self.root).as_posix())] = path
        has_summary = self.summary_name in self.files
        if not (has_summary or (src / ".gitbook.yaml").is_file() or (self.root / ".gitbook").is_dir()):
            raise GitbookError(f"{src}: not a GitBook repository: it has no {self.summary_name}, "
                               ".gitbook.yaml or .gitbook/ folder")
        if not has_summary and self.readme not in self.files:
            raise GitbookError(f"{src}: not a GitBook repository: no {self.summary_name} and no {self.readme}")
        self.vars = {}
        if ".gitbook/vars.yaml" in self.files:
            self.vars = self._yaml(self.files[".gitbook/vars.yaml"], ".gitbook/vars.yaml") or {}
            if not isinstance(self.vars, dict):
                raise GitbookError(f"{self.where('.gitbook/vars.yaml', 1)}: expected a mapping of variables")
        self.entries = self._summary() if has_summary else []
        if not any(e.file for e in self.walk()) and self.readme in self.files:
            if has_summary:  # an empty or linkless SUMMARY.md: the folders are the tree, as GitBook shows it
                self.issues.append(gb.Issue(self.where(self.summary_name), 1, "lists no page; the tree is read "
                                            "from the folders", "SUMMARY entry"))
            self.entries = self._folders()
        self.pages: dict[str, SrcPage] = {}
        for e in self.walk():
            if e.file and e.file not in self.pages:
                self.pages[e.file] = self._page(e)
        self.unlisted = sorted(f for f in self.files if f.endswith(".md") and f not in self.pages
                               and f != self.summary_name and not f.startswith(".gitbook/"))

    def where(self, rel: str, line: int | None = None) -> str:
        """'SRC/rel:line' as messages name a file of the export."""
        path = (self.root / rel).as_posix()
        self.rel_of[path] = rel
        return f"{path}:{line}" if line else path

    def _yaml(self, path: Path, rel: str):
        try:
            return yaml.safe_load(self._read(path, rel))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise GitbookError(f"{self.src / rel}:{mark.line + 1 if mark else 1}: not valid YAML: "
                               f"{getattr(exc, 'problem', None) or exc}") from None

    def _read(self, path: Path, rel: str) -> str:
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            raise GitbookError(f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
                               f"{exc.start}); save it as UTF-8") from None
        return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")

    def read(self, rel: str) -> str:
        return self._read(self.files[rel], rel)

    def walk(self, entries: list[SrcEntry] | None = None):
        for e in self.entries if entries is None else entries:
            yield e
            yield from self.walk(e.children)

    def resolve(self, target: str, base: str) -> str:
        """Export-relative NFC path of `target` written in the file `base`."""
        target = nfc(unquote(target.strip().strip("<>")))
        path = posixpath.normpath(posixpath.join(posixpath.dirname(base), target)) if not target.startswith("/") \
            else posixpath.normpath(target.lstrip("/"))
        return path

    def find(self, target: str, base: str) -> str | None:
        """The export file `target` (written in `base`) names, tolerating GitBook's sloppy asset paths."""
        path = self.resolve(target, base)
        if path in self.files:
            return path
        if path + "/README.md" in self.files:
            return path + "/README.md"
        if path in ("", "."):
            return self.readme if self.readme in self.files else None
        stripped = re.sub(r"^(?:\.\./)+", "", path)
        if stripped in self.files:
            return stripped
        if "/.gitbook/assets/" in "/" + stripped:
            name = stripped.rsplit("/", 1)[-1]
            if f".gitbook/assets/{name}" in self.files:
                return f".gitbook/assets/{name}"
            # a wrong-depth '../.gitbook/assets/<dir>/x.png': the one asset of that name, if only one
            if self._by_name is None:
                self._by_name = {}
                for f in self.files:
                    if "/.gitbook/assets/" in "/" + f:
                        self._by_name.setdefault(f.rsplit("/", 1)[-1], []).append(f)
            found = self._by_name.get(name, [])
            if len(found) == 1:
                return found[0]
        return None

    # -- the tree
    def _summary(self) -> list[SrcEntry]:
        rel = self.summary_name
        top: list[SrcEntry] = []
        group: SrcEntry | None = None
        stack: list[tuple[int, SrcEntry]] = []
        for lineno, raw in enumerate(self.read(rel).split("\n"), start=1):
            line = raw.strip()
            if not line or re.fullmatch(r"-{3,}|\*{3,}|_{3,}", line) or line.startswith("<!--"):
                continue
            heading = re.fullmatch(r"(#{1,6})[ \t]+(.*?)[ \t]*#*", line)
            if heading:
                if len(heading[1]) > 1 or top or group:  # '# Table of contents' heads the file
                    group = SrcEntry(lineno, unescape(heading[2]), group=True)
                    top.append(group)
                    stack = []
                continue
            m = _ENTRY.match(raw.expandtabs(4))
            bare = None if m else re.match(r"^(?P<indent>[ \t]*)[*+-][ \t]+(?P<title>\S.*?)[ \t]*$", raw.expandtabs(4))
            if not m and not bare:
                self.issues.append(gb.Issue(self.where(rel), lineno, f"not a table-of-contents entry, left out: "
                                                                     f"{line!r}", "SUMMARY entry"))
                continue
            m = m or bare
            width = len(m["indent"])
            while stack and stack[-1][0] >= width:
                stack.pop()
            parent = stack[-1][1] if stack else group
            entry = SrcEntry(lineno, unescape(m["title"]), parent=parent)
            target = m["target"].strip("<>") if bare is None else ""
            if not target:  # '* 전처리': a section title over the entries indented under it
                entry.group = True
            elif re.match(r"^[a-z][a-z0-9+.-]*://", target, re.I):
                entry.url = target
            else:
                path = self.resolve(target.split("#", 1)[0], rel)
                if path not in self.files:  # GitBook escapes Markdown in targets too: information\_theory
                    path = self.resolve(re.sub(r"\\(.)", r"\1", target.split("#", 1)[0]), rel)
                if path in self.files and path.endswith(".md"):
                    entry.file = path
                else:
                    entry.group = True
                    self.issues.append(gb.Issue(self.where(rel), lineno, f"'{entry.title}' points to {target}, "
                                                "which is not a page of the export; kept as a section title "
                                                "without a page", "SUMMARY entry"))
            (parent.children if parent else top).append(entry)
            stack.append((width, entry))
        return top

    def _folders(self) -> list[SrcEntry]:
        """The tree of a space without SUMMARY.md: README.md first, then folders and pages by name."""
        def title_of(rel: str) -> str:
            m = re.search(r"^#[ \t]+(.+?)[ \t]*#*$", self.read(rel), re.M)
            return unescape(m[1]) if m else posixpath.splitext(posixpath.basename(rel))[0]

        def build(folder: str, parent: SrcEntry | None) -> list[SrcEntry]:
            out = []
            prefix = f"{folder}/" if folder else ""
            names = sorted({f[len(prefix):].split("/", 1)[0] for f in self.files if f.startswith(prefix)
                            and not f[len(prefix):].startswith(".")})
            for name in names:
                rel = prefix + name
                if rel in self.files and name.endswith(".md") and name != "README.md" and rel != self.summary_name:
                    out.append(SrcEntry(0, title_of(rel), file=rel, parent=parent))
                elif any(f.startswith(rel + "/") and f.endswith(".md") for f in self.files):
                    readme = f"{rel}/README.md"
                    entry = SrcEntry(0, title_of(readme) if readme in self.files else name,
                                     file=readme if readme in self.files else None, parent=parent)
                    entry.group = entry.file is None
                    entry.children = build(rel, entry)
                    out.append(entry)
            return out

        home = SrcEntry(0, title_of(self.readme), file=self.readme)
        return [home] + build("", None)

    def _page(self, entry: SrcEntry) -> SrcPage:
        rel = entry.file
        try:
            text = self.read(rel)
        except GitbookError as exc:  # not UTF-8: read with U+FFFD in place of the bad bytes, and listed
            where, _, what = str(exc).partition(": ")
            self.issues.append(gb.Issue(self.where(rel), int(where.rsplit(":", 1)[1]), what.split(";")[0]
                                        + "; read with U+FFFD in their place", "page"))
            text = self.files[rel].read_bytes().decode("utf-8", "replace").replace("\r\n", "\n")
        meta, body, first = self._front_matter(text, rel)
        nodes = gb.parse(body, self.where(rel), self._includer(0), first, self.issues)
        return SrcPage(rel, entry.title, meta, nodes, gb.headings(nodes), entry)

    def _front_matter(self, text: str, rel: str) -> tuple[dict, str, int]:
        m = re.match(r"^---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|$)", text, re.S)
        if not m:
            return {}, text, 1
        try:
            meta = yaml.safe_load(m[1] or "") or {}
        except yaml.YAMLError:
            meta = None
        if not isinstance(meta, dict):  # plain text between '---' lines: the author's text, kept
            self.issues.append(gb.Issue(self.where(rel), 2, "front matter is not a YAML mapping; kept as text",
                                        "front matter"))
            return {}, text, 1
        return meta, text[m.end():], m[0].count("\n") + 1

    def _includer(self, depth: int):
        def include(target: str, file: str, line: int) -> list:
            rel = self.find(target, self.rel_of[file])
            if rel is None:
                raise GitbookError(f"{file}:{line}: {{% include %}} names {target!r}, which is not in the export")
            if depth > 8:
                raise GitbookError(f"{file}:{line}: includes nest more than 8 deep (a cycle?)")
            _, body, first = self._front_matter(self.read(rel), rel)
            return gb.parse(body, self.where(rel), self._includer(depth + 1), first, self.issues)
        return include

    def space_url(self) -> str | None:
        """The space's address most links in the export point at, e.g. https://me.gitbook.io/til."""
        counts = Counter()
        for rel in self.pages:
            counts.update(u.rstrip("/") for u in _GITBOOK_URL.findall(
                self.files[rel].read_bytes().decode("utf-8", "replace")))
        return counts.most_common(1)[0][0] if counts else None
