"""Fetch feeds, pictures and pages over HTTP(S) with hard limits: time, size, redirects, addresses.

Everything the importers download goes through `fetch()` with a `session()`, so one place
decides how long we wait, how much we read, who we say we are and where we may connect:

- a deadline for the whole response (headers to last byte), whatever the server does: a timer
  shuts the connection's socket when it passes, so a server trickling a byte every few seconds
  is cut at the deadline, not after one read timeout per byte;
- public addresses only (unless FEED_IMPORT_PRIVATE_HOSTS): the host is resolved once, every
  address it has must be public, and the connection goes to the address that was checked
  (Host header, SNI and the certificate are still checked against the name), so a DNS answer
  that changes between the check and the connection (rebinding) reaches nothing else.
  Redirects are followed here, hop by hop, each through the same check.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext_noop
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError

from articles.importers.messages import MessageError

MB = 1024 * 1024
_CHUNK = 64 * 1024
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
# IPv6 prefixes that carry an IPv4 address inside: NAT64 (RFC 6052) and its local variant.
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


@dataclass(frozen=True)
class Limits:
    """How far one download may go."""

    connect_timeout: float = 5.0
    # The whole response, headers to last byte (FEED_FETCH_SECONDS).
    total_timeout: float = field(default_factory=lambda: float(settings.FEED_FETCH_SECONDS))
    max_bytes: int = 5 * MB
    max_redirects: int = 3


DEFAULT_LIMITS = Limits()


class FetchError(MessageError):
    """A download that failed or broke a limit; the message says why, for the source's record.

    An HTTP error answer also carries its status and headers (Retry-After on 429 and 503).
    """

    def __init__(self, msgid, *, headers=None, **values):
        super().__init__(msgid, **values)
        self.status = values.get("status")
        self.headers = headers or {}
        self.maybe_delivered = False  # set by post(): the request may have reached the server


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


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Return whether an address is one anyone on the internet may reach.

    Refused: unspecified (0.0.0.0, ::), loopback, link-local, private, carrier-grade NAT
    (100.64/10), multicast, reserved and documentation ranges, and IPv6 forms that carry such an
    IPv4 address (IPv4-mapped, 6to4, Teredo, NAT64).
    """
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if address.teredo:
            embedded = address.teredo[1]
        if any(address in network for network in _NAT64):
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and not is_public_address(embedded):
            return False
    return address.is_global and not (
        address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or address.is_loopback
        or address.is_link_local
        or address.is_private
    )


def resolve(host: str, port: int, *, public_only: bool) -> str:
    """Resolve `host` once and return the address to connect to; raise FetchError.

    With `public_only`, every address the name has must be public: a name that also points
    inside our network is refused whichever address a connection would pick.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as error:
        raise FetchError(
            gettext_noop("cannot connect to %(host)s: %(reason)s"), host=host, reason=_reason(error)
        ) from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise FetchError(
            gettext_noop("cannot connect to %(host)s: %(reason)s"), host=host, reason="no address"
        )
    if public_only:
        for text_address in addresses:
            address = ipaddress.ip_address(text_address.split("%", 1)[0])
            if not is_public_address(address):
                raise FetchError(
                    gettext_noop("%(host)s is a non-public address (%(address)s)"),
                    host=host,
                    address=str(address),
                )
    return addresses[0]


# -- the deadline ------------------------------------------------------------------------------

_current = threading.local()


class _Deadline:
    """Shut the sockets of the connections a fetch uses when its time is up."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expired = False
        self.connections: list[HTTPConnection] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self.expire)
        self._timer.daemon = True

    def watch(self, connection: HTTPConnection) -> None:
        with self._lock:
            self.connections.append(connection)
            if self.expired:
                _shut(connection)

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            for connection in self.connections:
                _shut(connection)


def _shut(connection: HTTPConnection) -> None:
    sock = getattr(connection, "sock", None)
    if sock is not None:
        try:
            # The plain socket's shutdown, also under TLS: it wakes a read blocked in another
            # thread; the reading thread then sees the connection end.
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except OSError:
            pass


@contextmanager
def _deadline(seconds: float):
    deadline = _Deadline(seconds)
    _current.deadline = deadline
    deadline._timer.start()
    try:
        yield deadline
    finally:
        deadline._timer.cancel()
        _current.deadline = None


class _WatchedHTTPConnection(HTTPConnection):
    def request(self, *args, **kwargs):
        deadline = getattr(_current, "deadline", None)
        if deadline is not None:
            deadline.watch(self)
        return super().request(*args, **kwargs)


