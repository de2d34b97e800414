"""How fast is the site build, and how big is it?  Run: make bench (or python bench/build_speed.py)

Everything is measured side by side in one run, on copies of the project in a
temporary folder (the developer's .cache and site/ are never touched), each
build a fresh `mkdocs build --strict` subprocess with PYTHONPATH=<copy> so the
copy's snippets/ are imported.  Rounds interleave the kinds of build so that
all of them see the same machine load; the table shows medians (min-max) of
the rounds and every time also as a ratio to the render floor.

* render floor: the same site and nav with TIL_EXECUTE=off (no figure drawn, no
  notebook executed; stubs instead), in its own copy so it never evicts the
  other copy's mkdocs-jupyter cache;
* cold: .cache/til-figures, .cache/til-notebooks, .cache/mkdocs-jupyter and .cache/til-katex deleted;
* math: what typesetting the formulas costs inside those builds (tilsite/render/katex.py
  logs it): KaTeX's time in a cold build, and all the math work (cache reads
  included) in a warm one; the render floor typesets math too;
* warm: nothing changed since the previous build;
* one-snippet edit: a statement inserted into one snippet function that exactly
  one figure depends on (a library module used by one figure and no notebook
  if there is one, else the plot function itself: figures are cached per plot
  function), then a build; what was redrawn is read from the build log;
* serve reload: `til serve --dirty` on a free port, as `make serve` runs it;
  a constant appended to a snippet module that a `{{ value }}` on the conv note
  reads (and nothing drawn or executed depends on), timed from the edit until
  the served page shows it.  Plain --dirty would be wrong here (MkDocs judges
  pages by mtime: a snippet edit would never reach the page showing it, and the
  generated placeholders would always be re-rendered); tilsite/nav/dirty.py decides
  instead, re-rendering placeholders only when the nav changed;
* sizes: the built site (bytes of all files, and du), and the conv note's own
  transfer: its HTML, the figures it shows (both variants; a reader's browser
  fetches one, the other is lazy and hidden) and its notebook's page and
  downloads; theme, vendor and search files shared by all pages are left out.
  Sizes are given as sent by a static host such as GitHub Pages (text gzipped,
  images as they are; the target applies to these) and raw.

Not a test: it prints one plain-text table (also saved as JSON in bench/results/)
and exits 0, or 1 if a build fails.  Options: --runs N (default 5), --keep.
"""

from __future__ import annotations

import argparse
import ast
import gzip
import json
import os
import posixpath
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MKDOCS = BIN / "mkdocs"
PARTS = ("mkdocs.yml", "pyproject.toml", "docs", "overrides", "snippets")
CACHES = (".cache/til-figures", ".cache/til-notebooks", ".cache/mkdocs-jupyter", ".cache/til-katex")
SHARED_ASSETS = ("assets/javascripts/", "assets/stylesheets/", "assets/vendor/", "assets/images/", "search/")
TARGET_NOTE_BYTES = 400_000
TARGET_RELOAD_S = 3.0
TARGET_WARM_RATIO = 1.25
EDIT_MARK = "_bench_edit"


# --------------------------------------------------------------------------- builds

def env_for(project: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TIL_EXECUTE")}
    env.update(NO_MKDOCS_2_WARNING="1", DISABLE_MKDOCS_2_WARNING="true", PYTHONHASHSEED="0",
               SOURCE_DATE_EPOCH="0", PYTHONPATH=str(project))
    env.update(extra)
    return env


class BuildFailed(RuntimeError):
    pass


def build(project: Path, **extra: str) -> dict:
    """One strict build of `project` into <project>/site: wall and CPU seconds, what it redid."""
    cmd = [str(MKDOCS), "build", "--strict", "--site-dir", str(project / "site"),
           "--config-file", str(project / "mkdocs.yml")]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=project, env=env_for(project, **extra), capture_output=True, text=True)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise BuildFailed(f"build of {project} failed:\n{proc.stderr[-4000:]}")
    log = proc.stderr
    drew = re.search(r"drew (\d+) figure file\(s\): (.*)", log)
    took = re.search(r"drawing figures took ([\d.]+) s", log)
    math = re.search(r"math: (\d+) formula\(s\) rendered by KaTeX in ([\d.]+) s, (\d+) from cache; ([\d.]+) s", log)
    return {
        "wall": wall,
        # the notebook kernel is a child of mkdocs: its CPU time is included once mkdocs exits
        "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "drawn": drew[2].strip().split(", ") if drew else [],
        "draw_s": float(took[1]) if took else 0.0,
        "notebooks_run": len(re.findall(r"Cache miss, writing: ", log)),
        "math": {"rendered": int(math[1]), "katex_s": float(math[2]), "cached": int(math[3]),
                 "all_s": float(math[4])} if math else None,
    }


