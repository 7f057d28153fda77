"""The corpus: an embedded SQLite store, ingest, identity across articles, queries."""
