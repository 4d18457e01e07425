"""Parse a text dump of an Icma.az article page into plain data (no Django, no database).

A dump reads like the page top to bottom, icons rendered as words (``see``, ``embed``, ...);
``seeds/000_50356239f90487a7.txt`` is the reference and ``PORTAL.md`` explains each part.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from articles.text import parse_attribution, parse_portal_datetime, split_label

MAX_FILE_SIZE = 5 * 1024 * 1024
BYLINE_MAX_LENGTH = 120

# Tab is the only control character a text dump may hold; U+FFFD betrays a lossy decode upstream.
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffd]")
_NUMBER = re.compile(r"[0-9]+")
_CLOSE = re.compile("close")
_UP = re.compile("up")
_SENTENCE_END = (".", "!", "?", "…", ":", ";")
_CLOSING_QUOTES = "\"'”’»)]"


@dataclass(frozen=True)
class MostReadEntry:
    title: str
    label: str
    published_at: datetime
    views: int
    line: int


@dataclass(frozen=True)
class SeedArticle:
    title: str
    source_name: str
    source_kind: str
    attribution: str  # the attribution line as the page wrote it, "" for own articles
    paragraphs: tuple[str, ...]
    author_name: str
    author_position: str
    views: int
    source_url: str
    archived_at: datetime | None
    language: str


@dataclass(frozen=True)
class SeedPage:
    site_name: str
    article: SeedArticle
    most_read: tuple[MostReadEntry, ...]


class SeedDumpError(ValueError):
    """A dump that does not read like a portal page, located by file and 1-based line."""

    def __init__(self, path: str, line: int, expected: str, problem: str = "") -> None:
        self.path = path
        self.line = line
        self.expected = expected
        self.problem = problem
        prefix = f"{problem}, " if problem else ""
        super().__init__(f"{path}:{line}: {prefix}expected {expected}")


@dataclass(frozen=True)
class _Wording:
    """The fixed words of a page in one language."""

    language: str
    date_example: str
    follow_us: str
    views: re.Pattern[str]
    views_hint: str
    source: re.Pattern[str]
    source_hint: str
    archive: re.Pattern[str]
    archive_hint: str
    comments: re.Pattern[str]
    comments_hint: str
    most_read: re.Pattern[str]
    most_read_hint: str
    latest: re.Pattern[str]
    latest_hint: str


def _labelled(icon: str, label: str) -> re.Pattern[str]:
    """Compile a pattern for ``<icon><label>:<value>`` that captures the value."""
    return re.compile(rf"(?:{icon})?\s*{re.escape(label)}\s*:\s*(.*)")


def _heading(icon: str, title: str) -> re.Pattern[str]:
    """Compile a pattern for a block heading led by its icon word."""
    return re.compile(rf"(?:{icon})?\s*{re.escape(title)}")


# Keyed by the language switch, which names the *other* language.
_WORDINGS = {
    "RU": _Wording(
        language="az",
        date_example="20 Oktyabr 2025 12:24",
        follow_us="Sonrakı hadisələr",
        views=_labelled("see", "Baxış sayı"),
        views_hint='"Baxış sayı:<number>"',
        source=_labelled("embed", "Mənbə"),
        source_hint='"Mənbə:<url>"',
        archive=re.compile(r"(?:archive)?\s*Bu xəbər (.*?) mənbədən arxivləşdirilmişdir\.?"),
        archive_hint='"Bu xəbər <date> mənbədən arxivləşdirilmişdir"',
        comments=re.compile(r"[0-9]+ Şərh"),
        comments_hint='"<number> Şərh"',
        most_read=_heading("top", "Günün ən çox oxunanları"),
        most_read_hint='"Günün ən çox oxunanları"',
        latest=_heading("news", "Son xəbərlər"),
        latest_hint='"Son xəbərlər"',
    ),
    "AZ": _Wording(
        language="ru",
        date_example="20 октября 2025 12:24",
        follow_us="Следите за",
        views=_labelled("see", "Просмотров"),
        views_hint='"Просмотров: <number>"',
        source=_labelled("embed", "Источник"),
        source_hint='"Источник: <url>"',
        archive=re.compile(r"(?:archive)?\s*Эта новость взята из источника (.*?)\.?"),
        archive_hint='"Эта новость взята из источника <date>"',
        comments=re.compile(r"[0-9]+ комментари(?:й|я|ев)"),
        comments_hint='"<number> комментариев"',
        most_read=_heading("top", "Самое читаемое за день"),
        most_read_hint='"Самое читаемое за день"',
        latest=_heading("news", "Последние новости"),
        latest_hint='"Последние новости"',
    ),
}


class _Lines:
    """A cursor over the stripped lines of a dump that skips blank lines and reports by line."""

    def __init__(self, text: str, path: str) -> None:
        self.path = path
        text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        raw = text.split("\n")
        for number, line in enumerate(raw, 1):
            if _NOT_TEXT.search(line):
                raise self.error(number, "text", "binary content")
        self.lines = [line.strip() for line in raw]
        while self.lines and not self.lines[-1]:
            self.lines.pop()
        if not self.lines:
            raise self.error(1, "the site name", "empty file")
        self.pos = 0

    def error(self, number: int, expected: str, problem: str = "") -> SeedDumpError:
        """Return the error to raise for the 1-based line."""
        return SeedDumpError(self.path, number, expected, problem)

    def peek(self) -> tuple[int, str] | None:
        """Return the next non-blank line and its number without consuming it."""
        while self.pos < len(self.lines) and not self.lines[self.pos]:
            self.pos += 1
        if self.pos == len(self.lines):
            return None
        return self.pos + 1, self.lines[self.pos]

    def take(self, expected: str) -> tuple[int, str]:
        """Consume the next non-blank line, failing at the end of the file."""
        found = self.peek()
        if found is None:
            raise self.error(len(self.lines), expected, "unexpected end of file")
        self.pos += 1
        return found

    def expect(self, pattern: re.Pattern[str], expected: str) -> tuple[int, re.Match[str]]:
        """Consume the next non-blank line, which must match the pattern in full."""
        number, line = self.take(expected)
        match = pattern.fullmatch(line)
        if match is None:
            raise self.error(number, expected)
        return number, match

    def take_if(self, pattern: re.Pattern[str]) -> tuple[int, re.Match[str]] | None:
        """Consume the next non-blank line only if it matches the pattern in full."""
        found = self.peek()
        match = pattern.fullmatch(found[1]) if found else None
        if match is None:
            return None
        self.pos += 1
        return found[0], match

    def index_of(self, pattern: re.Pattern[str]) -> int | None:
        """Return the index of the first line from the cursor on that matches the pattern."""
        return next(
            (i for i in range(self.pos, len(self.lines)) if pattern.fullmatch(self.lines[i])),
            None,
        )


def parse_seed_file(path: str | os.PathLike[str]) -> SeedPage:
    """Read a dump file as strict UTF-8 and parse it."""
    name = os.fspath(path)
    with open(path, "rb") as file:
        data = file.read(MAX_FILE_SIZE + 1)
    if len(data) > MAX_FILE_SIZE:
        raise SeedDumpError(name, 1, "a dump of at most 5 MB", "file too large")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problem = f"invalid UTF-8 byte 0x{data[exc.start]:02x}"
        raise SeedDumpError(name, line, "UTF-8 text", problem) from exc
    return parse_seed_dump(text, name)


def parse_seed_dump(text: str, path: str = "<dump>") -> SeedPage:
    """Parse the text of one page dump, raising SeedDumpError where it goes wrong."""
    lines = _Lines(text, path)
    _, site_name = lines.take("the site name")
    lines.expect(_CLOSE, '"close"')
    lines.expect(_UP, '"up"')
    switch_hint = '"RU" or "AZ" (the language switch)'
    switch_line, switch = lines.take(switch_hint)
    wording = _WORDINGS.get(switch)
    if wording is None:
        raise lines.error(switch_line, switch_hint)
    return SeedPage(
        site_name=site_name,
        article=_parse_article(lines, wording, site_name),
        most_read=_parse_most_read(lines, wording),
    )


def _parse_article(lines: _Lines, wording: _Wording, site_name: str) -> SeedArticle:
    """Read the article from its title down to the comment count."""
    _, title = lines.take("the title")
    repeat_line, repeat = lines.take("the title repeated")
    if repeat != title:
        raise lines.error(repeat_line, f'the title repeated ("{title}")')

    body, follow_line = _take_body(lines, wording)
    source_name, source_kind, attribution_line = "", "", ""
    if body and (attribution := parse_attribution(body[0], site_name)):
        source_name, source_kind = attribution
        attribution_line, body = body[0], body[1:]
    body, author_name, author_position = _split_byline(body)
    if not body:
        raise lines.error(follow_line, "a body paragraph before the follow-us line")

    views_line, match = lines.expect(wording.views, wording.views_hint)
    views = _count(lines, views_line, match[1], wording.views_hint)
    source_url = ""
    if found := lines.take_if(wording.source):
        source_url = _url(lines, found[0], found[1][1])
    archived_at = None
    if found := lines.take_if(wording.archive):
        archived_at = _date(lines, found[0], found[1][1], wording)
    # Name the optional lines still allowed here, so a stray line is not blamed on the count.
    hints = [] if source_url or archived_at else [wording.source_hint]
    if archived_at is None:
        hints.append(wording.archive_hint)
    lines.expect(wording.comments, _one_of([*hints, wording.comments_hint]))

    return SeedArticle(
        title=title,
        source_name=source_name,
        source_kind=source_kind,
        attribution=attribution_line,
        paragraphs=tuple(body),
        author_name=author_name,
        author_position=author_position,
        views=views,
        source_url=source_url,
        archived_at=archived_at,
        language=wording.language,
    )


def _take_body(lines: _Lines, wording: _Wording) -> tuple[list[str], int]:
    """Consume the body up to and including the follow-us line; return it and that line."""
    follow_hint = f'the follow-us line ("{wording.follow_us} ...")'
    views_at = lines.index_of(wording.views)
    end = len(lines.lines) if views_at is None else views_at
    block = [(i + 1, lines.lines[i]) for i in range(lines.pos, end) if lines.lines[i]]
    # The follow-us line is the last paragraph, so a body paragraph may start with its words.
    if views_at is not None:
        if not block or not block[-1][1].startswith(wording.follow_us):
            raise lines.error(views_at + 1, follow_hint)
        follow = len(block) - 1
    else:
        starts = (i for i, (_, text) in enumerate(block) if text.startswith(wording.follow_us))
        follow = next(starts, None)
        if follow is None:
            raise lines.error(len(lines.lines), follow_hint, "unexpected end of file")
    follow_line = block[follow][0]
    lines.pos = follow_line
    return [text for _, text in block[:follow]], follow_line


def _split_byline(body: list[str]) -> tuple[list[str], str, str]:
    """Split the author's name and position off the end of the body when they look like one."""
    count = 0
    while count < 2 and len(body) - count > 1 and _is_byline(body[-1 - count]):
        count += 1
    if count == 2:
        return body[:-2], body[-2], body[-1]
    if count == 1:
        return body[:-1], body[-1], ""
    return body, "", ""


