"""What a page's build-time math needs in its <head>: a style sheet for KaTeX's inline
styles, and preload links for the KaTeX fonts it uses.

KaTeX writes every height, shift and space as an inline ``style`` attribute: the
convolution note carried 6,339 of them (187 KB of its 1.1 MB), only 269 distinct.
Each inline style is a separate declaration block for the browser to parse and
match, on a page whose parse and style work is what keeps a slow phone waiting.
``StyleTable`` turns each distinct style into one class (``ks0``, ``ks1``, ... in
order of first use) and writes those classes once, in a ``<style>`` element of the
page's head. The rules are ``!important`` so that, like the inline styles they
replace, they win over KaTeX's and Material's own rules.

Fonts: a KaTeX font is requested only once layout meets a glyph in it, i.e. after
the CSS and the first screenful are in. ``fonts_used(html, css)`` reads which
faces the page's KaTeX classes select, using the ``@font-face`` and class rules of
the vendored ``katex.min.css`` itself, so that the page can preload them.
"""

from __future__ import annotations

import re

_SPAN_STYLE = re.compile(r'<span(?P<before>[^>]*?) style="(?P<style>[^"]*)"(?P<after>[^>]*)>')
_CLASS_ATTR = re.compile(r' class="([^"]*)"')
_FONT_FACE = re.compile(r"@font-face\{(?P<body>[^}]*)\}")
# a rule of katex.min.css that sets a font family, e.g. ".katex .delimsizing.size1{font-family:KaTeX_Size1}"
_FAMILY_RULE = re.compile(r"(?P<selectors>[^{}]+)\{(?P<body>[^}]*font-family:KaTeX_[^}]*)\}")
_COMPOUND = re.compile(r"(?:\.[\w-]+)+")


class StyleTable:
    """Inline styles of KaTeX's HTML moved into classes, shared by one page's formulas."""

    def __init__(self, prefix: str = "ks"):
        self.prefix = prefix
        self.names: dict[str, str] = {}

    def apply(self, katex_html: str) -> str:
        """`katex_html` with each ``<span style="...">`` given a class instead."""
        def sub(m: re.Match) -> str:
            style = m["style"].strip()
            name = self.names.setdefault(style, f"{self.prefix}{len(self.names)}")
            attrs = m["before"] + m["after"]
            if _CLASS_ATTR.search(attrs):
                attrs = _CLASS_ATTR.sub(lambda c: f' class="{c[1]} {name}"', attrs, count=1)
            else:
                attrs = f' class="{name}"' + attrs
            return f"<span{attrs}>"

        return _SPAN_STYLE.sub(sub, katex_html)

    def css(self) -> str:
        """One rule per class, in order of first use; "" when no formula had a style."""
        rules = []
        for style, name in self.names.items():
            decls = ";".join(f"{d.strip()}!important" for d in style.split(";") if d.strip())
            rules.append(f".{name}{{{decls}}}")
        return "".join(rules)


def _declarations(body: str) -> dict[str, str]:
    out = {}
    for decl in body.split(";"):
        if ":" in decl:
            key, value = decl.split(":", 1)
            out[key.strip()] = value.strip()
    return out


def font_faces(katex_css: str) -> dict[tuple[str, str, str], str]:
    """(family, style, weight) -> font file URL (woff2, relative to the CSS) of each @font-face."""
    faces = {}
    for m in _FONT_FACE.finditer(katex_css):
        d = _declarations(m["body"])
        url = re.search(r"url\(([^)]+\.woff2)\)", d.get("src", ""))
        if url:
            faces[d["font-family"], d.get("font-style", "normal"), d.get("font-weight", "400")] = url[1]
    return faces


def class_fonts(katex_css: str) -> list[tuple[list[frozenset[str]], tuple[str, str, str]]]:
    """(the class sets its elements carry, the face selected) for each font rule under ``.katex``.

    ".katex .delimsizing.mult .delim-size1>span" gives ([{delimsizing, mult}, {delim-size1}], Size1).
    """
    out = []
    for m in _FAMILY_RULE.finditer(katex_css):
        d = _declarations(m["body"])
        weight = {"bold": "700", "normal": "400"}.get(d.get("font-weight", "400"), d.get("font-weight", "400"))
        face = (d["font-family"], d.get("font-style", "normal"), weight)
        for selector in m["selectors"].split(","):
            selector = selector.strip()
            if not selector.startswith(".katex "):
                continue  # .katex itself: the KaTeX_Main default, always wanted
            compounds = _COMPOUND.findall(selector[len(".katex "):])
            out.append(([frozenset(c.lstrip(".").split(".")) for c in compounds], face))
    return out


def fonts_used(html: str, katex_css: str) -> list[str]:
    """Font file URLs (relative to katex.min.css) that the formulas of `html` select, sorted.

    KaTeX_Main regular is the ``.katex`` default and KaTeX_Math italic sets every
    variable, so a page with any formula gets both; other faces come from the classes
    on its elements (``mathbf`` -> KaTeX_Main bold, ``delimsizing size1`` -> KaTeX_Size1);
    a descendant selector counts when each of its parts is on some element of the page.
    A face selected only through inheritance (e.g. ``\\textbf`` inside text) is missed:
    the browser then finds it as it does without a preload.
    """
    if 'class="katex"' not in html:
        return []
    faces = font_faces(katex_css)
    wanted = {("KaTeX_Main", "normal", "400"), ("KaTeX_Math", "italic", "400")}
    element_classes = {frozenset(c.split()) for c in re.findall(r'<span class="([^"]*)"', html)}
    for compounds, face in class_fonts(katex_css):
        # each element of the selector is somewhere on the page (a superset of the real matches)
        if all(any(c <= seen for seen in element_classes) for c in compounds):
            wanted.add(face)
    return sorted(faces[f] for f in wanted if f in faces)
