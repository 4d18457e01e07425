"""Production settings for bench/drills/soak.py: its feed is served on 127.0.0.1, which the importer
refuses in production."""

from newsportal.settings import *  # noqa: F403

FEED_IMPORT_PRIVATE_HOSTS = True
