"""Helpers shared by the site tests: copy the project, run `mkdocs build`, read the output.

Imported by tests/conftest.py and by test modules (``from sitetools import ...``);
pytest's rootdir-relative import puts tests/ on sys.path.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
VENV_BIN = Path(sys.executable).parent
MKDOCS = VENV_BIN / "mkdocs"

# What a project copy needs to build; never .venv, .cache or site.
PROJECT_PARTS = ("mkdocs.yml", "pyproject.toml", "docs", "overrides", "snippets")

SITE_URL = "http://127.0.0.1:8000/"  # what test builds use as site_url, whatever the shell exports
BUILD_ENV = {
    "SITE_URL": SITE_URL,
    "NO_MKDOCS_2_WARNING": "1",
    "DISABLE_MKDOCS_2_WARNING": "true",
    "PYTHONHASHSEED": "0",
    "SOURCE_DATE_EPOCH": "0",
}

TRACEBACK = "Traceback (most recent call last)"

# Lines printed in pytest's terminal summary ("site measures"): build time, sizes.
MEASURES: list[str] = []


def build_env(project_dir: Path, extra_env: dict[str, str] | None = None) -> dict[str, str]:
    """Environment of a build subprocess.

    PYTHONPATH=<project_dir> makes ``import snippets`` load the copy's snippets/:
    sys.path entries are searched before setuptools' editable finder, which
    maps ``snippets`` to the repository's snippets/ (checked by test_project_copy_imports_its_snippets).
    """
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TIL_EXECUTE")}
    env.update(BUILD_ENV)
    env["PYTHONPATH"] = str(project_dir)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra_env or {})
    return env


def build(project_dir: Path, site_dir: Path, extra_env: dict[str, str] | None = None,
          timeout: float = 600) -> subprocess.CompletedProcess:
    """Run `mkdocs build --strict` of `project_dir` into `site_dir`; never raises on failure.

    cwd is `project_dir` (so relative paths and `import snippets` resolve to it).
    The result carries `.seconds` (wall time of the subprocess).
    """
    cmd = [str(MKDOCS), "build", "--strict", "--site-dir", str(site_dir),
           "--config-file", str(Path(project_dir) / "mkdocs.yml")]
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=project_dir, env=build_env(Path(project_dir), extra_env),
                          capture_output=True, text=True, timeout=timeout)
    proc.seconds = time.monotonic() - start
    return proc


def copy_project(dest: Path, src: Path = ROOT, with_cache: bool = False) -> Path:
    """Copy the parts of the project a build reads (PROJECT_PARTS) into `dest`; return `dest`.

    with_cache=True also copies src/.cache (drawn figures, executed notebooks) so a
    copy skips the slow work; safe because every cache entry is keyed by a hash of
    its inputs, so a mutated input misses the cache.
    """
    dest.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    for part in PROJECT_PARTS + ((".cache",) if with_cache else ()):
        s = src / part
        if s.is_dir():
            shutil.copytree(s, dest / part, ignore=ignore)
        elif s.is_file():
            shutil.copy2(s, dest / part)
    return dest


@dataclass
class BuiltSite:
    """A finished build: where it is and what it cost."""

    path: Path
    seconds: float  # wall time of `mkdocs build`
    stderr: str

    def pages(self) -> list[Path]:
        return sorted(self.path.rglob("*.html"))

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace `old` by `new` in a text file; fail loudly if `old` is not there."""
    text = path.read_text("utf-8")
    assert old in text, f"{path}: {old!r} not found, the mutation is stale"
    path.write_text(text.replace(old, new, count), "utf-8")


def summary_lines() -> list[str]:
    return (DOCS / "SUMMARY.md").read_text("utf-8").splitlines()


def site_url(site: Path, html_file: Path) -> str:
    """'til-ml/index.html' -> 'til-ml/' as MkDocs writes directory URLs."""
    rel = html_file.relative_to(site).as_posix()
    return re.sub(r"(^|/)index\.html$", r"\1", rel)


def page_url(src: str) -> str:
    """Site URL of a docs/ source: 'a/b.md' -> 'a/b/', 'a/index.md' -> 'a/', 'index.md' -> ''."""
    stem = posixpath.splitext(src)[0]
    if posixpath.basename(stem) == "index":
        stem = posixpath.dirname(stem)
    return f"{stem}/" if stem else ""


def summary_entries():
    """docs/SUMMARY.md's entries, parsed by the build's own parser."""
    from tilsite.nav.summary import parse_summary

    return parse_summary((DOCS / "SUMMARY.md").read_text("utf-8"))
