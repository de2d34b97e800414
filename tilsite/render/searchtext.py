"""What search indexes of a page: text a reader can read in a result excerpt.

Material's search plugin reads a page's HTML at ``on_page_context``. While it does,

* each formula marker (tilsite/render/katex.py) holds a plain Unicode rendering of the
  formula, made from KaTeX's MathML (``\\bar w(a) = w(-a)`` -> ``w̄(a) = w(−a)``),
  and keeps its TeX in ``data-tex`` for the typesetting that follows;
* table cells and rows are parted by separators (`` | `` between cells, ``; ``
  between rows) that exist only for the index: ``strip_index_only`` removes them
  before the page is written.

Queries by TeX source still match: ``section_tex`` collects the TeX of each
section, and ``add_tex_field`` writes it into the search index as a field
``tex`` that is searched (mkdocs.yml: ``search.fields.tex``) but never shown.
"""

from __future__ import annotations

import html as html_lib
import re
import xml.etree.ElementTree as ET

from . import katex

SEP_CLASS = "til-search-sep"
CELL_SEP = f'<span class="{SEP_CLASS}"> | </span>'
ROW_SEP = f'<span class="{SEP_CLASS}">; </span>'
_SEP = re.compile(rf'<span class="{SEP_CLASS}">[^<]*</span>')
_CELL_GAP = re.compile(r"(</t[dh]>)(\s*)(?=<t[dh][\s>])")
_ROW_GAP = re.compile(r"(</tr>)(\s*)(?=<tr[\s>])")
_HEADING = re.compile(r'<h[1-6][^>]*\sid="(?P<id>[^"]+)"')

