"""The error page of `mkdocs serve`: a failed build shown in the browser (HTTP 500, file:line).

The `til` plugin installs it from ``on_startup`` when MkDocs serves (option
``error_page``), so bare ``mkdocs serve`` and ``til serve`` (a thin alias) behave alike.

Without it, ``mkdocs serve`` handles a failed rebuild badly for someone writing notes:
it prints a traceback and then holds every page request until a build succeeds
again, so the browser spins and never says what is wrong.  If the very first
build fails, it does not start at all.

This module runs MkDocs' own ``serve`` command with two pieces swapped (checked
against mkdocs 1.6.1, ``mkdocs.commands.serve``):

* ``build`` is wrapped: a failed build is caught, its error and warning lines
  (``file:line: message``) are kept and logged once, without a traceback, and
  the server is told the build is over, so requests are answered again;
* ``LiveReloadServer`` is subclassed (it also looks for saved files every 0.2 s,
  not 0.5 s): while the last build failed, every page
  (a path ending in ``/`` or ``.html``) is answered with HTTP 500 and an error
  page listing those lines.  The page carries the live-reload script, so it
  turns back into the note by itself as soon as a build succeeds.  Other files
  (CSS, figures) are still served from the last good build.

``mkdocs build --strict`` is untouched: it still fails on every such error.
"""

from __future__ import annotations

import html
import logging
import sys
import threading

log = logging.getLogger("mkdocs.til.serve")


class ErrorState:
    """The last build's failure, held by the plugin: None after a good build, else the lines to show."""

    def __init__(self) -> None:
        self.error: list[str] | None = None
        self.lock = threading.Lock()
        self.show_errors = True  # answer pages with the error page while the last build failed
        self.always_dirty = False  # rebuild with --dirty even when `mkdocs serve` was not given it


