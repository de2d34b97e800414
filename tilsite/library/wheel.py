"""The ``snippets`` package as one wheel, written directly as a zip at build time.

A wheel is a zip of the package's files plus a ``*.dist-info`` folder (METADATA,
WHEEL, RECORD), so it needs no build backend, no network and no build
isolation.  The bytes depend only on the files' contents: entries are sorted,
timestamps fixed, permissions fixed.  ``tilsite`` is not in it, nor are the
site's dependencies: the wheel requires numpy; matplotlib is the extra
``plot`` (the figure modules and ``kernels.load_sample_image`` need it), and
sympy, once the project pins it, the extra ``formulas`` (the module that
writes the note's equations).

Name, version and requirement pins come from ``pyproject.toml``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

DIST_NAME = "til-snippets"
SUMMARY = "Tested numpy code behind the TIL study notes (convolution, backpropagation, image kernels)."
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold: no build date in the bytes
REQUIRED = "numpy"
# extra -> the package it adds; declared when pyproject.toml pins the package (anywhere in [project])
EXTRAS = {"plot": "matplotlib", "formulas": "sympy"}


@dataclass(frozen=True)
class Wheel:
    filename: str  # e.g. til_snippets-0.1.0-py3-none-any.whl
    data: bytes


def _requirement(deps: list[str], name: str) -> str | None:
    found = sorted({d for d in deps if re.match(rf"{re.escape(name)}(?![-_.\w])", d)})
    if len(found) > 1:
        raise ValueError(f"pyproject.toml: '{name}' is pinned differently in two places: {found}")
    return found[0] if found else None


def requirements(project: dict) -> tuple[str, dict[str, str]]:
    """The wheel's requirement and its extras ({extra: requirement}), from pyproject's [project]."""
    required = _requirement(project["dependencies"], REQUIRED)
    if required is None:
        raise ValueError(f"pyproject.toml: [project].dependencies must pin {REQUIRED}")
    pins = project["dependencies"] + [d for ds in project.get("optional-dependencies", {}).values() for d in ds]
    extras = {extra: req for extra, pkg in EXTRAS.items() if (req := _requirement(pins, pkg))}
    return required, extras


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def package_files(package_dir: Path) -> list[Path]:
    """The package's Python files, sorted (no caches, no stray data)."""
    return sorted(p for p in package_dir.rglob("*.py") if "__pycache__" not in p.parts)


def build(package_dir: Path, pyproject: Path) -> Wheel:
    """The wheel of the package in `package_dir` (its folder name is the import name)."""
    project = tomllib.loads(pyproject.read_text("utf-8"))["project"]
    version = project["version"]
    required, extras = requirements(project)
    stem = f"{DIST_NAME.replace('-', '_')}-{version}"
    info = f"{stem}.dist-info"
    metadata = "\n".join([
        "Metadata-Version: 2.1",
        f"Name: {DIST_NAME}",
        f"Version: {version}",
        f"Summary: {SUMMARY}",
        f"Requires-Python: {project['requires-python']}",
        f"Requires-Dist: {required}",
        *[line for extra, req in extras.items()
          for line in (f"Provides-Extra: {extra}", f'Requires-Dist: {req}; extra == "{extra}"')],
        "",
    ])
    wheel_meta = "Wheel-Version: 1.0\nGenerator: tilsite.wheel\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    entries: list[tuple[str, bytes]] = []
    root = package_dir.parent
    for path in package_files(package_dir):
        entries.append((path.relative_to(root).as_posix(), path.read_bytes()))
    entries += [(f"{info}/METADATA", metadata.encode()), (f"{info}/WHEEL", wheel_meta.encode()),
                (f"{info}/top_level.txt", f"{package_dir.name}\n".encode())]
    record = "".join(f"{name},{_record_hash(data)},{len(data)}\n" for name, data in entries)
    entries.append((f"{info}/RECORD", (record + f"{info}/RECORD,,\n").encode()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries:
            zi = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zi.create_system = 3  # unix: the same bytes on every build machine
            zf.writestr(zi, data, compresslevel=9)
    return Wheel(f"{stem}-py3-none-any.whl", buf.getvalue())
