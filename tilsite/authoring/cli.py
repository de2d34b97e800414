"""The ``til`` command: project chores that are not part of a build.

Each subcommand lives in its own module and registers itself through
``add_parser(subparsers)`` / ``run(args) -> int``; this file only dispatches.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# subcommand name -> module that implements it (imported only when used)
COMMANDS = {
    "new": "tilsite.authoring.newnote",
    "serve": "tilsite.authoring.devserver",
    "import-gitbook": "tilsite.authoring.gitbook.gitbook",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="til", description="TIL site chores")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    modules = {}
    for name, modname in COMMANDS.items():
        try:
            mod = importlib.import_module(modname)
        except ModuleNotFoundError as exc:
            if exc.name != modname:
                raise
            continue  # not written yet
        mod.add_parser(sub)
        modules[name] = mod
    args, extra = parser.parse_known_args(argv)
    mod = modules[args.command]
    if extra and not getattr(mod, "PASS_THROUGH", False):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if getattr(mod, "PASS_THROUGH", False):
        args.extra = extra  # e.g. `til serve --dirty`: mkdocs' own options
    return mod.run(args)


if __name__ == "__main__":
    sys.exit(main())
