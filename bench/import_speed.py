"""How fast is `til import-gitbook`?  Run: python bench/import_speed.py [PAGES]

Generates a GitBook export of PAGES pages (default 500) from the TIL's own tree
(docs/SUMMARY.md, in order, so every page matches an entry; written notes left out), each page holding
the blocks a real space uses: hints, tabs with a hint inside, a titled code block,
a figure, inline and display math, a mark, details, an include, a variable, a link
to another page and an image with a space and parentheses in its name.

Then it imports the export into fresh copies of the project, in-process (the CLI's
own entry point, `tilsite.cli.main`), and prints one table: median (min-max) wall
seconds of 3 runs of each mode, median CPU seconds (less sensitive to other load on the
machine), pages per wall second, and the issue's target (< 10 s wall for 500 pages).
The export and the copies live in a temporary folder; nothing here is touched.

Not a test: it prints a plain-text table and exits 0.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import statistics
import struct
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from tilsite.authoring import cli  # noqa: E402
from tilsite.nav.summary import md_escape, parse_summary  # noqa: E402

PROJECT_PARTS = ("mkdocs.yml", "docs", "overrides", "snippets")
REPEATS = 3
TARGET_S = 10.0
ASSETS = 50

PAGE = """---
description: 생성된 벤치마크 페이지 {i}
---

# {title}

이 페이지는 $$a_{i} = {i}^2$$처럼 문장 안에 수식을 쓴다. <mark style="color:red;">표시된 글</mark>과
[다음 페이지]({next_link})로 가는 링크가 있다.

## 정의 {i}

$$
\\sum_{{k=1}}^{{{i}}} k = \\frac{{{i}({i}+1)}}{{2}}
$$

{{% hint style="info" %}}
<code class="expression">space.vars.course</code>에서 배운 것.
{{% endhint %}}

{{% tabs %}}
{{% tab title="Python" %}}
{{% code title="p{i}.py" lineNumbers="true" overflow="wrap" %}}
```python
def f(x):
    return x ** 2 + {i}
```
{{% endcode %}}
{{% endtab %}}

{{% tab title="설명" %}}
{{% hint style="warning" %}}
탭 안의 힌트 {i}.
{{% endhint %}}
{{% endtab %}}
{{% endtabs %}}

<figure><img src="{up}.gitbook/assets/image ({a}).png" alt="그림 {i}"><figcaption><p>캡션 {i}</p></figcaption></figure>

{{% include "{up}.gitbook/includes/rule.md" %}}

<details>

<summary>더 보기 {i}</summary>

- 항목 하나
- 항목 둘

</details>
"""


def _png() -> bytes:
    raw = b"".join(b"\x00" + b"\x3f\x51\xb5" * 8 for _ in range(8))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def make_export(dest: Path, pages: int) -> int:
    """A GitBook export of the TIL tree's first `pages` entries; returns the page count written."""
    # the notes already written here are left out: the mirror never overwrites them without --force
    entries = [e for e in parse_summary((ROOT / "docs" / "SUMMARY.md").read_text("utf-8"))
               if not e.external and not (ROOT / "docs" / e.path).exists()][:pages]
    kept = {id(e) for e in entries}
    files: dict[int, str] = {}
    for i, e in enumerate(entries):
        parent = files.get(id(e.parent), "") if e.parent is not None and id(e.parent) in kept else ""
        folder = parent.rsplit("/", 1)[0] + "/" if "/" in parent else ""
        # GitBook's names for Korean titles: undefined-N.md, a folder's page is README.md
        files[id(e)] = f"{folder}s{i}/README.md" if e.children else f"{folder}undefined-{i}.md"
    (dest / ".gitbook" / "assets").mkdir(parents=True)
    (dest / ".gitbook" / "includes").mkdir()
    png = _png()
    for a in range(ASSETS):
        (dest / ".gitbook" / "assets" / f"image ({a}).png").write_bytes(png)
    (dest / ".gitbook" / "includes" / "rule.md").write_text(
        '{% hint style="success" %}\n공부 규칙: 하루에 하나씩.\n{% endhint %}\n', "utf-8")
    (dest / ".gitbook" / "vars.yaml").write_text("course: 부스트캠프\n", "utf-8")
    lines = ["# Table of contents", ""]
    for i, e in enumerate(entries):
        rel = files[id(e)]
        lines.append(f"{'  ' * e.depth}* [{md_escape(e.title)}]({rel})")
        up = "../" * rel.count("/")
        nxt = files[id(entries[(i + 1) % len(entries)])]
        text = PAGE.format(i=i, title=e.title, up=up, a=i % ASSETS,
                           next_link=os.path.relpath(nxt, os.path.dirname(rel) or "."))
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_text(text, "utf-8")
    (dest / "SUMMARY.md").write_text("\n".join(lines) + "\n", "utf-8")
    return len(entries)