class _Collect(logging.Handler):
    """Keeps the WARNING and ERROR lines MkDocs logs during one build."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def failure_lines(exc: BaseException, logged: list[str]) -> list[str]:
    """What a failed build has to say, one entry per message, without duplicates.

    ``logged`` holds what was logged at WARNING or above during the build (MkDocs
    has already logged a BuildError's text itself); the exception adds its own
    text only when it is not one of those lines, e.g. "Aborted with 1 warnings".
    """
    from mkdocs.exceptions import MkDocsException

    from mkdocs.exceptions import Abort, BuildError

    if isinstance(exc, Abort) and isinstance(exc.__context__, BuildError):
        exc = exc.__context__  # "Aborted with a BuildError!": the BuildError says what failed
    lines = list(dict.fromkeys(line for line in logged if line.strip()))
    text = str(exc) if isinstance(exc, MkDocsException) else f"{type(exc).__name__}: {exc}"
    if text and not any(line in lines for line in text.splitlines()):
        lines += text.splitlines()
    return lines


def _forget_logged_messages() -> None:
    """Let MkDocs log again what it logged in an earlier build.

    ``mkdocs`` puts a DuplicateFilter on its build logger that drops every message
    it has seen once in the process: under ``serve`` an error that persists over
    two saves would be printed only the first time.
    """
    from mkdocs.utils import DuplicateFilter

    for f in logging.getLogger("mkdocs.commands.build").filters:
        if isinstance(f, DuplicateFilter):
            f.msgs.clear()


def error_page(lines: list[str]) -> bytes:
    """A self-contained HTML page (no external asset) listing a failed build's messages."""
    items = "\n".join(f"<li><code>{html.escape(line)}</code></li>" for line in lines)
    return f"""<!doctype html>
<html lang="ko"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>빌드 실패 - TIL</title>
<style>
body {{ font: 16px/1.6 system-ui, "Apple SD Gothic Neo", "Noto Sans KR", "Malgun Gothic", sans-serif;
       margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #1f2328; background: #fff; }}
h1 {{ color: #b42318; font-size: 1.5rem; }}
ul {{ padding-left: 1.2rem; }}
code {{ white-space: pre-wrap; word-break: break-all; font-size: .9rem; }}
@media (prefers-color-scheme: dark) {{ body {{ color: #e6edf3; background: #0d1117; }} h1 {{ color: #ff7b72; }} }}
</style></head>
<body>
<h1>빌드 실패 (build failed)</h1>
<p>마지막 빌드가 실패했습니다. 아래 파일을 고쳐 저장하면 이 페이지는 저절로 다시 불러와집니다.</p>
<ul class="til-build-errors">
{items}
</ul>
</body></html>
""".encode()


def _guard(build, holder):
    """Wrap mkdocs.commands.build.build so a failure is recorded instead of raised."""

    def guarded_build(config, *args, **kwargs):
        _forget_logged_messages()
        collect = _Collect()
        logger = logging.getLogger("mkdocs")
        logger.addHandler(collect)
        if holder.til_errors.always_dirty:
            kwargs["dirty"] = True  # the plugin decides what to re-render (tilsite/nav/dirty.py)
        try:
            build(config, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001  (every failure becomes the error page)
            lines = failure_lines(exc, collect.lines)
            with holder.til_errors.lock:
                holder.til_errors.error = lines
            if not isinstance(exc, _mkdocs_exception()):
                # not a clean BuildError: MkDocs has not printed it; say it in one line
                log.error("%s: %s", type(exc).__name__, exc)
            log.error("build failed: the browser shows the error page until the next good build")
        else:
            with holder.til_errors.lock:
                holder.til_errors.error = None
        finally:
            logger.removeHandler(collect)

    return guarded_build


def _mkdocs_exception():
    from mkdocs.exceptions import MkDocsException

    return MkDocsException


POLLING_INTERVAL = 0.2  # seconds between looks at the watched files


def _server_class(base, holder):
    class ErrorPageServer(base):
        """LiveReloadServer that answers page requests with the error page while the last build failed."""

        def __init__(self, *args, **kwargs):
            # MkDocs looks for saved files every 0.5 s; a save is seen 0.25 s sooner on average
            # (the watched folders are small: docs/, the package, mkdocs.yml)
            kwargs.setdefault("polling_interval", POLLING_INTERVAL)
            super().__init__(*args, **kwargs)

        def _serve_request(self, environ, start_response):
            path = environ.get("PATH_INFO", "")
            state = holder.til_errors
            with state.lock:
                lines = state.error
            if not state.show_errors or lines is None or path.startswith("/livereload/") or not (path.endswith("/") or
                                                                         path.endswith(".html")):
                return super()._serve_request(environ, start_response)
            with self._epoch_cond:  # wait for a build under way, as MkDocs does for pages
                self._epoch_cond.wait_for(lambda: self._visible_epoch == self._wanted_epoch)
                epoch = self._visible_epoch
            with state.lock:
                lines = state.error
            if lines is None:  # the build that just finished was good
                return super()._serve_request(environ, start_response)
            body = self._inject_js_into_html(error_page(lines), epoch)
            start_response("500 Internal Server Error",
                           [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body))),
                            ("Cache-Control", "no-store")])
            return [body]

    return ErrorPageServer


def install(state: ErrorState) -> None:
    """Swap the two pieces of mkdocs.commands.serve, reporting into `state` (idempotent)."""
    from mkdocs.commands import serve

    serve.til_errors = state  # the patched pieces read the current plugin's state from here
    if getattr(serve, "_til_patched", False):
        return
    serve.build = _guard(serve.build, serve)
    serve.LiveReloadServer = _server_class(serve.LiveReloadServer, serve)
    serve._til_patched = True


def main(argv: list[str] | None = None) -> int:
    """Run `mkdocs serve ARGS...`; the til plugin installs the error page."""
    from mkdocs.__main__ import cli

    try:
        cli.main(["serve", *(sys.argv[1:] if argv is None else argv)], prog_name="til serve")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    except OSError as exc:  # e.g. the port is taken: say so in one line
        print(f"til serve: {exc.strerror or exc} (use --dev-addr 127.0.0.1:PORT)", file=sys.stderr)
        return 1
    return 0


def add_parser(sub) -> None:
    sub.add_parser("serve", help="mkdocs serve that shows a failed build in the browser",
                       description="Runs `mkdocs serve` with the given options; while a rebuild fails, "
                                   "pages are answered with an error page (HTTP 500) naming file and line.")


PASS_THROUGH = True  # tilsite.cli hands every other option to mkdocs serve


def run(args) -> int:
    return main(args.extra)


if __name__ == "__main__":
    sys.exit(main())
