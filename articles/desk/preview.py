"""Signed preview links: a draft, a scheduled article or a pending change, for 24 hours.

The link carries the article's id, signed with the secret key and timed: whoever has it may
see the preview, no account needed, until it expires or the secret changes.
"""

from django.core import signing
from django.urls import reverse
from django.utils import translation

PREVIEW_SECONDS = 24 * 60 * 60
SALT = "articles.preview"


def preview_url(article, pending=False):
    """Return the preview address of `article` (with its pending change, if asked)."""
    token = signing.TimestampSigner(salt=SALT).sign_object({"a": article.pk, "p": int(pending)})
    with translation.override(article.language):
        return reverse("articles:preview", kwargs={"token": token})


def read_token(token):
    """Return (article id, pending?) of a valid token, or None if forged or expired."""
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=PREVIEW_SECONDS)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not isinstance(data, dict) or not isinstance(data.get("a"), int):
        return None
    return data["a"], bool(data.get("p"))
