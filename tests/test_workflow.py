"""The publishing workflow runs the README's own commands, so CI checks what a reader runs.

README.md shows each command in a fenced block of its own (`make serve`,
`make test`, `make build`); the workflow must run the test and strict-build
commands exactly, in that order, after installing the browser and fonts, then
upload the site directory and deploy it to GitHub Pages.
"""

from __future__ import annotations

import re
import shlex

import pytest
import yaml

from sitetools import ROOT

WORKFLOW = ROOT / ".github/workflows/publish.yml"
SHELL_LANGS = {"sh", "bash", "shell", "console"}


def readme_commands() -> list[str]:
    """Commands shown in README.md's fenced shell blocks (```sh ...), one per non-comment line."""
    out, lang = [], None  # lang: None outside a fence, else the open fence's language
    for raw in (ROOT / "README.md").read_text("utf-8").splitlines():
        line = raw.strip()
        if line.startswith("```"):
            lang = line[3:].strip() if lang is None else None
        elif lang in SHELL_LANGS:
            line = line.removeprefix("$ ")
            if line and not line.startswith("#"):
                out.append(line)
    return out


def readme_command(target: str) -> str:
    """The README's command for a make target ('test' -> 'make test'), exactly as written."""
    found = [c for c in readme_commands() if shlex.split(c)[:2] == ["make", target]]
    assert len(found) == 1, f"README.md should show one fenced `make {target}` command, found {found}"
    return found[0]


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text("utf-8"))


def _steps(workflow) -> list[tuple[str, dict]]:
    return [(job, step) for job, spec in workflow["jobs"].items() for step in spec.get("steps", [])]


def _run_lines(workflow) -> list[tuple[str, str]]:
    """(job, command) for every line of every `run:` step, in order."""
    out = []
    for job, step in _steps(workflow):
        for line in str(step.get("run", "")).splitlines():
            if line.strip() and not line.strip().startswith("#"):
                out.append((job, line.strip()))
    return out


def test_readme_shows_the_three_commands():
    cmds = readme_commands()
    for exact in ("make serve", "make test", "make build"):
        assert exact in cmds, f"README.md has no fenced block with exactly `{exact}`: {cmds}"


def test_workflow_is_valid_yaml_triggered_by_pushes_to_main(workflow):
    assert isinstance(workflow, dict) and workflow.get("jobs")
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads the bare key `on` as True
    assert "main" in on["push"]["branches"]


def test_workflow_runs_the_readme_test_then_build_commands_exactly(workflow):
    lines = [cmd for _, cmd in _run_lines(workflow)]
    test_cmd, build_cmd = readme_command("test"), readme_command("build")
    assert test_cmd in lines, f"the workflow does not run the README's test command {test_cmd!r}: {lines}"
    assert build_cmd in lines, f"the workflow does not run the README's build command {build_cmd!r}: {lines}"
    assert lines.index(test_cmd) < lines.index(build_cmd), "publish only what passed the tests"
    assert readme_command("serve") not in lines  # a server never ends


def test_workflow_runs_on_debian_python_311_with_the_browser_before_testing(workflow):
    job = workflow["jobs"]["build"]
    # Debian's chromium is a real /usr/bin/chromium (Ubuntu's is a snap stub)
    assert re.fullmatch(r"python:3\.11-(bookworm|trixie)", str(job.get("container", ""))), job.get("container")
    steps = [s for _, s in _steps(workflow)]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/checkout@") for u in uses)
    runs = [str(s.get("run", "")) for s in steps]
    apt = [i for i, r in enumerate(runs) if "apt-get install" in r]
    assert apt, "no apt-get install step"
    assert "apt-get update" in runs[apt[0]]
    assert {"chromium", "fonts-nanum"} <= set(runs[apt[0]].split())
    test_step = next(i for i, r in enumerate(runs) if readme_command("test") in r.splitlines())
    assert apt[0] < test_step
    build_step = next(s for s in steps if readme_command("build") in str(s.get("run", "")).splitlines())
    assert "SITE_URL" in build_step.get("env", {}), "the published site needs its own canonical address"


def test_workflow_publishes_the_strict_build_to_pages(workflow):
    makefile = (ROOT / "Makefile").read_text("utf-8")
    recipe = re.search(r"^build:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe and "--strict" in recipe[1], "`make build` must be the strict build"
    site_dir = re.search(r"--site-dir\s+(\S+)", recipe[1])[1]

    steps = _steps(workflow)
    upload = [(j, s) for j, s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    deploy = [(j, s) for j, s in steps if s.get("uses", "").startswith("actions/deploy-pages@")]
    assert upload and deploy
    assert upload[0][1]["with"]["path"] == site_dir
    build_job, deploy_job = upload[0][0], deploy[0][0]
    jobs = workflow["jobs"]
    if deploy_job != build_job:
        needs = jobs[deploy_job].get("needs", [])
        assert build_job in ([needs] if isinstance(needs, str) else needs)
    env = jobs[deploy_job].get("environment")
    assert (env.get("name") if isinstance(env, dict) else env) == "github-pages"
    perms = {**workflow.get("permissions", {}), **jobs[deploy_job].get("permissions", {})}
    assert perms.get("pages") == "write" and perms.get("id-token") == "write"


def test_workflow_checks_out_the_full_history(workflow):
    """The "마지막 수정" dates come from each note's last commit: a shallow clone would date
    every note to the newest commit."""
    checkout = [s for _, s in _steps(workflow) if s.get("uses", "").startswith("actions/checkout@")]
    assert checkout and all((s.get("with") or {}).get("fetch-depth") == 0 for s in checkout), checkout