_SUB = dict(zip("0123456789+−=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
_SUP = dict(zip("0123456789+−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW′",
                "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ′"))
_ACCENT = {"ˉ": "\u0304", "¯": "\u0304", "^": "\u0302", "ˆ": "\u0302", "~": "\u0303", "˜": "\u0303",
           "˙": "\u0307", "¨": "\u0308", "⃗": "\u20d7", "→": "\u20d7", "ˊ": "\u0301", "ˋ": "\u0300"}
_DOUBLE = dict(zip("RNZQC", "ℝℕℤℚℂ"))
# operators set off by spaces (binary and relations); a leading one is a sign
_SPACED = set("=<>≤≥≠≈≡∼∝∈∉⊂⊆⊃→←⇒⇔↦+−±∓×÷⋅·∗∘")
_M = "{http://www.w3.org/1998/Math/MathML}"


def _wrap(t: str) -> str:
    return t if len(t) <= 1 or t.isalnum() else f"({t})"


def _script(base: str, t: str, table: dict, mark: str) -> str:
    t = t.replace(" ", "")
    if t and all(c in table for c in t):
        return base + "".join(table[c] for c in t)
    return f"{base}{mark}{_wrap(t)} "  # O_H O_W, not O_HO_W


def _text(el) -> str:
    tag = el.tag.removeprefix(_M)
    kids = list(el)
    if tag == "annotation":
        return ""
    if tag in ("mi", "mn", "mtext", "ms"):
        t = el.text or ""
        return _DOUBLE.get(t, t) if el.get("mathvariant") == "double-struck" else t
    if tag == "mo":
        t = (el.text or "").strip()
        return f" {t} " if t in _SPACED else (", " if t == "," else t)
    if tag == "mspace":
        return " "
    if tag == "mphantom":
        return ""
    parts = [_text(k) for k in kids]
    if tag in ("msub", "munder") and len(parts) == 2:
        return _script(parts[0], parts[1], _SUB, "_")
    if tag in ("msup",) and len(parts) == 2:
        return _script(parts[0], parts[1], _SUP, "^")
    if tag == "mover" and len(parts) == 2:
        accent = parts[1].strip()
        if el.get("accent") == "true" and accent in _ACCENT and len(parts[0]) == 1:
            return parts[0] + _ACCENT[accent]
        if accent in ("‾", "¯", "ˉ") and parts[0].strip():  # \overline{Fw}: every letter barred
            return "".join(c + "\u0305" for c in parts[0].strip())
        return _script(parts[0], parts[1], _SUP, "^")
    if tag in ("msubsup", "munderover") and len(parts) == 3:
        return _script(_script(parts[0], parts[1], _SUB, "_").rstrip(), parts[2], _SUP, "^")
    if tag == "mfrac" and len(parts) == 2:
        return f"{_wrap(parts[0].strip())}/{_wrap(parts[1].strip())}"
    if tag == "msqrt":
        return "√" + _wrap("".join(parts).strip())
    if tag == "mroot" and len(parts) == 2:
        return _script("", parts[1], _SUP, "^") + "√" + _wrap(parts[0].strip())
    if tag == "mtd":
        return "".join(parts).strip()
    if tag == "mtr":
        return " ".join(p for p in parts if p)
    if tag == "mtable":
        return "; ".join(p for p in parts if p)
    return "".join(parts)


def mathml_text(mathml: str) -> str:
    """Plain Unicode text of KaTeX's MathML output: what the formula reads as, no TeX commands."""
    m = re.search(r"<math\b.*</math>", mathml, re.S)
    root = ET.fromstring(m[0])
    t = " ".join(_text(root).split())
    t = re.sub(r"(^|[(\[{]) ?([−+]) ", r"\1\2", t)  # a sign, not an operator: (−a)
    t = re.sub(r"([,;=<>≤≥≠∈]) ([−+]) ", r"\1 \2", t)  # = −b
    t = re.sub(r"([(\[{]) ", r"\1", t)
    return re.sub(r" ([)\]},;])", r"\1", t).strip()


def for_index(html: str, renderer: katex.Renderer) -> str:
    """The page as search should read it: formulas as plain text (TeX kept in data-tex),
    table cells and rows parted by separators. Raises katex.MathError for a rejected formula."""
    def plain(m: re.Match) -> str:
        if m["attr"] is not None:
            return m[0]
        tex = katex.marker_tex(m)
        text = mathml_text(renderer.render(tex, bool(m["disp"]), mathml=True))
        return (f'<{m["tag"]} class="til-math{m["disp"] or ""}" data-tex="{html_lib.escape(tex, quote=True)}">'
                f'{html_lib.escape(text, quote=False)}</{m["tag"]}>')

    html = katex._MARKER.sub(plain, html)
    html = _CELL_GAP.sub(lambda m: m[1] + CELL_SEP + m[2], html)
    return _ROW_GAP.sub(lambda m: m[1] + ROW_SEP + m[2], html)


def strip_index_only(html: str) -> str:
    """Remove what for_index added for the index alone (the separators); markers stay."""
    return _SEP.sub("", html)


def section_tex(html: str) -> dict[str, str]:
    """{heading id: the TeX of the formulas in that heading's section}; "" for the text
    before the second heading (the page's first search record)."""
    out: dict[str, list[str]] = {}
    starts = [(m.start(), m["id"]) for m in _HEADING.finditer(html)]
    bounds = [(0, "")] + starts
    for i, (start, hid) in enumerate(bounds):
        end = bounds[i + 1][0] if i + 1 < len(bounds) else len(html)
        texs = [tex for tex, _ in katex.formulas(html[start:end])]
        out.setdefault(hid, []).extend(texs)
        if i == 1:  # the first heading (the H1) shares the page's record
            out.setdefault("", []).extend(texs)
    return {k: " ".join(v) for k, v in out.items() if v}


def add_tex_field(index: dict, tex_by_url: dict[str, dict[str, str]]) -> int:
    """Give each section's record in Material's search index (its parsed search_index.json)
    the section's TeX as the searched-but-hidden field ``tex``; returns the number of records given one."""
    n = 0
    for doc in index["docs"]:
        url, _, anchor = doc["location"].partition("#")
        tex = tex_by_url.get(url, {}).get(anchor)
        if tex:
            doc["tex"] = tex
            n += 1
    return n
