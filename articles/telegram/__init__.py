"""Telegram channel posts: each published article, once, in the channel of its language.

- compose.py: the message (title, label, short lead, link; the picture when there is one) in
  the Bot API's HTML mode, escaped and cut to Telegram's limits;
- bot.py: the Bot API client, through the project's safe HTTP client (timeouts, limits);
- posting.py: the post rows and how they change (send, retry with backoff, edit, exactly once);
- tasks.py: the Celery tasks, and what the in-process runner (`import_feeds`) and the admin call.
"""
