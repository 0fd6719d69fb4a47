"""``vnsearch serve``: a JSON API and a search page over one index (FastAPI).

:func:`create_app` makes the application: one :class:`~vnsearch.Searcher`,
which sees each update or rebuild of the index at its next call, closed at
shutdown.  The endpoints that read the index are ``async`` and search on
the event loop itself, one request at a time: the work is CPU-bound, so
threads would only share the process's one core (Python's lock), with
colder caches (a Searcher keeps them per thread) and a hand-over per
request, for a quarter fewer requests a second (``benchmarks/serve.py``,
one worker).  ``--workers`` adds processes instead, and a worker busy
searching leaves new connections to the others.

* ``/api/search``, ``/api/suggest``, ``/api/articles/{id}``, ``/api/stats``:
  the JSON of the CLI's ``--json`` (:mod:`vnsearch.results`).  A bad
  parameter is a 400, an unknown article a 404, a missing or damaged index
  a 503, each as ``{"error": "<one line>"}``; anything else a 500
  ``{"error": "internal error"}``, logged, never a traceback.
* ``/`` and ``/articles/{id}``: the search page and the article page, in
  Vietnamese, rendered on the server (no JavaScript: the Content-Security-
  Policy forbids scripts), every piece of article text HTML-escaped.

:func:`serve` runs it with uvicorn, on one process or ``workers``.
"""

from __future__ import annotations

import logging
import os
import socket
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

import orjson

from fastapi import FastAPI, Path as PathParam, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from .errors import QueryError, VnsearchError
from .results import SORTS, article_json, result_json, stats_json

__all__ = ["create_app", "app_from_env", "serve", "MAX_LIMIT", "PAGE_SIZE", "INDEX_ENV", "SYNONYMS_ENV"]

log = logging.getLogger("vnsearch.server")

#: Most hits one API request may ask for.
MAX_LIMIT = 100
#: Hits per page of the search page.
PAGE_SIZE = 10
#: The environment variables that give :func:`app_from_env` its index (and synonyms file).
INDEX_ENV = "VNSEARCH_INDEX"
SYNONYMS_ENV = "VNSEARCH_SYNONYMS"

