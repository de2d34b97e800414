"""`mkdocs serve` (bare, through the til plugin) and `til serve` (what `make serve` runs) show a
failed build in the browser and recover by itself.

Each test starts the real server on a free port, in a copy of the project, and
talks to it over HTTP as a browser would.  The timings (save -> error page,
fix -> page back) are printed in pytest's "site measures" section.
"""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from sitetools import MEASURES, TRACEBACK, VENV_BIN, build_env, copy_project, edit

pytestmark = pytest.mark.build

NOTE_URL = "til-ml/boostcamp-2st/u-stage-1/ai-math/ai-math-9gang-cnn-cheotgeoleum/"
BREAK = ("def output_size(", "def broken(:\n    pass\n\n\ndef output_size(")
LIMIT = 3.0  # seconds from a save until the browser can see the result


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, ""


def _poll(url: str, status: int, timeout: float) -> tuple[float, str]:
    """Seconds until `url` answers `status` (pytest.fail after `timeout`), and the body."""
    start = time.monotonic()
    code, body = 0, ""
    while time.monotonic() - start < timeout:
        code, body = _get(url)
        if code == status:
            return time.monotonic() - start, body
        time.sleep(0.1)
    pytest.fail(f"{url} did not answer {status} within {timeout} s (last: {code}):\n{body[:2000]}")


def _search_pages(server) -> set[str]:
    """The pages the served search index has records of."""
    code, body = _get(server.base + "search/search_index.json")
    assert code == 200
    return {doc["location"].partition("#")[0] for doc in json.loads(body)["docs"]}


TIL_SERVE = ("til", "serve", "--dirty")
MKDOCS_SERVE = ("mkdocs", "serve")  # bare: no --dirty, no wrapper; the plugin does it all


