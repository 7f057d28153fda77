"""The web application: server-rendered pages and the JSON API under /api/, over one database.

Every handler calls the query layer the CLI uses (corpus/query.py, corpus/positions.py) and maps its
answer to a page (templates/) or to JSON; nothing here has SQL of its own. The database is opened
read-only (SQLite ``mode=ro``), one connection per thread that uses it, so a concurrent ingest into the
same file neither blocks nor breaks it and its commits show on the next request. The handlers are
coroutines: a request costs 1 to 6 ms of work, less than a hand-off to a thread would add
(docs/benchmarks.md, "What moved the serve figures"); ``serve --workers N`` adds processes.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from math import ceil
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from onrecord import __version__
from onrecord.corpus import positions as pos
from onrecord.corpus import query
from onrecord.corpus.plot import per_week
from onrecord.corpus.store import Store
from onrecord.errors import NotFound, OnrecordError
from onrecord.serve import draw

HERE = Path(__file__).parent
log = logging.getLogger("onrecord.serve")

MAX_LIMIT = 100  # rows per page, API and pages alike
MAX_OFFSET = 10_000  # deeper pages: narrow the search instead
MAX_TEXT = 300  # characters of a search or a filter
MAX_ID = 2**63 - 1  # SQLite's largest integer
PAGE = 20  # rows per page on the pages
NETWORK_ACTORS = 60  # the network page draws at most this many actors (those with most statements)

_DATE = r"^(\d{4}(-\d{2}(-\d{2})?)?)?$"  # YYYY, YYYY-MM or YYYY-MM-DD; empty = not given (an empty form field)
_KIND = r"^(direct|block|indirect|mixed)?$"

Text = Annotated[str | None, Query(max_length=MAX_TEXT)]
When = Annotated[str | None, Query(max_length=10, pattern=_DATE, description="YYYY-MM-DD (or YYYY, YYYY-MM)")]
Kind = Annotated[str | None, Query(pattern=_KIND, description="direct, block, indirect or mixed")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
Page = Annotated[int, Query(ge=1, le=MAX_OFFSET // PAGE, alias="page")]
NetType = Annotated[str, Query(pattern=r"^(congruence|conflict|affiliation)$")]
Qualifier = Annotated[str, Query(pattern=r"^(yes|no|both)$")]


def _id(what: str):
    return Annotated[int, PathParam(ge=1, le=MAX_ID, description=f"the {what}'s database id")]


class Error(BaseModel):
    error: str  # one line saying what was wrong


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Error, "description": "A parameter out of range, or a search FTS5 cannot read"},
    404: {"model": Error, "description": "No such speaker, article, quote or concept"},
    503: {"model": Error, "description": "The database could not answer (busy, or being replaced)"},
}

# what a parameter with a pattern must be, said in words
EXPECTED = {"since": "a date, YYYY-MM-DD (or YYYY, YYYY-MM)", "until": "a date, YYYY-MM-DD (or YYYY, YYYY-MM)",
            "kind": "direct, block, indirect or mixed", "type": "congruence, conflict or affiliation",
            "qualifier": "yes, no or both"}

SECURITY_HEADERS = {
    # nothing but the package's own files, no inline script, no framing, no plugins
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every answer (plain ASGI: Starlette's BaseHTTPMiddleware costs more)."""

    def __init__(self, app) -> None:
        self.app = app
        self.extra = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message) -> None:
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in self.extra if h[0] not in have]
            await send(message)

        await self.app(scope, receive, with_headers)


