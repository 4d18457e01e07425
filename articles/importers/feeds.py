"""Import articles from the sources' RSS and Atom feeds, with their provenance.

One source per call (articles/importers/ingest.py runs many side by side): fetch the feed
(conditionally, within limits), parse it with feedparser from the bytes we fetched, and store
each entry as an article. An entry already imported (same normalised link) is skipped, or
updated while it is still a draft. A broken source is reported and recorded on the source,
with its next attempt (articles/importers/schedule.py); it never stops the others.
"""

from __future__ import annotations

import calendar
import io
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from html import unescape
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit
from xml.sax import SAXParseException

import feedparser
from charset_normalizer import from_bytes
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.translation import get_language, gettext_noop, override

from articles import images, stories, text
from articles.caching import articles_changed
from articles.html import sanitize_html
from articles.importers import fulltext, http, messages, pictures, schedule
from articles.importers.concurrency import database_turn
from articles.importers.messages import Message, MessageError
from articles.models import Article, Category, ImportStatus, Source
from articles.services import store_renditions

logger = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)
MAX_NOTES = 20  # per-entry notes kept on the source
INSERT_BATCH = 250  # new articles per INSERT statement
# Links in feeds carry campaign tags; the same article must get the same address whatever tag.
TRACKING_PARAMETERS = {
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mc_cid",
    "mc_eid", "_ga", "_gl", "ref_src", "cmpid",
}  # fmt: skip
# Undeclared, non-UTF-8 feeds: the legacy code pages sites in each language used.
LEGACY_ENCODINGS = {"ru": ["cp1251", "koi8_r"], "az": ["cp1254", "cp1251", "cp1252"]}
_XML_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([\w.:-]+)["']""")
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html)", re.IGNORECASE)
_PG_LOCK_CLASS = 7_001  # the first key of our advisory locks: "feed import of source <id>"


class FeedError(MessageError):
    """A feed that cannot be imported at all: the source's import failed."""


class EntryError(MessageError):
    """An entry that cannot become an article; the others still import."""


@dataclass
class SourceReport:
    """What one import of one source did."""

    source: Source
    status: str = ImportStatus.OK
    new: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0
    error: Message | str = ""  # a Message: English as text, translatable for editors
    notes: list[Message] = field(default_factory=list)
    etag: str = ""
    last_modified: str = ""
    # For the schedule: the entries' times, how long the feed took, what an error answer said.
    entry_times: list[datetime] = field(default_factory=list)
    fetch_ms: int | None = None
    error_headers: dict[str, str] = field(default_factory=dict)
    # New articles whose text is still the feed's summary: their pages are fetched next.
    full_text_ids: list[int] = field(default_factory=list)
    # Articles whose body pictures wait for their download (articles/importers/pictures.py).
    picture_ids: list[int] = field(default_factory=list)
    # The new articles stored: matched to their stories together once the feed is stored.
    stored: list[Article] = field(default_factory=list, repr=False)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "new": self.new,
            "updated": self.updated,
            "skipped": self.skipped,
            "failed": self.failed,
        }

    @property
    def entries(self) -> int:
        return self.new + self.updated + self.skipped + self.failed

    def note(self, msgid: str, **values: object) -> None:
        self.notes.append(Message(msgid, **values))


class _NoProgress:
    def update(self, n=1):
        pass

    def close(self):
        pass


Progress = Callable[[int, str], object]


@dataclass(frozen=True)
class _Entry:
    """The article fields an entry brings."""

    url: str
    title: str
    label: str
    body: str
    author_name: str
    published_at: datetime
    category: Category | None
    image_urls: tuple[str, ...]
    wants_page: bool = False  # the body is a summary; the article's page will give the text


