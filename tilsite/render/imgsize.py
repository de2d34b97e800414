"""Reserve each figure's box before it loads: width and height on <img> from the image itself
(a PNG's IHDR, an SVG's width and height).

Figures are loading=lazy; without a size an image is 0 px tall until it arrives, and the
text below it moves when it does (a reader who followed a link loses their place). With
width and height (and til.css's ``height: auto``) the browser keeps the right aspect ratio
from the start.
"""

from __future__ import annotations

import posixpath
import re
import struct
from urllib.parse import unquote, urlsplit

_IMG = re.compile(r"<img\b[^>]*>")
_SRC = re.compile(r'\ssrc="([^"]+)"')


def png_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) in pixels from a PNG's IHDR chunk; None if `data` is not a PNG."""
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


_SVG_ROOT = re.compile(rb"<svg\b[^>]*>", re.S)
_UNIT_PX = {b"": 1.0, b"px": 1.0, b"pt": 4 / 3, b"in": 96.0, b"cm": 96 / 2.54, b"mm": 96 / 25.4}


def svg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) in CSS pixels of an SVG whose root gives absolute width and height."""
    root = _SVG_ROOT.search(data[:4096])
    if not root:
        return None
    out = []
    for name in (b"width", b"height"):
        m = re.search(rb"\s" + name + rb'="([\d.]+)(px|pt|in|cm|mm)?"', root[0])
        if not m:
            return None
        out.append(round(float(m[1]) * _UNIT_PX[m[2] or b""]))
    return out[0], out[1]


def image_size(data: bytes) -> tuple[int, int] | None:
    return png_size(data) or svg_size(data)


def add_sizes(html: str, page_url: str, files) -> str:
    """Give every <img> of `html` whose source is a PNG or SVG among `files` (MkDocs Files) and that
    has no width or height its pixel size. `page_url` is the page's URL (relative srcs)."""
    def sized(m: re.Match) -> str:
        tag = m[0]
        src = _SRC.search(tag)
        if not src or re.search(r"\s(width|height)=", tag):
            return tag
        parts = urlsplit(src[1])
        if parts.scheme or parts.netloc:
            return tag
        uri = posixpath.normpath(posixpath.join(posixpath.dirname(page_url.rstrip("/") + "/x"), unquote(parts.path)))
        f = files.get_file_from_path(uri.lstrip("/"))
        size = image_size(f.content_bytes) if f is not None and uri.endswith((".png", ".svg")) else None
        if size is None:
            return tag
        return tag[:-1].rstrip("/").rstrip() + f' width="{size[0]}" height="{size[1]}">'

    return _IMG.sub(sized, html)
