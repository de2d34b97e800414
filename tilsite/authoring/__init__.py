"""Outside the build: the `til` command, `til new`, the serve error page."""
