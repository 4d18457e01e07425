"""Who is a reader: the requests whose article page is a view, and who the visitor is.

A view is a GET of a published article's page answered with 200, by a reader who is not staff,
whose request a browser could have sent (an Accept header, a User-Agent that is no crawler's or
script's). One visitor is their session, else a keyed hash of their address and User-Agent;
whatever its User-Agents or cookies, one address adds at most `VIEWS_MAX_PER_ADDRESS` counted
views a minute (`address_limit()`; the counting modules keep the tally).
"""

import hashlib
import ipaddress
import re
import unicodedata
from functools import lru_cache

from django.conf import settings
from django.urls import Resolver404, resolve

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
    "postmanruntime",
    "insomnia",
    "httpie",
    "powershell",
    "guzzlehttp",
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


def _readable(user_agent):
    """Return the User-Agent as text: WSGI hands over its bytes as Latin-1, browsers send UTF-8."""
    try:
        return user_agent.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return user_agent


@lru_cache(maxsize=4096)  # a few hundred User-Agents make most traffic; the pattern is long
def is_crawler(user_agent):
    """Tell whether a User-Agent belongs to a crawler, preview bot or script.

    NFKC folds styled and full-width letters ("Ｇｏｏｇｌｅｂｏｔ") into the ones the patterns
    match; browsers send plain ASCII, so what is still not ASCII after that (a Cyrillic "о" in
    "Googlebоt") is a disguise, never a reader.
    """
    folded = unicodedata.normalize("NFKC", _readable(user_agent))
    return not folded.strip() or not folded.isascii() or CRAWLER_RE.search(folded) is not None


def is_readers_view(request):
    """Tell whether this request, if it gets an article page, is a view to count."""
    if not settings.VIEWS_COUNTING or request.method != "GET":
        return False
    if "HTTP_ACCEPT" not in request.META:  # every browser sends one; scripts often do not
        return False
    if is_crawler(request.META.get("HTTP_USER_AGENT", "")):
        return False
    user = getattr(request, "user", None)  # none yet when the page cache answers
    return user is None or not user.is_staff  # editors previewing articles are not readers


def article_id_of(match):
    """Return the article's id if the URL match is an article page, else None."""
    return int(match.kwargs["pk"]) if match.view_name == ARTICLE_URL_NAME else None


def article_id_of_request(request):
    """Return the id of the article whose page this request asked for, or None."""
    try:
        match = request.resolver_match or resolve(request.path_info)
    except Resolver404:
        return None
    return article_id_of(match)


def client_address(request):
    """Return the reader's address as configured (`VIEWS_CLIENT_IP_HEADER`), or ""."""
    return request.META.get(settings.VIEWS_CLIENT_IP_HEADER, "").split(",")[0].strip()


@lru_cache(maxsize=1)
def _shared_networks(networks):
    return tuple(ipaddress.ip_network(network, strict=False) for network in networks)


@lru_cache(maxsize=8192)
def _address_limit(address, networks, limit, shared_limit):
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return "", limit
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is None:
        # One subscriber holds a whole /64: count the network, not each of its addresses.
        address = str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    shared = any(parsed in network for network in _shared_networks(networks))
    return address, shared_limit if shared else limit


def address_limit(request):
    """Return (keyed hash of the reader's address, counted views it may add a minute).

    0 means no limit. Addresses in `VIEWS_HIGH_LIMIT_NETWORKS` (carrier NAT: many readers
    behind one address) get `VIEWS_MAX_PER_SHARED_ADDRESS`.
    """
    address, limit = _address_limit(
        client_address(request),
        tuple(settings.VIEWS_HIGH_LIMIT_NETWORKS),
        settings.VIEWS_MAX_PER_ADDRESS,
        settings.VIEWS_MAX_PER_SHARED_ADDRESS,
    )
    if not limit:
        return "", 0
    return hashlib.sha256(f"{settings.SECRET_KEY}|{address}".encode()).hexdigest()[:32], limit


def visitor_id(request):
    """Return a stable, anonymous id of the visitor: their session, else IP and User-Agent."""
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        session.keys()  # loads it, dropping a key that no session has (a forged cookie)
    if session is not None and session.session_key:
        raw = f"session|{session.session_key}"
    else:
        raw = f"address|{client_address(request)}|{request.META.get('HTTP_USER_AGENT', '')}"
    # Keyed with the secret so the stored hashes cannot be reversed by trying every IP.
    return hashlib.sha256(f"{settings.SECRET_KEY}|{raw}".encode()).hexdigest()[:32]