class Server:
    def __init__(self, project: Path, command: tuple[str, ...] = TIL_SERVE):
        self.project = project
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        self.log = project / "serve.log"
        self._out = self.log.open("w")
        self.proc = subprocess.Popen(
            [str(VENV_BIN / command[0]), *command[1:], "--dev-addr", f"127.0.0.1:{self.port}"],
            cwd=project, env=build_env(project), stdout=self._out, stderr=subprocess.STDOUT,
            start_new_session=True)

    def wait_serving(self, timeout: float = 180) -> None:
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if "Serving on" in self.log.read_text("utf-8", "replace"):
                return
            if self.proc.poll() is not None:
                pytest.fail(f"til serve exited ({self.proc.returncode}):\n{self.log.read_text()[-3000:]}")
            time.sleep(0.2)
        pytest.fail(f"til serve did not start:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._out.close()


@pytest.fixture
def server_in_copy(tmp_path):
    project = copy_project(tmp_path / "project", with_cache=True)
    servers = []

    def start(command: tuple[str, ...] = TIL_SERVE) -> Server:
        s = Server(project, command)
        servers.append(s)
        s.wait_serving()
        return s

    yield project, start
    for s in servers:
        s.stop()


@pytest.mark.parametrize("command", [TIL_SERVE, MKDOCS_SERVE], ids=" ".join)
def test_failed_rebuild_shows_error_page_then_recovers(server_in_copy, command):
    project, start = server_in_copy
    shapes = project / "snippets/convolution/shapes.py"
    line = next(i for i, t in enumerate(shapes.read_text("utf-8").splitlines(), 1) if t.startswith(BREAK[0]))
    server = start(command)
    url = server.base + NOTE_URL
    _poll(url, 200, 30)
    searched = _search_pages(server)
    assert len(searched) > 500

    edit(shapes, *BREAK)
    broke, body = _poll(url, 500, LIMIT)
    assert broke <= LIMIT, f"the error page came {broke:.2f} s after the save"
    assert f"snippets/convolution/shapes.py:{line}: SyntaxError: invalid syntax" in body
    assert "/livereload/" in body, "the error page must reload itself when the build is fixed"
    assert TRACEBACK not in body
    # other pages too, not only the one being edited
    assert _get(server.base)[0] == 500

    # saved again (same text), still broken: the message is shown (and printed) again
    shapes.write_text(shapes.read_text("utf-8"), "utf-8")
    time.sleep(2)
    code, body = _get(url)
    assert code == 500 and f"shapes.py:{line}: SyntaxError" in body
    edit(shapes, BREAK[1], BREAK[0])
    fixed, body = _poll(url, 200, LIMIT)
    assert fixed <= LIMIT, f"the page came back {fixed:.2f} s after the fix"
    assert "CNN 첫걸음" in body and "SyntaxError" not in body
    # the rebuild rendered the written notes only; search still finds every page
    assert _search_pages(server) == searched

    log = server.log.read_text("utf-8")
    assert TRACEBACK not in log, log[-3000:]
    assert len(re.findall(rf"snippets/convolution/shapes\.py:{line}: SyntaxError", log)) >= 2, log[-3000:]
    MEASURES.append(f"{' '.join(command)}: error page {broke:.2f} s after the save, page back {fixed:.2f} s after the fix")


def test_good_build_after_a_failed_one_renders_what_changed_meanwhile(server_in_copy):
    """A nav change saved while the build is broken reaches the placeholders once it is fixed:
    the --dirty rule (tilsite/nav/dirty.py) compares with the last *good* build."""
    project, start = server_in_copy
    shapes, summary = project / "snippets/convolution/shapes.py", project / "docs/SUMMARY.md"
    server = start()
    url = server.base + "til-etc/ttabaereon-kubernetes/"
    _poll(url, 200, 30)
    edit(shapes, *BREAK)
    _poll(url, 500, LIMIT)
    edit(summary, "[\\[따배런\\] Kubernetes]", "[\\[따배런\\] Kubernetes 입문]")
    time.sleep(1.5)  # a second failed build, with the new nav
    edit(shapes, BREAK[1], BREAK[0])
    _, body = _poll(url, 200, 30)
    assert "Kubernetes 입문" in body
    # a placeholder elsewhere shows the new title in its nav too
    _, other = _get(server.base + "til-etc/")
    assert "Kubernetes 입문" in other


@pytest.mark.parametrize("command", [TIL_SERVE, MKDOCS_SERVE], ids=" ".join)
def test_first_build_failing_still_serves_the_error_page(server_in_copy, command):
    project, start = server_in_copy
    shapes = project / "snippets/convolution/shapes.py"
    edit(shapes, *BREAK)
    server = start(command)
    code, body = _get(server.base + NOTE_URL)
    assert code == 500 and "SyntaxError: invalid syntax" in body
    edit(shapes, BREAK[1], BREAK[0])
    _, body = _poll(server.base + NOTE_URL, 200, 60)  # the first good build is a full one
    assert "CNN 첫걸음" in body


def test_error_page_lists_each_message_once():
    from mkdocs.exceptions import Abort, PluginError

    from tilsite.authoring.devserver import error_page, failure_lines

    logged = ["snippets/a.py:3: SyntaxError: invalid syntax", "snippets/a.py:3: SyntaxError: invalid syntax"]
    assert failure_lines(PluginError(logged[0]), logged) == logged[:1]
    try:  # how mkdocs.commands.build.build reports a BuildError: Abort raised while handling it
        try:
            raise PluginError("docs/y.md:1: bad\ndocs/y.md:2: worse")
        except PluginError:
            raise Abort("Aborted with a BuildError!") from None
    except Abort as exc:
        assert failure_lines(exc, []) == ["docs/y.md:1: bad", "docs/y.md:2: worse"]
    lines = failure_lines(Abort("Aborted with 1 warnings in strict mode!"), ["docs/x.md:2: <b>"])
    assert lines == ["docs/x.md:2: <b>", "Aborted with 1 warnings in strict mode!"]
    page = error_page(lines).decode()
    assert "docs/x.md:2: &lt;b&gt;" in page and "<b>" not in page.split("<body>")[1]