def copy_project(dest: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    dest.mkdir(parents=True)
    for part in PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=ignore)
        else:
            shutil.copy2(src, dest / part)
    return dest


def clear_caches(project: Path) -> None:
    for c in CACHES:
        shutil.rmtree(project / c, ignore_errors=True)


# --------------------------------------------------------------------------- discovery

def discover(project: Path) -> dict:
    """Figures, notebooks and value directives of the copy, and what each depends on."""
    sys.path.insert(0, str(project))  # tilsite resolves `snippets` to the copy's
    sys.path.insert(1, str(ROOT))
    from tilsite.library import deps
    from tilsite.library import execute as ex
    from tilsite.library import figures as tfig
    from tilsite.notebooks import run as nbs

    docs = project / "docs"
    pages = sorted(p for p in docs.rglob("*.md") if "assets" not in p.relative_to(docs).parts)
    figures, values = {}, {}
    for page in pages:
        src = page.relative_to(docs).as_posix()
        for m in ex.DIRECTIVE.finditer(page.read_text("utf-8")):
            if m["kind"] == "figure":
                spec = tfig.parse_figure(m["expr"], m["module"])
                figures.setdefault(spec, src)
            else:
                values.setdefault(src, set()).add(m["module"])
    counts: dict[str, int] = {}
    for src in figures.values():
        counts[src] = counts.get(src, 0) + 1
    note = max(counts, key=lambda s: (counts[s], s)) if counts else (sorted(values)[0] if values else None)

    root = ex.snippets_root()
    fig_deps = {}
    for spec in figures:
        digest, files = deps.function_dependencies(spec.qualname, spec.func)
        fig_deps[spec] = {f.relative_to(root.parent).as_posix() for f in files}
    notebooks = sorted(p for p in docs.rglob("*") if p.suffix in (".py", ".ipynb")
                       and "assets" not in p.relative_to(docs).parts)
    nb_deps = {}
    for nb in notebooks:
        files = set()
        for code in nbs.notebook_code(nb):
            for mod in deps.imported_modules(code, "__notebook__"):
                files.update(deps.dependency_files(mod))
        nb_deps[nb.relative_to(docs).as_posix()] = {f.relative_to(root.parent).as_posix() for f in files}
    module_files = {}
    for mods in values.values():
        for mod in mods:
            f = ex.module_file(f"snippets.{mod}")
            if f is not None:
                module_files[mod] = f.relative_to(root.parent).as_posix()
    return {"figures": figures, "fig_deps": fig_deps, "nb_deps": nb_deps, "note": note,
            "values": values, "module_files": module_files, "module_of": ex.module_file}


