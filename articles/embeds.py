"""Embeds: a video or post link on a paragraph of its own becomes a click-to-load placeholder.

Only the providers below are embedded; any other link stays a link. The page carries no
third-party request until a reader clicks: the placeholder is our own markup, and
static/js/embeds.js then puts in an iframe of the provider's embed address. The CSP's
`frame-src` (newsportal/settings.py) lists exactly the FRAME_HOSTS, so no other frame can load.
Without JavaScript the placeholder is a plain link to the post.
"""

import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

from django.utils.html import format_html
from django.utils.translation import gettext as _

_ID = r"[A-Za-z0-9_-]+"


@dataclass(frozen=True)
class Embed:
    provider: str  # a CSS-friendly key: youtube, instagram, x, facebook, telegram
    name: str  # shown to readers
    frame_url: str
    link: str
    video: bool = False


def _youtube(url):
    host, path = url.hostname, url.path
    video = None
    if host == "youtu.be":
        video = path.strip("/").split("/")[0]
    elif path == "/watch":
        video = (parse_qs(url.query).get("v") or [""])[0]
    else:
        match = re.fullmatch(rf"/(?:shorts|embed|live)/({_ID})/?", path)
        video = match and match.group(1)
    if not video or not re.fullmatch(_ID, video):
        return None
    return f"https://www.youtube-nocookie.com/embed/{video}?autoplay=1"


def _instagram(url):
    match = re.fullmatch(rf"/(p|reel|tv)/({_ID})/?", url.path)
    return match and f"https://www.instagram.com/{match.group(1)}/{match.group(2)}/embed/"


def _x(url):
    match = re.fullmatch(rf"/{_ID}/status/([0-9]+)/?", url.path)
    return match and f"https://platform.twitter.com/embed/Tweet.html?id={match.group(1)}"


def _facebook(url):
    path = url.path
    if re.fullmatch(r"/[^/]+/videos/[0-9]+/?|/watch/?|/reel/[0-9]+/?", path):
        plugin = "video"
    elif re.fullmatch(r"/[^/]+/posts/[A-Za-z0-9]+/?|/permalink\.php|/photo/?", path):
        plugin = "post"
    else:
        return None
    address = f"https://www.facebook.com{path}" + (f"?{url.query}" if url.query else "")
    return f"https://www.facebook.com/plugins/{plugin}.php?href={quote(address, safe='')}"


def _telegram(url):
    match = re.fullmatch(rf"/(?:s/)?({_ID})/([0-9]+)/?", url.path)
    return match and f"https://t.me/{match.group(1)}/{match.group(2)}?embed=1"


# host of the link -> (provider, name, frame maker, is a video)
PROVIDERS = {
    **dict.fromkeys(
        ("youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be"),
        ("youtube", "YouTube", _youtube, True),
    ),
    **dict.fromkeys(
        ("instagram.com", "www.instagram.com"), ("instagram", "Instagram", _instagram, False)
    ),
    **dict.fromkeys(
        ("twitter.com", "www.twitter.com", "x.com", "www.x.com", "mobile.twitter.com"),
        ("x", "X", _x, False),
    ),
    **dict.fromkeys(
        ("facebook.com", "www.facebook.com", "m.facebook.com"),
        ("facebook", "Facebook", _facebook, False),
    ),
    **dict.fromkeys(("t.me", "telegram.me"), ("telegram", "Telegram", _telegram, False)),
}  # fmt: skip
# The hosts embeds load their frames from: the CSP's frame-src lists exactly these.
FRAME_HOSTS = (
    "https://www.youtube-nocookie.com",
    "https://www.instagram.com",
    "https://platform.twitter.com",
    "https://www.facebook.com",
    "https://t.me",
)


def embed_for(link):
    """Return the Embed of a link to a provider's video or post, or None."""
    try:
        url = urlsplit(link.strip())
    except ValueError:
        return None
    if url.scheme not in ("http", "https") or not url.hostname:
        return None
    provider = PROVIDERS.get(url.hostname.lower())
    if provider is None:
        return None
    key, name, frame, video = provider
    frame_url = frame(url)
    if not frame_url:
        return None
    return Embed(key, name, frame_url, link.strip(), video)


# A paragraph holding nothing but one link, written as an <a> or as a bare address; the body
# has been through articles/html.py, so its markup is regular.
_LINK_PARAGRAPH = re.compile(
    r"<p>\s*(?:<a href=\"(?P<href>[^\"]+)\"[^>]*>(?P<text>[^<]*)</a>|(?P<bare>https?://[^\s<]+))"
    r"\s*</p>"
)


def placeholder(embed):
    """Return the reader's placeholder for an embed: a link that our script turns into a frame."""
    action = _("Play the video") if embed.video else _("Show the post")
    return format_html(
        '<figure class="embed embed-{}" data-embed="{}" data-embed-title="{}">'
        '<a class="embed-link" href="{}" rel="noopener nofollow">'
        '<span class="embed-provider">{}</span> <span class="embed-action">{}</span>'
        '<span class="embed-note">{}</span></a></figure>',
        embed.provider,
        embed.frame_url,
        embed.name,
        embed.link,
        embed.name,
        action,
        _("Loads content from %(provider)s when you click.") % {"provider": embed.name},
    )


def with_embeds(body):
    """Return sanitised body HTML with its provider links on paragraphs of their own embedded."""

    def replace(match):
        link = html.unescape(match.group("href") or match.group("bare"))
        words = html.unescape(match.group("text") or "").strip()
        if match.group("href") is not None and words not in ("", link):
            return match.group(0)  # a link with words of its own is part of the text
        embed = embed_for(link)
        return placeholder(embed) if embed else match.group(0)

    return _LINK_PARAGRAPH.sub(replace, body or "")