#: Sent with every response: no scripts, no frames, nothing from elsewhere.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
#: FastAPI's /docs page runs Swagger UI's scripts, from a CDN: allowed there only (it shows no article text).
DOCS_CSP = (
    "default-src 'none'; script-src 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]

_HERE = Path(__file__).resolve().parent
TEMPLATES = _HERE / "templates"
STYLE = TEMPLATES / "style.css"

def _status(exc: VnsearchError) -> int:
    """400 for a bad query or option, 503 for an index that cannot be read."""
    return 400 if isinstance(exc, QueryError) else 503


class _SecurityHeaders:
    """ASGI middleware: the security headers on every response, and a 500 for every escaped exception."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        csp = DOCS_CSP if scope.get("path") in ("/docs", "/docs/oauth2-redirect") else CSP
        started = False

        async def send_with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-security-policy"]
                message = {**message, "headers": headers + [(b"content-security-policy", csp.encode())] + SECURITY_HEADERS}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("internal error answering %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            await JSONResponse({"error": "internal error"}, status_code=500)(scope, receive, send_with_headers)


def _parameter_error(exc: RequestValidationError) -> str:
    """One line naming the bad parameter and what it should be."""
    problems = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ()) if part not in ("query", "path", "body")]
        name = ".".join(loc) or "request"
        if error.get("type") == "missing":
            problems.append(f"missing parameter '{name}'")
        else:
            problems.append(f"bad {name} {error.get('input')!r}: {error.get('msg', 'invalid value')}")
    return "; ".join(problems) or "bad parameters"


def _check_limit(limit: int) -> None:
    """The cap the library does not know: at most :data:`MAX_LIMIT` hits a request."""
    if limit > MAX_LIMIT:
        raise QueryError(f"limit must be at most {MAX_LIMIT}, not {limit}")


def _marked(text: str, spans) -> list[tuple[str, bool]]:
    """``text`` cut into ``(piece, marked)``: the template escapes each piece, and wraps the marked in <mark>."""
    parts, pos = [], 0
    for start, end in sorted(tuple(span[:2]) for span in spans):
        if start < pos or end <= start:
            continue
        if start > pos:
            parts.append((text[pos:start], False))
        parts.append((text[start:end], True))
        pos = end
    if pos < len(text):
        parts.append((text[pos:], False))
    return parts


class JSONResponse(Response):
    """JSON as ``--json`` prints it (UTF-8, not escaped), encoded by orjson: a tenth of the json module's time.

    Endpoints return one as it is: FastAPI's validation of a returned dict costs more than the search.
    """

    media_type = "application/json"

    def render(self, content) -> bytes:
        return orjson.dumps(content)


class SearchParameters(BaseModel):
    """``/api/search``'s query parameters: the options of ``vnsearch search``."""

    q: str = Field("", description='The query: words (all required), "phrases", AND/OR/NOT, field:word, prefix*.')
    limit: int = Field(10, description=f"Number of hits, 1 to {MAX_LIMIT}.")
    offset: int = Field(0, description="Ranked hits to skip first, for the next pages.")
    any: bool = Field(False, description="Rank articles matching any of the words.")
    since: str | None = Field(None, description="Only articles dated on or after (YYYY-MM-DD, YYYY-MM, YYYY, DD/MM/YYYY).")
    until: str | None = Field(None, description="Only articles dated on or before.")
    site: str | None = Field(None, description="Only articles from this site, e.g. baocaobang.vn.")
    category: str | None = Field(None, description="Only articles from this subfolder of the seeds.")
    sort: str = Field("relevance", description=f"Order of the hits: {' or '.join(SORTS)} (newest first).")
    facets: bool = Field(False, description="Count all the matches by year, site and category.")
    exact_suggestion: bool = Field(False, description="Search for the first suggestion instead of the query.")


def _safe_url(url: str | None) -> str | None:
    """A source URL to link to: web addresses only (never ``javascript:``)."""
    if url and url.lower().startswith(("http://", "https://")):
        return url
    return None


def create_app(index_dir: str | os.PathLike, *, synonyms: str | os.PathLike | None = None) -> FastAPI:
    """The application serving the index in ``index_dir`` (opened now: a missing index raises here).

    ``synonyms`` is a file of abbreviations to add or veto (by default the
    index folder's ``synonyms.txt``), as for :class:`~vnsearch.Searcher`.
    """
    from .searching import Searcher

    searcher = Searcher(index_dir, synonyms=synonyms)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        try:
            yield
        finally:
            searcher.close()

    app = FastAPI(
        title="vnsearch",
        summary="Full-text search of Vietnamese news articles, with or without diacritics.",
        description="The JSON API answers as `vnsearch search --json`, `show --json` and `stats --json` print. "
        'Errors are `{"error": "<one line>"}`: 400 for a bad parameter, 404 for an unknown article, '
        "503 when the index cannot be read.",
        version=_version(),
        lifespan=lifespan,
        redoc_url=None,
    )
    app.state.searcher = searcher
    app.add_middleware(_SecurityHeaders)
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"], default=True))

    # -- errors ------------------------------------------------------------

    def _is_page(request: Request) -> bool:
        return not request.url.path.startswith("/api/")

    def _error(request: Request, status: int, message: str) -> Response:
        if _is_page(request) and request.url.path != "/openapi.json":
            return _render(request, "error.html", status, message=message, q=request.query_params.get("q", ""))
        return JSONResponse({"error": message}, status_code=status)

    @app.exception_handler(VnsearchError)
    async def library_error(request: Request, exc: VnsearchError):
        return _error(request, _status(exc), str(exc))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        return _error(request, 400, _parameter_error(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    # -- JSON API ----------------------------------------------------------

    @app.get("/api/search", summary="Search the articles", tags=["api"])
    async def api_search(params: Annotated[SearchParameters, Query()]) -> JSONResponse:
        """`vnsearch search --json`'s object (with `offset`): the `limit` best hits after the `offset` best."""
        return JSONResponse(result_json(_search(**params.model_dump())))

    def _search(q, limit, offset, any, since, until, site, category, sort, facets, exact_suggestion):
        _check_limit(limit)
        return searcher.search(
            q, limit=limit, offset=offset, any_terms=any, since=since or None, until=until or None,
            site=site or None, category=category or None, sort=sort, facets=facets, use_suggestion=exact_suggestion,
        )  # fmt: skip

    @app.get("/api/suggest", summary="Suggest what a query likely means", tags=["api"])
    async def api_suggest(q: str = Query("", description="The query, typed with or without diacritics.")) -> JSONResponse:
        """The likely meant queries, best first: diacritics restored, typos fixed."""
        if not q.strip():
            raise QueryError("empty query: give some words to search for")
        return JSONResponse({"query": q, "suggestions": searcher.suggest(q)})

    @app.get(
        "/api/articles/{article_id}",
        summary="One article",
        tags=["api"],
        responses={404: {"description": "No article with this id in the index"}},
    )
    async def api_article(article_id: str = PathParam(description="An article's id, as the hits give it.")) -> JSONResponse:
        """`vnsearch show --json`'s object: the article's metadata and body."""
        return JSONResponse(article_json(_article(article_id)))

    def _article(article_id: str):
        try:
            return searcher.article(article_id)
        except KeyError:
            raise StarletteHTTPException(404, f"no article '{article_id}' in the index") from None

    @app.get("/api/stats", summary="Size and freshness of the index", tags=["api"])
    async def api_stats() -> JSONResponse:
        """`vnsearch stats --json`'s object."""
        return JSONResponse(stats_json(searcher.stats()))

    # -- pages -------------------------------------------------------------

    def _render(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
        html = env.get_template(name).render(request=request, **context)
        return HTMLResponse(html, status_code=status)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page(request: Request):
        params = {k: v for k, v in request.query_params.items() if k in _PAGE_PARAMS and v}
        q = params.get("q", "")
        if not q.strip():
            return _render(request, "search.html", q=q, params=params, result=None)
        try:
            offset = int(params.get("offset", "0"))
        except ValueError:
            raise QueryError(f"bad offset '{params['offset']}': give a whole number") from None
        sort = params.get("sort", "relevance")
        result = _search(q, PAGE_SIZE, offset, params.get("any") == "1", params.get("since"), params.get("until"),
                         params.get("site"), params.get("category"), sort, facets=True, exact_suggestion=False)  # fmt: skip
        from .snippets import match_spans

        hits = [
            {
                "hit": hit,
                "title": _marked(hit.title or hit.id, match_spans(hit.title or hit.id, result.terms)),  # no title: the id
                "snippet": _marked(hit.snippet, hit.highlights),
            }
            for hit in result.hits
        ]

        def url(**changes) -> str:
            """This page's address with ``changes`` (None removes a parameter); filters go back to the first page."""
            new = dict(params)
            if "offset" not in changes:
                new.pop("offset", None)
            new.update(changes)
            return "/?" + urlencode({k: v for k, v in new.items() if v not in (None, "", 0)})

        filters = [(label, params[name], url(**{name: None})) for name, label in _FILTERS if params.get(name)]
        return _render(
            request, "search.html", q=q, params=params, result=result, hits=hits, url=url, offset=offset,
            page_size=PAGE_SIZE, sort=sort, filters=filters,
        )  # fmt: skip

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    async def article_page(request: Request, article_id: str):
        try:
            article = searcher.article(article_id)
        except KeyError:
            return _render(request, "error.html", 404, message=f"Không có bài viết '{article_id}' trong chỉ mục.", q="")
        paragraphs = [p.strip() for p in article.body.split("\n") if p.strip()]
        return _render(request, "article.html", article=article, paragraphs=paragraphs, url=_safe_url(article.url))

    @app.get("/static/style.css", include_in_schema=False)
    def style():
        return Response(STYLE.read_bytes(), media_type="text/css", headers={"Cache-Control": "public, max-age=3600"})

    return app


#: What the search page reads from its address.
_PAGE_PARAMS = ("q", "since", "until", "site", "category", "sort", "offset", "any")
#: The search page's filters, each shown with a link that removes it.
_FILTERS = (("site", "Trang"), ("category", "Chuyên mục"), ("since", "Từ"), ("until", "Đến"))


def app_from_env() -> FastAPI:
    """:func:`create_app` on the index named by ``$VNSEARCH_INDEX`` (uvicorn's factory, one call a worker)."""
    return create_app(os.environ.get(INDEX_ENV, "index"), synonyms=os.environ.get(SYNONYMS_ENV) or None)


def check_address(host: str, port: int) -> None:
    """Raise :class:`VnsearchError` if nothing can listen on ``host:port`` (in use, not an address here)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise VnsearchError(f"cannot listen on {host}:{port}: {reason}: give another --port or --host") from None


def serve(
    index_dir: str | os.PathLike,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int | None = None,
    synonyms: str | os.PathLike | None = None,
) -> None:
    """Serve ``index_dir`` until interrupted: one process, or ``workers`` (default: one per core)."""
    import uvicorn

    workers = workers or os.cpu_count() or 1
    check_address(host, port)
    if workers == 1:
        uvicorn.run(create_app(index_dir, synonyms=synonyms), host=host, port=port, log_level="info")
        return
    from .searching import Searcher

    Searcher(index_dir, synonyms=synonyms).close()  # a missing index fails here, not in each worker
    os.environ[INDEX_ENV] = str(Path(index_dir).resolve())
    if synonyms is not None:
        os.environ[SYNONYMS_ENV] = str(Path(synonyms).resolve())
    uvicorn.run("vnsearch.server:app_from_env", factory=True, host=host, port=port, workers=workers, log_level="info")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("vnsearch")
    except PackageNotFoundError:  # pragma: no cover (run from a checkout)
        return "0"
