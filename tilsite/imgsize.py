"""Reserve each figure's box before it loads: width and height on <img> from the PNG itself.

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


def add_sizes(html: str, page_url: str, files) -> str:
    """Give every <img> of `html` whose source is a PNG among `files` (MkDocs Files) and that
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
        size = png_size(f.content_bytes) if f is not None and uri.endswith(".png") else None
        if size is None:
            return tag
        return tag[:-1].rstrip("/").rstrip() + f' width="{size[0]}" height="{size[1]}">'

    return _IMG.sub(sized, html)
