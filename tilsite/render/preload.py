"""Ask for the scripts at the end of a page's body from its head.

Material loads its JavaScript with plain ``<script src>`` tags at the end of
``<body>``. On a long page (the convolution note is 0.9 MB of HTML) the browser
meets those tags late, and asks for them at low priority after the fonts that the
first layout wants; the parser then waits for the script at the end of the body.
On the emulated slow phone (bench/slow_phone.py) that happened in about half of
the runs and put the math's completion at 3.2-3.5 s instead of 1.8-2.3 s.
A ``<link rel="preload" as="script">`` in the head starts each download with the
style sheets. Scripts still run where they are, in the same order.
"""

from __future__ import annotations

import re

_BODY = re.compile(r"<body\b")
# a classic script: src, and none of async / defer / type=module (those are not parser-blocking)
_SCRIPT = re.compile(r"<script\b(?P<attrs>[^>]*)>\s*</script>")
_SRC = re.compile(r'\bsrc="(?P<src>[^"]+)"')
_NOT_BLOCKING = re.compile(r"\b(?:async|defer)\b|\btype=\"module\"")
_CHARSET = re.compile(r'<meta charset="[^"]*">')  # stays first: the browser looks for it in the first 1024 bytes
_HEAD = re.compile(r"<head\b[^>]*>")


def body_scripts(html: str) -> list[str]:
    """The src of each parser-blocking external script in the body, in document order."""
    body = _BODY.search(html)
    if body is None:
        return []
    out = []
    for m in _SCRIPT.finditer(html, body.start()):
        src = _SRC.search(m["attrs"])
        if src and not _NOT_BLOCKING.search(m["attrs"]) and src["src"] not in out:
            out.append(src["src"])
    return out


def preload_body_scripts(html: str) -> str:
    """`html` with a preload link, early in the head, for each script `body_scripts` finds.

    Scripts that already have a preload link are left alone, so applying it twice
    changes nothing.
    """
    start = _CHARSET.search(html) or _HEAD.search(html)
    if start is None:
        return html
    links = "".join(f'<link rel="preload" href="{src}" as="script">' for src in body_scripts(html)
                    if f'<link rel="preload" href="{src}" as="script">' not in html)
    return html[:start.end()] + links + html[start.end():] if links else html
