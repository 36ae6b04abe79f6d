"""The yardstick for the web benchmark: a bare Starlette page, served by uvicorn the same way.

It returns a fixed HTML page about the size of a question page, with no template, no form
reading and no engine: what Starlette and uvicorn cost on their own.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

PAGE = "<!DOCTYPE html><html lang=\"en\"><title>bare</title><p>" + "x" * 5000 + "</p></html>"


async def page(request: Request) -> HTMLResponse:
    await request.body()
    return HTMLResponse(PAGE)


app = Starlette(routes=[Route("/", page, methods=["GET", "POST"])])
