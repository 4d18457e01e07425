"""Helpers for asking for and reading rendered pages in tests."""

from html.parser import HTMLParser

# A phone's Chromium: counted as a reader (crawlers and unknown agents are not).
BROWSER = (
    "Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def page_text(response):
    """Return the text a reader sees on the page (tags dropped), its pieces joined by spaces."""
    parser = _Text()
    parser.feed(response.content.decode())
    return " ".join(parser.parts)


class _Rows(HTMLParser):
    """Collect the admin change list's rows as {column: text} (cells are classed field-<name>)."""

    def __init__(self):
        super().__init__()
        self.rows, self.column = [], None

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "tr" and self.column is None:
            self.row = {}
        fields = [name.removeprefix("field-") for name in classes if name.startswith("field-")]
        if tag in ("td", "th") and fields:
            self.column = fields[0]
            self.row[self.column] = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.column:
            self.column = None
        if tag == "tr" and getattr(self, "row", None):
            self.rows.append(self.row)
            self.row = {}

    def handle_data(self, data):
        if self.column:
            self.row[self.column] += data.strip()


def changelist_rows(response):
    parser = _Rows()
    parser.feed(response.content.decode())
    return parser.rows
