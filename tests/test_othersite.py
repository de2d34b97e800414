"""A second site through the installed `til` plugin: tests/othersite/ (package `wavekit`, no mirror,
plain Material, no pyproject.toml, no vendored KaTeX, no overrides/)."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sitetools import build

SITE = Path(__file__).parent / "othersite"

pytestmark = pytest.mark.build


@pytest.fixture
def project(tmp_path):
    dest = tmp_path / "othersite"
    shutil.copytree(SITE, dest, ignore=shutil.ignore_patterns("__pycache__", "site", ".cache"))
    return dest


def test_builds_strictly_through_the_plugin(project, tmp_path):
    proc = build(project, tmp_path / "site")
    assert proc.returncode == 0, proc.stderr
    page = (tmp_path / "site" / "index.html").read_text("utf-8")
    # a value computed from the package: mean windows 2, 3, 4 of 1..5 (numpy as the oracle)
    import numpy as np

    expected = np.convolve(np.arange(1, 6), np.ones(3) / 3, mode="valid").sum()
    assert f"sums to {expected:.6g}." in page
    # a figure in both themes, drawn at build time
    for variant in ("light", "dark"):
        assert f'src="assets/figures/moving-average-{variant}.svg#only-{variant}"' in page
        assert (tmp_path / "site" / "assets" / "figures" / f"moving-average-{variant}.svg").stat().st_size > 1000
    # math typeset at build time with the KaTeX shipped in the plugin: CSS and fonts, never the JS
    article = page.split("<article", 1)[1].split("</article>")[0]
    assert 'class="katex-display"' in article and article.count('class="katex"') >= 2
    assert "$" not in article and "\\(" not in article  # no TeX left for a script to typeset
    assert 'href="assets/vendor/katex/katex.min.css"' in page
    katex = tmp_path / "site" / "assets" / "vendor" / "katex"
    assert any(katex.glob("fonts/*.woff2")) and not any(katex.rglob("*.js"))
    css = re.search(r"<style>(\.ks0\{[^<]*)</style>", page)
    assert css, "KaTeX's styles as classes are in the head (no overrides/ template)"
    # no pyproject.toml: no wheel, quietly; the package's files are offered
    downloads = tmp_path / "site" / "downloads"
    assert not list(downloads.glob("*.whl"))
    assert (downloads / "wavekit" / "smooth.py").is_file()
    # the copy button copies a complete program: run it and use the function
    copy = html.unescape(re.search(r'data-copy="([^"]*)"', page)[1])
    program = copy + "\nprint(moving_average([1, 2, 3, 4, 5]).sum())\n"
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert float(out.stdout) == pytest.approx(expected)


def test_broken_package_is_reported_at_its_file_and_line(project, tmp_path):
    path = project / "wavekit" / "smooth.py"
    text = path.read_text("utf-8")
    target = text.splitlines().index("WIDTH = 3") + 2  # the line added below it
    path.write_text(text.replace("WIDTH = 3\n", "WIDTH = 3\nraise ValueError('broken on purpose')\n"), "utf-8")
    proc = build(project, tmp_path / "site")
    assert proc.returncode != 0
    assert f"wavekit/smooth.py:{target}:" in proc.stderr, proc.stderr
    assert "(needed by docs/index.md:5)" in proc.stderr, proc.stderr  # the figure, drawn first (on_files)
    assert "Traceback" not in proc.stderr
    assert "broken on purpose" in proc.stderr


@pytest.mark.parametrize("option, value", [("execute", "sometimes"), ("mirror", "'yes'"), ("package", "[a, b]")])
def test_a_wrong_option_is_a_clean_config_error(project, tmp_path, option, value):
    cfg = project / "mkdocs.yml"
    cfg.write_text(cfg.read_text("utf-8").replace("      package: wavekit\n",
                                                    f"      package: wavekit\n      {option}: {value}\n")
                   .replace("      package: wavekit\n      package:", "      package:"), "utf-8")
    proc = build(project, tmp_path / "site")
    assert proc.returncode != 0
    assert "Config value 'plugins'" in proc.stderr and f"Plugin 'til' option '{option}'" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_features_turn_off_one_option_each(project, tmp_path):
    cfg = project / "mkdocs.yml"
    cfg.write_text(cfg.read_text("utf-8").replace(
        "      package: wavekit\n",
        "      package: wavekit\n      math: false\n      downloads: false\n      execute: off\n"), "utf-8")
    proc = build(project, tmp_path / "site")
    assert proc.returncode == 0, proc.stderr
    site = tmp_path / "site"
    page = (site / "index.html").read_text("utf-8")
    assert "katex" not in page and not (site / "assets" / "vendor").exists()  # no math: no KaTeX at all
    assert not (site / "downloads").exists() and 'download="smooth.py"' not in page
    assert "data-copy=" in page  # the copy text does not need the downloads
    # execute off: a stub stands in for each figure, nothing is drawn
    assert "drew" not in proc.stderr
    assert (site / "assets" / "figures" / "moving-average-light.svg").stat().st_size < 1000


@pytest.mark.parametrize("mode, redrawn", [("auto", False), ("force", True)])
def test_execute_auto_reuses_the_cache_and_force_ignores_it(project, tmp_path, mode, redrawn):
    cfg = project / "mkdocs.yml"
    cfg.write_text(cfg.read_text("utf-8").replace("      package: wavekit\n",
                                                    f"      package: wavekit\n      execute: {mode}\n"), "utf-8")
    first = build(project, tmp_path / "site")
    assert first.returncode == 0 and "drew 2 figure file(s)" in first.stderr, first.stderr
    again = build(project, tmp_path / "site")
    assert again.returncode == 0, again.stderr
    assert ("drew 2 figure file(s)" in again.stderr) is redrawn, again.stderr
