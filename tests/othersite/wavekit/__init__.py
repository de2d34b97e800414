"""A tiny package of signal helpers, quoted by the second site's pages."""
