"""The full text of articles whose feed carries only a summary, taken from the article's page.

The page is fetched with the feeds' safe client (articles/importers/http.py) if the source's
robots.txt allows it, its main text is found by trafilatura (which leaves out navigation, share
buttons, "related news" and footers) and sanitised by the same rules as every body. If that
fails, or finds less than the feed had, the feed's text stays and the reason is noted on the
source.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from urllib import robotparser
from urllib.parse import urlsplit

import trafilatura
from django.db.models import Q
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_noop

from articles.caching import articles_changed
from articles.html import sanitize_html
from articles.importers import http, messages
from articles.importers.concurrency import database_turn
from articles.importers.messages import Message, MessageError
from articles.models import Article, FullText, Source

logger = logging.getLogger(__name__)

SHORT_TEXT = 500  # characters: a feed text shorter than this is taken for a summary
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
ROBOTS_SECONDS = 3600  # how long one host's robots.txt is trusted
ROBOTS_RETRY_SECONDS = 300  # after robots.txt could not be read (5xx, network): pages wait
NOTES_KEPT = 10
# The last link of a summary that only teases: "Ətraflı", "Davamı", "Подробнее", "Read more"...
_READ_MORE = re.compile(
    r"(ətraflı|davamı|ardı|daha çox|подробнее|читать далее|читать полностью|далее|read more|"
    r"continue reading|more\b|\.\.\.|…|\[\s*…?\s*\.*\s*\])",
    re.IGNORECASE,
)
_LAST_LINK = re.compile(r"<a\b[^>]*>(?P<text>(?:(?!</a>).)*)</a>\s*(?:</\w+>\s*)*$", re.S | re.I)
_HEADINGS_1 = re.compile(r"<h1\b[^>]*>.*?</h1>", re.S | re.I)


class FullTextError(MessageError):
    """Why an article keeps its feed text: a marked msgid, shown in the editor's language."""


def text_length(html: str) -> int:
    return len(" ".join(strip_tags(html or "").split()))


def is_summary(html: str) -> bool:
    """Tell whether a feed's body looks like a teaser: short, or ending in a "read more" link."""
    if text_length(html) < SHORT_TEXT:
        return True
    last = _LAST_LINK.search(html or "")
    return bool(last and _READ_MORE.search(strip_tags(last["text"])))


def wants_page(source: Source, feed_html: str) -> bool:
    """Tell whether an entry's article page should be fetched for its text."""
    if source.full_text == FullText.PAGE:
        return True
    return source.full_text == FullText.AUTO and is_summary(feed_html)


class RobotsCache:
    """robots.txt per host (scheme, host, port), fetched once an hour, shared by threads."""

    def __init__(self):
        self._rules: dict[str, tuple[float, robotparser.RobotFileParser | None]] = {}
        self._lock = threading.Lock()

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        now = time.monotonic()
        with self._lock:
            cached = self._rules.get(origin)
        if cached is None or cached[0] < now:
            cached = self._fetch(origin, now)
            with self._lock:
                self._rules[origin] = cached
        rules = cached[1]
        return rules is not None and rules.can_fetch(http.user_agent(), url)

    def clear(self):
        with self._lock:
            self._rules.clear()

    @staticmethod
    def _fetch(origin: str, now: float):
        """Read a host's robots.txt the way RFC 9309 says: 4xx allows all, 5xx forbids all."""
        rules = robotparser.RobotFileParser(f"{origin}/robots.txt")
        try:
            # Article addresses come from the feed: the client refuses our own network.
            response = http.fetch(f"{origin}/robots.txt", accept="text/plain")
        except http.FetchError as error:
            if error.status is not None and 400 <= error.status < 500:
                rules.parse([])
                return now + ROBOTS_SECONDS, rules
            return now + ROBOTS_RETRY_SECONDS, None
        rules.parse(response.content.decode("utf-8", errors="replace").splitlines())
        return now + ROBOTS_SECONDS, rules


robots = RobotsCache()


def extract(page: bytes, url: str) -> str:
    """Return the sanitised main text of an article page; raise FullTextError if none."""
    html = trafilatura.extract(
        page,
        url=url,
        output_format="html",
        favor_precision=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=True,
        # No deduplicate: trafilatura's memory of seen paragraphs is per process, so the second
        # source republishing one agency text would get nothing.
        deduplicate=False,
    )
    if not html:
        raise FullTextError(gettext_noop("no main text found on the page"))
    # The page's own headline repeats our title.
    html = _HEADINGS_1.sub("", html)
    body = sanitize_html(html, base_url=url).strip()
    # trafilatura wraps its result in <html><body>; nh3 keeps only their content.
    if not text_length(body):
        raise FullTextError(gettext_noop("no main text found on the page"))
    return body


def page_text(url: str, feed_html: str) -> str:
    """Return the article's text from its page; raise FullTextError saying why not."""
    if not robots.allowed(url):
        raise FullTextError(gettext_noop("robots.txt does not let us fetch the page"))
    try:
        response = http.fetch(url, accept=PAGE_ACCEPT)
    except http.FetchError as error:
        raise FullTextError(
            gettext_noop("page not fetched: %(error)s"), error=error.message
        ) from None
    body = extract(response.content, response.url)
    if text_length(body) <= text_length(feed_html):
        raise FullTextError(gettext_noop("the page's text is no longer than the feed's"))
    return body


def complete_article(article_id: int) -> str:
    """Replace an imported article's feed summary by its page's text; return what happened.

    Only a body still equal to the feed's is replaced, so an editor's changes in the meantime
    are kept; the reason a page was not used is noted on the source.
    """
    with database_turn():
        article = (
            Article.objects.only("id", "language", "body", "source_url", "source_id")
            .filter(pk=article_id)
            .first()
        )
    if article is None or not article.source_url:
        return "gone"
    try:
        body = page_text(article.source_url, article.body)
    except FullTextError as error:
        note(article.source_id, article.source_url, error.message)
        return str(error)
    with database_turn():
        changed = Article.objects.filter(Q(pk=article.pk) & Q(body=article.body)).update(
            body=body, updated_at=timezone.now()
        )
        if changed:
            articles_changed(article.language)  # the cache may be a database table
    return "full text" if changed else "edited meanwhile, left alone"


def note(source_id: int, url: str, reason: Message) -> None:
    """Add a line to the source's full-text notes, newest first, keeping the last few.

    Kept as msgids and values (articles/importers/messages.py), so editors read them in the
    language of the admin page; `Source.full_text_problems()` translates them.
    """
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    line = Message(gettext_noop("%(time)s %(url)s: %(reason)s"), time=stamp, url=url, reason=reason)
    with database_turn():
        current = Source.objects.filter(pk=source_id).values_list("full_text_note", flat=True)
        kept = [line, *messages.parse(current.first() or "")][:NOTES_KEPT]
        Source.objects.filter(pk=source_id).update(full_text_note=messages.dumps(kept))
