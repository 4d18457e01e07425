"""The message of an article in its channel: title, label, a short lead and the link.

Written in the Bot API's HTML mode, where only `&`, `<` and `>` (and `"` inside attributes)
must be escaped. Telegram counts its limits (1024 for a caption, 4096 for a text) in UTF-16
code units of the text readers see, markup left out; the lead is cut first, at a word, on the
plain text before it is escaped, so no entity or surrogate pair is ever cut in half.
"""

import hashlib
from dataclasses import dataclass
from html import escape

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from articles import images, search

CAPTION_LIMIT = 1024
TEXT_LIMIT = 4096
LEAD_CHARS = 400  # "a short lead": a channel message is a teaser, the page has the rest
ELLIPSIS = "…"


@dataclass(frozen=True)
class Composed:
    text: str  # HTML, within the limit of the kind of message it is for
    photo: str  # the stored name of the article's picture, or "" for a text message
    digest: str  # of text and picture: equal digests, nothing to edit


def utf16_length(value):
    return len(value.encode("utf-16-le")) // 2


def cut(value, units):
    """Return `value` cut to at most `units` UTF-16 code units, at a word, with an ellipsis."""
    if utf16_length(value) <= units:
        return value
    if units <= 0:
        return ""
    room = units - utf16_length(ELLIPSIS)
    kept = ""
    for character in value:
        if utf16_length(kept) + utf16_length(character) > room:
            break
        kept += character
    at_word = kept.rsplit(" ", 1)[0] if " " in kept.strip() else kept
    return at_word.rstrip(" ,;:-–—") + ELLIPSIS


def article_url(article):
    """Return the absolute address of the article's page, in its own language."""
    return settings.SITE_URL + article.get_absolute_url()


def message_html(article, limit, *, lead_chars=LEAD_CHARS):
    """Return the message's HTML: its visible text within `limit` UTF-16 code units."""
    with translation.override(article.language):
        more = _("Read more")
    title = " ".join(article.title.split())
    label = article.display_label.strip()
    heading_tail = f" · {label}" if label else ""
    lead = search.summary(article, length=lead_chars) if lead_chars else ""
    # The visible text: heading, blank line, [lead, blank line,] link text.
    fixed = utf16_length(title + heading_tail) + 2 + utf16_length(more)
    room = limit - fixed - 2
    lead = cut(lead, room) if lead and room > len(ELLIPSIS) else ""
    if fixed > limit:
        # Only a title longer than any real one gets here: cut it, keep the label and link.
        title = cut(title, limit - utf16_length(heading_tail) - 2 - utf16_length(more))
    parts = [f"<b>{escape(title, quote=False)}</b>"]
    if label:
        parts[0] += f" · {escape(label, quote=False)}"
    if lead:
        parts.append(escape(lead, quote=False))
    parts.append(f'<a href="{escape(article_url(article))}">{escape(more, quote=False)}</a>')
    return "\n\n".join(parts)


def compose(article, *, as_photo=None):
    """Return the article's message; as a picture's caption when it has a picture.

    `as_photo` keeps the kind of a message already sent (Telegram cannot turn a text message
    into a picture or back): None decides by the article's picture.
    """
    if as_photo is None:
        as_photo = bool(article.image)
    photo = article.image.name if as_photo and article.image else ""
    text = message_html(article, CAPTION_LIMIT if as_photo else TEXT_LIMIT)
    digest = hashlib.sha256(f"{text}\0{photo}".encode()).hexdigest()
    return Composed(text=text, photo=photo, digest=digest)


def open_photo(article):
    """Open the picture to upload: its largest JPEG rendition, else the original; or None."""
    if not article.image:
        return None
    storage = article.image.storage
    names = [article.image.name]
    if article.image_width:
        width = images.planned_widths(article.image_width)[-1]
        names.insert(0, images.rendition_name(article.image.name, width, "jpg"))
    for name in names:
        try:
            return storage.open(name, "rb")
        except OSError:  # not (or no longer) stored: the next, else a text message
            continue
    return None