def import_source(
    source: Source,
    *,
    dry_run: bool = False,
    limits: http.Limits | None = None,
    progress: Progress | None = None,
) -> SourceReport:
    """Import one source's feed and record the outcome on the source (unless dry_run)."""
    report = SourceReport(source)
    started = time.monotonic()
    with _source_lock(source) as acquired:
        if not acquired:
            report.status = ImportStatus.BUSY
            report.error = Message(gettext_noop("another import of this source is running"))
        else:
            try:
                _import_feed(source, report, dry_run, limits or http.DEFAULT_LIMITS, progress)
            except (FeedError, http.FetchError) as error:
                report.status, report.error = ImportStatus.FAILED, error.message
                if getattr(error, "status", None) in schedule.RETRY_AFTER_STATUSES:
                    report.error_headers = error.headers
            except Exception as error:  # a bug or a database failure must not stop other sources
                logger.exception("Import of %s failed", source)
                report.status = ImportStatus.FAILED
                report.error = Message(gettext_noop("internal error: %(error)s"), error=repr(error))
    report.seconds = time.monotonic() - started
    if not dry_run and report.status != ImportStatus.BUSY:
        with database_turn():
            _record(source, report)
    return report


@contextmanager
def _source_lock(source: Source) -> Iterator[bool]:
    """Hold a lock so only one import per source runs; yield whether we got it.

    PostgreSQL: a session-level advisory lock, which outlives the per-entry transactions and is
    released by the server if the process dies. SQLite serialises writers itself; there the
    unique source URL alone keeps concurrent imports from creating duplicates.
    """
    if connection.vendor != "postgresql":
        yield True
        return
    key = [_PG_LOCK_CLASS, source.pk % 2**31]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)


def _import_feed(source, report, dry_run, limits, progress):
    if not source.feed_url:
        raise FeedError(gettext_noop("the source has no feed URL"))
    # One session per source: the feed and its pictures often share a host and a connection.
    with http.session(limits) as client:
        _import_entries(source, report, dry_run, limits, progress, client)


def _import_entries(source, report, dry_run, limits, progress, client):
    fetch_started = time.monotonic()
    try:
        response = http.fetch(
            source.feed_url,
            http=client,
            limits=limits,
            etag=source.etag,
            last_modified=source.last_modified,
            accept=FEED_ACCEPT,
        )
    finally:
        report.fetch_ms = round((time.monotonic() - fetch_started) * 1000)
    if response.not_modified:
        report.status = ImportStatus.NOT_MODIFIED
        return
    parsed = parse_feed(response.content, response.content_type, source.language)
    report.etag = response.headers.get("etag", "")[:300]
    report.last_modified = response.headers.get("last-modified", "")[:100]
    entries = parsed.entries
    report.entry_times = [_published(entry) for entry in entries]
    with database_turn():
        existing = _existing_articles(entries, response.url)
        categories = {
            category.slug: category
            for category in Category.objects.filter(
                slug__in=list((source.category_map or {}).values())
            )
        }
    seen = set()  # a feed may list one link twice; its first (newest) entry wins
    pending = []  # new articles waiting to be inserted together
    bar = (progress or (lambda total, name: _NoProgress()))(len(entries), source.name)
    try:
        for number, entry in enumerate(entries, start=1):
            try:
                data = _entry_data(entry, source, categories, response.url)
                if data.url in seen:
                    report.skipped += 1
                else:
                    seen.add(data.url)
                    new = _store(source, data, existing, report, dry_run, client, limits)
                    if new is not None:
                        pending.append((number, *new, data.wants_page))
            except EntryError as error:
                report.failed += 1
                report.note(
                    gettext_noop("entry %(number)d: %(error)s"), number=number, error=error.message
                )
            except Exception as error:  # one odd entry must not lose the rest of the feed
                logger.exception("Entry %d of %s failed", number, source)
                report.failed += 1
                report.note(
                    gettext_noop("entry %(number)d: internal error: %(error)s"),
                    number=number,
                    error=repr(error),
                )
            if len(pending) >= INSERT_BATCH:
                _insert(pending, report)
                pending = []
            bar.update(1)
        _insert(pending, report)
    finally:
        bar.close()
        _stored(report, dry_run)


def _stored(report, dry_run):
    """After the entries: match the new articles to their stories, then invalidate, once.

    Matching the whole import together costs one index look-up per MATCH_BATCH articles, and
    readers' caches are invalidated once for everything the import stored or changed.
    """
    if dry_run or not (report.stored or report.updated):
        return
    with database_turn():  # the cache may be a database table
        stories.match_arrivals(report.stored, notify=False)
        # New articles and their stories are in the source's language; an update touches
        # drafts only, which readers never see.
        articles_changed(report.source.language)


