"""Helpers for reading rendered pages in tests."""

from html.parser import HTMLParser


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
