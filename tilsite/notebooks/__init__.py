"""Notebook pages: running them with their snippets, their HTML, pairing with their note."""