def parse_feed(content: bytes, content_type: str = "", language: str = "az"):
    """Parse feed bytes with feedparser, never letting it fetch anything; raise FeedError."""
    if not content.strip().lstrip(b"\xef\xbb\xbf").strip():
        # feedparser has nothing to look at: it returns a result without even a `version`.
        raise FeedError(gettext_noop("the feed is empty: the server answered with no content"))
    encoding = detect_encoding(content, content_type, language)
    parsed = feedparser.parse(
        # A file object: feedparser treats a bytes argument as a possible file name.
        io.BytesIO(content),
        response_headers={"content-type": f"application/xml; charset={encoding}"},
        # Relative links are resolved against each entry's link, and HTML sanitised, by nh3.
        resolve_relative_uris=False,
        sanitize_html=False,
    )
    if parsed.entries and not isinstance(parsed.get("bozo_exception"), SAXParseException):
        return parsed
    if _HTML_START.match(content[:1024]) or "html" in content_type.lower():
        raise FeedError(gettext_noop("an HTML page, not an RSS or Atom feed"))
    if parsed.bozo:
        # feedparser's lenient parser would still read the entries before a cut or a broken
        # tag; importing half a feed hides the breakage, so nothing is imported.
        raise FeedError(
            gettext_noop("malformed XML: %(error)s (nothing imported)"),
            error=str(parsed.bozo_exception),
        )
    if not parsed.version:
        raise FeedError(gettext_noop("not an RSS or Atom feed"))
    raise FeedError(gettext_noop("the feed has no entries"))


def detect_encoding(content: bytes, content_type: str = "", language: str = "az") -> str:
    """Return the encoding of feed bytes: a BOM, the XML declaration, HTTP's charset or a guess.

    The first declared encoding that decodes the bytes wins (servers often claim UTF-8 for
    files in a legacy code page); undeclared non-UTF-8 bytes are guessed among the code pages
    used for the source's language.
    """
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return encoding
    declared = _XML_DECLARATION.match(content[:512])
    http_charset = http.Response(url="", status=200, headers={"content-type": content_type})
    candidates = [declared[1].decode("ascii") if declared else "", http_charset.charset, "utf-8"]
    for encoding in filter(None, candidates):
        try:
            content.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
        return encoding
    broken_at = _broken_utf8_at(content)
    if broken_at is not None:
        raise FeedError(
            gettext_noop(
                "broken encoding: UTF-8 text with an invalid byte at offset %(offset)d, "
                "nothing imported"
            ),
            offset=broken_at,
        )
    legacy = LEGACY_ENCODINGS.get(language, LEGACY_ENCODINGS["az"])
    best = from_bytes(content, cp_isolation=legacy).best()
    return best.encoding if best else legacy[0]


def _broken_utf8_at(content: bytes) -> int | None:
    """Return where mostly-UTF-8 bytes go wrong, or None if they are not mostly UTF-8.

    A legacy code page seldom forms valid multi-byte UTF-8 sequences by chance, so bytes with
    at least as many of those as invalid bytes are UTF-8 with damage, not windows-1251:
    guessing a code page would import mojibake.
    """
    decoded = content.decode("utf-8", errors="replace")
    invalid = decoded.count("\ufffd")
    multibyte = sum(1 for char in decoded if char > "\x7f") - invalid
    if invalid and multibyte >= invalid:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError as error:
            return error.start
    return None


@lru_cache(maxsize=8192)  # each link is normalised for the look-up and again for the entry
def normalize_url(url: str, base: str = "") -> str:
    """Return the canonical form of an article link: one article, one address."""
    url = urljoin(base, url.strip()) if base else url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise EntryError(gettext_noop("not an http(s) link: %(url)s"), url=repr(url[:100]))
    scheme = parts.scheme.lower()
    host = parts.hostname.lower().rstrip(".")
    port = parts.port
    if port and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    query = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not name.lower().startswith("utm_") and name.lower() not in TRACKING_PARAMETERS
    ]
    normal = urlunsplit((scheme, host, parts.path or "/", urlencode(query), ""))
    if len(normal) > Article._meta.get_field("source_url").max_length:
        raise EntryError(gettext_noop("link longer than 500 characters"))
    return normal


