"""tilsite/render/imgsize.py: figures carry their size before they load (checked against what chromium
reports as each built figure's natural size)."""

from __future__ import annotations

import re
import struct
import zlib

from tilsite.render import imgsize

NOTE = "til-ml/boostcamp-2st/u-stage-1/ai-math/ai-math-9gang-cnn-cheotgeoleum/index.html"


def _png(w: int, h: int) -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))


def test_sizes_from_the_image_bytes():
    assert imgsize.png_size(_png(640, 480)) == (640, 480)
    assert imgsize.svg_size(b'<svg width="72pt" height="36pt" viewBox="0 0 72 36">') == (96, 48)
    assert imgsize.svg_size(b'<svg viewBox="0 0 1 1">') is None
    assert imgsize.image_size(b"GIF89a") is None


def test_every_figure_of_the_note_has_a_size(built_site):
    html = (built_site / NOTE).read_text("utf-8")
    imgs = re.findall(r"<img\b[^>]*>", html)
    assert imgs
    for tag in imgs:
        assert re.search(r'\swidth="\d+"', tag) and re.search(r'\sheight="\d+"', tag), tag
