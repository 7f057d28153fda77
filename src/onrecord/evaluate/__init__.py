"""Gold formats and metrics."""
