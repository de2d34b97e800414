"""Placeholder pages speak to readers: no repository path, no CONTRIBUTING; the how-to
appears only in the author's preview (`make serve`), and particles after the title agree."""

from __future__ import annotations

import pytest

from sitetools import DOCS
from tilsite.nav.korean import particle
from tilsite.nav.summary import parse_summary, placeholder_markdown

ENTRIES = parse_summary((DOCS / "SUMMARY.md").read_text("utf-8"))
UNWRITTEN = [e for e in ENTRIES if not e.external and not (DOCS / e.path).is_file()]


def test_built_placeholders_name_no_repository_file():
    assert len(UNWRITTEN) >= 500
    for e in UNWRITTEN:
        md = placeholder_markdown(e)
        for word in ("docs/", "CONTRIBUTING", "til new", "이 노트 쓰기", "make serve"):
            assert word not in md, f"{e.path}: {word!r} in the built placeholder"


@pytest.mark.parametrize("title_end, obj", [("맛보기", "를"), ("첫걸음", "을")])
def test_serving_adds_the_how_to_with_agreeing_particles(title_end, obj):
    e = next(e for e in UNWRITTEN if e.title.endswith(title_end) and not e.children)
    md = placeholder_markdown(e, serving=True)
    assert f"docs/{e.path}" in md and f"til new {e.path}" in md
    assert f"`# {e.title}`{obj} 쓰세요" in md
    assert f"**{e.title}**{particle(e.title, '은')} 원래" in placeholder_markdown(e)


def test_no_wrong_particle_after_any_title():
    """The text after every title in every placeholder agrees with the title's reading."""
    for e in UNWRITTEN:
        md = placeholder_markdown(e, serving=True)
        for form, pair in (("은", "는"), ("을", "를")):
            wrong = {particle(e.title, form): pair if particle(e.title, form) == form else form}
            for bad in wrong.values():
                assert f"**{e.title}**{bad} " not in md and f"`# {e.title}`{bad} " not in md, e.path
