"""Navigation: SUMMARY and placeholders, page checks, the written-notes list, Git dates, serve rebuild rule."""