class _WatchedHTTPSConnection(_WatchedHTTPConnection, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class PinnedAddressAdapter(HTTPAdapter):
    """Connect to the address `resolve()` checked, never to a second DNS answer.

    The connection pool is keyed on that address; the Host header, TLS SNI and certificate
    check stay on the name in the URL.
    """

    def __init__(self, *, public_only: bool, **kwargs):
        self.public_only = public_only
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        parts = urlsplit(request.url)
        name = parts.hostname
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = resolve(name, port, public_only=self.public_only)
        host_params = {**host_params, "host": address, "port": port}
        if parts.scheme == "https":
            pool_kwargs = {**pool_kwargs, "server_hostname": name, "assert_hostname": name}
        default_port = (parts.scheme, port) in (("http", 80), ("https", 443))
        request.headers["Host"] = name if default_port else f"{name}:{port}"
        if ":" in name:  # an IPv6 literal keeps its brackets in the Host header
            request.headers["Host"] = f"[{name}]" if default_port else f"[{name}]:{port}"
        return self.poolmanager.connection_from_host(**host_params, pool_kwargs=pool_kwargs)


def session(limits: Limits | None = None, *, public_only: bool | None = None) -> requests.Session:
    """Return a session for `fetch()`: our User-Agent, checked and pinned addresses.

    `public_only` defaults to the setting: only public addresses unless FEED_IMPORT_PRIVATE_HOSTS.
    """
    limits = limits or DEFAULT_LIMITS
    if public_only is None:
        public_only = not settings.FEED_IMPORT_PRIVATE_HOSTS
    http = requests.Session()
    http.max_redirects = limits.max_redirects
    # Proxies from the environment would send our requests elsewhere without anyone noticing.
    http.trust_env = False
    http.headers["User-Agent"] = user_agent()
    adapter = PinnedAddressAdapter(public_only=public_only)
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    return http


def fetch(
    url: str,
    *,
    http: requests.Session | None = None,
    limits: Limits | None = None,
    etag: str = "",
    last_modified: str = "",
    accept: str = "*/*",
) -> Response:
    """Download `url` (a feed, a picture, an article page) within limits; raise FetchError.

    Conditional when given ETag/Last-Modified. `http` must come from `session()`, which decides
    whether private addresses may be reached.
    """
    limits = limits or DEFAULT_LIMITS
    if http is None:
        with session(limits) as own:
            return fetch(
                url, http=own, limits=limits, etag=etag, last_modified=last_modified, accept=accept
            )
    _check_session(http, "fetch")
    headers = {"Accept": accept}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    timed_out = _timed_out(limits)
    # The read timeout bounds each wait for bytes; the deadline bounds the whole response.
    timeout = (limits.connect_timeout, limits.total_timeout)
    with _deadline(limits.total_timeout) as deadline:
        try:
            # Redirects are followed here, not by requests, so that each hop is checked.
            for _hop in range(limits.max_redirects + 1):
                _check_address(url)
                with http.get(
                    url, headers=headers, timeout=timeout, stream=True, allow_redirects=False
                ) as raw:
                    if raw.is_redirect:
                        url = _redirect_target(url, raw.headers["Location"])
                        continue
                    response = _response(raw, limits)
                if deadline.expired:  # the body may look complete when its socket was shut
                    raise timed_out
                return response
            raise FetchError(
                gettext_noop("more than %(count)d redirects"), count=limits.max_redirects
            )
        except Exception as error:
            raise _failure(error, url, limits, deadline) from None


def post(
    url: str,
    *,
    http: requests.Session,
    limits: Limits | None = None,
    data: dict | None = None,
    files: dict | None = None,
) -> Response:
    """POST a form to `url` (an API call) within the limits; return the answer, whatever its status.

    No redirect is followed: an API that redirects a POST is misconfigured. A FetchError means
    no answer came; its `maybe_delivered` tells whether the server may have received the request
    (a connection that broke or went silent after sending) or surely did not (no connection).
    """
    limits = limits or DEFAULT_LIMITS
    _check_session(http, "post")
    _check_address(url)
    timeout = (limits.connect_timeout, limits.total_timeout)
    answered = False
    with _deadline(limits.total_timeout) as deadline:
        try:
            with http.post(
                url, data=data, files=files, timeout=timeout, stream=True, allow_redirects=False
            ) as raw:
                answered = True
                response = Response(url=raw.url, status=raw.status_code, headers=_headers(raw))
                response.content = _read_body(raw, limits)
            if deadline.expired:
                raise _timed_out(limits)
            return response
        except Exception as error:
            failure = _failure(error, url, limits, deadline)
            # A deadline that passed found the request under way: it may have been received.
            failure.maybe_delivered = answered or deadline.expired or not _never_connected(error)
            raise failure from None


def _check_session(http: requests.Session, caller: str) -> None:
    """Refuse a session not made by `session()`: only its adapter checks and pins addresses."""
    if not isinstance(http.get_adapter("http://x/"), PinnedAddressAdapter):
        raise TypeError(f"{caller}() needs a session from articles.importers.http.session()")


def _never_connected(error: Exception) -> bool:
    """Tell whether a request failed before any byte of it could reach the server."""
    if isinstance(error, FetchError | requests.ConnectTimeout):
        return True  # refused by the address check or the look-up; or no connection in time
    while error is not None:
        if isinstance(error, NewConnectionError):
            return True
        error = error.__cause__ or error.__context__
    return False


def _failure(error: Exception, url: str, limits: Limits, deadline: _Deadline) -> Exception:
    """Return the FetchError that says why a request failed (or `error` itself, if unknown)."""
    if isinstance(error, FetchError):
        return _timed_out(limits) if deadline.expired else error
    if isinstance(error, requests.ConnectTimeout):
        return FetchError(
            gettext_noop("no connection within %(seconds)s s"),
            seconds=f"{limits.connect_timeout:g}",
        )
    if isinstance(error, requests.ReadTimeout):
        return _timed_out(limits)
    if isinstance(error, ValueError):  # requests parsing a malformed Location: of the answer
        return FetchError(gettext_noop("not an http(s) address: %(url)s"), url=url[:100])
    if deadline.expired:
        return _timed_out(limits)
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return FetchError(gettext_noop("connection broken: %(error)s"), error=str(error))
    if isinstance(error, requests.ConnectionError):
        host = urlsplit(getattr(error.request, "url", None) or url).hostname
        return FetchError(
            gettext_noop("cannot connect to %(host)s: %(reason)s"),
            host=host,
            reason=_reason(error),
        )
    if isinstance(error, requests.RequestException):
        return FetchError(gettext_noop("request failed: %(error)s"), error=str(error))
    return error


def _response(raw: requests.Response, limits: Limits) -> Response:
    response = Response(url=raw.url, status=raw.status_code, headers=_headers(raw))
    if raw.status_code == 304:
        return response
    if raw.status_code >= 400:
        raise FetchError(
            gettext_noop("the server answered HTTP %(status)d"),
            status=raw.status_code,
            headers=response.headers,
        )
    if raw.status_code != 200:
        raise FetchError(gettext_noop("unexpected HTTP status %(status)d"), status=raw.status_code)
    response.content = _read_body(raw, limits)
    return response


def _check_address(url: str) -> None:
    """Refuse what is not a well-formed http(s) address (a hostile Location: included)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port out of range or not a number)
        acceptable = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        acceptable = False
    if not acceptable:
        raise FetchError(gettext_noop("not an http(s) address: %(url)s"), url=url[:100])


def _redirect_target(url: str, location: str) -> str:
    try:
        return urljoin(url, location)
    except ValueError:
        raise FetchError(
            gettext_noop("not an http(s) address: %(url)s"), url=location[:100]
        ) from None


def _headers(raw: requests.Response) -> dict[str, str]:
    return {name.lower(): value for name, value in raw.headers.items()}


def _read_body(raw: requests.Response, limits: Limits) -> bytes:
    """Read the body in chunks, stopping at the size limit (the deadline shuts the socket)."""
    declared = raw.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise FetchError(
            gettext_noop("body of %(size)s MB exceeds the limit of %(limit)s MB"),
            size=f"{int(declared) / MB:.1f}",
            limit=_mb(limits),
        )
    chunks, size = [], 0
    for chunk in raw.iter_content(_CHUNK):
        size += len(chunk)
        if size > limits.max_bytes:
            raise FetchError(
                gettext_noop("body exceeds the limit of %(limit)s MB"), limit=_mb(limits)
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _mb(limits: Limits) -> str:
    return f"{limits.max_bytes / MB:g}"


def _timed_out(limits: Limits) -> FetchError:
    return FetchError(
        gettext_noop("timed out after %(seconds)s s"), seconds=f"{limits.total_timeout:g}"
    )


def _reason(error: Exception) -> str:
    """Return the innermost cause of a connection error: "Name or service not known" etc."""
    while error.__cause__ is not None or error.__context__ is not None:
        error = error.__cause__ or error.__context__
    text = str(error)
    return text.split(": ", 1)[-1] if "Failed to" in text else text
