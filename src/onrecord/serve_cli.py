"""The serve command: the corpus behind a web page and a JSON API (wired up in cli.py)."""

from __future__ import annotations

import argparse
import socket
import sys

from onrecord.corpus.store import DEFAULT_DB
from onrecord.errors import OnrecordError


def add_commands(sub) -> None:
    p = sub.add_parser("serve", help="the corpus in a browser and as a JSON API (read-only)",
                       description="Serve the corpus database: search, speakers, articles, quotations and "
                                   "networks as web pages, and all of it as JSON under /api/ (OpenAPI at "
                                   "/openapi.json). The database is opened read-only; an ingest may run into "
                                   "it at the same time.")
    p.add_argument("--db", default=DEFAULT_DB, help=f"the corpus database (default: {DEFAULT_DB})")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this machine only; 0.0.0.0: every network)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0: any free port)")
    p.add_argument("--access-log", action="store_true", help="log every request to stderr")


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket, or one line saying why there is none (a port in use, an unknown host)."""
    if not 0 <= port <= 65535:
        raise OnrecordError(f"--port must be between 0 and 65535, not {port}")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as e:
        raise OnrecordError(f"--host {host}: {e.strerror}") from None
    family, _, _, _, addr = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(addr)
    except OSError as e:
        sock.close()
        hint = "; choose another with --port" if e.errno == 98 else ""
        raise OnrecordError(f"cannot listen on {host}:{port}: {e.strerror}{hint}") from None
    sock.listen(2048)
    return sock


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from onrecord.serve.app import create_app
    except ImportError as e:  # an install without the web stack
        raise OnrecordError(f"serve needs FastAPI, uvicorn and Jinja2 ({e.name} is missing): "
                            "pip install 'onrecord'") from None
    app = create_app(args.db)  # a missing or foreign database fails here, in one line
    sock = _bind(args.host, args.port)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"onrecord: serving {args.db} at http://{shown}:{port}/ (read-only; Ctrl-C stops)", file=sys.stderr,
          flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=args.access_log, lifespan="off",
                            server_header=False)
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0


COMMANDS = {"serve": cmd_serve}
