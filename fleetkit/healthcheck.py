"""Container health probe: ``python -m fleetkit.healthcheck URL [--timeout SECONDS]``.

Docker (``HEALTHCHECK`` in each service's Dockerfile and ``healthcheck:`` in
``docker-compose.yml``) runs this inside the container to ask one local endpoint whether the
process is up: the API's ``/health`` or the ``/metrics`` port of a Celery worker or bus process.

The exit status is the whole answer: 0 when the URL answers HTTP 200 and 1 on anything else
(another status, a redirect, a refused connection, a timeout, a malformed URL). One line saying
why goes to standard error, which Docker keeps in the container's health log.

It uses the standard library only, so it runs before (and regardless of) the application's
own imports. Redirects are not followed and proxy variables are ignored: the probe must reach
the process it is asking about, not something else.
"""

from __future__ import annotations

import argparse
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from email.message import Message
from typing import IO

DEFAULT_TIMEOUT_SECONDS = 3.0
HEALTHY_STATUS = 200
EXIT_HEALTHY = 0
EXIT_UNHEALTHY = 1

_ALLOWED_SCHEMES = frozenset({"http", "https"})


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Turn every 3xx into an error instead of following it."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None


def probe(url: str, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> tuple[bool, str]:
    """GET ``url`` once; return whether it answered 200 and a one-line reason."""
    try:
        scheme = urllib.parse.urlsplit(url).scheme
    except ValueError as exc:
        return False, f"malformed URL {url!r}: {exc}"
    if scheme not in _ALLOWED_SCHEMES:
        return False, f"unsupported URL scheme {scheme!r} in {url!r}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())
    request = urllib.request.Request(  # noqa: S310 (scheme restricted to http/https above)
        url, method="GET", headers={"User-Agent": "fleetkit-healthcheck"}
    )
    try:
        with opener.open(request, timeout=timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        return False, f"{url} answered HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return False, f"{url} unreachable: {exc}"
    if status != HEALTHY_STATUS:
        return False, f"{url} answered HTTP {status}"
    return True, f"{url} answered HTTP {status}"


def _positive_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not seconds > 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0: {value!r}")
    return seconds


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m fleetkit.healthcheck",
        description="Exit 0 when URL answers HTTP 200, 1 otherwise.",
    )
    parser.add_argument("url", metavar="URL", help="e.g. http://127.0.0.1:8003/health")
    parser.add_argument(
        "--timeout",
        type=_positive_seconds,
        default=DEFAULT_TIMEOUT_SECONDS,
        metavar="SECONDS",
        help=f"give up after this many seconds (default {DEFAULT_TIMEOUT_SECONDS:g})",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the probe with command-line arguments; return the process exit status."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return EXIT_HEALTHY if exc.code == 0 else EXIT_UNHEALTHY
    healthy, reason = probe(args.url, args.timeout)
    if not healthy:
        print(f"unhealthy: {reason}", file=sys.stderr)
        return EXIT_UNHEALTHY
    return EXIT_HEALTHY


if __name__ == "__main__":
    sys.exit(main())
