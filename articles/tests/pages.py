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


# The article form's gallery inline (ArticlePhotoInline) as a browser posts it with no picture.
NO_GALLERY = {"photos-TOTAL_FORMS": "0", "photos-INITIAL_FORMS": "0"}
