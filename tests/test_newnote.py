"""`til new ENTRY` (and `make note ENTRY=...`) starts the note of a SUMMARY entry."""

from __future__ import annotations

import re
import subprocess

import pytest

from sitetools import ROOT, VENV_BIN, build, build_env, copy_project, summary_entries

from tilsite.nav.summary import placeholder_markdown

LECTURE = "til-ml/boostcamp-2st/u-stage-1/ai-math/ai-math-8gang-beijeu-tonggyehak-matbogi.md"
LECTURE_TRAIL = "TIL : ML > Boostcamp 2st > [U]Stage-1 > AI Math > (AI Math 8강) 베이즈 통계학 맛보기"
DIARY = "til-2021/06/30.md"


def til_new(project, *args):
    return subprocess.run([str(VENV_BIN / "til"), "new", *args], cwd=project, env=build_env(project),
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def docs_copy(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/SUMMARY.md").write_text(
        (copy_project(tmp_path / "full") / "docs/SUMMARY.md").read_text("utf-8"), "utf-8")
    return tmp_path


@pytest.mark.parametrize("entry", [LECTURE, f"docs/{LECTURE}", LECTURE_TRAIL,
                                   "AI Math > (AI Math 8강) 베이즈 통계학 맛보기",
                                   LECTURE_TRAIL.replace(" > ", " >  ")])
def test_creates_the_note_with_the_exact_title(docs_copy, entry):
    proc = til_new(docs_copy, entry)
    assert proc.returncode == 0, proc.stderr
    assert (docs_copy / "docs" / LECTURE).read_text("utf-8") == "# (AI Math 8강) 베이즈 통계학 맛보기\n"
    # how to add a value, a figure and a code section: on the terminal, never in the file
    assert "{{ value " in proc.stdout and "{{ figure " in proc.stdout and '--8<-- "snippets/' in proc.stdout
    assert "/ai-math-8gang-beijeu-tonggyehak-matbogi/" in proc.stdout


def test_diary_entry_gets_its_day_labelled_like_placeholders(docs_copy):
    proc = til_new(docs_copy, "2021 TIL > JUN > 30 Wed")
    assert proc.returncode == 0, proc.stderr
    text = (docs_copy / "docs" / DIARY).read_text("utf-8")
    assert text == "# 30 Wed\n\n작성일: 2021-06-30\n"
    entry = next(e for e in summary_entries() if e.path == DIARY)
    assert "작성일: 2021-06-30" in placeholder_markdown(entry)  # the same label on both


def test_title_with_markdown_characters_is_escaped_to_render_exactly(docs_copy):
    proc = til_new(docs_copy, "til-etc/ttabaereon-kubernetes.md")
    assert proc.returncode == 0, proc.stderr
    assert (docs_copy / "docs/til-etc/ttabaereon-kubernetes.md").read_text("utf-8").startswith(
        "# \\[따배런\\] Kubernetes\n")


def test_refuses_an_existing_note(docs_copy):
    assert til_new(docs_copy, DIARY).returncode == 0
    before = (docs_copy / "docs" / DIARY).read_text("utf-8")
    proc = til_new(docs_copy, DIARY)
    assert proc.returncode == 2
    assert "docs/til-2021/06/30.md already exists" in proc.stderr
    assert (docs_copy / "docs" / DIARY).read_text("utf-8") == before


def test_ambiguous_entry_lists_the_candidates(docs_copy):
    proc = til_new(docs_copy, "Level2 > 거리두기 확인하기")
    assert proc.returncode == 2
    assert "names 2 entries" in proc.stderr
    assert "level2/georidugi-hwakinhagi.md" in proc.stderr and "level2/georidugi-hwakinhagi-2.md" in proc.stderr
    assert not list((docs_copy / "docs").rglob("georidugi*"))


@pytest.mark.parametrize(("entry", "suggested"), [
    ("베이즈 통계학", "ai-math-8gang-beijeu-tonggyehak-matbogi.md"),
    ("til-ml/boostcamp-2st/u-stage-1/ai-math/ai-math-8gang.md", "ai-math-8gang-beijeu-tonggyehak-matbogi.md"),
])
def test_unknown_entry_names_close_matches(docs_copy, entry, suggested):
    proc = til_new(docs_copy, entry)
    assert proc.returncode == 2
    assert "Close matches" in proc.stderr and suggested in proc.stderr
    assert len(list((docs_copy / "docs").rglob("*.md"))) == 1  # only SUMMARY.md


def test_make_note_wraps_it():
    make = subprocess.run(["make", "-n", "note", "ENTRY=a > b"], cwd=ROOT, capture_output=True, text=True)
    assert re.search(r'til new "a > b"', make.stdout), make.stdout + make.stderr


@pytest.mark.build
def test_placeholder_gives_way_on_the_next_build(tmp_path):
    project = copy_project(tmp_path / "project", with_cache=True)
    assert til_new(project, LECTURE_TRAIL).returncode == 0
    proc = build(project, tmp_path / "site")
    assert proc.returncode == 0, proc.stderr[-3000:]
    html = (tmp_path / "site" / LECTURE.removesuffix(".md") / "index.html").read_text("utf-8")
    assert re.search(r"<h1[^>]*>\(AI Math 8강\) 베이즈 통계학 맛보기<", html)
    assert "아직 작성되지 않았습니다" not in html
