"""Fixtures shared by the site tests (structure, build, HTML, browser, determinism, cache).

Fixtures
--------
built_site (session) -> pathlib.Path
    The real project built ONCE per test session with
    ``mkdocs build --strict --site-dir <tmp> --config-file <repo>/mkdocs.yml``
    (subprocess, cwd=<repo>, env NO_MKDOCS_2_WARNING=1, DISABLE_MKDOCS_2_WARNING=true,
    PYTHONHASHSEED=0, SOURCE_DATE_EPOCH=0). Returns the site directory. If the build
    fails, every test using it fails with the build's stderr. Read-only: tests
    must not write into it. The build uses and fills <repo>/.cache like `make build`.
built_site_info (session) -> sitetools.BuiltSite
    The same build with its wall time (``.seconds``) and stderr; the time is also
    printed in pytest's terminal summary (section "site measures").
project_copy (function) -> pathlib.Path
    A fresh copy of mkdocs.yml, docs/, hooks/, overrides/ and snippets/ in tmp_path
    (no .venv, .cache or site), for building mutated copies. Build it with
    ``sitetools.build(copy, site_dir)``: the subprocess gets PYTHONPATH=<copy>, so
    ``import snippets`` loads the copy's snippets/ rather than the editable install.
build_site (function) -> callable(project_dir, site_dir, extra_env=None) -> CompletedProcess
    ``sitetools.build`` as a fixture, for tests that prefer not to import sitetools.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sitetools import MEASURES, ROOT, BuiltSite, build, copy_project, summary_entries


@pytest.fixture(scope="session")
def built_site_info(tmp_path_factory) -> BuiltSite:
    site = tmp_path_factory.mktemp("built") / "site"
    proc = build(ROOT, site)
    MEASURES.append(f"strict build of the project: {proc.seconds:.1f} s wall")
    if proc.returncode != 0:
        pytest.fail(f"`mkdocs build --strict` of {ROOT} failed (exit {proc.returncode}):\n"
                    f"{proc.stderr[-8000:]}", pytrace=False)
    return BuiltSite(site, proc.seconds, proc.stderr)


@pytest.fixture(scope="session")
def built_site(built_site_info) -> Path:
    return built_site_info.path


@pytest.fixture
def project_copy(tmp_path):
    return copy_project(tmp_path / "project")


@pytest.fixture
def build_site():
    return build


def pytest_terminal_summary(terminalreporter):
    # build time, site and page sizes measured by the tests (sitetools.MEASURES)
    if MEASURES:
        terminalreporter.section("site measures")
        for line in MEASURES:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def entries():
    """docs/SUMMARY.md's entries (tilsite.summary.Entry), in nav order."""
    return summary_entries()


@pytest.fixture(scope="session")
def chromium():
    """One headless chromium for the whole session (Debian's, never a downloaded one)."""
    # here, not in test_browser.py: a fixture imported into several modules starts one browser per
    # module, and a second sync Playwright in this thread cannot start
    from test_browser import CHROMIUM, CHROMIUM_ARGS, _missing_browser, sync_playwright

    if not Path(CHROMIUM).is_file():
        _missing_browser(f"{CHROMIUM} is missing: install Debian's 'chromium' package "
                         "(apt-get install chromium fonts-nanum); the browser tests need it")
    if sync_playwright is None:
        _missing_browser("the 'playwright' package is missing: pip install -e '.[test]'")
    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        pw.stop()
