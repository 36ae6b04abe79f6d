"""The web app of `muscle-triage serve`: Starlette routes behind a thin layer of safety rules.

What every response gets, whatever made it (a page, a download, a refused Host, a 500):

- a Host allow-list, so a web page elsewhere cannot reach this local server through DNS
  rebinding: a name must be on the list, while an address (``192.168.1.20``, ``[::1]``) is
  always accepted, since rebinding needs a name. Starlette's TrustedHostMiddleware cannot say
  "any address", and a class would otherwise have to list the address students type;
- a request body limit, checked on the declared length and on the bytes as they arrive;
- ``Content-Security-Policy: default-src 'self'`` with ``frame-ancestors 'none'``, nosniff,
  ``Referrer-Policy: no-referrer`` and ``Cache-Control: no-store`` (every page may show answers);
  no CORS headers at all, and no ``Server`` header.

The wrapper sits outside Starlette's own error handling, so even its last-resort 500 page carries
the headers. The app is made per process from a ServeSettings (workers get it through one
environment variable), keeps nothing between requests but the class counts, and writes no file.
"""

from __future__ import annotations

import ipaddress
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Where `serve` hands its settings to uvicorn's worker processes.
SETTINGS_VARIABLE = "MUSCLE_TRIAGE_SERVE_SETTINGS"
#: Largest request body accepted. A full set of answers is about 2 KB of form fields.
MAX_BODY = 64 * 1024
LOCAL_HOSTS = ("localhost",)
#: The addresses nearly every request to a local server names (any address is accepted).
_OWN_ADDRESSES = frozenset({"127.0.0.1", "::1"})

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy",
     b"default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; "
     b"object-src 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)
_DROPPED = {b"server", *(name for name, _ in SECURITY_HEADERS)}
_DROPPED |= {b"access-control-allow-origin", b"access-control-allow-credentials"}


@dataclass(frozen=True)
class ServeSettings:
    """What one server process needs to know; the same in every worker."""

    rules: str | None = None
    allowed_hosts: tuple[str, ...] = LOCAL_HOSTS
    #: The secret path part of the class view, or None when --class is off.
    class_token: str | None = None
    max_body: int = MAX_BODY

    def to_environment(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_environment(cls) -> ServeSettings:
        raw = json.loads(os.environ.get(SETTINGS_VARIABLE, "{}"))
        raw["allowed_hosts"] = tuple(raw.get("allowed_hosts", LOCAL_HOSTS))
        return cls(**raw)


class Guard:
    """The outermost ASGI layer: the Host check, the body limit and the security headers."""

    @property
    def state(self) -> Any:
        return self.app.state

    def __init__(self, app: Starlette, max_body: int, allowed_hosts: tuple[str, ...]) -> None:
        self.app = app
        self.max_body = max_body
        self.allowed_hosts = frozenset(name.lower() for name in allowed_hosts)

    def host_allowed(self, header: bytes | None) -> bool:
        """An address, or a name on the list (the port, if any, is not looked at)."""
        if not header:
            return False
        host = header.decode("latin-1").strip().lower()
        if host.startswith("["):
            if "]" not in host:
                return False
            host = host[1:].split("]", 1)[0]
        elif host.count(":") == 1:
            host = host.split(":", 1)[0]
        if host in self.allowed_hosts or host in _OWN_ADDRESSES:  # a lookup, not a 5 µs parse
            return True
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return False
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        if not self.host_allowed(headers.get(b"host")):
            await _refuse(send, 400, "Invalid host header")
            return
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            await _refuse(send, 413, "The form was too large to read.")
            return
        # The body is read here, whole and bounded, before any route sees it: a body sent
        # without a length (chunked) is refused as soon as it passes the limit.
        body = bytearray()
        more = scope["method"] not in ("GET", "HEAD")
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_body:
                await _refuse(send, 413, "The form was too large to read.")
                return
        delivered = False

        async def replayed_receive() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        async def secured_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() not in _DROPPED]
                message = {**message, "headers": [*headers, *SECURITY_HEADERS]}
            await send(message)

        await self.app(scope, replayed_receive, secured_send)


async def _refuse(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *SECURITY_HEADERS]})
    await send({"type": "http.response.body", "body": body})


def create_app(settings: ServeSettings | None = None, kb: Any = None) -> ASGIApp:
    """The app for these settings (the knowledge base is loaded here unless given)."""
    from engine.load.knowledge_base import load_knowledge_base
    from questionnaire.web.routes import Site, error_handlers, routes

    settings = settings or ServeSettings()
    knowledge = kb if kb is not None else load_knowledge_base(
        Path(settings.rules) if settings.rules else None)
    starlette = Starlette(routes=routes(settings), exception_handlers=error_handlers())
    starlette.state.site = Site.build(knowledge, settings)
    return Guard(starlette, settings.max_body, settings.allowed_hosts)


def app_from_environment() -> ASGIApp:
    """uvicorn's factory in each worker process: the settings `serve` put in the environment."""
    return create_app(ServeSettings.from_environment())
