"""What a page's build-time math needs in its <head>: a style sheet for KaTeX's inline styles.

KaTeX writes every height, shift and space as an inline ``style`` attribute: the
convolution note carried 6,339 of them (187 KB of its 1.1 MB), only 269 distinct.
Each inline style is a separate declaration block for the browser to parse and
match, on a page whose parse and style work is what keeps a slow phone waiting.
``StyleTable`` turns each distinct style into one class (``ks0``, ``ks1``, ... in
order of first use) and writes those classes once, in a ``<style>`` element of the
page's head. The rules are ``!important`` so that, like the inline styles they
replace, they win over KaTeX's and Material's own rules.

Fonts are not preloaded: on the emulated slow phone (bench/slow_phone.py), preloading
the nine KaTeX fonts the convolution note uses (132 KB) took bandwidth from the HTML
and made the math complete later (median 3.72 s against 2.48 s without, measured in
turn); the browser asks for each font when layout first needs it.
"""

from __future__ import annotations

import re

_SPAN_STYLE = re.compile(r'<span(?P<before>[^>]*?) style="(?P<style>[^"]*)"(?P<after>[^>]*)>')
_CLASS_ATTR = re.compile(r' class="([^"]*)"')


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