def pick_edit(project: Path, found: dict) -> dict:
    """The snippet function to edit: it must change exactly one figure, and no notebook if possible."""
    figures, fig_deps, nb_deps = found["figures"], found["fig_deps"], found["nb_deps"]
    if not figures:
        raise SystemExit("no {{ figure }} directive under docs/: nothing to benchmark")
    own = {found["module_of"](s.qualname).relative_to(project).as_posix() for s in figures}
    lib_files = sorted({f for deps in fig_deps.values() for f in deps} - own)
    for f in lib_files:
        users = [s for s in figures if f in fig_deps[s]]
        if len(users) == 1 and not any(f in d for d in nb_deps.values()):
            tree = ast.parse((project / f).read_text("utf-8"))
            funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
            if funcs:
                return {"file": f, "func": funcs[0].name, "figure": users[0]}
    # figures are cached per plot function: editing one redraws that figure only
    spec = next(s for s in figures if figures[s] == found["note"]) if found["note"] else next(iter(figures))
    f = found["module_of"](spec.qualname).relative_to(project).as_posix()
    return {"file": f, "func": spec.func, "figure": spec}


def insert_statement(text: str, func: str, n: int) -> str:
    """`text` with `_bench_edit = n` as the first statement of top-level function `func`."""
    node = next(x for x in ast.parse(text).body if isinstance(x, ast.FunctionDef) and x.name == func)
    body = node.body
    first = body[0]
    is_doc = isinstance(first, ast.Expr) and isinstance(getattr(first.value, "value", None), str)
    lines = text.splitlines(keepends=True)
    at = first.end_lineno if is_doc else first.lineno - 1
    line = " " * first.col_offset + f"{EDIT_MARK} = {n}  # bench/build_speed.py\n"
    return "".join(lines[:at] + [line] + lines[at:])


def pick_probe(project: Path, found: dict) -> tuple[str, str]:
    """(module, file) read by a value directive on the conv note that no figure or notebook uses."""
    used = {f for d in found["fig_deps"].values() for f in d} | {f for d in found["nb_deps"].values() for f in d}
    for mod in sorted(found["values"].get(found["note"], ())):
        f = found["module_files"].get(mod)
        if f and f not in used:
            return mod, f
    # none: a module of our own, so the reload measures no drawing or notebook run
    (project / "snippets/bench_probe.py").write_text('"""Read by bench/build_speed.py\'s serve reload."""\n',
                                                     "utf-8")
    return "bench_probe", "snippets/bench_probe.py"


