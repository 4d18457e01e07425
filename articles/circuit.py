"""A circuit for a service the site can live without for a while (the shared cache, Redis).

After a failure the service is left alone for a few seconds, so that while it is down (or
accepts connections and never answers) only one request in that time waits for its timeout;
the others go on without it at once. One circuit per service and process; it knows no model.
"""

import logging
import time


class Circuit:
    """Whether to try a service now; failures open it for `pause` seconds and are logged."""

    def __init__(self, name, pause, logger=None):
        self.name = name
        self.pause = pause
        self.logger = logger or logging.getLogger(__name__)
        self.open_until = 0.0
        self.failures = 0  # in a row: only the first of a streak is logged with its traceback

    def closed(self):
        """Tell whether the service may be tried now."""
        return self.open_until <= time.monotonic()

    def failed(self, error):
        self.failures += 1
        self.open_until = time.monotonic() + self.pause
        if self.failures == 1:
            self.logger.warning(
                "%s is unavailable (%s); going on without it, next try in %s s",
                self.name,
                error,
                self.pause,
                exc_info=error,
            )

    def succeeded(self):
        """Note that the service answered; tell whether it had been failing until now."""
        if not self.failures:
            return False
        self.logger.warning("%s answers again after %d failures", self.name, self.failures)
        self.failures = 0
        return True

    def reset(self):
        self.open_until, self.failures = 0.0, 0
