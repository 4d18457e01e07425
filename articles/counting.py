"""Decide which article requests are views, who the visitor is, and buffer views in Redis.

A view is a GET of a published article's page answered with 200, by a reader who is not staff
and whose User-Agent is not a crawler's. One visitor (their session, else a hash of IP and
User-Agent) counts once per article per `VIEWS_VISITOR_WINDOW` seconds. The database writes live
in `articles.services`; with `VIEWS_BUFFER=redis` views are buffered here first and
`manage.py flush_views` moves them to the database (see `flush_buffer`).
"""

import hashlib
import logging
import re
import uuid
from datetime import date
from functools import cache, lru_cache

import redis
from django.conf import settings
from django.db import IntegrityError
from django.urls import Resolver404, resolve

logger = logging.getLogger(__name__)

ARTICLE_URL_NAME = "articles:detail"

# Every crawler we know by its User-Agent, in one place. Fragments are regular expressions,
# matched case-insensitively anywhere in the User-Agent. An empty User-Agent is a bot too.
CRAWLER_USER_AGENTS = (
    # Search engines
    "googlebot",
    "google-inspectiontool",
    "storebot-google",
    "adsbot-google",
    "mediapartners-google",
    "bingbot",
    "bingpreview",
    "yandex(bot|images|mobilebot|metrika|\\.com/bots)",
    "baiduspider",
    "duckduckbot",
    "slurp",
    "applebot",
    "petalbot",
    "seznambot",
    "sogou",
    "exabot",
    "mojeekbot",
    "qwantify",
    "ahrefsbot",
    "semrushbot",
    "mj12bot",
    "dotbot",
    # Link previews in social networks and messengers
    "facebookexternalhit",
    "facebookcatalog",
    "meta-externalagent",
    "meta-externalfetcher",
    "twitterbot",
    "linkedinbot",
    "telegrambot",
    "whatsapp",
    "slackbot",
    "slack-imgproxy",
    "discordbot",
    "skypeuripreview",
    "vkshare",
    "viber",
    "pinterest",
    "redditbot",
    "embedly",
    "iframely",
    # AI fetchers and trainers
    "gptbot",
    "chatgpt-user",
    "oai-searchbot",
    "claudebot",
    "claude-user",
    "claude-searchbot",
    "claude-web",
    "anthropic-ai",
    "perplexitybot",
    "perplexity-user",
    "bytespider",
    "ccbot",
    "google-extended",
    "amazonbot",
    "cohere-ai",
    "diffbot",
    "youbot",
    "ai2bot",
    "timpibot",
    # Headless browsers, HTTP libraries and command-line tools
    "headlesschrome",
    "phantomjs",
    "python-requests",
    "python-urllib",
    "python-httpx",
    "aiohttp",
    "curl",
    "wget",
    "go-http-client",
    "okhttp",
    "java/",
    "libwww-perl",
    "scrapy",
    "httpclient",
    "axios",
    "node-fetch",
    "lighthouse",
    "pingdom",
    "uptimerobot",
    # Whatever calls itself a bot, crawler or spider ("CUBOT" phones are not bots).
    "\\bbot\\b",
    "bot/",
    "crawler",
    "spider",
)
CRAWLER_RE = re.compile("|".join(CRAWLER_USER_AGENTS), re.IGNORECASE)


@lru_cache(maxsize=4096)  # a few hundred User-Agents make most traffic; the pattern is long
def is_crawler(user_agent):
    """Tell whether a User-Agent belongs to a crawler, preview bot or script."""
    return not user_agent.strip() or CRAWLER_RE.search(user_agent) is not None


def is_readers_view(request):
    """Tell whether this request, if it gets an article page, is a view to count."""
    if not settings.VIEWS_COUNTING or request.method != "GET":
        return False
    if is_crawler(request.META.get("HTTP_USER_AGENT", "")):
        return False
    user = getattr(request, "user", None)  # none yet when the page cache answers
    return user is None or not user.is_staff  # editors previewing articles are not readers


