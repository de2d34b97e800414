"""`til import-gitbook`: reading a GitBook export, converting its pages, slugs."""
