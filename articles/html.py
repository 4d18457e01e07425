"""Sanitise article HTML: the one place that decides which markup readers' browsers get."""

import re
from functools import partial
from urllib.parse import urljoin, urlsplit

import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "blockquote", "q", "cite",
    "ul", "ol", "li", "h2", "h3", "h4", "a", "img", "figure", "figcaption", "table", "thead",
    "tbody", "tr", "th", "td", "hr", "span", "code", "pre",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}
_URL_ATTRIBUTES = {("a", "href"), ("img", "src")}
_DIMENSIONS = {"width", "height", "colspan", "rowspan"}
_PARAGRAPH = re.compile(r"<p\b[^>]*>.*?</p>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def sanitize_html(html, base_url=None):
    """Return `html` without scripts, styles, event handlers or unsafe URLs.

    With `base_url` (the address the HTML was taken from), relative links and image addresses
    are made absolute, so they still lead to the source once republished here.
    """
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        # Tags like <script> go with everything inside them, not just their markup.
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener nofollow",
        attribute_filter=partial(_filter_attribute, base_url),
    )


def _filter_attribute(base_url, tag, attribute, value):
    """Make URLs absolute against base_url; keep only numeric sizes (no "100%;x:expression")."""
    if (tag, attribute) in _URL_ATTRIBUTES:
        return _absolute(base_url, value)
    if attribute in _DIMENSIONS:
        return value if value.strip().isdigit() else None
    return value


def _absolute(base_url, value):
    if not base_url:
        return value
    url = urljoin(base_url, value.strip())
    # nh3 checked the scheme of the value as written; check the joined result as well.
    return url if urlsplit(url).scheme in URL_SCHEMES else None


def first_paragraph(html):
    """Return the first non-empty <p> of sanitised `html`, else all of it (a text without <p>)."""
    for match in _PARAGRAPH.finditer(html or ""):
        if _TAG.sub("", match[0]).strip():
            return match[0]
    return html or ""
