"""Database turns for imports running in threads.

PostgreSQL lets every thread write at once. SQLite has one writer at a time, and the shared
in-memory database of the tests answers a second writer with "table is locked" instead of
waiting, so there each thread takes its turn for its few short database steps while the slow
part, the network, still runs side by side.
"""

import threading
from contextlib import nullcontext

from django.db import connection

_sqlite_turn = threading.RLock()


def database_turn():
    """Return a context in which this thread may use the database."""
    return _sqlite_turn if connection.vendor == "sqlite" else nullcontext()
