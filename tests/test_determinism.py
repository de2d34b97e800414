"""Two clean builds of the project in two different folders are byte-identical.

Every file is compared: HTML, figures (SVG, PNG), JS/CSS, the search index,
the sitemap, the notebook page and its .ipynb download.  Nothing is masked:
with SOURCE_DATE_EPOCH=0 (set by the Makefile and by sitetools.build) even
sitemap.xml.gz's gzip MTIME field is fixed, so it is compared byte for byte too.

The two builds run at the same time (2 cores) with clean caches and with
different PYTHONHASHSEED values: the Makefile pins the seed, and varying it here
shows that no output depends on set or dict-of-str iteration order.

Sources of nondeterminism found and fixed: notebook cell ids (jupytext draws
random ones; they reached the .ipynb and the page's `id="cell-id=..."`), now
numbered in tilsite/notebooks/run.py.  Already handled before: matplotlib's SVG
ids (svg.hashsalt), SVG <metadata> dates and the PNG 'Software' chunk
(tilsite/library/figures.py), nbclient's execution timestamps (record_timing=False).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sitetools import MEASURES, MKDOCS, ROOT, build_env, copy_project

pytestmark = pytest.mark.build

def _start(project: Path, seed: str) -> subprocess.Popen:
    cmd = [str(MKDOCS), "build", "--strict", "--site-dir", str(project / "site"),
           "--config-file", str(project / "mkdocs.yml")]
    return subprocess.Popen(cmd, cwd=project, env=build_env(project, {"PYTHONHASHSEED": seed}),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def two_sites(tmp_path_factory) -> tuple[Path, Path]:
    # folder names of different lengths: a leaked absolute path would shift bytes, not only change them
    a = copy_project(tmp_path_factory.mktemp("det") / "first")
    b = copy_project(tmp_path_factory.mktemp("det") / "second-copy")
    for p in (a, b):
        assert not (p / ".cache").exists()
    start = time.monotonic()
    procs = [_start(a, "1"), _start(b, "2")]
    errs = [p.communicate(timeout=600)[1] for p in procs]
    MEASURES.append(f"two clean builds side by side (determinism): {time.monotonic() - start:.1f} s wall")
    for p, err, where in zip(procs, errs, (a, b)):
        assert p.returncode == 0, f"clean build of {where} failed:\n{err[-4000:]}"
    return a / "site", b / "site"


def _files(site: Path) -> dict[str, Path]:
    return {p.relative_to(site).as_posix(): p for p in sorted(site.rglob("*")) if p.is_file()}


def test_two_clean_builds_in_different_folders_are_byte_identical(two_sites):
    a, b = two_sites
    fa, fb = _files(a), _files(b)
    assert sorted(fa) == sorted(fb), (f"only in the first: {sorted(set(fa) - set(fb))[:10]}; "
                                      f"only in the second: {sorted(set(fb) - set(fa))[:10]}")
    differ = [rel for rel in fa if fa[rel].read_bytes() != fb[rel].read_bytes()]
    assert not differ, f"{len(differ)} of {len(fa)} files differ, e.g. {differ[:10]}"
    # the comparison covered every kind of output
    kinds = {Path(rel).suffix for rel in fa}
    for kind in (".html", ".svg", ".png", ".js", ".css", ".json", ".xml", ".gz", ".ipynb"):
        assert kind in kinds, f"no {kind} file in the site: the comparison would not cover it"
    assert "search/search_index.json" in fa


def test_notebook_downloads_are_identical_and_have_no_random_ids(two_sites):
    a, b = two_sites
    downloads = sorted(p.relative_to(a) for p in a.rglob("*.ipynb"))
    assert downloads, "no executed .ipynb download in the site"
    for rel in downloads:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
        nb = json.loads((a / rel).read_text("utf-8"))
        ids = [c.get("id") for c in nb["cells"]]
        assert ids == [f"cell-{i}" for i in range(len(ids))], rel
        outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
        assert outputs, f"{rel} was not executed"
        assert not any("execution" in c.get("metadata", {}) for c in nb["cells"]), rel  # no timestamps


def test_no_absolute_path_leaks_into_the_site(two_sites):
    a, b = two_sites
    needles = {str(a.parent), str(b.parent), str(ROOT), sys.prefix}
    needles = {n.encode() for n in needles if len(n) > 1}
    leaks = [(rel, n.decode()) for rel, p in _files(a).items() for n in needles if n in p.read_bytes()]
    assert not leaks, f"absolute paths in the built site: {leaks[:10]}"
