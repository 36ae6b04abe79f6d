"""serve: the questionnaire and the teaching views as a small local web app (uvicorn + Starlette).

The web stack is imported only here, when `serve` is chosen, so every other command and the
terminal questionnaire start exactly as fast as before.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import secrets
import socket
import threading
import webbrowser
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from questionnaire.environment import Environment
from questionnaire.exits import Exit
from questionnaire.rules_option import add_rules_argument, knowledge_base

if TYPE_CHECKING:
    import uvicorn

DESCRIPTION = """\
Serve the questionnaire in the browser, with the rule network (/rules) and the teaching demos
(/demo). Nothing is stored: the answers so far travel in each form the browser sends, no cookie
is set, no file is written and the access log shows only page addresses. It binds to 127.0.0.1
(this computer only) unless told otherwise; prints the address and opens nothing by itself.

examples:
  muscle-triage serve                       http://127.0.0.1:8000/
  muscle-triage serve --open                ... and open it in the browser
  muscle-triage serve --class --host 0.0.0.0
                                            a class on the local network: prints a secret
                                            address with anonymous counts of the results"""

WARN_NETWORK = ("warning: listening beyond this computer: answers cross the network "
                "unencrypted (plain HTTP). Use it only on a network you trust, or put a "
                "reverse proxy with HTTPS in front (see docs/web.md).")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this computer only; "
                             "0.0.0.0: every network interface, with a warning)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--workers", type=int, default=1,
                        help="uvicorn worker processes (default 1; pages are stateless, so any "
                             "number serves the same)")
    parser.add_argument("--open", action="store_true", help="open the address in the browser")
    parser.add_argument("--class", dest="class_view", action="store_true",
                        help="also serve a class view at a secret address printed at start: "
                             "anonymous counts of levels reached and rules fired, in memory only")
    parser.add_argument("--allow-host", metavar="NAME", action="append", default=[],
                        help="also accept requests addressed to NAME (a host name or address "
                             "this server is reached by, e.g. behind a reverse proxy)")
    add_rules_argument(parser)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str, extra: list[str]) -> tuple[str, ...]:
    """The names a request may be addressed to (any address is accepted anyway).

    Beyond this computer, its own host name (as the system knows it; nothing is looked up) and
    the bound name; --allow-host adds more, such as a name a reverse proxy passes on.
    """
    from questionnaire.web.app import LOCAL_HOSTS

    hosts = list(LOCAL_HOSTS)
    if not _loopback(host):
        hosts += [socket.gethostname(), f"{socket.gethostname()}.local"]
        if host not in ("0.0.0.0", "::"):
            hosts.append(host)
    hosts += extra
    return tuple(dict.fromkeys(name.lower() for name in hosts))


def _url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def _port_free(host: str, port: int) -> str | None:
    """Why the address cannot be listened on, or None: checked first for a one-line error."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            return exc.strerror or str(exc)
    return None


def run(args: argparse.Namespace, env: Environment) -> int:
    if args.workers < 1 or not 0 < args.port < 65536:
        env.error("--workers must be at least 1 and --port between 1 and 65535")
        return Exit.USAGE
    if args.class_view and args.workers != 1:
        env.error("--class keeps its counts in one process's memory: use it with --workers 1")
        return Exit.USAGE
    knowledge_base(args, env)  # a broken knowledge base is reported here, as by every command
    problem = _port_free(args.host, args.port)
    if problem:
        env.error(f"cannot listen on {args.host} port {args.port}: {problem}")
        return Exit.USAGE

    import uvicorn

    from questionnaire.web.app import SETTINGS_VARIABLE, ServeSettings

    rules = getattr(args, "rules", None)
    settings = ServeSettings(rules=str(rules) if rules else None,
                             allowed_hosts=allowed_hosts(args.host, args.allow_host),
                             class_token=secrets.token_urlsafe(18) if args.class_view else None)
    os.environ[SETTINGS_VARIABLE] = settings.to_environment()  # read by each worker process
    url = _url(args.host, args.port)
    if not _loopback(args.host):
        env.error(WARN_NETWORK)
    env.stdout.write(f"muscle-triage is at {url}  (Ctrl-C stops it)\n")
    if settings.class_token:
        env.stdout.write(f"Class view (keep this address to yourself): "
                         f"{url}class/{settings.class_token}\n")
    env.stdout.flush()
    if args.open:
        threading.Timer(1.0, webbrowser.open, (url,)).start()
    options: dict[str, Any] = {"factory": True, "host": args.host, "port": args.port,
                               "workers": args.workers, "server_header": False,
                               "proxy_headers": False, "log_level": "info"}
    if args.workers == 1:
        uvicorn.run(APP, **options)
    else:
        _run_workers(uvicorn.Config(APP, **options))
    return Exit.OK


#: The app factory each uvicorn worker imports (it reads the settings from the environment).
APP = "questionnaire.web.app:app_from_environment"


def _run_workers(config: uvicorn.Config) -> None:
    """uvicorn's own multi-process supervisor, on a listening socket with TCP_NODELAY set.

    With ``--workers N`` uvicorn binds the socket itself with ``proto`` 0, and asyncio sets
    TCP_NODELAY only on accepted sockets whose proto is TCP, so Nagle's algorithm stays on and
    every keep-alive request after the first waits for the browser's delayed ACK (uvicorn issue
    #3149, open). Linux gives an accepted socket the listener's TCP_NODELAY, so setting it here
    mends that. Measured on this machine (GET /, keep-alive): 2 workers went from 23 to 1,178
    requests a second on 1 connection and from 91 to 1,932 on 4, where 1 worker served 1,415 and
    1,870 in the same run. Drop this when uvicorn sets it itself.
    """
    from uvicorn.supervisors import Multiprocess

    listener = config.bind_socket()
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    with suppress(KeyboardInterrupt):  # Ctrl-C: the supervisor has stopped its workers
        Multiprocess(config, sockets=[listener]).run()
