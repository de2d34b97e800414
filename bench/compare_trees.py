"""Two versions of the project side by side in one run: cold build, warm build, serve reload.

    python bench/compare_trees.py OLD_TREE [--runs N]

OLD_TREE is a checkout of another commit (e.g. `git worktree add /tmp/old <commit>` or
`git archive <commit> | tar -x -C /tmp/old`); the current tree is this repository.
Each tree is copied whole (its own `tilsite/` and `snippets/`) into a temporary folder and
built with PYTHONPATH=<copy>, so each imports its own machinery through the same venv.
Rounds interleave the two trees so both see the same machine load; builds are also given in
CPU seconds (mkdocs and its children), steadier than wall time on a shared machine. The serve reload is
`python -m <the tree's cli module> serve --dirty` (what `make serve` runs), with a value probe on
the conv note as in bench/build_speed.py. Prints one table: median (min-max) seconds.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_speed as bs  # noqa: E402

ROOT = bs.ROOT
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", ".git", ".venv", ".cache",
                              "site", "*.egg-info", "results")


def copy_tree(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, ignore=SKIP)
    return dest


def cli_module(tree: Path) -> str:
    return "tilsite.authoring.cli" if (tree / "tilsite" / "authoring" / "cli.py").is_file() else "tilsite.cli"


def prepare_probe(project: Path, found: dict) -> tuple[str, Path]:
    """Append a value probe to the conv note (as bench/build_speed.py does); return its URL and file.

    `found` is bench/build_speed.py's discovery, made once with the current machinery: the
    notes and snippets of both trees are the same."""
    note = found["note"]
    probe_mod, probe_rel = bs.pick_probe(project, found)
    (project / probe_rel).write_text((project / probe_rel).read_text("utf-8")
                                     + '\nBENCH_PROBE = "til-bench-probe-0"\n', "utf-8")
    (project / "docs" / note).write_text((project / "docs" / note).read_text("utf-8")
                                         + f"\n\n{{{{ value {probe_mod}:BENCH_PROBE }}}}\n", "utf-8")
    return bs.page_html(Path(""), note).parent.as_posix() + "/", project / probe_rel


def span(xs: list[float]) -> str:
    return f"{statistics.median(xs):5.2f} ({min(xs):.2f}-{max(xs):.2f})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", type=Path, help="a checkout of the version to compare with")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="til-compare-"))
    try:
        trees = {"before": copy_tree(args.old.resolve(), work / "before"), "after": copy_tree(ROOT, work / "after")}
        found = bs.discover(trees["after"])
        probes = {k: prepare_probe(p, found) for k, p in trees.items()}
        res = {k: {"cold": [], "warm": [], "cold_cpu": [], "warm_cpu": []} for k in trees}
        for _ in range(args.runs):
            for k, p in trees.items():
                bs.clear_caches(p)
                for kind in ("cold", "warm"):
                    b = bs.build(p)
                    res[k][kind].append(b["wall"])
                    res[k][f"{kind}_cpu"].append(b["cpu"])  # CPU seconds: steadier than wall on a shared machine
        for k, p in trees.items():
            url, probe = probes[k]
            cmd = (sys.executable, "-m", cli_module(p), "serve", "--dirty")
            res[k]["serve"] = bs.serve_reloads(p, url, probe, args.runs, cmd)[0]
        if (trees["after"] / "tilsite" / "plugin.py").is_file():  # bare `mkdocs serve` through the plugin
            url, probe = probes["after"]
            res["after"]["bare"] = bs.serve_reloads(trees["after"], url, probe, args.runs,
                                                    (str(bs.MKDOCS), "serve"))[0]
    except bs.BuildFailed as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{'measure':<34} {'before (s)':<20} {'after (s)':<20} after/before")
    rows = [("cold build (caches deleted)", "cold"), ("cold build, CPU s", "cold_cpu"),
            ("warm build (nothing changed)", "warm"), ("warm build, CPU s", "warm_cpu"),
            ("serve reload (til serve --dirty)", "serve")]
    for label, key in rows:
        b, a = res["before"][key], res["after"][key]
        print(f"{label:<34} {span(b):<20} {span(a):<20} {statistics.median(a) / statistics.median(b):.2f}")
    if "bare" in res["after"]:
        print(f"{'serve reload (bare mkdocs serve)':<34} {'-':<20} {span(res['after']['bare']):<20} -")
    return 0


if __name__ == "__main__":
    sys.exit(main())