# --------------------------------------------------------------------------- serve

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def serve_reloads(project: Path, page_url: str, probe_file: Path, runs: int,
                  command: tuple[str, ...] | None = None) -> tuple[list[float], list[float]]:
    """Seconds from a snippet edit until `mkdocs serve` serves the changed page, `runs` times,
    and the server's own "Documentation built in" time of each rebuild."""
    port = free_port()
    log = open(project / "serve.log", "w")
    # `til serve --dirty`, as `make serve` runs it: the til plugin (tilsite/nav/dirty.py) decides which
    # pages are stale
    command = command or (str(MKDOCS.parent / "til"), "serve", "--dirty")
    proc = subprocess.Popen([*command, "--dev-addr", f"127.0.0.1:{port}",
                             "--config-file", str(project / "mkdocs.yml")],
                            cwd=project, env=env_for(project), stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    times = []
    try:
        base = None
        deadline = time.monotonic() + 300
        while base is None:  # the first build, then "Serving on http://127.0.0.1:PORT/til/"
            if proc.poll() is not None or time.monotonic() > deadline:
                raise BuildFailed(f"mkdocs serve did not start:\n{(project / 'serve.log').read_text()[-3000:]}")
            m = re.search(r"Serving on (http://\S+)", (project / "serve.log").read_text())
            base = m[1] if m and fetch(m[1]) is not None else None
            time.sleep(0.2)
        url = base.rstrip("/") + "/" + page_url
        original = probe_file.read_text("utf-8")
        for i in range(1, runs + 1):
            token = f"til-bench-probe-{i}-{time.time_ns()}"
            probe_file.write_text(original + f'\nBENCH_PROBE = "{token}"\n', "utf-8")
            start = time.monotonic()
            while True:
                page = fetch(url)
                if page is not None and token in page:
                    break
                if time.monotonic() - start > 120:
                    log_text = (project / "serve.log").read_text()
                    raise BuildFailed(f"{url} never showed the edit:\n{log_text[-3000:]}")
                time.sleep(0.05)
            times.append(time.monotonic() - start)
            time.sleep(1.0)  # let the server settle before the next edit
        probe_file.write_text(original + '\nBENCH_PROBE = "til-bench-probe-0"\n', "utf-8")
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # our own server's process group only
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
    built = [float(x) for x in re.findall(r"Documentation built in ([\d.]+) seconds",
                                          (project / "serve.log").read_text())]
    return times, built[1:]  # the first is the initial build


# --------------------------------------------------------------------------- sizes

def page_html(site: Path, src: str) -> Path:
    """docs/a/b.md -> site/a/b/index.html (use_directory_urls)."""
    stem = src.removesuffix(".md").removesuffix(".py").removesuffix(".ipynb")
    if posixpath.basename(stem) == "index":
        return site / posixpath.dirname(stem) / "index.html"
    return site / stem / "index.html"


TEXT_TYPES = (".html", ".svg", ".css", ".js", ".json", ".ipynb", ".py", ".xml", ".txt")


def wire_bytes(path: Path) -> int:
    """Bytes a static host like GitHub Pages sends: text types gzipped, images as they are."""
    data = path.read_bytes()
    return len(gzip.compress(data, 6, mtime=0)) if path.suffix in TEXT_TYPES else len(data)


def note_transfer(site: Path, note: str, notebooks: list[str]) -> dict:
    """Bytes of the conv note's own files (raw and as sent), figures counted both ways."""
    html_file = page_html(site, note)
    html = html_file.read_text("utf-8")
    here = html_file.parent
    figs: dict[str, Path] = {}
    for src in re.findall(r'<img[^>]*\ssrc="([^"#?]+)', html):
        target = (here / src).resolve()
        if not target.is_file():
            continue
        rel = target.relative_to(site.resolve()).as_posix()
        if not rel.startswith(SHARED_ASSETS):
            figs[rel] = target
    pairs: dict[str, list[Path]] = {}
    for rel, path in figs.items():
        pairs.setdefault(re.sub(r"-(light|dark)(\.\w+)$", r"\2", rel), []).append(path)
    nb_files: list[Path] = []
    linked = {(here / h).resolve() for h in re.findall(r'<a[^>]*\shref="([^"#?]+)', html)}
    for nb in notebooks:
        page = page_html(site, nb)
        if page.parent.resolve() in linked or page.resolve() in linked:
            nb_files += [f for f in sorted(page.parent.iterdir()) if f.is_file()]

    def sizes(paths, how) -> int:
        return sum(how(p) for p in paths)

    out = {"figure_files": len(figs), "figures": len(pairs),
           "notebook_files": [f.relative_to(site).as_posix() for f in nb_files]}
    for tag, how in (("raw", lambda p: p.stat().st_size), ("wire", wire_bytes)):
        html_b = how(html_file)
        both = sizes(figs.values(), how)
        one = sum(max(how(p) for p in v) for v in pairs.values())  # the larger variant of each figure
        nb_b = sizes(nb_files, how)
        out[tag] = {"html": html_b, "figures_both": both, "figures_one": one, "notebook": nb_b,
                    "reader": html_b + one, "owned": html_b + one + nb_b, "all": html_b + both + nb_b}
    return out


def site_size(site: Path) -> tuple[int, int, int]:
    files = [p for p in site.rglob("*") if p.is_file()]
    du = subprocess.run(["du", "-sk", str(site)], capture_output=True, text=True).stdout.split()
    return sum(p.stat().st_size for p in files), len(files), int(du[0]) * 1024 if du else 0


# --------------------------------------------------------------------------- report

def med(xs: list[float]) -> float:
    return statistics.median(xs)


def span(xs: list[float]) -> str:
    return f"{med(xs):6.2f} ({min(xs):.2f}-{max(xs):.2f})"


def kb(n: float) -> str:
    return f"{n / 1000:,.0f} KB"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="rounds of builds and serve reloads (median)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary project copies")
    args = ap.parse_args()
    t0 = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="til-bench-"))
    try:
        return run(work, args.runs, t0)
    except BuildFailed as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"(copies kept in {work})")
        else:
            shutil.rmtree(work, ignore_errors=True)


