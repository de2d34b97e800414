"""tilsite/nav/gitdates.py: "마지막 수정" is the last commit's date, and nothing without Git."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tilsite.nav.gitdates import last_commit_dates

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _commit(repo, date: str, *files: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": f"{date}T12:00:00+00:00", "GIT_COMMITTER_DATE": f"{date}T23:30:00+09:00",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    for f in files:
        path = repo / f
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{f} {date}\n", "utf-8")
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", date], cwd=repo, check=True, env=env)


def test_last_commit_date_per_file(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    _commit(repo, "2021-08-05", "docs/a.md", "docs/sub/b.md")
    _commit(repo, "2022-01-02", "docs/a.md")
    (repo / "docs" / "new.md").write_text("not committed\n", "utf-8")
    dates = last_commit_dates(repo / "docs", ["a.md", "sub/b.md", "new.md"])
    # the committer's own calendar day (%cs), whatever the build machine's time zone
    assert dates == {"a.md": "2022-01-02", "sub/b.md": "2021-08-05"}


def test_no_git_history_means_no_date(tmp_path):
    (tmp_path / "a.md").write_text("x\n", "utf-8")
    assert last_commit_dates(tmp_path, ["a.md"]) == {}
    assert last_commit_dates(tmp_path, []) == {}
