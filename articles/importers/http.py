"""Fetch feeds and images over HTTP(S) with hard limits: time, size, redirects.

Everything the importers download goes through `fetch()`, so one place decides how long we wait,
how much we read and who we say we are.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings

MB = 1024 * 1024
_CHUNK = 64 * 1024
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Limits:
    """How far one download may go."""

    connect_timeout: float = 5.0
    total_timeout: float = 30.0  # the whole response, headers to last byte
    max_bytes: int = 5 * MB
    max_redirects: int = 3


DEFAULT_LIMITS = Limits()


class FetchError(Exception):
    """A download that failed or broke a limit; the message says why, for the source's record.

    An HTTP error answer also carries its status and headers (Retry-After on 429 and 503).
    """

    def __init__(self, message, *, status=None, headers=None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


@dataclass
class Response:
    url: str  # after redirects
    status: int
    content: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def charset(self) -> str:
        """Return the charset the server declared, or ""."""
        match = _CHARSET.search(self.content_type)
        return match[1].lower() if match else ""


def user_agent() -> str:
    return f"{settings.SITE_NAME}-feed-importer/1.0 (+news aggregator; {settings.SITE_NAME})"


def session(limits: Limits = DEFAULT_LIMITS) -> requests.Session:
    """Return a session that sends our User-Agent and follows at most `limits.max_redirects`."""
    http = requests.Session()
    http.max_redirects = limits.max_redirects
    # Proxies from the environment would send our requests elsewhere without anyone noticing.
    http.trust_env = False
    http.headers["User-Agent"] = user_agent()
    return http


def fetch(
    url: str,
    *,
    http: requests.Session | None = None,
    limits: Limits = DEFAULT_LIMITS,
    etag: str = "",
    last_modified: str = "",
    accept: str = "*/*",
    public_only: bool = False,
) -> Response:
    """Download `url`, conditionally when given ETag/Last-Modified; raise FetchError on failure.

    With `public_only`, every address on the way (redirects too) must resolve to public IP
    addresses: for URLs taken from feeds, which must not make us fetch from our own network.
    """
    if http is None:
        with session(limits) as own:
            return fetch(
                url,
                http=own,
                limits=limits,
                etag=etag,
                last_modified=last_modified,
                accept=accept,
                public_only=public_only,
            )
    headers = {"Accept": accept}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + limits.total_timeout
    # The read timeout bounds each wait for bytes; the deadline below bounds the whole body.
    timeout = (limits.connect_timeout, limits.total_timeout)
    try:
        # Redirects are followed here, not by requests, so that each hop is checked.
        for _hop in range(limits.max_redirects + 1):
            if public_only:
                _check_public(url)
            with http.get(
                url, headers=headers, timeout=timeout, stream=True, allow_redirects=False
            ) as raw:
                if raw.is_redirect:
                    url = urljoin(url, raw.headers["Location"])
                    continue
                return _response(raw, limits, deadline)
        raise FetchError(f"more than {limits.max_redirects} redirects")
    except requests.ConnectTimeout:
        raise FetchError(f"no connection within {limits.connect_timeout:g} s") from None
    except (requests.ReadTimeout, requests.exceptions.ChunkedEncodingError) as error:
        if time.monotonic() >= deadline or isinstance(error, requests.ReadTimeout):
            raise FetchError(f"timed out after {limits.total_timeout:g} s") from None
        raise FetchError(f"connection broken: {error}") from None
    except requests.ConnectionError as error:
        host = urlsplit(getattr(error.request, "url", None) or url).hostname
        raise FetchError(f"cannot connect to {host}: {_reason(error)}") from None
    except requests.RequestException as error:
        raise FetchError(f"request failed: {error}") from None


def _response(raw: requests.Response, limits: Limits, deadline: float) -> Response:
    response = Response(url=raw.url, status=raw.status_code, headers=_headers(raw))
    if raw.status_code == 304:
        return response
    if raw.status_code >= 400:
        raise FetchError(
            f"HTTP {raw.status_code} {raw.reason or ''}".strip(),
            status=raw.status_code,
            headers=response.headers,
        )
    if raw.status_code != 200:
        raise FetchError(f"unexpected HTTP status {raw.status_code}")
    response.content = _read_body(raw, limits, deadline)
    return response


def _check_public(url: str) -> None:
    """Refuse a URL whose host is, or resolves to, a loopback, private or reserved address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"not an http(s) address: {url[:100]}")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError) as error:
        raise FetchError(f"cannot connect to {parts.hostname}: {error}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise FetchError(f"{parts.hostname} is a non-public address ({address})")


def _headers(raw: requests.Response) -> dict[str, str]:
    return {name.lower(): value for name, value in raw.headers.items()}


def _read_body(raw: requests.Response, limits: Limits, deadline: float) -> bytes:
    """Read the body in chunks, stopping at the size limit or the deadline."""
    declared = raw.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise FetchError(f"body of {int(declared) / MB:.1f} MB exceeds {_mb(limits)}")
    chunks, size = [], 0
    for chunk in raw.iter_content(_CHUNK):
        size += len(chunk)
        if size > limits.max_bytes:
            raise FetchError(f"body exceeds {_mb(limits)}")
        if time.monotonic() > deadline:
            raise FetchError(f"timed out after {limits.total_timeout:g} s")
        chunks.append(chunk)
    return b"".join(chunks)


def _mb(limits: Limits) -> str:
    return f"the limit of {limits.max_bytes / MB:g} MB"


def _reason(error: Exception) -> str:
    """Return the innermost cause of a connection error: "Name or service not known" etc."""
    while error.__cause__ is not None or error.__context__ is not None:
        error = error.__cause__ or error.__context__
    text = str(error)
    return text.split(": ", 1)[-1] if "Failed to" in text else text
