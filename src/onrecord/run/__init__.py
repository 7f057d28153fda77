"""Running extraction over many articles: one process or all local cores."""
