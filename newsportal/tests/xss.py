"""The XSS corpus and the check that none of it survives as markup on a rendered page."""

from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

CORPUS = Path(__file__).with_name("xss_payloads.txt")
MARKER = "1337"


def payloads():
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return list(dict.fromkeys(line for line in lines if line and not line.startswith("# ")))


# Elements a payload could use to run code, load something or take over the page.
DANGEROUS_TAGS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "style",
    "base", "meta", "link", "form", "input", "button", "textarea", "select", "img", "image",
    "video", "audio", "source", "details", "marquee", "template", "body", "html", "head",
    "isindex", "noscript", "plaintext", "xmp", "a", "set", "animate", "use", "foreignobject",
}  # fmt: skip
# Attributes no public page of ours carries; a payload's would.
FORBIDDEN_ATTRIBUTES = {"style", "srcdoc", "formaction", "xlink:href", "background", "dynsrc"}
URL_ATTRIBUTES = {"href", "src", "action", "data", "poster", "cite", "xlink:href"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:text", "data:image/svg")


class _Markup(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = Counter()
        self.problems = []
        self._script = None

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        refresh = tag == "meta" and (dict(attrs).get("http-equiv") or "").lower() == "refresh"
        for name, value in attrs:
            if refresh and name == "content":
                self.problems.append(f"<meta http-equiv=refresh content={value!r}>")
            if name.startswith("on") or name in FORBIDDEN_ATTRIBUTES:
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES and value:
                squashed = "".join(ch for ch in value if ch > " ").lower()
                if squashed.startswith(BAD_SCHEMES):
                    self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            self._script = dict(attrs)

    def handle_data(self, data):
        # Text of a script that executes (not JSON-LD data) must never hold a payload.
        script = self._script
        if script is not None and script.get("type") != "application/ld+json" and MARKER in data:
            self.problems.append(f"script text {data[:80]!r}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def markup(html):
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return parser


def injected(html, baseline_html, allowed=frozenset()):
    """Return what `html` carries beyond `baseline_html` (the same page with harmless text).

    Problems: event handlers, style/srcdoc attributes, javascript:/data: URLs, executable
    script text with the payloads' marker, and more dangerous elements (or elements the
    baseline never had) than the baseline, except the tags in `allowed`.
    """
    page, baseline = markup(html), markup(baseline_html)
    problems = list(page.problems)
    for tag, count in page.tags.items():
        if tag in allowed:
            continue
        if count > baseline.tags[tag] and (tag in DANGEROUS_TAGS or tag not in baseline.tags):
            problems.append(f"{count - baseline.tags[tag]} more <{tag}>")
    return problems