class Corpus:
    """The database, one read-only connection per thread that asks (the handlers are coroutines, so in
    practice the event loop's, one per process), and the answers worth keeping: aggregates over
    many rows (counts, who is quoted most, a speaker's weeks) are kept until the file changes (any commit
    of an ingest or a correction changes the database file or its WAL). Searches are not kept."""

    CACHED = 4096  # answers kept at most; then all are dropped

    def __init__(self, path: str) -> None:
        self.path = path
        self.local = threading.local()
        self.cache: dict[Any, tuple[tuple, Any]] = {}
        self.open()  # fail now, with one line, not on the first request

    def version(self) -> tuple:
        out = []
        for f in (self.path, self.path + "-wal"):
            try:
                st = os.stat(f)
                out += [st.st_mtime_ns, st.st_size]
            except OSError:
                out += [0, 0]
        return tuple(out)

    def cached(self, key: Any, compute):
        """``compute()``, or its answer from before when the database has not changed since."""
        version = self.version()
        hit = self.cache.get(key)
        if hit is not None and hit[0] == version:
            return hit[1]
        value = compute()
        if len(self.cache) >= self.CACHED:
            self.cache.clear()
        self.cache[key] = (version, value)
        return value

    def open(self) -> Store:
        store = getattr(self.local, "store", None)
        if store is None:
            store = self.local.store = Store(self.path, write=False, readonly=True)
        return store


def _blank(v: str | None) -> str | None:
    """An empty form field means the filter is not given."""
    return v.strip() or None if v is not None else None


def _fts_error(e: OnrecordError) -> str:
    return str(e).replace("fts5: ", "")


def from_environment() -> FastAPI:
    """The application for ONRECORD_SERVE_DB: what each worker process of ``serve --workers N`` imports."""
    import os

    return create_app(os.environ["ONRECORD_SERVE_DB"])


