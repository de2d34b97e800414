"""What a reader downloads runs outside the repository.

* the ``snippets`` wheel (tilsite/library/wheel.py): deterministic bytes, the package
  only, numpy its only requirement, installable offline into a clean venv;
* the code blocks' files: each title links to a copy of its file in the site;
* the notebook: the downloaded ``.py`` runs with ``python`` and the ``.ipynb``
  with a Jupyter kernel, in a temporary folder, in venvs that hold numpy,
  matplotlib (and the kernel) plus the wheel, and nothing of the repository.

The clean venvs link installed files (tests/cleanenv.py): nothing is downloaded.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from cleanenv import clean_venv, importable, pip_install, run
from sitetools import ROOT, page_url
from tilsite.library import wheel

NOTE_SRC = "til-ml/boostcamp-2st/u-stage-1/ai-math/ai-math-9gang-cnn-cheotgeoleum.md"
NOTEBOOK_SRC = "til-ml/boostcamp-2st/u-stage-1/ai-math/conv-practice.py"


def _wheel() -> wheel.Wheel:
    return wheel.build(ROOT / "snippets", ROOT / "pyproject.toml")


def _site_wheel(site: Path) -> Path:
    found = sorted((site / "downloads").glob("*.whl"))
    assert len(found) == 1, f"expected one wheel in {site / 'downloads'}, got {found}"
    return found[0]


# ---------------------------------------------------------------- the wheel, without a build


def test_wheel_is_deterministic_and_holds_the_snippets_package_only():
    w = _wheel()
    assert w.data == _wheel().data
    assert w.filename == "til_snippets-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(__import__("io").BytesIO(w.data)) as zf:
        names = zf.namelist()
        sources = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "snippets").rglob("*.py")
                         if "__pycache__" not in p.parts)
        info = "til_snippets-0.1.0.dist-info"
        assert sorted(names) == sorted(sources + [f"{info}/{n}" for n in ("METADATA", "WHEEL", "RECORD",
                                                                            "top_level.txt")])
        assert not any(n.startswith(("tilsite", "hooks", "docs", "tests")) for n in names)
        assert {zi.date_time for zi in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        for name in sources:
            assert zf.read(name) == (ROOT / name).read_bytes(), name
        meta = zf.read(f"{info}/METADATA").decode()
        requires = [line.split(": ", 1)[1] for line in meta.splitlines() if line.startswith("Requires-Dist: ")]
        extras = [line.split(": ", 1)[1] for line in meta.splitlines() if line.startswith("Provides-Extra: ")]
        assert requires[0] == "numpy>=1.26", meta  # the one requirement
        assert 'matplotlib>=3.8; extra == "plot"' in requires and "plot" in extras
        assert all(r.endswith(f'; extra == "{e}"') for r, e in zip(requires[1:], extras)), meta
        # RECORD: every other file with its urlsafe-base64 sha256 and size (checked with hashlib here)
        rows = [line.split(",") for line in zf.read(f"{info}/RECORD").decode().splitlines()]
        assert sorted(r[0] for r in rows) == sorted(names)
        for name, digest, size in rows:
            if name.endswith("RECORD"):
                assert digest == size == ""
                continue
            data = zf.read(name)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert (digest, int(size)) == (f"sha256={expected}", len(data)), name


def test_wheel_modules_import_only_what_the_wheel_declares():
    """numpy (the requirement), the packages of the extras (matplotlib: `plot`), the standard library.

    A module that imports anything else (sympy, scipy, ...) would install and then fail to import:
    declare it in tilsite/library/wheel.py (an extra) or keep the module out of the package.
    """
    import ast
    import sys

    import tomllib

    _, extras = wheel.requirements(tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"])
    allowed = set(sys.stdlib_module_names) | {"numpy", "snippets", "__future__"}
    allowed |= {wheel.EXTRAS[e] for e in extras}
    assert "matplotlib" in allowed
    for path in wheel.package_files(ROOT / "snippets"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            extra = {n.split(".")[0] for n in names} - allowed
            assert not extra, f"{path.relative_to(ROOT)}:{node.lineno} imports {sorted(extra)}"


def test_wheel_installs_offline_into_a_clean_venv_with_numpy_only(tmp_path):
    whl = tmp_path / _wheel().filename
    whl.write_bytes(_wheel().data)
    python = clean_venv(tmp_path / "venv", ["numpy"])
    work = tmp_path / "work"
    work.mkdir()
    assert not importable(python, "snippets", work)  # the repository is not visible
    assert not importable(python, "matplotlib", work)
    proc = pip_install(python, str(whl))
    assert proc.returncode == 0, proc.stderr
    code = ("import json, numpy as np\n"
            "from importlib.metadata import requires\n"
            "import snippets.convolution.layers as L\n"
            "x = np.arange(32.0).reshape(1, 2, 4, 4); w = np.linspace(-1, 1, 36).reshape(2, 2, 3, 3)\n"
            "print(json.dumps({'file': L.__file__, 'out': L.conv2d(x, w, padding=1).tolist(),"
            " 'requires': requires('til-snippets')}))")
    out = run(python, ["-c", code], work)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert Path(got["file"]).is_relative_to(tmp_path / "venv")
    assert got["requires"][0] == "numpy>=1.26" and all("extra ==" in r for r in got["requires"][1:])
    import numpy as np

    from snippets.convolution.layers import conv2d

    x = np.arange(32.0).reshape(1, 2, 4, 4)
    w = np.linspace(-1, 1, 36).reshape(2, 2, 3, 3)
    assert np.array_equal(np.array(got["out"]), conv2d(x, w, padding=1))
    # the plotting modules need the extra, and say so by name
    fig = run(python, ["-c", "import snippets.convolution.figures"], work)
    assert "No module named 'matplotlib'" in fig.stderr


# ---------------------------------------------------------------- the built site


@pytest.mark.build
def test_site_offers_the_wheel_built_from_the_sources(built_site):
    assert _site_wheel(built_site).read_bytes() == _wheel().data


@pytest.mark.build
def test_code_block_titles_name_their_file_and_link_to_its_copy(built_site):
    note = (ROOT / "docs" / NOTE_SRC).read_text("utf-8")
    includes = [line.split('"')[1].split(":")[0] for line in note.splitlines()
                if line.strip().startswith('--8<-- "snippets/')]
    page = built_site / page_url(NOTE_SRC) / "index.html"
    soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
    blocks = soup.select("div.til-code")
    assert len(blocks) == len(includes) > 0
    for block, path in zip(blocks, includes):
        link = block.select_one(".filename a")
        assert link is not None and link.get_text() == Path(path).name, block.select_one(".filename")
        target = (page.parent / link["href"]).resolve()
        assert target.is_file(), link["href"]
        assert target.read_bytes() == (ROOT / path).read_bytes()
        assert block.get("data-copy"), f"{path}: no data-copy on the block"


@pytest.mark.build
def test_downloaded_notebook_runs_outside_the_repository(built_site, tmp_path):
    """`pip install numpy matplotlib <wheel>`, then `python conv-practice.py` / Jupyter, in an empty folder."""
    nb_dir = built_site / page_url(NOTEBOOK_SRC)
    whl = _site_wheel(built_site)
    work = tmp_path / "work"
    work.mkdir()
    for name in ("conv-practice.py", "conv-practice.ipynb", whl.name):
        shutil.copyfile(whl if name == whl.name else nb_dir / name, work / name)
    # What the notebook page tells the reader to run (overrides/main.html), wheel name included.
    page = (nb_dir / "index.html").read_text("utf-8")
    assert f"pip install numpy matplotlib {whl.name}" in page
    assert "python conv-practice.py" in page

    # 1. plain python: numpy + matplotlib + the wheel, no Jupyter at all
    python = clean_venv(tmp_path / "script-venv", ["numpy", "matplotlib"])
    assert not importable(python, "matplotlib_inline", work) and not importable(python, "snippets", work)
    assert pip_install(python, str(work / whl.name)).returncode == 0
    proc = run(python, ["conv-practice.py"], work, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "같은가? True" in proc.stdout and "False" not in proc.stdout, proc.stdout

    # 2. the executed .ipynb, run again by a Jupyter kernel of a venv with the same installs
    python = clean_venv(tmp_path / "jupyter-venv", ["numpy", "matplotlib", "ipykernel", "nbclient", "nbformat"])
    assert pip_install(python, str(work / whl.name)).returncode == 0
    kernels = tmp_path / "jupyter" / "kernels" / "clean"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "clean", "language": "python"}), "utf-8")
    script = f"""
