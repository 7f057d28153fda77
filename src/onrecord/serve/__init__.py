"""onrecord serve: the corpus in a browser and as a JSON API, from one read-only SQLite file.

- app.py: the FastAPI application (pages and /api/), calling the query layer the CLI uses;
- draw.py: what the pages draw on the server (marked article text, the weekly chart, the network);
- templates/: the pages (Jinja2, autoescaped); static/: the stylesheet, served from the package.

``onrecord serve --db news.db`` (cli.py) runs it with uvicorn; docs/serve.md documents pages and API.
"""
