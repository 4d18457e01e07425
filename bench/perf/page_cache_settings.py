"""Settings for bench/perf/views.py: the real ones with the anonymous page cache switched on.

It shows what counting costs when the page's HTML comes from the cache (and that every view is
still counted): the page cache middleware counts the views it answers itself.
"""

from newsportal.settings import *  # noqa: F403

PAGE_CACHE_SECONDS = 600
