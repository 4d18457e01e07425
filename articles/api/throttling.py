"""At most `API_THROTTLE` requests a minute from one address (0: no limit).

The address is the one every limit of the site reads (`newsportal.ratelimit.client_address`:
the proxy's header when configured, an IPv6 /64 as one client). Each request of the last minute
holds one of the address's `API_THROTTLE` tickets in the shared cache (through
`articles.caching`), kept a minute from when it was taken: a sliding minute that all web
processes count together. A ticket is taken with the cache's atomic add, so requests arriving
at once each take their own (a list read and written back by each would lose some of them).
A cache that is down lets requests through rather than refusing every reader.
"""

import hashlib
import time

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from articles.caching import claim, read_many
from newsportal.ratelimit import client_address

WINDOW = 60


class AddressThrottle(BaseThrottle):
    """Refuse an address's requests beyond `API_THROTTLE` in the last minute (a sliding window)."""

    def allow_request(self, request, view):
        limit = settings.API_THROTTLE
        if limit <= 0:
            return True
        digest = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
        tickets = [f"api:throttle:{digest}:{number}" for number in range(limit)]
        now = time.time()
        taken = read_many(tickets)
        for ticket in tickets:
            if ticket not in taken:
                claimed = claim(ticket, now, WINDOW)
                if claimed is None or claimed:  # None: the cache is down
                    return True
        self.retry_in = min(taken.values(), default=now) + WINDOW - now
        return False

    def wait(self):
        return max(getattr(self, "retry_in", 1), 1)