def _is_byline(paragraph: str) -> bool:
    """Tell whether a paragraph is short and unpunctuated enough to be a name or a position."""
    ending = paragraph.rstrip(_CLOSING_QUOTES)
    return len(paragraph) <= BYLINE_MAX_LENGTH and not ending.endswith(_SENTENCE_END)


def _parse_most_read(lines: _Lines, wording: _Wording) -> tuple[MostReadEntry, ...]:
    """Skip the comments and read the most-read block up to the latest-news heading."""
    while not wording.most_read.fullmatch(lines.take(wording.most_read_hint)[1]):
        pass  # comments, or the empty state of the comment list
    lines.take("the subtitle of the most-read block")
    meta_hint = f'a date and view count like "{wording.date_example}see236"'
    entries = []
    while True:
        line, title = lines.take(f"a most-read title or {wording.latest_hint}")
        if wording.latest.fullmatch(title):
            break
        meta_line, meta = lines.take(meta_hint)
        date_text, see, views_text = meta.rpartition("see")
        if not see:
            raise lines.error(meta_line, meta_hint)
        bare_title, label = split_label(title)
        entries.append(
            MostReadEntry(
                title=bare_title,
                label=label,
                published_at=_date(lines, meta_line, date_text, wording),
                views=_count(lines, meta_line, views_text, 'a view count after "see"'),
                line=line,
            )
        )
    lines.take(f"the subtitle of {wording.latest_hint}")
    return tuple(entries)


def _count(lines: _Lines, number: int, text: str, expected: str) -> int:
    """Return a view count, which must be a whole number."""
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        raise lines.error(number, expected)
    return int(text)


def _date(lines: _Lines, number: int, text: str, wording: _Wording) -> datetime:
    """Return the portal date in the text."""
    try:
        return parse_portal_datetime(text.strip())
    except ValueError:
        raise lines.error(number, f'a date like "{wording.date_example}"') from None


def _url(lines: _Lines, number: int, text: str) -> str:
    """Return the source address, which must be an absolute http(s) URL."""
    try:
        host = urlsplit(text).hostname
    except ValueError:
        host = None
    if not text.startswith(("http://", "https://")) or not host or " " in text:
        raise lines.error(number, "a URL starting with http:// or https://")
    return text


def _one_of(hints: list[str]) -> str:
    """Join alternatives as 'a, b or c'."""
    return " or ".join(filter(None, [", ".join(hints[:-1]), hints[-1]]))
