"""Bound how often one address, or one target (an e-mail address, a username), may do a thing.

Counted in the shared cache (Redis or the database cache table), so every web process sees the
same numbers. An attempt claims one of `limit` tickets of the current window with `cache.add()`,
which is atomic on both backends (SET NX; an INSERT the table's primary key guards), unlike
`incr()`, which the database cache does as a read and a write: concurrent sign-ups could slip
through between the two. Claiming costs a read of the window's tickets and one add.
"""

import hashlib
import ipaddress
import time

from django.conf import settings
from django.core.cache import cache


def client_address(request) -> str:
    """Return who the client is for limits: its address, or its /64 network for IPv6.

    Read where the view counter reads it (`VIEWS_CLIENT_IP_HEADER`, a header the proxy sets,
    behind one); one IPv6 client usually holds a whole /64, so that is one client here. The
    log-in lock-out (django-axes) uses this too.
    """
    header = settings.VIEWS_CLIENT_IP_HEADER
    raw = (request.META.get(header) or request.META.get("REMOTE_ADDR") or "").split(",")[0]
    try:
        address = ipaddress.ip_address(raw.strip())
    except ValueError:
        return raw.strip()
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        # The /64's first address: an address still (django-axes stores it as one).
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def allow(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one attempt of `scope` by `key`; return False once `limit` in `window` s are used.

    A limit of 0 means no limit.
    """
    if limit <= 0:
        return True
    digest = hashlib.sha256(f"{scope}\0{key}".encode()).hexdigest()[:32]
    bucket = int(time.time() // window)
    tickets = [f"limit:{scope}:{digest}:{bucket}:{number}" for number in range(limit)]
    taken = cache.get_many(tickets)
    for ticket in tickets:
        if ticket not in taken and cache.add(ticket, 1, timeout=window):
            return True
    return False