def run(work: Path, runs: int, t0: float) -> int:
    floor_p, main_p = copy_project(work / "floor"), copy_project(work / "main")
    found = discover(main_p)
    note = found["note"]
    target = pick_edit(main_p, found)
    probe_mod, probe_rel = pick_probe(main_p, found)
    for p in (floor_p, main_p):  # the same page text everywhere: the probe's value on the conv note
        if p is floor_p and probe_rel == "snippets/bench_probe.py":
            shutil.copy2(main_p / probe_rel, p / probe_rel)
        (p / probe_rel).write_text((p / probe_rel).read_text("utf-8") + '\nBENCH_PROBE = "til-bench-probe-0"\n',
                                   "utf-8")
        (p / "docs" / note).write_text((p / "docs" / note).read_text("utf-8")
                                       + f"\n\n{{{{ value {probe_mod}:BENCH_PROBE }}}}\n", "utf-8")
    edit_file = main_p / target["file"]
    edit_original = edit_file.read_text("utf-8")

    build(floor_p, TIL_EXECUTE="off")  # fills the floor copy's cache of the unexecuted notebook page
    res: dict[str, list[dict]] = {"floor": [], "cold": [], "warm": [], "edit": []}
    for r in range(1, runs + 1):
        clear_caches(main_p)
        res["cold"].append(build(main_p))
        res["warm"].append(build(main_p))
        res["floor"].append(build(floor_p, TIL_EXECUTE="off"))
        edit_file.write_text(insert_statement(edit_original, target["func"], r), "utf-8")
        res["edit"].append(build(main_p))
    edit_file.write_text(edit_original, "utf-8")
    build(main_p)  # the site measured below: what `make build` publishes
    total, nfiles, du = site_size(main_p / "site")
    notebooks = sorted(found["nb_deps"])
    sizes = note_transfer(main_p / "site", note, notebooks)
    note_url = page_html(Path(""), note).parent.as_posix() + "/"
    reloads, rebuilds = serve_reloads(main_p, note_url, main_p / probe_rel, runs)

    floor = med([x["wall"] for x in res["floor"]])
    w = {k: [x["wall"] for x in v] for k, v in res.items()}
    c = {k: [x["cpu"] for x in v] for k, v in res.items()}
    redraw = med([x["draw_s"] for x in res["edit"]])
    drawn_edit = sorted({d for x in res["edit"] for d in x["drawn"]})
    cold_drawn = med([len(x["drawn"]) for x in res["cold"]])
    n_fig = len(found["figures"])
    edit_budget = floor + redraw

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    rows = [
        ("render floor (TIL_EXECUTE=off)", span(w["floor"]), 1.0, med(c["floor"]), "-", "-",
         "stub figures, notebook not executed"),
        ("cold build (caches deleted)", span(w["cold"]), med(w["cold"]) / floor, med(c["cold"]), "-", "-",
         f"drew {cold_drawn:.0f} files ({n_fig} figures x light/dark) in "
         f"{med([x['draw_s'] for x in res['cold']]):.1f} s; ran "
         f"{med([x['notebooks_run'] for x in res['cold']]):.0f} notebook(s)"),
        ("warm build (nothing changed)", span(w["warm"]), med(w["warm"]) / floor, med(c["warm"]),
         f"<= {TARGET_WARM_RATIO} x floor", verdict(med(w["warm"]) <= TARGET_WARM_RATIO * floor),
         f"drew {max(len(x['drawn']) for x in res['warm'])}, ran "
         f"{max(x['notebooks_run'] for x in res['warm'])} notebooks"),
        ("math (KaTeX, in cold build)", span([x["math"]["katex_s"] for x in res["cold"]]),
         med([x["math"]["katex_s"] for x in res["cold"]]) / floor, None, "-", "-",
         f"{res['cold'][0]['math']['rendered']} formulas typeset by KaTeX in V8 "
         f"(+{res['cold'][0]['math']['cached']} repeats from cache); warm build: "
         f"{max(x['math']['rendered'] for x in res['warm'])} typeset, all math work "
         f"{med([x['math']['all_s'] for x in res['warm']]):.2f} s (cache reads); floor the same"),
        ("one-snippet edit", span(w["edit"]), med(w["edit"]) / floor, med(c["edit"]),
         f"<= floor + redraw = {edit_budget:.2f}", verdict(med(w["edit"]) <= edit_budget),
         f"{target['file']}:{target['func']}() -> redrew {', '.join(drawn_edit) or 'nothing'} "
         f"in {redraw:.2f} s (edit - floor = {med(w['edit']) - floor:+.2f} s); ran "
         f"{max(x['notebooks_run'] for x in res['edit'])} notebooks"),
        ("serve reload (value edit)", span(reloads), med(reloads) / floor, None,
         f"< {TARGET_RELOAD_S:.0f} s", verdict(med(reloads) < TARGET_RELOAD_S),
         f"constant appended to {probe_rel}, page polled over HTTP; the server's rebuild took "
         f"{med(rebuilds) if rebuilds else float('nan'):.2f} s of it"),
    ]
    raw, wire = sizes["raw"], sizes["wire"]
    size_rows = [
        ("site size", f"{total / 1e6:.1f} MB", f"{total:,} bytes in {nfiles} files; du {du / 1e6:.1f} MB",
         "-", "-"),
        ("conv note, page as read", kb(wire["reader"]),
         f"gzip as served: HTML {kb(wire['html'])} + one variant of each of {sizes['figures']} figures "
         f"{kb(wire['figures_one'])}; raw {kb(raw['reader'])}", "-", "-"),
        ("conv note, all it owns", kb(wire["owned"]),
         f"page as read + notebook page and downloads {kb(wire['notebook'])} (gzip); "
         f"raw {kb(raw['owned'])}; the other scheme's figures are never fetched (lazy, hidden)",
         f"< {TARGET_NOTE_BYTES // 1000} KB", verdict(wire["owned"] < TARGET_NOTE_BYTES)),
        ("conv note, both schemes", kb(wire["all"]),
         f"gzip: HTML {kb(wire['html'])} + figures light+dark {kb(wire['figures_both'])} + notebook "
         f"{kb(wire['notebook'])}; raw {kb(raw['all'])}", "-", "-"),
    ]
    load = os.getloadavg()[0]
    head = (f"Build speed of the TIL site: medians of {runs} interleaved runs (min-max), wall seconds; "
            f"{os.cpu_count()} CPUs, load average {load:.1f} at the end; conv note: docs/{note}")
    print(head)
    fmt = "{:<31} {:>22} {:>8} {:>7}  {:<26} {:<6} {}"
    print(fmt.format("measurement", "wall s", "x floor", "cpu s", "target", "result", "notes"))
    print("-" * 140)
    for name, wall, ratio, cpu, tgt, res_, note_ in rows:
        print(fmt.format(name, wall, f"{ratio:.2f}", "-" if cpu is None else f"{cpu:.1f}", tgt, res_, note_))
    for name, value, detail, tgt, res_ in size_rows:
        print(fmt.format(name, value, "", "", tgt, res_, detail))
    print(f"(total benchmark time {time.monotonic() - t0:.0f} s)")

    out = ROOT / "bench/results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "build_speed.json").write_text(json.dumps({
        "runs": runs, "load": load, "note": note, "edit": {k: str(v) for k, v in target.items()},
        "wall": w, "cpu": c, "serve_reload": reloads, "serve_rebuild": rebuilds,
        "redraw_s": [x["draw_s"] for x in res["edit"]],
        "drawn_edit": drawn_edit, "site_bytes": total, "site_files": nfiles, "note_sizes": sizes,
    }, indent=1, ensure_ascii=False), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
