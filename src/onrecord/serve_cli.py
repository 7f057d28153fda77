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
    p.add_argument("--workers", type=int, default=1,
                   help="server processes (default: 1); more answer more requests at once on more cores")
    p.add_argument("--access-log", action="store_true", help="log every request to stderr")


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket, or one line saying why there is none (a port in use, an unknown host)."""
    if not 0 <= port <= 65535:
        raise OnrecordError(f"--port must be between 0 and 65535, not {port}")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as e:
        raise OnrecordError(f"--host {host}: {e.strerror}") from None
    family, kind, proto, _, addr = infos[0]
    # proto must say TCP: asyncio sets TCP_NODELAY only on sockets that do, and without it every answer
    # after the first on a kept-alive connection waits 40 ms for the client's delayed ACK (Nagle)
    sock = socket.socket(family, kind, proto or socket.IPPROTO_TCP)
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
    if args.workers < 1:
        raise OnrecordError("--workers must be at least 1")
    app = create_app(args.db)  # a missing or foreign database fails here, in one line
    sock = _bind(args.host, args.port)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"onrecord: serving {args.db} at http://{shown}:{port}/ (read-only; "
          f"{args.workers} process{'es' if args.workers > 1 else ''}; Ctrl-C stops)", file=sys.stderr, flush=True)
    common = dict(log_level="warning", access_log=args.access_log, lifespan="off", server_header=False)
    try:
        if args.workers == 1:
            uvicorn.Server(uvicorn.Config(app, **common)).run(sockets=[sock])
        else:  # each worker process builds its own application (onrecord.serve.app.from_environment)
            import os

            from uvicorn.supervisors import Multiprocess

            os.environ["ONRECORD_SERVE_DB"] = os.path.abspath(args.db)
            config = uvicorn.Config("onrecord.serve.app:from_environment", factory=True, workers=args.workers,
                                    **common)
            Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()
    return 0


COMMANDS = {"serve": cmd_serve}
