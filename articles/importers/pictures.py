"""Pictures inside imported bodies, downloaded after the import, as full texts are.

The import stores a body without its pictures (readers never get an address on the source's
server) and records each picture, where it stood and which picture-less body it belongs to
(`BodyPicture`). Then, on a task of its own (articles/tasks.py) or after the import in the
same process (articles/importers/ingest.py), the pictures are downloaded with the safe client,
a few at a time per host, checked like uploads (articles/images.py) and stored; the body gets
them back pointing at our copies, and readers' caches learn of it once per article. A body an
editor (or the full-text fetch) changed in the meantime is left alone. A picture that cannot
be had is dropped after its attempts, its reason kept on its row (and logged).
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from html import unescape
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_noop

from articles import images
from articles.caching import articles_changed
from articles.importers import http, messages
from articles.importers.concurrency import database_turn
from articles.importers.messages import Message, MessageError
from articles.models import Article, BodyPicture

logger = logging.getLogger(__name__)

IMAGE_ACCEPT = "image/jpeg, image/png, image/webp, image/gif;q=0.8"
ATTEMPTS = 2  # downloads of one picture that failed on the network or the server's side
HOST_CONNECTIONS = 2  # downloads from one host at once, in one process
WORKERS = 8  # articles whose pictures are downloaded at once, in one process
HOST_PAUSE = 120  # seconds a host that did not answer is not asked again, in one process

_BODY_PICTURE = re.compile(r"<img\b[^>]*>")
_SOURCE = re.compile(r'\ssrc="([^"]*)"')

_hosts: dict[str, threading.BoundedSemaphore] = defaultdict(
    lambda: threading.BoundedSemaphore(HOST_CONNECTIONS)
)
_hosts_lock = threading.Lock()
# Hosts that did not answer (timeout, refused): until when, and why. Their other pictures are
# dropped at once rather than each waiting out the time limit twice.
_down: dict[str, tuple[float, Message]] = {}


@dataclass(frozen=True)
class Waiting:
    """A picture taken out of a body: its address, its tag and where it stood."""

    url: str
    tag: str
    offset: int


def digest(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


def without_pictures(body: str) -> str:
    return _BODY_PICTURE.sub("", body)


def take_out(body: str) -> tuple[str, list[Waiting]]:
    """Return the body without its pictures, and the first FEED_BODY_PICTURES to download.

    A picture without an address, one repeated, or one over the limit (FEED_BODY_PICTURES) is
    simply dropped.
    """
    limit = settings.FEED_BODY_PICTURES
    parts, waiting, seen = [], [], set()
    position = length = 0
    for match in _BODY_PICTURE.finditer(body):
        parts.append(body[position : match.start()])
        length += match.start() - position
        position = match.end()
        source = _SOURCE.search(match.group(0))
        if source is None:
            continue
        url = unescape(source.group(1))
        if url in seen or len(seen) >= limit or urlsplit(url).scheme not in ("http", "https"):
            continue
        seen.add(url)
        waiting.append(Waiting(url, match.group(0), length))
    parts.append(body[position:])
    return "".join(parts), waiting


def record(article: Article, body: str, waiting: list[Waiting]) -> None:
    """Keep the article's pictures to download; pictures it no longer has are forgotten.

    A picture already stored for this article keeps its file (a changed draft's second import
    downloads nothing again).
    """
    stamp = digest(body)
    known = {picture.source_url: picture for picture in article.body_pictures.all()}
    article.body_pictures.exclude(source_url__in=[picture.url for picture in waiting]).delete()
    new = []
    for picture in waiting:
        row = known.get(picture.url)
        if row is None:
            new.append(_row(article, picture, stamp))
            continue
        row.tag, row.offset, row.body_digest = picture.tag, picture.offset, stamp
        if row.state == BodyPicture.State.FAILED:
            row.state, row.attempts, row.reason = BodyPicture.State.WAITING, 0, ""
        row.save(update_fields=["tag", "offset", "body_digest", "state", "attempts", "reason"])
    BodyPicture.objects.bulk_create(new)


def record_new(articles: Iterable[tuple[Article, str, list[Waiting]]]) -> list[int]:
    """Keep the pictures of newly inserted articles, in one statement; return their ids."""
    rows = []
    for article, body, waiting in articles:
        if waiting:
            stamp = digest(body)
            rows += [_row(article, picture, stamp) for picture in waiting]
    BodyPicture.objects.bulk_create(rows)
    return list(dict.fromkeys(row.article_id for row in rows))


def _row(article: Article, picture: Waiting, stamp: str) -> BodyPicture:
    return BodyPicture(
        article=article,
        source_url=picture.url,
        tag=picture.tag,
        offset=picture.offset,
        body_digest=stamp,
    )


def complete_article(article_id: int) -> str:
    """Download the article's waiting pictures and put them into its body; say what happened.

    Runs any number of times: a picture already stored is not downloaded again, and a body
    that already has its pictures (or was changed meanwhile) is left alone.
    """
    with database_turn():
        article = Article.objects.only("id", "language", "body").filter(pk=article_id).first()
        rows = list(BodyPicture.objects.filter(article_id=article_id)) if article else []
    if article is None or not rows:
        return "no pictures"
    stamp = digest(article.body)
    rows = [row for row in rows if row.body_digest == stamp]
    if not rows:
        with database_turn():
            # Their body is gone: they can never be placed.
            BodyPicture.objects.filter(
                article_id=article_id, state=BodyPicture.State.WAITING
            ).delete()
        return "body changed, left alone"
    limits = http.DEFAULT_LIMITS
    if not connection.in_atomic_block:
        # Downloads may take minutes: no database connection is held open meanwhile (many
        # articles' pictures download side by side; the next step opens one again).
        connection.close()
    with http.session(limits) as client:
        for row in rows:
            if row.state == BodyPicture.State.WAITING:
                _download(row, article, client, limits)
    stored = sum(row.state == BodyPicture.State.STORED for row in rows)
    if not stored:  # the body stays as it is: nothing to write, no cache to tell
        return f"0 of {len(rows)} pictures"
    body = with_pictures(article.body, rows)
    with database_turn():
        changed = Article.objects.filter(pk=article.pk, body=article.body).update(
            body=body, updated_at=timezone.now()
        )
        if changed:
            articles_changed(article.language)  # the cache may be a database table
    if not changed:
        return "body changed, left alone"
    return f"{stored} of {len(rows)} pictures"


def with_pictures(body: str, rows: list[BodyPicture]) -> str:
    """Return the picture-less body with its stored pictures back, pointing at our copies."""
    for row in sorted(rows, key=lambda row: (row.offset, row.pk), reverse=True):
        if row.state != BodyPicture.State.STORED:
            continue
        source = _SOURCE.search(row.tag)
        tag = row.tag.replace(source.group(0), f' src="{escape(default_storage.url(row.file))}"')
        body = body[: row.offset] + tag + body[row.offset :]
    return body


def fetch_picture(url: str, client, limits: http.Limits) -> tuple[bytes, str]:
    """Download a picture and check it like an upload; return its bytes and extension.

    Raises http.FetchError when it cannot be had, MessageError when it is no picture we may
    store. The byte limit is the uploads' (articles/images.py), whatever `limits` says.
    """
    response = http.fetch(
        url,
        http=client,
        limits=replace(limits, max_bytes=settings.ARTICLE_IMAGE_MAX_BYTES),
        accept=IMAGE_ACCEPT,
    )
    try:
        return response.content, images.check_picture(response.content)
    except ValidationError as error:
        refusal = error.error_list[0]
        raise MessageError(images.REFUSALS[refusal.code], **(refusal.params or {})) from None


def _download(row: BodyPicture, article: Article, client, limits: http.Limits) -> None:
    """Download, check and store one picture, or mark it failed with the reason."""
    reason = None
    host = _host(row.source_url)
    with _hosts_lock:
        # The host's few download places: a slow host fills only its own.
        turn = _hosts[host]
    while row.attempts < ATTEMPTS:
        down = _down_reason(host)
        if down is not None:
            reason = down
            break
        row.attempts += 1
        try:
            with turn:
                content, extension = fetch_picture(row.source_url, client, limits)
        except http.FetchError as error:
            reason = error.message
            if error.status is not None and error.status < 500:
                break  # the server said no: asking again gets the same answer
            if error.status is None and row.attempts >= ATTEMPTS:
                with _hosts_lock:
                    _down[host] = (time.monotonic() + HOST_PAUSE, reason)
            continue
        except MessageError as error:  # not a picture we may store
            reason = error.message
            break
        _store(row, article, content, extension)
        return
    row.state, row.reason = BodyPicture.State.FAILED, messages.dumps([reason])
    with database_turn():
        BodyPicture.objects.filter(pk=row.pk).update(
            state=row.state, attempts=row.attempts, reason=row.reason
        )
    logger.info("Picture %s of article %s dropped: %s", row.source_url, article.pk, reason)


def _store(row: BodyPicture, article: Article, content: bytes, extension: str) -> None:
    """Save our copy under a name of its own; a second run for the same row saves nothing."""
    name = f"articles/body/{timezone.localdate():%Y/%m}/{article.pk}-{row.pk}.{extension}"
    with database_turn(), transaction.atomic():
        claimed = BodyPicture.objects.filter(pk=row.pk, state=BodyPicture.State.WAITING).update(
            state=BodyPicture.State.STORED, file=name, attempts=row.attempts
        )
    if not claimed:  # another run stored it meanwhile
        with database_turn():
            current = BodyPicture.objects.filter(pk=row.pk).first()
        if current is not None:
            row.state, row.file = current.state, current.file
        return
    if default_storage.exists(name):
        default_storage.delete(name)  # left by a run that died before it finished
    saved = default_storage.save(name, ContentFile(content))
    if saved != name:
        with database_turn():
            BodyPicture.objects.filter(pk=row.pk).update(file=saved)
    row.state, row.file = BodyPicture.State.STORED, saved


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower()


def _down_reason(host: str) -> Message | None:
    """Why the host is not asked now (it did not answer a moment ago), or None."""
    with _hosts_lock:
        until, reason = _down.get(host, (0.0, None))
    if until <= time.monotonic():
        return None
    return Message(gettext_noop("the host did not answer a moment ago: %(reason)s"), reason=reason)


def complete_articles(article_ids: Iterable[int]) -> None:
    """Download the pictures of many articles side by side, in this process.

    Each article waits only for its own pictures, so a slow host delays its articles alone.
    A caller inside a transaction (a test) gets them one after another in its own thread.
    """
    article_ids = list(article_ids)
    if connection.in_atomic_block or len(article_ids) <= 1:
        for article_id in article_ids:
            complete_article(article_id)
        return
    with ThreadPoolExecutor(max_workers=min(WORKERS, len(article_ids))) as pool:
        for future in [pool.submit(_in_thread, article_id) for article_id in article_ids]:
            future.result()


def _in_thread(article_id: int) -> str:
    try:
        return complete_article(article_id)
    except Exception:  # one article's failure must not stop the others
        logger.exception("Pictures of article %s failed", article_id)
        return "failed"
    finally:
        connection.close()
