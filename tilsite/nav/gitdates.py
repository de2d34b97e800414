"""Each written note's "마지막 수정" date: the date of the last commit that touched it.

Deterministic for a given commit (the committer date, never the build date), and
silent: in a copy without Git history, or for a file not committed yet, there is
simply no date.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


def last_commit_dates(root: Path, paths: list[str]) -> dict[str, str]:
    """{path: 'YYYY-MM-DD'} for each of `paths` (relative to `root`) that Git has a commit for.

    One `git log` over the history, newest first: the first date seen for a path wins.
    Returns {} when `root` is not in a Git work tree or git is missing.
    """
    if not paths:
        return {}
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), "log", "--format=%x00%cs", "--name-only", "--no-renames", "--", *paths],
            capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return {}
    if proc.returncode != 0:
        return {}
    # git prints paths relative to the top of the work tree; map them back to `paths`
    top = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-prefix"],
                         capture_output=True, text=True).stdout.strip()
    wanted = {top + p: p for p in paths}
    dates: dict[str, str] = {}
    date = None
    for line in proc.stdout.splitlines():
        if line.startswith("\0"):
            date = line[1:]
        elif line and date and line in wanted and wanted[line] not in dates:
            dates[wanted[line]] = date
    return dates