def copy_project(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for part in PROJECT_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / part)
    return dest


CPU: dict[str, list[float]] = {}


def run(args: list[str], mode: str = "") -> tuple[float, int, str]:
    """Wall seconds, exit code and output of one `til` run; its CPU seconds go to CPU[mode]."""
    out = io.StringIO()
    start, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        rc = cli.main(args)
    CPU.setdefault(mode, []).append(time.process_time() - cpu)
    return time.perf_counter() - start, rc, out.getvalue()


def main() -> int:
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    with tempfile.TemporaryDirectory(prefix="til-import-bench-") as tmp:
        tmp = Path(tmp)
        export = tmp / "export"
        start = time.perf_counter()
        n = make_export(export, pages)
        gen = time.perf_counter() - start
        modes = {
            "fill the mirror (default)": [],
            "new tree (--new-tree)": ["--new-tree"],
            "second run, nothing changed": None,
            "dry run (--dry-run)": ["--dry-run"],
        }
        times: dict[str, list[float]] = {m: [] for m in modes}
        notes: dict[str, str] = {}
        for r in range(REPEATS):
            for mode, flags in modes.items():
                if flags is None:
                    continue
                project = copy_project(tmp / f"p{r}-{len(times[mode])}-{abs(hash(mode)) % 997}")
                secs, rc, out = run(["import-gitbook", str(export), "--project", str(project), *flags], mode)
                if rc != 0:
                    print(out[-3000:])
                    raise SystemExit(f"import failed ({mode}), exit {rc}")
                times[mode].append(secs)
                notes[mode] = next((line for line in out.splitlines() if line.startswith("| pages imported")), "")
                if mode.startswith("fill"):
                    secs, rc, out = run(["import-gitbook", str(export), "--project", str(project)],
                                        "second run, nothing changed")
                    assert rc == 0 and "Nothing changed" in out, out[-2000:]
                    times["second run, nothing changed"].append(secs)
                shutil.rmtree(project)
        print(f"til import-gitbook on a generated export: {n} pages, each with 13 GitBook blocks, "
              f"{ASSETS} images; generated in {gen:.2f} s; {os.cpu_count()} CPUs, load average "
              f"{os.getloadavg()[0]:.1f} at the end; median (min-max) of {REPEATS} runs\n")
        head = f"{'mode':<30} {'wall s':>18} {'cpu s':>6} {'pages/s':>8}  {'target':<8} {'result':<6} notes"
        print(head)
        print("-" * (len(head) + 30))
        for mode, ts in times.items():
            med = statistics.median(ts)
            ok = "PASS" if med < TARGET_S else "MISS"
            rate = n / med
            note = notes.get(mode, "") or ("every file byte-identical, nothing written" if "second" in mode else "")
            cpu = statistics.median(CPU[mode])
            print(f"{mode:<30} {med:6.2f} ({min(ts):.2f}-{max(ts):.2f}) {cpu:6.2f} {rate:8.0f}  {'< 10 s':<8} {ok:<6} "
                  f"{note.strip('| ').replace(' | ', ': ')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