def article_id_of(match):
    """Return the article's id if the URL match is an article page, else None."""
    return int(match.kwargs["pk"]) if match.view_name == ARTICLE_URL_NAME else None


def counted_article_id(request, response):
    """Return the id of the article whose view this response is, or None if it is no view."""
    if response.status_code != 200 or not is_readers_view(request):
        return None
    try:
        match = request.resolver_match or resolve(request.path_info)
    except Resolver404:
        return None
    return article_id_of(match)


def visitor_id(request):
    """Return a stable, anonymous id of the visitor: their session, else IP and User-Agent."""
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        session.keys()  # loads it, dropping a key that no session has (a forged cookie)
    if session is not None and session.session_key:
        raw = f"session|{session.session_key}"
    else:
        address = request.META.get(settings.VIEWS_CLIENT_IP_HEADER, "").split(",")[0].strip()
        raw = f"address|{address}|{request.META.get('HTTP_USER_AGENT', '')}"
    # Keyed with the secret so the stored hashes cannot be reversed by trying every IP.
    return hashlib.sha256(f"{settings.SECRET_KEY}|{raw}".encode()).hexdigest()[:32]


def seen_key(article_id, visitor):
    return f"{settings.VIEWS_REDIS_PREFIX}seen:{article_id}:{visitor}"


# --- Redis buffer -------------------------------------------------------------------------

# Remember the visitor and add the view in one atomic round trip.
_COUNT_SCRIPT = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
  return 1
end
return 0
"""


@cache
def _client(url):
    return redis.Redis.from_url(url)


@cache
def _count_script(url):
    # EVALSHA by its digest; the script is loaded into Redis again if Redis has forgotten it.
    return _client(url).register_script(_COUNT_SCRIPT)


def redis_client():
    return _client(settings.REDIS_URL)


def buffer_key():
    return f"{settings.VIEWS_REDIS_PREFIX}buffer"


def batch_prefix():
    return f"{settings.VIEWS_REDIS_PREFIX}flushing:"


def buffer_view(article_id, visitor, day):
    """Add one view to the Redis buffer unless this visitor was counted lately; tell if added."""
    script = _count_script(settings.REDIS_URL)
    keys = [seen_key(article_id, visitor), buffer_key()]
    args = [settings.VIEWS_VISITOR_WINDOW, f"{article_id}:{day.isoformat()}"]
    return bool(script(keys=keys, args=args))


def _parse_batch(raw):
    counts = {}
    for field, value in raw.items():
        article_id, day = field.decode().split(":")
        counts[(int(article_id), date.fromisoformat(day))] = int(value)
    return counts


def flush_buffer():
    """Move the buffered views into the database; return (batches, views) applied.

    The buffer hash is renamed atomically to a batch key of its own, so new views go to a fresh
    buffer meanwhile. Each batch is applied in one transaction that also records the batch key
    (`ViewsFlush`, unique), and deleted only after the commit. A batch left behind by a crash or
    taken by a concurrent flush is therefore applied exactly once: a second attempt finds its key
    recorded and only deletes it.
    """
    from articles.services import apply_view_batch  # services import this module

    client = redis_client()
    new_batch = f"{batch_prefix()}{uuid.uuid4().hex}"
    if client.exists(buffer_key()):
        try:
            client.rename(buffer_key(), new_batch)
        except redis.ResponseError as error:
            if "no such key" not in str(error).lower():
                raise  # anything but "a concurrent flush took the buffer meanwhile"
    batches = views = 0
    for key in client.scan_iter(match=f"{batch_prefix()}*", count=100):
        key = key.decode()
        counts = _parse_batch(client.hgetall(key))
        if counts:
            try:
                applied = apply_view_batch(key, counts)
            except IntegrityError:
                applied = 0  # a concurrent flush recorded this batch first
            if applied:
                batches += 1
                views += applied
        client.delete(key)
    return batches, views
