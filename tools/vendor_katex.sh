#!/usr/bin/env bash
# Refresh the vendored KaTeX from the npm registry (run by hand, never by the build).
set -euo pipefail
version=${1:-0.16}
dest=$(cd "$(dirname "$0")/.." && pwd)/tilsite/render/vendor/katex
tmp=$(mktemp -d)
(cd "$tmp" && npm pack "katex@$version" --silent >/dev/null && tar xzf katex-*.tgz)
rm -rf "$dest" && mkdir -p "$dest/fonts"
cp "$tmp/package/LICENSE" "$dest/"
cp "$tmp/package/dist/katex.min.js" "$dest/"
cp "$tmp/package/dist/fonts/"*.woff2 "$dest/fonts/"
# Only woff2 is shipped, so drop the woff/ttf fallbacks that would point at missing files.
sed -E 's/,url\(fonts\/[A-Za-z0-9_-]+\.woff\) format\("woff"\),url\(fonts\/[A-Za-z0-9_-]+\.ttf\) format\("truetype"\)//g' \
  "$tmp/package/dist/katex.min.css" > "$dest/katex.min.css"
full=$(node -e "console.log(require('$tmp/package/package.json').version)")
printf 'KaTeX %s, from the npm package "katex" (dist/), MIT licence (LICENSE).\nKept: katex.min.js (run at build time by tilsite/render/katex.py, never added to the site), fonts/*.woff2.\nkatex.min.css: the woff and ttf fallbacks are removed from @font-face, since only woff2 is shipped.\nRefresh with tools/vendor_katex.sh.\n' "$full" > "$dest/VERSION"
