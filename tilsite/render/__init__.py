"""Page output: math typeset at build time (KaTeX), its styles as classes, scripts preloaded."""

from pathlib import Path

KATEX_DIR = Path(__file__).parent / "vendor" / "katex"  # the KaTeX shipped with the plugin (tools/vendor_katex.sh)
