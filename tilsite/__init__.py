"""The til MkDocs plugin (plugin.py, config.py, errors.py) and the `til` command (authoring/)."""
