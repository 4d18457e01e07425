"""Helpers for asking for and reading rendered pages in tests."""

from html.parser import HTMLParser

# A phone's Chromium: counted as a reader (crawlers and unknown agents are not).
BROWSER = (
    "Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
# What a browser sends as Accept for a page: a request without one is not counted as a reader's.
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


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


class _Form(HTMLParser):
    """Collect what a browser would submit from one form: inputs, checked boxes, selects."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, {}
        self.textarea = self.select = None
        self.multiple = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "name" not in attrs and tag not in ("option",):
            return
        if tag == "input" and attrs.get("type") not in ("submit", "button", "file", "image"):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data[attrs["name"]] = attrs.get("value", "on")
            else:
                self.data[attrs["name"]] = attrs.get("value", "")
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.data[self.textarea] = ""
        elif tag == "select":
            self.select, self.multiple = attrs["name"], "multiple" in attrs
            if not self.multiple:  # a multiple select with nothing chosen sends nothing
                self.data.setdefault(self.select, "")
        elif tag == "option" and self.select and "selected" in attrs:
            value = attrs.get("value", "")
            if self.multiple:
                self.data.setdefault(self.select, []).append(value)
            else:
                self.data[self.select] = value

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += data


def form_data(response, form_id, **changes):
    """Return the fields the form `form_id` of the page would post, with `changes` applied."""
    parser = _Form(form_id)
    parser.feed(response.content.decode())
    data = parser.data
    # A textarea's content starts after the newline that follows its tag.
    data = {
        name: value[1:] if isinstance(value, str) and value.startswith("\n") else value
        for name, value in data.items()
    }
    return {**data, **changes}


# The article form's gallery inline (ArticlePhotoInline) as a browser posts it with no picture.
NO_GALLERY = {"photos-TOTAL_FORMS": "0", "photos-INITIAL_FORMS": "0"}


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
