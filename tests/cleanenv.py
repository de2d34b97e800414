"""A Python environment where only named distributions (and what they require) are importable.

Tests of what a reader takes away (copied code, the downloaded notebook, the
wheel) must not see the repository: no ``snippets`` on the path, no editable
install, no scipy or torch.  ``clean_venv`` makes a venv without pip and links
the installed files of the named distributions, with their requirements, into
its site-packages, so nothing is downloaded.  ``pip_install`` installs into it
with this venv's pip (``pip --python``), offline.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def closure(names: list[str]) -> list[metadata.Distribution]:
    """The installed distributions `names` and everything they require (extras not taken)."""
    todo, seen, out = [_normal(n) for n in names], set(), []
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        dist = metadata.distribution(name)
        out.append(dist)
        for req in dist.requires or []:
            r = Requirement(req)
            if r.marker is None or r.marker.evaluate({"extra": ""}):
                todo.append(_normal(r.name))
    return sorted(out, key=lambda d: _normal(d.metadata["Name"]))


def _top_level(dist: metadata.Distribution, site: Path) -> set[Path]:
    """What a distribution put directly into site-packages (packages, modules, its dist-info)."""
    tops = set()
    for f in dist.files or []:
        parts = Path(f).parts
        if not parts or parts[0] in ("..", "__pycache__") or parts[0].endswith(".pth"):
            continue
        tops.add(site / parts[0])
    return {t for t in tops if t.exists()}


def clean_venv(dest: Path, names: list[str]) -> Path:
    """A venv at `dest` holding only `names` (linked from this interpreter's site-packages); its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(dest)], check=True)
    python = dest / "bin" / "python"
    target = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                 check=True, capture_output=True, text=True).stdout.strip())
    site = Path(sysconfig.get_path("purelib"))
    for dist in closure(names):
        for top in _top_level(dist, site):
            link = target / top.name
            if not link.exists():
                link.symlink_to(top, target_is_directory=top.is_dir())
    return python


def clean_env() -> dict[str, str]:
    """os.environ without the variables that would let the repository in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "JUPYTER"))}
    env["MPLBACKEND"] = "Agg"
    return env


def pip_install(python: Path, *args: str) -> subprocess.CompletedProcess:
    """`pip install --no-index ...` into the venv of `python`, with this venv's pip."""
    return subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index",
                           "--disable-pip-version-check", "--no-input", *args],
                          capture_output=True, text=True, env=clean_env())


def run(python: Path, args: list[str], cwd: Path, **kw) -> subprocess.CompletedProcess:
    """Run the clean python isolated (-I: no cwd, PYTHONPATH or user site on sys.path)."""
    return subprocess.run([str(python), "-I", *args], cwd=cwd, capture_output=True, text=True,
                          env=clean_env(), **kw)


def importable(python: Path, module: str, cwd: Path) -> bool:
    proc = run(python, ["-c", f"import json, importlib.util; print(json.dumps("
                              f"importlib.util.find_spec({module!r}) is not None))"], cwd)
    return json.loads(proc.stdout)
