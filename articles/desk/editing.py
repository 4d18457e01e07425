"""Who has an article open in the admin: a note per editor in the shared cache, kept alive.

The cache rather than a table: a note must vanish by itself when a tab is closed or a laptop
sleeps, which a cache entry's timeout does with no clean-up job. The change page renews its
editor's note every `HEARTBEAT_SECONDS` (static/js/desk.js); a note not renewed for
`STALE_SECONDS` is gone. Two editors opening the same article in the same instant may both miss
the other (read, then write): the note is a courtesy, the refused stale save is the safety.
With the cache down there are no notes, and the article opens and saves as ever.
"""

import time

from articles.caching import read_many, store

HEARTBEAT_SECONDS = 30
STALE_SECONDS = 90


def _key(article_pk):
    return f"articles:editing:{article_pk}"


def _notes(article_pk):
    """Return the article's notes not yet stale ({} while the cache is unavailable)."""
    notes = read_many([_key(article_pk)]).get(_key(article_pk)) or {}
    now = time.time()
    return {user: note for user, note in notes.items() if now - note["seen"] < STALE_SECONDS}


def present(article_pk, user):
    """Note that `user` has the article open; return the other editors' notes, oldest first.

    Each note is {"name", "since"} with `since` a Unix time: when that editor opened it.
    """
    notes = _notes(article_pk)
    mine = notes.get(str(user.pk))
    now = time.time()
    notes[str(user.pk)] = {
        "name": user.get_full_name() or user.get_username(),
        "since": mine["since"] if mine else now,
        "seen": now,
    }
    store(_key(article_pk), notes, STALE_SECONDS)
    others = [note for key, note in notes.items() if key != str(user.pk)]
    return sorted(others, key=lambda note: note["since"])


def left(article_pk, user):
    """Forget `user`'s note: they closed the article or saved it."""
    notes = _notes(article_pk)
    if notes.pop(str(user.pk), None) is not None:
        store(_key(article_pk), notes, STALE_SECONDS)