def _existing_articles(entries, base_url) -> dict[str, Article]:
    """Load the already imported articles of these entries, by normalised link, in few queries."""
    urls = set()
    for entry in entries:
        try:
            urls.add(normalize_url(entry.get("link", ""), base_url))
        except EntryError:
            continue
    found = {}
    urls = sorted(urls)
    for start in range(0, len(urls), 500):
        chunk = urls[start : start + 500]
        for article in Article.objects.filter(source_url__in=chunk).only(
            "id", "status", "title", "label", "body", "source_url"
        ):
            found[article.source_url] = article
    return found


def _entry_data(entry, source, categories, feed_url) -> _Entry:
    link = entry.get("link", "")
    if not link:
        raise EntryError(gettext_noop("no link"))
    url = normalize_url(link, feed_url)
    title = _plain_text(entry.get("title", ""), entry.get("title_detail"))
    if not title:
        raise EntryError(gettext_noop("no title"))
    title, label = text.split_label(title)
    body = sanitize_html(_body_html(entry), base_url=url).strip()
    tags = entry.get("tags", [])
    terms = [name for tag in tags for name in (tag.get("term"), tag.get("label")) if name]
    return _Entry(
        url=url,
        title=title[:300],
        label=label[:40],
        body=body or f"<p>{escape(title)}</p>",
        author_name=_author(entry),
        published_at=_published(entry),
        category=source.category_for(terms, categories),
        image_urls=_image_urls(entry, url),
        wants_page=fulltext.wants_page(source, body),
    )


def _plain_text(value, detail=None) -> str:
    if detail and "html" in (detail.get("type") or ""):
        value = unescape(strip_tags(value))
    return " ".join(value.split())


def _body_html(entry) -> str:
    """Return the fullest HTML the entry has: its content, else its summary."""
    parts = [*entry.get("content", []), entry.get("summary_detail") or {}]
    best = max(parts, key=lambda part: len(part.get("value") or ""))
    html = best.get("value") or ""
    # RSS says nothing of the description's type; text without a single tag is plain text.
    if best.get("type") == "text/plain" or "<" not in html:
        return "".join(f"<p>{escape(part)}</p>" for part in html.split("\n\n") if part.strip())
    return html


def _author(entry) -> str:
    name = (entry.get("author_detail") or {}).get("name") or entry.get("author") or ""
    # RSS's <author> is an e-mail address; readers get a name or nothing.
    return "" if "@" in name else " ".join(name.split())[:150]


def _published(entry) -> datetime:
    """Return the entry's time; none, or one in the future (bad clocks), means now."""
    now = timezone.now()
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return now
    return min(datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC), now)


def _image_urls(entry, base) -> tuple[str, ...]:
    """Return the addresses of the entry's pictures: enclosures, then media tags."""
    urls = []
    for enclosure in entry.get("enclosures", []):
        kind = enclosure.get("type") or ""
        href = enclosure.get("href") or ""
        if href and (kind.startswith("image/") or (not kind and _looks_like_image(href))):
            urls.append(href)
    for media in entry.get("media_content", []):
        if media.get("url") and (
            media.get("medium") == "image" or (media.get("type") or "").startswith("image/")
        ):
            urls.append(media["url"])
    urls.extend(thumb["url"] for thumb in entry.get("media_thumbnail", []) if thumb.get("url"))
    absolute = (urljoin(base, url.strip()) for url in urls)
    web = (url for url in absolute if urlsplit(url).scheme in ("http", "https"))
    return tuple(dict.fromkeys(web))


def _looks_like_image(url: str) -> bool:
    return urlsplit(url).path.lower().endswith((".jpg", ".jpeg", ".png", ".gif", ".webp"))


def _store(source, data, existing, report, dry_run, client, limits):
    """Update or skip the article of a known entry; for the rest return a new, unsaved one.

    A new article comes with the pictures taken out of its body, downloaded after the import.
    """
    article = existing.get(data.url)
    if article is not None:
        _update(article, data, report, dry_run)
        return None
    if dry_run:
        report.new += 1
        return None
    image = _download_image(data, client, limits, report)
    body, waiting = pictures.take_out(data.body)
    article = Article(
        language=source.language,
        title=data.title,
        slug=text.slugify_title(data.title),
        label=data.label,
        body=body,
        author_name=data.author_name,
        category=data.category,
        source=source,
        source_url=data.url,
        archived_at=timezone.now(),
        published_at=data.published_at,
        status=Article.Status.PUBLISHED if source.publish_imported else Article.Status.DRAFT,
    )
    if image is not None:
        article.image.save(image.name, image, save=False)
        store_renditions(article)
    return article, waiting


