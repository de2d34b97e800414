"""Convert one GitBook page (Markdown with GitBook's extensions) to the Markdown this site builds.

Two steps:

* ``parse(text, file)`` reads the page into a tree of ``Node`` (text, fenced code,
  ``{% tag %}`` blocks, ``<details>``), checking that every block is closed;
* ``Renderer(page_context).render(nodes)`` writes Material / pymdown-extensions Markdown
  and records what it converted (``counts``) and what is left for a person (``issues``).

Everything about the rest of the export (where a link or an image goes, the title of
another page, included files, variables) is asked of the ``PageContext`` that
tilsite/gitbook.py passes in, so this module converts text and touches no files.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote
from typing import Callable, Protocol

from pymdownx.snippets import SnippetPreprocessor

from tilsite.authoring.gitbook.slug import slugify


class GitbookError(ValueError):
    """Input the import cannot go on with (not a GitBook space, nothing importable, a target that
    cannot be written), reported as 'file:line: message'; the import stops and writes nothing.
    Problems confined to one page, entry, block or asset are Issues instead."""


@dataclass
class Node:
    kind: str                 # "text", "fence", "tag" (a {% %} block or single tag) or "details"
    file: str                 # export file the node comes from (an include keeps its own)
    line: int                 # 1-based line of its first character in that file
    text: str = ""            # text/fence: the source text; tag: the raw opening tag
    name: str = ""            # tag name ("hint", "tabs", ...)
    attrs: dict = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)
    raw: str = ""             # a block's whole source text, opening to closing tag
    block: bool = False       # a tag with an end tag


@dataclass
class Issue:
    file: str
    line: int
    what: str
    kind: str = "other"       # the report groups items by it


    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.what}"


class PageContext(Protocol):
    """What the renderer needs to know about the export and the new site."""

    def link(self, target: str, file: str, line: int) -> str | None:
        """New link for `target` as written in `file` (a page, anchor, asset or URL); None if it leads nowhere."""

    def asset(self, target: str, file: str, line: int) -> str | None:
        """Copy an image or file of the export beside the note; its new relative link, or None if missing."""

    def title(self, target: str, file: str) -> str | None:
        """Title of the page `target` links to, or None."""

    def variable(self, name: str) -> str | None:
        """Value of 'space.vars.x' / 'page.vars.x', or None."""

    def url(self, link: str) -> str:
        """A link as `link()`/`asset()` return it, made a URL for raw HTML, which MkDocs leaves alone."""

    def formula(self, tex: str, display: bool) -> str | None:
        """None if the site's KaTeX typesets `tex`, else KaTeX's reason."""


# ------------------------------------------------------------------ parsing

# Blocks that must be closed by {% end<name> %}; others (embed, file, unknown tags) are single tags
# unless their end tag comes before their next use.
CONTAINERS = {"hint", "tabs", "tab", "code", "content-ref", "stepper", "step", "columns", "column",
              "swagger", "swagger-description", "swagger-parameter", "swagger-response", "openapi", "if"}
CONDITION_BRANCHES = {"else", "elif", "elsif"}   # inside {% if %}: the condition goes, the content stays
_TOKEN = re.compile(r"""
  (?P<lifence>^(?P<lii>[ \t]*(?:[*+-]|\d+[.)])[ \t]+)(?P<lit>[^`\n]*?)[ \t]*(?P<lfc>`{3,})(?P<lang>[^`\s]*)[ \t]*\n
      (?:.*?\n)??[ \t]*(?P=lfc)[ \t]*(?=\n|\Z))                   # a fence opened on a list item's line
 |(?P<fence>^(?P<fi>[ \t]*)(?P<fc>`{3,}(?![^\n]*`)|~{3,})[^\n]*\n      # (```x``` opening a line is inline code)
      (?:(?:.*?\n)??[ \t]*(?P=fc)[`~]*[ \t]*(?=\n|\Z)|.*\Z))      # fenced code, closed or running to the end
 |(?P<span>(?<!`)(?P<tk>`+)(?!`)[^\n]+?(?<!`)(?P=tk)(?!`))        # inline code
 |(?P<tag>\{%-?[ \t]*(?P<name>@?[A-Za-z][\w./-]*)(?P<args>(?:[^%\n]|%(?!\}))*?)-?%\})
 |(?P<stray>\{%|%\})
 |(?P<dopen><details\b[^>]*>)
 |(?P<dclose></details[ \t]*>)
""", re.M | re.S | re.X)
_ATTR = re.compile(r"""\s*([A-Za-z][\w-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_POSITIONAL = re.compile(r"""\s*(?:"([^"]*)"|'([^']*)')""")


_CURLY = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'"})


def parse_attrs(args: str, where: str) -> dict:
    """key="value" pairs of a tag (an include's path is the positional key '').

    GitBook's editor sometimes writes curly quotes (style=\u201cwarning\u201d): read as straight ones.
    """
    args = args.translate(_CURLY)
    attrs, pos = {}, 0
    while pos < len(args.rstrip()):
        m = _ATTR.match(args, pos)
        if m:
            attrs[m[1]] = html.unescape(m[2] if m[2] is not None else m[3])
        else:
            m = _POSITIONAL.match(args, pos)
            if not m or "" in attrs:
                raise GitbookError(f"{where}: malformed tag arguments {args.strip()!r} "
                                   '(expected key="value" pairs)')
            attrs[""] = m[1] if m[1] is not None else m[2]
        pos = m.end()
    return attrs


def _line_at(text: str, pos: int, base: int) -> int:
    return base + text.count("\n", 0, pos)


def parse(text: str, file: str, include: Callable[[str, str, int], list[Node]] | None = None,
          first_line: int = 1, issues: list[Issue] | None = None) -> list[Node]:
    """Tree of a page's body, best effort: a stray, unclosed or malformed block is repaired or shown
    as a visible note, and listed in `issues` ('file:line: what'); parsing never stops the import.

    `include(path, file, line)` returns the parsed nodes of an included file.
    """
    issues = [] if issues is None else issues
    tokens = list(_TOKEN.finditer(text))
    root = Node("root", file, first_line)
    stack: list[tuple[Node, int]] = [(root, 0)]   # (open node, offset of its opening tag)
    pos = 0

    def line_of(offset: int) -> int:
        return _line_at(text, offset, first_line)

    def where(offset: int) -> str:
        return f"{file}:{line_of(offset)}"

    def issue(offset: int, what: str, kind: str) -> None:
        issues.append(Issue(file, line_of(offset), what, kind))

    def add_text(upto: int) -> None:
        if upto > pos:
            stack[-1][0].children.append(Node("text", file, line_of(pos), text[pos:upto]))

    def closes_later(i: int, name: str) -> bool:
        # an optional container (embed, an unknown tag) is a block when its end tag comes before its next use
        for t in tokens[i + 1:]:
            if t["tag"] and t["name"] in (name, f"end{name}"):
                return t["name"] == f"end{name}"
        return False

    def close(upto: int, end: int) -> None:
        """Close the open blocks above stack[upto] implicitly (listed), then stack[upto] itself."""
        while len(stack) - 1 > upto:
            node, off = stack.pop()
            node.raw = text[off:end]
            what = "<details>" if node.kind == "details" else f"{{% {node.name} %}}"
            issue(off, f"{what} is not closed before line {line_of(end)}; closed there", "block repaired")
        node, off = stack.pop()
        node.raw = text[off:end]

    def opened(kind: str, name: str) -> int | None:
        for depth in range(len(stack) - 1, 0, -1):
            node = stack[depth][0]
            if node.kind == kind and (kind == "details" or node.name == name):
                return depth
        return None

    def stray_closer(m, what: str) -> None:
        issue(m.start(), f"{what} closes nothing (an author's slip); shown as a note", "block repaired")
        stack[-1][0].children.append(Node("stray", file, line_of(m.start()), m.group(0)))

    for i, m in enumerate(tokens):
        if m["span"]:
            continue  # stays inside the text around it
        add_text(m.start())
        pos = m.end()
        parent = stack[-1][0]
        if m["lifence"]:
            # '- item ```py' ... '  ```': GitBook's export of a code block inside a list item. The
            # item's text and the fence go on lines of their own; nodes keep their source lines
            item = m["lii"] + m["lit"]
            if item.strip() not in "*+-" and item.strip():
                parent.children.append(Node("text", file, line_of(m.start()), item + "\n"))
            pad = " " * len(m["lii"].expandtabs(4))
            body = m["lifence"].split("\n", 1)[1]
            lines = [(pad + ln.lstrip() if i == len(body.split("\n")) - 1 else ln) for i, ln in enumerate(body.split("\n"))]
            parent.children.append(Node("fence", file, line_of(m.start()),
                                        f"{pad}{m['lfc']}{m['lang']}\n" + "\n".join(lines)))
            continue
        if m["fence"]:
            fence = m["fence"]
            ticks = m["fc"]
            last = fence.rstrip("\n").rsplit("\n", 1)[-1].strip()
            if "\n" not in fence.rstrip("\n") or not (last.startswith(ticks) and not last.strip("`~")):
                # never closed: code to the end of the page, as the importer reads it; Python-Markdown
                # would show it as text instead, so the fence is closed where the page ends
                issue(m.start(), f"code fence {ticks} is never closed; closed at the end of the page", "code")
                fence = fence.rstrip("\n") + f"\n{m['fi']}{ticks}\n"
            parent.children.append(Node("fence", file, line_of(m.start()), fence))
        elif m["stray"]:
            issue(m.start(), f"'{m['stray']}' without its other half; kept as text", "block repaired")
            parent.children.append(Node("text", file, line_of(m.start()), m["stray"]))
        elif m["dopen"]:
            node = Node("details", file, line_of(m.start()), m["dopen"], name="details", block=True)
            parent.children.append(node)
            stack.append((node, m.start()))
        elif m["dclose"]:
            depth = opened("details", "details")
            if depth is None:
                stray_closer(m, "</details>")
            else:
                close(depth, m.end())
        else:
            name, args = m["name"], m["args"]
            if name.startswith("end") and name not in CONTAINERS:
                depth = opened("tag", name[3:])
                if depth is None:
                    stray_closer(m, f"{{% {name} %}}")
                else:
                    close(depth, m.end())
                continue
            line = line_of(m.start())
            if name == "if" or name in CONDITION_BRANCHES:
                attrs = {"condition": args.strip()}
            else:
                try:
                    attrs = parse_attrs(args, where(m.start()))
                except GitbookError as exc:
                    issue(m.start(), str(exc).split(": ", 1)[1] + "; the tag's options are ignored", "block repaired")
                    attrs = {}
            if name == "include":
                if "" not in attrs or include is None:
                    what = "needs a path" if "" not in attrs else "is nested too deep"
                    issue(m.start(), f"{{% include %}} {what}; shown as a note", "include")
                    parent.children.append(Node("stray", file, line, m.group(0)))
                    continue
                try:
                    parent.children.extend(include(attrs[""], file, line))
                except GitbookError as exc:
                    issue(m.start(), str(exc).split(": ", 1)[-1] if str(exc).startswith(file) else str(exc),
                          "include")
                    parent.children.append(Node("stray", file, line, m.group(0)))
                continue
            node = Node("tag", file, line, m.group(0), name=name, attrs=attrs)
            parent.children.append(node)
            if name in CONTAINERS or closes_later(i, name):
                node.block = True
                stack.append((node, m.start()))
            else:
                node.raw = m.group(0)
    add_text(len(text))
    if len(stack) > 1:
        node, off = stack[1]
        what = "<details>" if node.kind == "details" else f"{{% {node.name} %}}"
        issue(off, f"{what} is never closed; closed at the end of the page", "block repaired")
        while len(stack) > 1:
            node, off = stack.pop()
            node.raw = text[off:]
    return root.children


# ------------------------------------------------------------------ rendering

HINT = {"info": ("note", "참고"), "success": ("tip", "팁"), "tip": ("tip", "팁"),
        "warning": ("warning", "주의"), "danger": ("danger", "위험")}
INDENT = "    "
_HEADING = re.compile(r"^(?P<lead>[ \t]{0,3})(?P<hashes>#{1,6})[ \t]+(?P<text>.*?)[ \t]*#*[ \t]*$", re.M)
_MD_LINK = re.compile(r"""
  (?P<bang>!?)(?<!\\)\[(?P<text>(?:\\.|[^\]\\\[]|\[(?:\\.|[^\]\\])*\])*)\]
  \([ \t]*(?P<target><[^>\n]*>|(?:[^()\s]|\((?:[^()\s])*\))+)(?:[ \t]+(?P<q>["'])(?P<title>.*?)(?P=q))?[ \t]*\)
""", re.X)
_REF_DEF = re.compile(r"^(?P<lead>[ \t]{0,3})\[(?P<label>[^\]\n]+)\]:[ \t]*(?P<target><[^>\n]*>|\S+)[ \t]*$", re.M)
_TAG_ATTR = re.compile(r"""([\w-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
PLACEHOLDER = "\x00{}\x00"
_PLACEHOLDER = re.compile(r"\x00(\d+)\x00(\n*)")
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)


def html_attrs(tag: str) -> dict[str, str]:
    """Attributes of an HTML start tag, values unescaped ('data-hidden' -> '')."""
    inner = re.sub(r"^<\s*[\w-]+|/?>$", "", tag.strip())
    out = {}
    for m in _TAG_ATTR.finditer(inner):
        val = next((g for g in m.groups()[1:] if g is not None), "")
        out[m[1].lower()] = html.unescape(val)
    return out


_ANCHOR_TAG = re.compile(r"""[ \t]*<a\b[^>]*\bid=["']([^"']+)["'][^>]*>[ \t]*</a>""", re.I)


def heading_id(text: str, used: set[str]) -> str:
    """Explicit ASCII id of a heading, unique on its page (Korean is romanised).

    GitBook's own anchor, '## Title <a href="#x" id="x"></a>', is kept when it is ASCII.
    """
    own = _ANCHOR_TAG.search(text)
    if own and re.fullmatch(r"[A-Za-z][\w-]*", own[1]) and own[1] not in used:
        used.add(own[1])
        return own[1]
    plain = re.sub(r"[*_`~=]|<[^>]+>|\[([^\]]*)\]\([^)]*\)", r"\1", _ANCHOR_TAG.sub("", text))
    base = slugify(plain, default="section")
    hid, n = base, 2
    while hid in used:
        hid, n = f"{base}-{n}", n + 1
    used.add(hid)
    return hid


def gitbook_anchors(text: str) -> set[str]:
    """Anchors GitBook may have given a heading (its own slug keeps Hangul, or an explicit <a id>)."""
    own = {m.lower() for m in _ANCHOR_TAG.findall(text)}
    text = _ANCHOR_TAG.sub("", text)
    plain = re.sub(r"[*_`~=]|<[^>]+>|\[([^\]]*)\]\([^)]*\)", r"\1", text).strip().lower()
    kebab = re.sub(r"[^\w\s-]", "", plain, flags=re.U)
    return own | {plain, re.sub(r"\s+", "-", kebab).strip("-"), re.sub(r"[\s-]+", "-", kebab).strip("-")}


def headings(nodes: list[Node]) -> list[tuple[str, str]]:
    """(heading text, id) of the h2-h6 headings in text nodes, in page order."""
    used: set[str] = set()
    out = []
    for node in walk(nodes):
        if node.kind == "text":
            for m in _HEADING.finditer(_mask_spans(node.text)):
                if len(m["hashes"]) > 1:
                    out.append((m["text"], heading_id(m["text"], used)))
    return out


def walk(nodes: list[Node]):
    for n in nodes:
        yield n
        yield from walk(n.children)


def _mask_spans(text: str) -> str:
    # same length, so offsets still hold; only used to find headings
    return re.sub(r"(?<!`)(`+)(?!`)[^\n]+?(?<!`)\1(?!`)", lambda m: "x" * len(m[0]), text)


def indent(text: str, prefix: str = INDENT) -> str:
    return "\n".join(prefix + line if line.strip() else "" for line in text.split("\n"))


def _strip_blank_edges(text: str) -> str:
    return re.sub(r"^(?:[ \t]*\n)+", "", text).rstrip()


def _quote(title: str) -> str:
    return '"' + title.replace('"', "'").replace("\n", " ").strip() + '"'


class _Cells(HTMLParser):
    """Rows of a <table data-view="cards">: header attributes and each cell's inner HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.head: list[dict] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        if tag == "thead":
            self._in_head = True
        elif tag == "tr" and not self._in_head:
            self.rows.append([])
        elif tag == "th" and self._in_head:
            self.head.append({k: v or "" for k, v in attrs})
        elif tag == "td":
            self._cell = []
        elif self._cell is not None:
            self._cell.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        if tag == "thead":
            self._in_head = False
        elif tag == "td" and self._cell is not None:
            if not self.rows:
                self.rows.append([])
            self.rows[-1].append("".join(self._cell))
            self._cell = None
        elif self._cell is not None:
            self._cell.append(f"</{tag}>")

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_entityref(self, name):
        self.handle_data(f"&{name};")

    def handle_charref(self, name):
        self.handle_data(f"&#{name};")


class Renderer:
    """Markdown of one page's tree; `counts` and `issues` say what happened."""

    def __init__(self, ctx: PageContext, page_headings: list[tuple[str, str]]):
        self.ctx = ctx
        self.counts: Counter = Counter()
        self.issues: list[Issue] = []
        self.external_images: list[Issue] = []
        self._heading_ids = iter(page_headings)
        self._protected: list[str] = []

    # -- helpers
    def _protect(self, text: str, source_lines: int = 0) -> str:
        """A placeholder for converted text, followed by as many newlines as the source it replaces
        spanned, so that later line numbers on the page still count source lines."""
        self._protected.append((text, source_lines))
        return PLACEHOLDER.format(len(self._protected) - 1) + "\n" * source_lines

    def _restore(self, text: str) -> str:
        def sub(m):
            value, lines = self._protected[int(m[1])]
            return value + m[2][lines:]
        while _PLACEHOLDER.search(text):
            text = _PLACEHOLDER.sub(sub, text)
        return text

    def _issue(self, file: str, line: int, what: str, kind: str = "other") -> None:
        self.issues.append(Issue(file, line, what, kind))

    def _note(self, kind: str, title: str, body: str) -> str:
        return f"!!! {kind} {_quote(title)}\n\n{indent(_strip_blank_edges(body))}"

    # -- the tree
    def render(self, nodes: list[Node]) -> str:
        parts = []
        for node in nodes:
            if node.kind == "text":
                parts.append(self.text(node.text, node.file, node.line))
            elif node.kind == "fence":
                parts.append(node.text)
            elif node.kind == "stray":  # listed by parse(); shown, never silently dropped
                self.counts["stray tag (shown as a note)"] += 1
                parts.append("\n\n" + self._note("warning", "GitBook 태그 오류",
                                                 f"짝이 없는 GitBook 태그 `{node.text}`를 그대로 보인다.") + "\n\n")
            else:
                parts.append("\n\n" + self.block(node) + "\n\n")
        return "".join(parts)

    def body(self, node: Node) -> str:
        return _strip_blank_edges(self.render(node.children))

    def block(self, node: Node) -> str:
        if node.kind == "details":
            return self.details(node)
        if node.name.startswith("@"):
            return self.integration(node)
        if node.name in CONDITION_BRANCHES:
            return ""  # {% else %}: both branches are kept, in order
        method = getattr(self, "tag_" + node.name.replace("-", "_"), None)
        if method is None:
            return self.unknown(node)
        self.counts[node.name] += 1
        return method(node)

    def unknown(self, node: Node) -> str:
        self.counts["unknown tag (left as a note)"] += 1
        self._issue(node.file, node.line, f"unknown GitBook tag {node.text} shown as a note; convert it by hand")
        body = f"이 자리의 GitBook 블록 `{node.text}`은(는) 자동으로 옮기지 못했다."
        if node.block:
            body += "\n\n" + self.body(node)
        return self._note("warning", "옮기지 못한 GitBook 블록", body)

    def integration(self, node: Node) -> str:
        """{% @vendor/name url="..." %}: an integration GitBook renders from elsewhere; a link card here."""
        self.counts["integration block (link card)"] += 1
        url = node.attrs.get("url", "")
        if not url:
            self._issue(node.file, node.line, f"integration block {node.text} has no url; shown as a note",
                        "integration block")
            return self._note("note", "GitBook 통합 블록", f"GitBook 통합 블록 `{node.text}`은(는) 여기서 "
                                                      "보일 수 없다.")
        self._issue(node.file, node.line, f"integration block {node.name} shown as a link to {url} "
                                          "(its content is not copied)", "integration block")
        label = node.name[1:]
        return (f'<div class="grid cards til-embed" markdown>\n\n-   **[{_md_text(label)}]({url})**\n\n    ---\n\n'
                f"    <{url}>\n\n</div>")

    def tag_if(self, node: Node) -> str:
        """{% if visitor.claims... %}: adaptive content; every branch is kept, the condition dropped."""
        self._issue(node.file, node.line, f"condition {{% if {node.attrs.get('condition', '')} %}} dropped; "
                                          "all its content is shown", "condition")
        return self.body(node)

    def details(self, node: Node) -> str:
        self.counts["details"] += 1
        kids = list(node.children)
        title = "자세히"
        for i, kid in enumerate(kids):
            if kid.kind == "text":
                m = re.search(r"<summary\b[^>]*>(.*?)</summary>", kid.text, re.S)
                if m:
                    title = re.sub(r"<[^>]+>", "", m[1]).strip() or title
                    kids[i] = Node("text", kid.file, kid.line, kid.text[:m.start()] + kid.text[m.end():])
                    break
        inner = _strip_blank_edges(self.render(kids))
        return f"??? note {_quote(html.unescape(title))}\n\n{indent(inner)}"

    def tag_hint(self, node: Node) -> str:
        style = node.attrs.get("style", "info")
        if style not in HINT:
            self._issue(node.file, node.line, f"hint style {style!r} is not one of {', '.join(HINT)}; shown as a note")
        kind, title = HINT.get(style, HINT["info"])
        return self._note(kind, title, self.body(node))

    def tag_tabs(self, node: Node) -> str:
        out = []
        for kid in node.children:
            if kid.kind == "tag" and kid.name == "tab":
                self.counts["tab"] += 1
                out.append(f"=== {_quote(kid.attrs.get('title', '탭'))}\n\n{indent(self.body(kid))}")
            elif kid.kind != "text" or kid.text.strip():
                self._issue(kid.file, kid.line, "content between tabs is not inside a {% tab %}; kept after the tabs")
                out.append(self.render([kid]))
        return "\n\n".join(out)

    def tag_tab(self, node: Node) -> str:  # a tab outside {% tabs %}
        return f"=== {_quote(node.attrs.get('title', '탭'))}\n\n{indent(self.body(node))}"

    def tag_code(self, node: Node) -> str:
        fences = [k for k in node.children if k.kind == "fence"]
        if not fences:
            self._issue(node.file, node.line, "{% code %} holds no fenced code block")
            return self.body(node)
        opts = []
        if node.attrs.get("title"):
            opts.append(f"title={_quote(node.attrs['title'])}")
        if node.attrs.get("lineNumbers", "").lower() == "true":
            opts.append('linenums="1"')
        wrap = node.attrs.get("overflow", "").lower() == "wrap"
        out = []
        for kid in node.children:
            if kid is fences[0]:
                out.append(self._fence_with(kid.text, opts, wrap))
            else:
                out.append(self.render([kid]))
        return _strip_blank_edges("".join(out))

    @staticmethod
    def _fence_with(fence: str, opts: list[str], wrap: bool) -> str:
        first, _, rest = fence.partition("\n")
        m = re.match(r"^([ \t]*)(`{3,}|~{3,})[ \t]*([^\s{`]*)[ \t]*(.*)$", first)
        lead, ticks, lang, extra = m.groups()
        if wrap:
            attrs = " ".join(([f".{lang}"] if lang else [".text"]) + [".til-wrap"] + opts)
            return f"{lead}{ticks} {{ {attrs} }}\n{rest}"
        return f"{lead}{ticks}{lang}{' ' if opts else ''}{' '.join(opts)}{(' ' + extra) if extra else ''}\n{rest}"

    def tag_embed(self, node: Node) -> str:
        url = node.attrs.get("url", "")
        if not url:
            self._issue(node.file, node.line, "{% embed %} without url=")
            return self.body(node) if node.block else ""
        caption = _strip_blank_edges(self.render(node.children)) if node.block else ""
        host = re.sub(r"^(?:[a-z]+:)?//(?:www\.)?([^/?#]+).*$", r"\1", url, flags=re.I)
        # a link, never an iframe: the site makes no request off itself
        return (f'<div class="grid cards til-embed" markdown>\n\n-   **[{host}]({url})**\n\n    ---\n\n'
                f"{indent(caption or f'<{url}>')}\n\n</div>")

    def tag_file(self, node: Node) -> str:
        src = node.attrs.get("src", "")
        link = self.ctx.asset(src, node.file, node.line) if src else None
        caption = _strip_blank_edges(self.render(node.children)) if node.block else ""
        name = re.sub(r"^.*/", "", link or src) or "file"
        if link is None:
            self._issue(node.file, node.line, f"{{% file %}}: the file {src!r} is not in the export")
            return f"(파일 {name!r}을 찾지 못함) {caption}".strip()
        return f'[{caption or name}]({link}){{ download="{name}" }}'

    def tag_content_ref(self, node: Node) -> str:
        url = node.attrs.get("url", "")
        link = self.ctx.link(url, node.file, node.line)
        title = self.ctx.title(url, node.file)
        if title is None:
            texts = re.findall(r"\[([^\]]*)\]", "".join(k.text for k in node.children if k.kind == "text"))
            title = texts[0] if texts else url
        if link is None:
            self._issue(node.file, node.line, f"{{% content-ref %}}: {url!r} leads nowhere in the export")
            return f"**{title}**"
        return f'<div class="grid cards til-content-ref" markdown>\n\n-   [{_md_text(title)}]({link})\n\n</div>'

    def tag_stepper(self, node: Node) -> str:
        out, n = [], 0
        for kid in node.children:
            if kid.kind == "tag" and kid.name == "step":
                n += 1
                self.counts["step"] += 1
                body = self.body(kid)
                out.append(f"{n}.  " + indent(body)[4:])
            elif kid.kind != "text" or kid.text.strip():
                out.append(self.render([kid]))
        return "\n\n".join(out)

    def tag_step(self, node: Node) -> str:
        return self.body(node)

    def tag_columns(self, node: Node) -> str:
        out = []
        for kid in node.children:
            if kid.kind == "tag" and kid.name == "column":
                self.counts["column"] += 1
                out.append("-   " + indent(self.body(kid) or "&nbsp;")[4:])
            elif kid.kind != "text" or kid.text.strip():
                out.append(self.render([kid]))
        return '<div class="grid cards til-columns" markdown>\n\n' + "\n\n".join(out) + "\n\n</div>"

    def tag_column(self, node: Node) -> str:
        return self.body(node)

    def _api(self, node: Node) -> str:
        self._issue(node.file, node.line, f"{{% {node.name} %}} API block kept as source text; "
                                          "document the API by hand or with an OpenAPI plugin")
        fence = "````" if "```" in node.raw else "```"
        return self._note("note", f"GitBook API 블록 ({node.name})",
                          "GitBook의 API 블록을 원문 그대로 두었다.\n\n" + f"{fence}text\n{node.raw}\n{fence}")

    tag_swagger = _api
    tag_openapi = _api

    # -- text: inline constructs, outside code
    def text(self, text: str, file: str, line: int) -> str:
        def at(pos: int) -> int:
            return _line_at(text, pos, line)

        if _LONE_MARKER.search(text):
            text = self._join_empty_items(text)
        # inline code is kept verbatim; GitBook's variables are code-like HTML
        if "expression" in text:
            text = re.sub(r'<code\s+class="expression">\s*([\w.]+)\s*</code>',
                          lambda m: self._variable(m, file, at(m.start())), text)
        if "`" in text:
            text = re.sub(r"(?<!`)(`+)(?!`)[^\n]+?(?<!`)\1(?!`)", lambda m: self._protect(m[0]), text)
        if "$$" in text:
            text = self._math(text, file, line)
        if "\\" in text:
            # older GitBook escapes brackets in prose: \( \) \[ \] are the author's punctuation, never
            # math delimiters (arithmatex would read them so) nor the start of a link
            text = re.sub(r"\\([()])", r"\1", text)
            text = text.replace("\\[", "&#91;").replace("\\]", "&#93;")
        if "#" in text:
            text = self._headings(text)
        if "<" in text:  # the HTML GitBook writes
            text = self._html(text, file, line)
        if "![" in text:  # root-absolute image paths with spaces: GitBook writes them unquoted
            text = re.sub(r"(!\[[^\]\n]*\]\()([^()<>\n\"']*\s[^()<>\n\"']*)(\))",
                          lambda m: m[1] + "<" + m[2].strip() + ">" + m[3], text)
        if "](" in text:
            text = _MD_LINK.sub(lambda m: self._md_link(m, file, at(m.start())), text)
        if "]:" in text:
            text = _REF_DEF.sub(lambda m: self._ref_def(m, file, at(m.start())), text)
        text = re.sub(r"(?<!\\)\$", r"\\$", text)  # a lone $ is a dollar sign in GitBook, not math
        return self._restore(text)

    def _html(self, text: str, file: str, line: int) -> str:
        def at(pos: int) -> int:  # placeholders keep source newlines, so this counts source lines
            return _line_at(text, pos, line)

        # GitBook wraps aligned images in <div align>/<p align> and dark-mode variants in <picture>:
        # raw HTML around them would keep Markdown from seeing the converted image
        text = re.sub(r"<picture\b[^>]*>.*?(<img\b[^>]*>).*?</picture>", r"\1", text, flags=re.S | re.I)
        text = re.sub(r"<(div|p)\b[^>]*>\s*(<figure\b.*?</figure>|<img\b[^>]*>)\s*</\1>", r"\2", text,
                      flags=re.S | re.I)
        text = re.sub(r"<figure\b[^>]*>(.*?)</figure>", lambda m: self._figure(m, text, file, at(m.start())), text,
                      flags=re.S | re.I)
        text = re.sub(r'<table\b[^>]*data-view="cards"[^>]*>.*?</table>',
                      lambda m: self._cards(m[0], file, at(m.start())), text, flags=re.S | re.I)
        text = re.sub(r'<table\b(?![^>]*data-view="cards")[^>]*>.*?</table>',
                      lambda m: self._html_table(m[0], file, at(m.start())), text, flags=re.S | re.I)
        text = re.sub(r"<mark\b[^>]*>(.*?)</mark>", lambda m: self._mark(m), text, flags=re.S | re.I)
        text = re.sub(r"<a\b([^>]*)>(.*?)</a>", lambda m: self._html_link(m, file, at(m.start())), text,
                      flags=re.S | re.I)
        return re.sub(r"<img\b[^>]*>", lambda m: self._protect(self._html_img(m[0], file, at(m.start())),
                                                                  m[0].count("\n")), text, flags=re.I)

    def _join_empty_items(self, text: str) -> str:
        """GitBook writes a list item holding a figure as '*', a blank line, then the indented block;
        Markdown reads a lone '*' as text and the block as code. Start the block on the marker's line."""
        lines = text.split("\n")
        out, i = [], 0
        while i < len(lines):
            m = re.fullmatch(r"([ \t]*)([*+-]|\d+[.)])[ \t]*", lines[i])
            j = i + 1
            while m and j < len(lines) and not lines[j].strip():
                j += 1
            if m and i + 1 < j < len(lines):
                inner = len(lines[j]) - len(lines[j].lstrip())
                if inner > len(m[1]):
                    pad = " " * max(1, inner - len(m[1]) - len(m[2]))
                    # the placeholder stands for the blank lines joined away, so line numbers still hold
                    out.append(m[1] + m[2] + pad + lines[j].lstrip() + self._protect("", j - i).rstrip("\n"))
                    out.extend([""] * (j - i))
                    i = j + 1
                    continue
            out.append(lines[i])
            i += 1
        return "\n".join(out)

    def _variable(self, m, file: str, line: int) -> str:
        value = self.ctx.variable(m[1])
        if value is None:
            self._issue(file, line, f"variable {m[1]!r} is not defined in .gitbook/vars.yaml or the page")
            return f"`{m[1]}`"
        self.counts["variable"] += 1
        return self._protect(value)

    def _ref_def(self, m, file: str, line: int) -> str:
        """'[x]: /.gitbook/assets/a.png': a reference definition points at the copied asset or page."""
        target = m["target"]
        if _EXTERNAL.match(target.strip("<>")):
            return m[0]
        link = self.ctx.link(target, file, line)
        if link is None:
            self._issue(file, line, f"reference [{m['label']}] points to {target!r}, which is not in the export",
                        "missing image or file")
            return f"{m['lead']}[{m['label']}]: #"
        self.counts["reference definition"] += 1
        return self._protect(f"{m['lead']}[{m['label']}]: <{link}>")

    def _formula(self, tex: str, display: bool, file: str, line: int) -> str | None:
        """None if KaTeX typesets `tex`; else a visible box with its source (listed)."""
        error = self.ctx.formula(tex, display)
        if error is None:
            return None
        self.counts["formula KaTeX rejects (shown as source)"] += 1
        # KaTeX's reason quotes the TeX with combining underlines: keep the reason, as plain text
        error = re.split(r" at position \d+", error.replace("\u0332", ""))[0].strip()
        self._issue(file, line, f"formula KaTeX rejects, shown as its TeX source: {error}", "formula rejected")
        if not display:
            # a box in the line: the source as code (nothing in it is read as Markdown) in a span
            # whose class draws the box (docs/assets/stylesheets/til.css) and whose title gives the reason
            ticks = "`" * (max((len(r) for r in re.findall(r"`+", tex)), default=0) + 1)
            pad = " " if tex.startswith("`") or tex.endswith("`") else ""
            reason = html.escape(f"KaTeX가 이 수식을 거부했다: {error}", quote=True)
            return (f'<span class="til-math-rejected" title="{reason}">'
                    f"{ticks}{pad}{' '.join(tex.split())}{pad}{ticks}</span>")
        error = re.sub(r"([\\$`*_\[\]<>])", r"\\\1", error)
        fence = "`" * max(3, max((len(r) for r in re.findall(r"`+", tex)), default=0) + 1)
        return self._note("failure", "조판하지 못한 수식", f"KaTeX가 이 수식을 거부했다: {error}\n\n"
                                                   f"{fence}latex\n{tex.strip()}\n{fence}")

    def _math(self, text: str, file: str = "", line: int = 1) -> str:
        def display(m):
            block = m[0].strip("\n")
            if not block.strip():
                return m[0]
            self.counts["display math"] += 1
            tex = re.sub(r"^[ \t]*\$\$|\$\$[ \t]*$", "", block.strip())
            if re.search(r"\n[ \t]*\n", tex.strip("\n")):
                # a blank line would end arithmatex's block. Between two formulas the author meant a
                # new line: KaTeX breaks display lines only inside an environment, so they are
                # gathered (inside an environment, rows already have theirs)
                tex = tex.strip("\n")
                sep = "\n" if "\\begin{" in tex else " \\\\\n"
                tex = re.sub(r"\n(?:[ \t]*\n)+", lambda _: sep, tex)
                if sep != "\n":
                    tex = f"\\begin{{gathered}}\n{tex}\n\\end{{gathered}}"
                indent = re.match(r"[ \t]*", block)[0]  # a formula in a list item stays in it
                block = f"{indent}$$\n{tex}\n{indent}$$"
            boxed = self._formula(tex, True, file, _line_at(text, m.start(), line))
            return self._protect(f"\n\n{boxed or block}\n\n", m[0].count("\n"))

        # $$ on lines of its own, or a $$...$$ that is a whole line: display math, kept
        text = re.sub(r"^[ \t]*\$\$[ \t]*\n.*?\n[ \t]*\$\$[ \t]*$", display, text, flags=re.M | re.S)
        text = re.sub(r"^[ \t]*\$\$(?:(?!\$\$).)+\$\$[ \t]*$", display, text, flags=re.M)

        def inline(m):
            self.counts["inline math"] += 1
            boxed = self._formula(m[1].strip(), False, file, _line_at(text, m.start(), line))
            return self._protect(boxed or f"${m[1].strip()}$")

        return re.sub(r"\$\$((?:(?!\$\$)[^\n])+?)\$\$", inline, text)

    def _headings(self, text: str) -> str:
        def sub(m):
            if len(m["hashes"]) == 1:
                return m[0]
            _, hid = next(self._heading_ids, (None, None))
            if hid is None:
                return m[0]
            return f"{m['lead']}{m['hashes']} {_ANCHOR_TAG.sub('', m['text'])} {{#{hid}}}"
        return _HEADING.sub(sub, text)

    def _image(self, src: str, alt: str, file: str, line: int) -> str | None:
        """Markdown image, or a link for an external image (never fetched)."""
        src = src.strip()
        if src.startswith("<") and src.endswith(">"):
            src = src[1:-1]
        if _EXTERNAL.match(src) or src.startswith("data:"):
            self.external_images.append(Issue(file, line, src, "external image"))
            self.counts["external image (linked)"] += 1
            name = unquote(re.sub(r"[?#].*$", "", src).rstrip("/").rsplit("/", 1)[-1]).rsplit("/", 1)[-1]
            return f"[외부 이미지: {_md_text(alt or name or src)}]({src})"
        link = self.ctx.asset(src, file, line)
        if link is None:
            self._issue(file, line, f"image {src!r} is not in the export")
            return f"(이미지를 찾지 못함: {_md_text(alt) or src})"
        self.counts["image"] += 1
        return f"![{_md_text(alt)}]({link})"

    def _figure(self, m, text: str, file: str, line: int) -> str:
        inner = m[1]
        img = re.search(r"<img\b[^>]*>", inner, re.I)
        cap = re.search(r"<figcaption\b[^>]*>(.*?)</figcaption>", inner, re.S | re.I)
        caption = re.sub(r"</?p\b[^>]*>", "", cap[1]).strip() if cap else ""
        if not img:
            self._issue(file, line, "<figure> without <img> kept as it is")
            return self._protect(m[0], m[0].count("\n"))
        image = self._html_img(img[0], file, line)
        self.counts["figure"] += 1
        caption = self.text(caption, file, line) if caption else ""
        if image.startswith("!"):
            body = f'<figure markdown="span">\n{image}\n' + (f"<figcaption>{caption}</figcaption>\n" if caption
                                                            else "") + "</figure>"
        else:
            body = image + (f" — {caption}" if caption else "")
        # a figure in a list item keeps the item's indentation on each of its lines
        start = text.rfind("\n", 0, m.start()) + 1
        lead = text[start:m.start()]
        if not re.fullmatch(r"[ \t]*(?:(?:[*+-]|\d+[.)])[ \t]+)?", lead):
            return self._protect(f"\n\n{body}\n\n", m[0].count("\n"))
        return self._protect(body.replace("\n", "\n" + " " * len(lead.expandtabs(4))), m[0].count("\n"))

    def _html_img(self, tag: str, file: str, line: int) -> str:
        attrs = html_attrs(tag)
        image = self._image(attrs.get("src", ""), attrs.get("alt", ""), file, line)
        width = attrs.get("width", "").removesuffix("px")
        if image.startswith("!") and width.isdigit():
            image += f'{{ width="{width}" }}'
        return image

    def _mark(self, m) -> str:
        self.counts["mark"] += 1
        inner = m[1].strip()
        return f"=={inner}==" if inner else ""

    def _html_link(self, m, file: str, line: int) -> str:
        n = m[0].count("\n")
        attrs = html_attrs(f"<a{m[1]}>")
        text = re.sub(r"<[^>]+>", "", m[2]).strip() or attrs.get("href", "")
        href = attrs.get("href", "")
        if not href:
            return self._protect(m[0], n)  # an anchor (<a id>), not a link
        link = self._target(href, file, line)
        if link is None:
            return text
        classes = attrs.get("class", "").split()
        if "button" in classes:
            self.counts["button"] += 1
            style = " .md-button--primary" if "primary" in classes else ""
            return self._protect(f"[{_md_text(text)}]({link}){{ .md-button{style} }}", n)
        return self._protect(f"[{_md_text(text)}]({link})", n)

    def _target(self, target: str, file: str, line: int) -> str | None:
        link = self.ctx.link(target, file, line)
        if link is None:
            self._issue(file, line, f"link {target!r} leads nowhere in the export; kept as plain text")
        return link

    def _md_link(self, m, file: str, line: int) -> str:
        target, n = m["target"], m[0].count("\n")
        if m["bang"]:
            return self._protect(self._image(target, m["text"], file, line), n)
        link = self._target(target, file, line)
        text = m["text"]
        if link is None:
            return text
        if m["title"] == "mention":
            self.counts["page mention"] += 1
            title = self.ctx.title(target.strip("<>"), file)
            text = _md_text(title) if title else text
            return self._protect(f"[{text}]({link})", n)
        title = f' "{m["title"]}"' if m["title"] else ""
        return self._protect(f"[{text}]({link}{title})", n)

    def _cards(self, table: str, file: str, line: int) -> str:
        parser = _Cells()
        parser.feed(table)
        head = parser.head
        target_col = next((i for i, h in enumerate(head) if "data-card-target" in h), None)
        cover_col = next((i for i, h in enumerate(head) if "data-card-cover" in h), None)
        hidden = {i for i, h in enumerate(head) if "data-hidden" in h}
        cards = []
        for row in parser.rows:
            if not row:
                continue
            self.counts["card"] += 1
            lines = []
            if cover_col is not None and cover_col < len(row):
                href = re.search(r'href="([^"]*)"', row[cover_col])
                if href:
                    lines.append(self._restore(self._image(html.unescape(href[1]), "", file, line)))
            shown = [c for i, c in enumerate(row) if i not in hidden and i not in (target_col, cover_col)]
            shown = [self._restore(self._cell(c, file, line)) for c in shown]
            shown = [c for c in shown if c.strip()]
            if target_col is not None and target_col < len(row):
                href = re.search(r'href="([^"]*)"', row[target_col])
                if href:
                    target = html.unescape(href[1])
                    link = self._target(target, file, line)
                    if link is not None and shown:
                        title = re.sub(r"^[*]{2}(.*)[*]{2}$", r"\1", shown[0])
                        shown[0] = f"**[{title}]({link})**"
                    elif link is not None:
                        shown.append(f"[{_md_text(self.ctx.title(target, file) or target)}]({link})")
            lines += shown
            cards.append("-   " + indent("\n\n".join(lines) or "&nbsp;")[4:])
        self.counts["cards table"] += 1
        return self._protect('\n\n<div class="grid cards" markdown>\n\n' + "\n\n".join(cards) + "\n\n</div>\n\n",
                             table.count("\n"))

    def _html_table(self, table: str, file: str, line: int) -> str:
        """A table GitBook wrote as HTML stays HTML (Markdown is not read inside it): only its links
        and images are pointed at their new places, as final URLs."""
        self.counts["html table"] += 1

        def attr(m):
            tag, value = m[2].lower(), html.unescape(m[4])
            if tag == "img":
                new = self.ctx.asset(value, file, line)
                if new is None:
                    self._issue(file, line, f"image {value!r} is not in the export")
            else:
                new = self._target(value, file, line)
            return m[0] if new is None else f'{m[1]}{m[3]}="{html.escape(self.ctx.url(new))}"'

        def external(m):
            attrs = html_attrs(m[0])
            src = attrs.get("src", "")
            if not (_EXTERNAL.match(src) or src.startswith("data:")):
                return m[0]
            # an off-site image is never loaded: a link in its place (the table stays HTML)
            self.external_images.append(Issue(file, line, src, "external image"))
            self.counts["external image (linked)"] += 1
            label = html.escape("외부 이미지: " + (attrs.get("alt") or src.rsplit("/", 1)[-1][:60] or "링크"))
            return f'<a href="{html.escape(src)}">{label}</a>'

        out = re.sub(r"<img\b[^>]*>", external, table, flags=re.I)
        out = re.sub(r'(<(a|img)\b[^>]*?\s)(href|src)\s*=\s*"([^"]*)"', attr, out, flags=re.I)
        out = re.sub(r"<mark\b[^>]*>", "<mark>", out, flags=re.I)
        return self._protect(out, table.count("\n"))

    def _cell(self, cell: str, file: str, line: int) -> str:
        out = re.sub(r"</?(?:strong|b)>", "**", cell, flags=re.I)
        out = re.sub(r"</?(?:em|i)>", "*", out, flags=re.I)
        out = re.sub(r"<br\s*/?>", "\n", out, flags=re.I)
        out = re.sub(r"</?p\b[^>]*>", "\n", out, flags=re.I)
        out = re.sub(r"<a\b([^>]*)>(.*?)</a>", lambda m: self._html_link(m, file, line), out, flags=re.S | re.I)
        out = re.sub(r"<(?!/?mark)[^>\x00]+>", "", out)
        out = re.sub(r"<mark\b[^>]*>(.*?)</mark>", lambda m: self._mark(m), out, flags=re.S | re.I)
        return html.unescape(out).strip()


def _md_text(text: str) -> str:
    """Text safe inside [link text]."""
    return re.sub(r"([\[\]])", r"\\\1", text or "")


def neutralise_snippets(markdown: str) -> str:
    """Escape lines pymdownx.snippets would read as includes ('--8<-- "file"'), even inside code.

    Imported text is the author's: a page about MkDocs must show the line, not
    include a file of this project. pymdownx prints ';--8<--' as '--8<--'.
    """
    return "\n".join(_SNIPPET_LINE.sub(r"\1;\2", line) if SnippetPreprocessor.RE_ALL_SNIPPETS.match(line) else line
                     for line in markdown.split("\n"))


_LONE_MARKER = re.compile(r"^[ \t]*(?:[*+-]|\d+[.)])[ \t]*\n", re.M)
_SNIPPET_LINE = re.compile(r"^([ \t]*)(;*-+8<-+)")


def tidy(markdown: str) -> str:
    """Collapse runs of blank lines (outside fenced code) to one; end with one newline."""
    out, fence, blank = [], None, 0
    for line in markdown.split("\n"):
        m = re.match(r"^[ \t]*(`{3,}|~{3,})", line)
        if fence is None and m:
            fence = m[1]
        elif fence is not None and m and m[1].startswith(fence) and not line.strip()[len(m[1]):].strip("`~"):
            fence = None
            out.append(line)
            blank = 0
            continue
        if fence is None and not line.strip():
            blank += 1
            if blank > 1:
                continue
            line = ""
        else:
            blank = 0
        out.append(line)  # trailing spaces may be a hard line break
    return "\n".join(out).strip("\n") + "\n"
