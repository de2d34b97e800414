"""ASCII slugs for Korean titles: the one romanisation the project uses for paths.

Used by tools/gitbook_to_summary.py (the TIL's SUMMARY.md) and tilsite/gitbook.py
(pages, folders, anchors and asset names of an imported GitBook).
"""

from __future__ import annotations

import re
import unicodedata

_INITIALS = "g kk n d tt r m b pp s ss - j jj ch k t p h".split()
_MEDIALS = "a ae ya yae eo e yeo ye o wa wae oe yo u wo we wi yu eu ui i".split()
_FINALS = "- k k k n n n t l k m l l l p l m p p t t ng t t k t p t".split()
MAX_SLUG = 48


def romanise(text: str) -> str:
    """Replace each Hangul syllable by its Revised Romanisation (no liaison).

    Text is NFC-normalised first, so NFD-decomposed Hangul (as macOS writes file
    names) gives the same result as composed Hangul.
    """
    out = []
    for ch in unicodedata.normalize("NFC", text):
        code = ord(ch) - 0xAC00
        if 0 <= code < 11172:
            ini, med, fin = code // 588, (code % 588) // 28, code % 28
            out.append("".join(p for p in (_INITIALS[ini], _MEDIALS[med], _FINALS[fin]) if p != "-"))
        else:
            out.append(ch)
    return "".join(out)


def slugify(title: str, default: str = "entry", max_len: int = MAX_SLUG) -> str:
    """ASCII, lowercase, kebab-case slug of a (possibly Korean) title, at most `max_len` characters."""
    slug = re.sub(r"[^a-z0-9]+", "-", romanise(title).lower()).strip("-")
    if len(slug) > max_len:
        slug = slug[:max_len].rsplit("-", 1)[0]
    return slug or default
