"""The one error type of the plugin: its message is `file:line: message`, shown without a traceback."""

from __future__ import annotations

from mkdocs.exceptions import PluginError


class TilError(PluginError):
    """A build failure located at `file:line` (or several, one per line)."""