def _insert(pending, report):
    """Insert new articles, many to a statement; one by one if that statement fails.

    A statement is all or nothing, so no entry is ever half stored. When a batch fails (another
    import took one of its links meanwhile, or one entry holds a value the database refuses),
    each entry is inserted on its own, so one bad entry never costs the others.
    """
    if not pending:
        return
    with database_turn():
        _insert_turn(pending, report)


def _insert_turn(pending, report):
    try:
        with _own_transaction():
            Article.objects.bulk_create([article for _number, article, _waiting, _page in pending])
    except DatabaseError:
        pass
    else:
        report.new += len(pending)
        report.full_text_ids += [article.pk for _number, article, _waiting, page in pending if page]
        report.stored += [article for _number, article, _waiting, _page in pending]
        _record_pictures(pending, report)
        return
    stored = []
    for number, article, waiting, wants_page in pending:
        article.pk, article._state.adding = None, True
        try:
            with _own_transaction():
                article.save(force_insert=True)
        except DatabaseError as error:
            if article.image:
                images.delete_renditions(article.image, article.image_width)
                article.image.delete(save=False)
            if isinstance(error, IntegrityError):
                report.skipped += 1  # another import stored this link after our look-up
            else:
                report.failed += 1
                report.note(
                    gettext_noop("entry %(number)d: not stored: %(error)s"),
                    number=number,
                    error=str(error),
                )
        else:
            stored.append((number, article, waiting, wants_page))
            if wants_page:
                report.full_text_ids.append(article.pk)
    report.new += len(stored)
    report.stored += [article for _number, article, _waiting, _page in stored]
    _record_pictures(stored, report)


def _record_pictures(inserted, report):
    with _own_transaction():
        report.picture_ids += pictures.record_new(
            (article, article.body, waiting) for _number, article, waiting, _page in inserted
        )


def _own_transaction():
    """Give one entry's single INSERT or UPDATE a transaction of its own.

    In autocommit mode the statement already is one; an explicit BEGIN/COMMIT would only add
    two round trips per entry. Inside a caller's transaction a savepoint keeps a failed entry
    from aborting the caller's work.
    """
    return transaction.atomic() if connection.in_atomic_block else nullcontext()


def _update(article, data, report, dry_run):
    """Refresh a draft whose entry changed at the source; leave published articles alone.

    The body of an article whose text comes from its page is not the feed's to change; the
    stored body's pictures are our copies, so bodies are compared without them.
    """
    same_body = data.wants_page or pictures.without_pictures(
        article.body
    ) == pictures.without_pictures(data.body)
    if (article.title, article.label) == (data.title, data.label) and same_body:
        report.skipped += 1
        return
    if article.status != Article.Status.DRAFT:
        report.skipped += 1
        report.note(
            gettext_noop("changed at the source but published, left alone: %(url)s"),
            url=data.url,
        )
        return
    body, waiting = article.body, []
    if not same_body:
        body, waiting = pictures.take_out(data.body)
    if not dry_run:
        with database_turn(), _own_transaction():
            # The status condition keeps an editor's publishing in the meantime from being undone.
            changed = Article.objects.filter(pk=article.pk, status=Article.Status.DRAFT).update(
                title=data.title,
                label=data.label,
                body=body,
                author_name=data.author_name,
                updated_at=timezone.now(),
            )
            if changed and not same_body:
                pictures.record(article, body, waiting)
        if not changed:
            report.skipped += 1
            report.note(
                gettext_noop("published while importing, left alone: %(url)s"), url=data.url
            )
            return
        if waiting:
            report.picture_ids.append(article.pk)
    article.title, article.label, article.body = data.title, data.label, body
    report.updated += 1  # readers' caches are invalidated once, after the feed (_stored)


def _download_image(data, client, limits, report) -> ContentFile | None:
    """Download and check the entry's first usable picture; note why one was skipped."""
    for url in data.image_urls[:2]:
        fetched = _fetch_picture(url, client, limits, report)
        if fetched is not None:
            content, extension = fetched
            name = f"{text.slugify_title(data.title, max_length=60)}.{extension}"
            return ContentFile(content, name=name)
    return None