import json, os, nbformat
from nbclient import NotebookClient
os.environ["JUPYTER_PATH"] = {str(tmp_path / "jupyter")!r}
nb = nbformat.read("conv-practice.ipynb", as_version=4)
for cell in nb.cells:
    if cell.cell_type == "code":
        cell.outputs = []  # run afresh, not the build's outputs
nb.cells.append(nbformat.v4.new_code_cell("import snippets; print('SNIPPETS', snippets.__file__)"))
NotebookClient(nb, kernel_name="clean", timeout=300, resources={{"metadata": {{"path": "."}}}}).execute()
print(json.dumps([o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs]))
"""
    proc = run(python, ["-c", script], work, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    texts = "".join(json.loads(proc.stdout.strip().splitlines()[-1]))
    assert "같은가? True" in texts
    where = texts.split("SNIPPETS ", 1)[1].strip()
    assert Path(where).is_relative_to(tmp_path / "jupyter-venv"), where


def test_notebook_prints_are_one_output_however_the_kernel_split_them():
    """The executed .ipynb must not depend on when the kernel flushed stdout (a busy machine splits it)."""
    import nbformat

    from tilsite.notebooks.run import merge_streams

    def out(kind, **kw):
        return nbformat.v4.new_output(kind, **kw)

    split = [out("stream", name="stdout", text="a\n"), out("stream", name="stdout", text="b\n"),
             out("stream", name="stderr", text="w\n"), out("display_data", data={"text/plain": "x"}),
             out("stream", name="stdout", text="c\n")]
    whole = [out("stream", name="stdout", text="a\nb\n"), out("stream", name="stderr", text="w\n"),
             out("display_data", data={"text/plain": "x"}), out("stream", name="stdout", text="c\n")]
    assert merge_streams(split) == whole
    assert merge_streams(whole) == whole
