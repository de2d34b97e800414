"""When is the conv note's math complete on a slow phone?  Run: python bench/slow_phone.py [SITE_DIR ...]

Serves a built site (default: site/, from `make build`) gzip-compressed, as a
static host such as GitHub Pages does, and opens the conv note in Debian's
chromium on an emulated slow phone, Lighthouse's slow-4G profile:

* CPU throttled x4 (CDP Emulation.setCPUThrottlingRate);
* 150 ms round trip, 1.6 Mbps down, 750 kbps up (CDP Network.emulateNetworkConditions);
* a 390x844 mobile viewport, an empty cache for every run.

"Math complete" is measured inside the page, in performance.now() time (from
navigation start): the first moment (polled every 25 ms from DOMContentLoaded) at which the document is parsed,
there is at least one typeset formula, no formula is left untypeset
(`.arithmatex` without `.katex` inside, for a site typesetting in the browser),
no raw TeX delimiter shows in the article's visible text, and no KaTeX font is
still loading.  Prints the median of --runs (default 3) and every run; not a test.
Several sites (e.g. a build of main beside a build of a branch) are measured in
turn, run by run, and each is also given as a ratio to the first.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import os
import statistics
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
NOTE = "til-ml/boostcamp-2st/u-stage-1/ai-math/ai-math-9gang-cnn-cheotgeoleum/"
CHROMIUM = "/usr/bin/chromium"
TARGET_S = 2.5
PROFILE = {"cpu": 4, "latency_ms": 150, "down_bps": 1.6e6, "up_bps": 750e3}
COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map")

# Runs in the page before any of its scripts: watch every frame until the math is complete.
WATCH_JS = r"""
(() => {
  const raw = ['\\(', '\\)', '\\[', '\\]', '$$'];
  function proseHasRawTex() {
    const root = document.querySelector('.md-content');
    if (!root) return true;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || el.closest('pre, code, script, style, .katex')) continue;
      if (raw.some(d => n.textContent.includes(d))) return true;
    }
    return false;
  }
  function complete() {
    if (document.readyState === 'loading') return false;
    if (!document.querySelector('.md-content .katex')) return false;
    if (document.querySelector('.md-content .arithmatex:not(:has(.katex))')) return false;
    if ([...document.fonts].some(f => f.family.replace(/"/g, '').startsWith('KaTeX') && f.status === 'loading'))
      return false;
    return !proseHasRawTex();
  }
  // polled on a timer, not on animation frames: requesting a frame every time would make
  // the browser lay out the half-parsed page over and over, slowing what is measured
  function tick() {
    // the time is read before the check: the check walks the whole text of the page (~0.1 s on
    // the throttled CPU), and the state it tests cannot change while it runs
    const now = performance.now();
    if (complete()) { window.__tilMathComplete = now; return; }
    setTimeout(tick, 25);
  }
  document.addEventListener('DOMContentLoaded', tick);
  document.fonts.addEventListener('loadingdone', () => { if (window.__tilMathComplete === undefined) tick(); });
})();
"""


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files; text sent gzip-compressed when the browser accepts it."""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if (path.suffix not in COMPRESSIBLE or not path.is_file()
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def log_message(self, format, *args):  # noqa: A002
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # chromium drops what it no longer needs
            super().handle_error(request, client_address)


def _one_run(browser, url: str) -> float:
    """Seconds from navigation start to math complete, in a fresh context (empty cache)."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                              has_touch=True, device_scale_factor=3, locale="ko-KR")
    try:
        page = ctx.new_page()
        cdp = ctx.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": PROFILE["latency_ms"],
            "downloadThroughput": PROFILE["down_bps"] / 8, "uploadThroughput": PROFILE["up_bps"] / 8})
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": PROFILE["cpu"]})
        page.add_init_script(WATCH_JS)
        page.goto(url, wait_until="commit")
        page.wait_for_function("() => window.__tilMathComplete !== undefined", timeout=60_000)
        return page.evaluate("() => window.__tilMathComplete") / 1000
    finally:
        ctx.close()


def measure_sites(sites: list[Path], runs: int) -> list[list[float]]:
    """Times of each site, measured in turn (site 1, site 2, ..., site 1, ...) so that a
    change in the host's load falls on all of them alike."""
    servers = []
    for site in sites:
        server = QuietServer(("127.0.0.1", 0), functools.partial(GzipHandler, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    urls = [f"http://127.0.0.1:{s.server_address[1]}/{NOTE}" for s in servers]
    times: list[list[float]] = [[] for _ in sites]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            for _ in range(runs):
                for i, url in enumerate(urls):
                    times[i].append(_one_run(browser, url))
        finally:
            browser.close()
            for server in servers:
                server.shutdown()
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sites", nargs="*", default=[str(ROOT / "site")],
                    help="built sites; with several, runs alternate between them and each is "
                         "also given as a ratio to the first")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    sites = [Path(s) for s in args.sites]
    for site in sites:
        if not (site / NOTE / "index.html").is_file():
            print(f"{site / NOTE}index.html is missing: run `make build` first", file=sys.stderr)
            return 1
    times = measure_sites(sites, args.runs)
    first = statistics.median(times[0])
    print(f"Slow phone (CPU x{PROFILE['cpu']}, {PROFILE['latency_ms']} ms RTT, "
          f"{PROFILE['down_bps'] / 1e6:.1f} Mbps down / {PROFILE['up_bps'] / 1e3:.0f} kbps up, gzip), "
          f"median of {args.runs}, sites measured in turn")
    print(f"{'site':<34} {'median s':>8} {'x first':>7}  {'target':<8} {'result':<6} runs")
    print("-" * 100)
    for site, ts in zip(sites, times):
        med = statistics.median(ts)
        print(f"{str(site)[-34:]:<34} {med:>8.2f} {med / first:>7.2f}  {'<= ' + str(TARGET_S):<8} "
              f"{'PASS' if med <= TARGET_S else 'MISS':<6} {', '.join(f'{t:.2f}' for t in ts)}")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: compare sites measured "
          "together, not with another machine")
    for site in sites:
        html = (site / NOTE / "index.html").read_bytes()
        print(f"{str(site)[-34:]:<34} conv note HTML {len(gzip.compress(html, 6, mtime=0)) / 1e3:.0f} KB gzip, "
              f"raw {len(html) / 1e3:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