def _fetch_picture(url, client, limits, report) -> tuple[bytes, str] | None:
    """Return (bytes, extension) of a picture we may store, or None with a note saying why."""
    try:
        return pictures.fetch_picture(url, client, limits)
    except MessageError as error:  # it could not be had (FetchError), or is no picture we keep
        report.note(
            gettext_noop("image skipped, %(reason)s: %(url)s"), reason=error.message, url=url
        )
        return None


def _record(source, report):
    """Save the outcome on the source; keep validators only when every entry went in."""
    now = timezone.now()
    fields = {
        "last_attempt_at": now,
        "last_status": report.status,
        "last_counts": report.counts,
        "last_error": _error_text(report),
    }
    if report.status in (ImportStatus.OK, ImportStatus.NOT_MODIFIED):
        fields["last_import_at"] = now
    fields.update(_schedule_fields(source, report, now))
    if report.status == ImportStatus.OK:
        # Failed entries are retried next time only if the feed is not answered by a 304.
        keep = not report.failed
        fields["etag"] = report.etag if keep else ""
        fields["last_modified"] = report.last_modified if keep else ""
    Source.objects.filter(pk=source.pk).update(**fields)
    for name, value in fields.items():
        setattr(source, name, value)


def _schedule_fields(source, report, now) -> dict:
    """Return the source's schedule after this outcome (see articles/importers/schedule.py)."""
    fields = {}
    if report.fetch_ms is not None:
        fields["fetch_durations"] = schedule.with_duration(source.fetch_durations, report.fetch_ms)
    if report.status == ImportStatus.FAILED:
        failures = source.consecutive_failures + 1
        wait = schedule.retry_after(report.error_headers, now)
        fields["consecutive_failures"] = failures
        fields["next_import_at"] = schedule.next_attempt(
            now=now, interval=source.import_interval, failures=failures, succeeded=False, wait=wait
        )
        return fields
    interval = source.import_interval
    if report.status == ImportStatus.OK and report.entry_times:
        interval = schedule.publishing_interval(report.entry_times, now)
    fields["import_interval"] = interval
    fields["consecutive_failures"] = 0
    fields["next_import_at"] = schedule.next_attempt(
        now=now, interval=interval, failures=0, succeeded=True
    )
    return fields


def _error_text(report) -> str:
    """Return the error and notes as stored on the source: msgids and values (see messages)."""
    lines = [report.error] if report.error else []
    lines += report.notes[:MAX_NOTES]
    if len(report.notes) > MAX_NOTES:
        lines.append(
            Message(gettext_noop("… and %(count)d more"), count=len(report.notes) - MAX_NOTES)
        )
    return messages.dumps(lines)


def import_in_background(
    sources, *, wait: float, importer: Callable[[Source], SourceReport] | None = None
) -> tuple[threading.Thread, list[SourceReport]]:
    """Import the sources in a thread of their own; wait up to `wait` seconds for it.

    For "Fetch now" in the admin: a slow source must not hold the editor's request past the web
    server's timeout (which would kill it and record nothing). The reports list fills as each
    source is done; each outcome is also recorded on its source, where the editor finds it later.
    """
    sources = list(sources)
    language = get_language()
    reports: list[SourceReport] = []

    def run():
        try:
            with override(language):
                for source in sources:
                    reports.append((importer or import_source)(source))
        except Exception:
            logger.exception("Background import failed")
        finally:
            connection.close()  # the thread's own connection; nobody else would close it

    thread = threading.Thread(target=run, name="fetch-now", daemon=True)
    thread.start()
    thread.join(wait)
    return thread, reports


def sources_to_import(slugs=None, *, due=False):
    """Return the sources an import covers: the named ones, else every active one with a feed.

    With `due`, only those whose next attempt has come (or was never planned).
    """
    sources = Source.objects.exclude(feed_url="")
    if slugs:
        sources = sources.filter(slug__in=slugs)
    else:
        sources = sources.filter(is_active=True)
    if due:
        sources = sources.filter(
            Q(next_import_at__isnull=True) | Q(next_import_at__lte=timezone.now())
        )
    return sources
