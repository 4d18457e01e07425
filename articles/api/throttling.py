"""At most `API_THROTTLE` requests a minute from one address (0: no limit).

The address is the one every limit of the site reads (`newsportal.ratelimit.client_address`:
the proxy's header when configured, an IPv6 /64 as one client). The recent requests' times are
kept in the shared cache through `articles.caching`, so all web processes count together, and
a cache that is down lets requests through rather than refusing every reader.
"""

import hashlib
import time

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from articles.caching import read_many, store
from newsportal.ratelimit import client_address

WINDOW = 60


class AddressThrottle(BaseThrottle):
    """Refuse an address's requests beyond `API_THROTTLE` in the last minute (a sliding window)."""

    def allow_request(self, request, view):
        limit = settings.API_THROTTLE
        if limit <= 0:
            return True
        digest = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
        key = f"api:throttle:{digest}"
        now = time.time()
        history = [moment for moment in read_many([key]).get(key, []) if moment > now - WINDOW]
        if len(history) >= limit:
            self.retry_in = history[0] + WINDOW - now
            return False
        history.append(now)
        store(key, history, WINDOW)
        return True

    def wait(self):
        return max(getattr(self, "retry_in", 1), 1)
