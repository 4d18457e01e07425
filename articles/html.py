"""Sanitise article HTML: the one place that decides which markup readers' browsers get."""

import re
from collections import Counter
from functools import partial
from html.parser import HTMLParser
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


def normalize_body(html):
    """Return `html` with the line endings a browser's form sends (CRLF, CR) written as LF.

    A textarea always submits CRLF; without this, every save of an untouched body would count as
    a change.
    """
    return (html or "").replace("\r\n", "\n").replace("\r", "\n").strip()


# What the sanitiser drops that an editor should hear about: elements that play, run or embed
# something, and attributes that style or run script. Wrappers such as <div> or Word's <o:p> go
# silently: their text stays.
REPORTED_TAGS = {
    "script", "style", "iframe", "frame", "object", "embed", "applet", "form", "input", "button",
    "select", "textarea", "video", "audio", "svg", "math", "canvas", "link", "base", "noscript",
    "template",
}  # fmt: skip


class _MarkupCounter(HTMLParser):
    """Count the elements and the notable attributes of an HTML text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = Counter()
        self.attributes = Counter()

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        for name, _value in attrs:
            if name.startswith("on"):
                self.attributes["on"] += 1
            elif name == "style":
                self.attributes[name] += 1


def _count_markup(html):
    counter = _MarkupCounter()
    counter.feed(html or "")
    counter.close()
    return counter


def removed_markup(html, cleaned):
    """Return what sanitising took out of `html` to give `cleaned`: ({tag: n}, {attribute: n}).

    Tags are those of REPORTED_TAGS; attributes are "style" and "on" (event handlers such as
    onclick).
    """
    before, after = _count_markup(html), _count_markup(cleaned)
    tags = {tag: n for tag, n in (before.tags - after.tags).items() if tag in REPORTED_TAGS}
    return tags, dict(before.attributes - after.attributes)


def first_paragraph(html):
    """Return the first non-empty <p> of sanitised `html`, else all of it (a text without <p>)."""
    for match in _PARAGRAPH.finditer(html or ""):
        if _TAG.sub("", match[0]).strip():
            return match[0]
    return html or ""
