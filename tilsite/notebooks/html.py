"""Clean the HTML that mkdocs-jupyter (nbconvert) renders for a notebook page.

* nbconvert's template loads MathJax 2 and, when a notebook has diagrams,
  mermaid from a CDN: both are removed (the site typesets math with its own KaTeX).
* The template inlines about 0.6 MB of JupyterLab CSS into every notebook page:
  it is moved into one shared stylesheet, named by its content hash, that the
  browser caches once for all notebook pages.
"""

from __future__ import annotations

import hashlib
import re

_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>\s*", re.S | re.I)
_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style>\s*", re.S | re.I)
_OFFSITE = re.compile(r"""(?:src\s*=\s*["']\s*["'])|mathjax|https?://|import\(""", re.I)


def strip_offsite_scripts(html: str) -> str:
    """Drop <script>s that load from elsewhere: MathJax, mermaid, and empty src="" tags."""
    return _SCRIPT.sub(lambda m: "" if _OFFSITE.search(m.group(0)) else m.group(0), html)


def extract_styles(html: str) -> tuple[str, str]:
    """(html without its <style> blocks, their CSS joined in document order)."""
    css = [m.group(1).strip() for m in _STYLE.finditer(html)]
    return _STYLE.sub("", html), "\n".join(css) + "\n"


def css_asset_path(css: str) -> str:
    """Site path of the shared notebook stylesheet with this content."""
    return f"assets/stylesheets/notebook-{hashlib.sha256(css.encode()).hexdigest()[:12]}.css"