def create_app(db: str) -> FastAPI:
    """The application serving the corpus database ``db`` (which must exist)."""
    corpus = Corpus(db)
    app = FastAPI(title="onrecord", version=__version__,
                  description="Who said what, when: the quotations of a corpus of news, read-only. Field names "
                              "are those of `onrecord extract` and docs/schema.md; every list takes `limit` "
                              f"(at most {MAX_LIMIT}) and `offset` (at most {MAX_OFFSET}); errors are "
                              '`{"error": "..."}` with a 4xx status.',
                  docs_url=None, redoc_url=None)
    def openapi() -> dict[str, Any]:
        """FastAPI's document, less the 422 it adds to every route: invalid parameters are answered 400."""
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            for item in doc.get("paths", {}).values():
                for op in item.values():
                    op.get("responses", {}).pop("422", None)
            for name in ("HTTPValidationError", "ValidationError"):
                doc.get("components", {}).get("schemas", {}).pop(name, None)
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")  # autoescapes every .html template
    # the package's templates do not change while it runs: no stat() per page, and a plain dict as the
    # cache (Jinja's LRU cache takes a lock that every server thread would queue on)
    templates.env.auto_reload = False
    templates.env.cache = {}
    templates.env.globals.update(version=__version__, db_name=Path(db).name)

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        store = corpus.open()
        context.setdefault("coding", corpus.cached("coding", lambda: pos.stored_coding(store)))
        return templates.TemplateResponse(request, name, context, status_code=status)

    app.add_middleware(SecurityHeaders)

    def error(request: Request, status: int, message: str) -> Response:
        message = message.replace(f" in {corpus.path}", "").replace(corpus.path, Path(corpus.path).name)
        if request.url.path.startswith("/api/") or request.url.path == "/api":
            return JSONResponse({"error": message}, status_code=status)
        try:
            return page(request, "error.html", status=status, message=message, coding=None, status_code=status)
        except Exception:  # the page itself failed: say it plainly
            return HTMLResponse(f"<h1>{status}</h1>", status_code=status)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        parts = []
        for e in exc.errors()[:3]:
            where = ".".join(str(x) for x in e.get("loc", ())[1:]) or "request"
            what = EXPECTED.get(where) if e.get("type") == "string_pattern_mismatch" else None
            parts.append(f"{where}: {what or e.get('msg', 'invalid')}")
        return error(request, 400, "; ".join(parts) or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = "not found" if exc.status_code == 404 else str(exc.detail)
        return error(request, exc.status_code, message)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound):
        return error(request, 404, str(exc))

    @app.exception_handler(OnrecordError)
    async def bad(request: Request, exc: OnrecordError):
        return error(request, 400, _fts_error(exc))

    @app.exception_handler(sqlite3.Error)
    async def db_error(request: Request, exc: sqlite3.Error):
        log.error("database error on %s: %s", request.url.path, exc)
        return error(request, 503, f"the database could not answer ({exc}); try again")

    # ---- the JSON API ------------------------------------------------------------------------------

    def search_hits(q: str, speaker, since, until, kind, outlet, limit: int, offset: int) -> dict[str, Any]:
        """The answer of /api/search, its hits as query.Hit (the page reads their attributes; the API
        turns them into dicts)."""
        store = corpus.open()
        args = dict(speaker=_blank(speaker), since=_blank(since), until=_blank(until), kind=_blank(kind),
                    outlet=_blank(outlet))
        hits = query.search(store, q, limit=limit, offset=offset, **args)
        # a short last page says the total itself; only a full one needs counting
        total = offset + len(hits) if len(hits) < limit and (hits or not offset) else query.count_search(store, q, **args)
        return {"q": q, "total": total, "limit": limit, "offset": offset, "hits": hits}

    @app.get("/api/stats", tags=["api"], responses=ERRORS, summary="What the database holds")
    async def api_stats() -> JSONResponse:
        store = corpus.open()
        stats = dict(corpus.cached("stats", lambda: query.corpus_stats(store)))
        coding = corpus.cached("coding", lambda: pos.stored_coding(store))
        stats["concepts"] = coding.concepts if coding else []
        return JSONResponse(stats)

    @app.get("/api/search", tags=["api"], responses=ERRORS, summary="Quotes matching words (FTS5 syntax honoured), best first")
    async def api_search(q: Annotated[str, Query(min_length=1, max_length=MAX_TEXT)], speaker: Text = None,
                   since: When = None, until: When = None, kind: Kind = None, outlet: Text = None,
                   limit: Limit = 20, offset: Offset = 0) -> JSONResponse:
        out = search_hits(q, speaker, since, until, kind, outlet, limit, offset)
        out["hits"] = [h.as_dict() for h in out["hits"]]
        return JSONResponse(out)

    @app.get("/api/speakers", tags=["api"], responses=ERRORS, summary="Who is quoted most")
    async def api_speakers(since: When = None, until: When = None, limit: Limit = 20, offset: Offset = 0
                     ) -> JSONResponse:
        store = corpus.open()
        since, until = _blank(since), _blank(until)
        rows = corpus.cached(("speakers", limit, since, until, offset),
                             lambda: query.speakers(store, limit, since, until, offset))
        total = corpus.cached(("count_speakers", since, until), lambda: query.count_speakers(store, since, until))
        return JSONResponse({"total": total, "limit": limit,
                             "offset": offset, "speakers": rows})

    @app.get("/api/speakers/{speaker_id}", tags=["api"], responses=ERRORS, summary="One speaker: titles, counts, positions")
    async def api_speaker(speaker_id: _id("speaker")) -> JSONResponse:
        store = corpus.open()
        profile = dict(corpus.cached(("profile", speaker_id), lambda: query.speaker_profile(store, speaker_id)))
        profile["positions"] = corpus.cached(("sides", speaker_id), lambda: _speaker_sides(store, speaker_id))
        return JSONResponse(profile)

    @app.get("/api/speakers/{speaker_id}/timeline", tags=["api"], responses=ERRORS,
             summary="One speaker's quotes in date order, and their number per week")
    async def api_timeline(speaker_id: _id("speaker"), about: Text = None, limit: Limit = 20, offset: Offset = 0
                     ) -> JSONResponse:
        store = corpus.open()
        tl = query.speaker_timeline(store, speaker_id, _blank(about), limit, offset, dates=bool(_blank(about)))
        weeks = per_week(tl.dates) if _blank(about) else corpus.cached(
            ("weeks", speaker_id), lambda: query.speaker_weeks(store, speaker_id))
        return JSONResponse({"speaker_id": speaker_id, "speaker": tl.speaker, "total": tl.total, "limit": limit,
                             "offset": offset, "quotes": [h.as_dict() for h in tl.hits],
                             "weeks": [{"week": w.isoformat(), "quotes": n} for w, n in weeks]})

    @app.get("/api/articles/{article_id}", tags=["api"], responses=ERRORS,
             summary="One article with its quotes, in extract's JSON form")
    async def api_article(article_id: _id("article")) -> JSONResponse:
        result, ids = query.load_article(corpus.open(), article_id)
        out = result.to_dict()
        out["article_id"] = article_id
        for q in out["quotes"]:
            q.update(ids.get(q["id"], {}))
        return JSONResponse(out)

    @app.get("/api/quotes/{quote_id}", tags=["api"], responses=ERRORS,
             summary="A quotation's appearances across articles and outlets, earliest first")
    async def api_quotation(quote_id: _id("quote")) -> JSONResponse:
        out = query.quotation(corpus.open(), quote_id)
        out["appearances"] = [h.as_dict() for h in out["appearances"]]
        return JSONResponse(out)

    @app.get("/api/positions", tags=["api"], responses=ERRORS, summary="Statements: quotes coded for the stored codebook")
    async def api_positions(concept: Text = None, speaker_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
                      since: When = None, until: When = None, limit: Limit = 20, offset: Offset = 0
                      ) -> JSONResponse:
        store = corpus.open()
        coding = _coding(store)
        rows = pos.stored_statements(store, coding, _blank(concept), speaker_id, _blank(since), _blank(until))
        return JSONResponse({"concepts": coding.concepts, "total": len(rows), "limit": limit, "offset": offset,
                             "statements": [s.as_dict() for s in rows[offset:offset + limit]]})

    @app.get("/api/network", tags=["api"], responses=ERRORS, summary="A discourse network (DNA's definitions) as nodes and edges")
    async def api_network(type: NetType = "congruence", concept: Text = None, qualifier: Qualifier = "both",
                    since: When = None, until: When = None) -> JSONResponse:
        g = _network(corpus.open(), type, _blank(concept), qualifier, _blank(since), _blank(until))
        return JSONResponse({"type": type, "qualifier": qualifier, "concept": _blank(concept),
                             "nodes": [{"id": n, **d} for n, d in g.nodes(data=True)],
                             "edges": [{"source": a, "target": b, **d} for a, b, d in g.edges(data=True)]})

    # ---- the pages ---------------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def home(request: Request):
        store = corpus.open()
        return page(request, "home.html", stats=corpus.cached("stats", lambda: query.corpus_stats(store)),
                    top=corpus.cached(("speakers", 10, None, None, 0), lambda: query.speakers(store, 10)))

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    async def search_page(request: Request, q: Text = None, speaker: Text = None, since: When = None,
                    until: When = None, kind: Kind = None, outlet: Text = None, page_: Page = 1):
        form = {"q": q or "", "speaker": speaker or "", "since": since or "", "until": until or "",
                "kind": kind or "", "outlet": outlet or ""}
        result, problem = None, None
        if _blank(q):
            try:
                result = search_hits(q.strip(), speaker, since, until, kind, outlet, PAGE, (page_ - 1) * PAGE)
            except OnrecordError as e:
                problem = _fts_error(e)
        return page(request, "search.html", status=400 if problem else 200, form=form, result=result,
                    problem=problem, pager=_pager(request, result["total"] if result else 0, page_),
                    marked=draw.marked)

    @app.get("/speakers", response_class=HTMLResponse, include_in_schema=False)
    async def speakers_page(request: Request, since: When = None, until: When = None, page_: Page = 1):
        store = corpus.open()
        since_, until_ = _blank(since), _blank(until)
        offset = (page_ - 1) * PAGE
        rows = corpus.cached(("speakers", PAGE, since_, until_, offset),
                             lambda: query.speakers(store, PAGE, since_, until_, offset))
        total = corpus.cached(("count_speakers", since_, until_), lambda: query.count_speakers(store, since_, until_))
        return page(request, "speakers.html", rows=rows, total=total, form={"since": since or "",
                    "until": until or ""}, pager=_pager(request, total, page_), offset=(page_ - 1) * PAGE)

    @app.get("/speaker/{speaker_id}", response_class=HTMLResponse, include_in_schema=False)
    async def speaker_page(request: Request, speaker_id: _id("speaker"), about: Text = None, page_: Page = 1):
        store = corpus.open()
        profile = corpus.cached(("profile", speaker_id), lambda: query.speaker_profile(store, speaker_id))
        about_ = _blank(about)
        problem = None
        try:
            tl = query.speaker_timeline(store, speaker_id, about_, PAGE, (page_ - 1) * PAGE, newest_first=True,
                                        dates=False)
        except OnrecordError as e:
            problem = _fts_error(e)
            tl = query.speaker_timeline(store, speaker_id, None, PAGE, newest_first=True, dates=False)
        weeks = corpus.cached(("weeks", speaker_id), lambda: query.speaker_weeks(store, speaker_id))
        return page(request, "speaker.html", status=400 if problem else 200, p=profile, tl=tl, about=about or "",
                    problem=problem, chart=draw.weekly(weeks), weeks=len(weeks),
                    sides=corpus.cached(("sides", speaker_id), lambda: _speaker_sides(store, speaker_id)),
                    pager=_pager(request, tl.total, page_))

    @app.get("/article/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    async def article_page(request: Request, article_id: _id("article")):
        result, ids = query.load_article(corpus.open(), article_id)
        return page(request, "article.html", r=result, a=result.article, ids=ids,
                    body=draw.article(result, ids), link=draw.safe_url(result.article.url),
                    speaker_ids=draw.speaker_ids(result))

    @app.get("/quote/{quote_id}", response_class=HTMLResponse, include_in_schema=False)
    async def quote_page(request: Request, quote_id: _id("quote")):
        q = query.quotation(corpus.open(), quote_id)
        return page(request, "quotation.html", q=q, hits=q["appearances"])

    @app.get("/network", response_class=HTMLResponse, include_in_schema=False)
    async def network_page(request: Request, type: NetType = "congruence", concept: Text = None,
                     qualifier: Qualifier = "both", since: When = None, until: When = None):
        store = corpus.open()
        coding = pos.stored_coding(store)
        form = {"type": type, "concept": concept or "", "qualifier": qualifier, "since": since or "",
                "until": until or ""}
        if coding is None:
            return page(request, "network.html", coding=None, form=form, svg=None, g=None)
        if type == "conflict":
            qualifier = form["qualifier"] = "both"
        g = _network(store, type, _blank(concept), qualifier, _blank(since), _blank(until))
        shown = _top_actors(g, NETWORK_ACTORS)
        return page(request, "network.html", coding=coding, form=form, g=g, shown=shown,
                    svg=draw.network(shown, type))

    return app


def _coding(store: Store) -> pos.StoredCoding:
    coding = pos.stored_coding(store)
    if coding is None:
        raise NotFound(f"{store.path} holds no positions yet: code them once with "
                       f"`onrecord positions --db {store.path} --codebook FILE.yaml`")
    return coding


def _speaker_sides(store: Store, speaker_id: int) -> list[dict[str, Any]] | None:
    coding = pos.stored_coding(store)
    if coding is None:
        return None
    return pos.sides(pos.stored_statements(store, coding, speaker_id=speaker_id))


def _network(store: Store, kind: str, concept: str | None, qualifier: str, since: str | None, until: str | None):
    from onrecord.networks.graphs import build

    coding = _coding(store)
    return build(pos.stored_statements(store, coding, concept, None, since, until), kind, qualifier)


def _top_actors(g, n: int):
    """``g`` with at most ``n`` actors, those with most statements (concepts of an affiliation network kept)."""
    actors = [a for a, d in g.nodes(data=True) if d.get("kind") == "actor"]
    if len(actors) <= n:
        return g
    keep = set(sorted(actors, key=lambda a: (-g.nodes[a]["statements"], a))[:n])
    return g.subgraph([x for x, d in g.nodes(data=True) if d.get("kind") != "actor" or x in keep]).copy()


def _pager(request: Request, total: int, current: int) -> dict[str, Any]:
    """Links to the previous and next page, keeping the query."""
    pages = max(1, ceil(total / PAGE))
    last = min(pages, MAX_OFFSET // PAGE)

    def url(n: int) -> str:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "page"] + [("page", str(n))]
        return f"{request.url.path}?{urlencode(params)}"

    return {"current": current, "pages": pages, "total": total,
            "prev": url(current - 1) if current > 1 else None,
            "next": url(current + 1) if current < last else None,
            "first_row": (current - 1) * PAGE + 1, "last_row": min(total, current * PAGE)}
