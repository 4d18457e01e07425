"""Full-text search: query words, the database's match and rank, and highlighted snippets.

PostgreSQL: a stored `search_vector` column (migration 0006; kept by a trigger since 0020)
holds the words of title, lead and body through the `portal_search` configuration, `simple`
plus `unaccent`, with ə folded to e, and a GIN index serves it; `search_head` holds title
(weight A) and lead (B) for ranking.
Every query word is a prefix (`word:*`), because Azerbaijani and Russian inflect by suffixes
(müttəfiqliyin, морозы): `müttəfiq` and `мороз` find them. The columns are not model fields,
so SQLite (which has no tsvector) never sees them.

SQLite: a containment search on the text folded by the same rules (`text.fold`, registered as
the SQL function `portal_fold`), ranked by where the words occur.
"""

import html
import re

from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    FloatField,
    Func,
    IntegerField,
    Q,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.lookups import Contains
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

from articles.text import fold

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10
SEARCH_CONFIG = "portal_search"
_WORD = re.compile(r"\w+")
_SENTENCE = re.compile(r"^(.+?[.!?…])(?:\s|$)")


def terms(query):
    """Return the distinct words of a search query, at most MAX_TERMS of them."""
    words = {}
    for word in _WORD.findall((query or "").replace("_", " ")):
        words.setdefault(fold(word), word)
    return list(words.values())[:MAX_TERMS]


def is_postgresql(using):
    return connections[using].vendor == "postgresql"


# --- Matching and ranking in the database -------------------------------------------------------


def _tsquery(words):
    # Words are \w+ runs, so they hold no quote, colon or operator: safe inside '...'.
    return " & ".join(f"'{fold(word)}':*" for word in words)


def match_condition(words, using):
    """Return a filter() condition true for articles containing every word."""
    if is_postgresql(using):
        # Unqualified column: Django re-aliases tables inside subqueries, and no joined
        # table has a column of this name.
        return RawSQL(
            "search_vector @@ to_tsquery(%s::regconfig, %s)",
            (SEARCH_CONFIG, _tsquery(words)),
            output_field=BooleanField(),
        )
    condition = Q()
    for word in words:
        condition &= _contains(word, "title") | _contains(word, "lead") | _contains(word, "body")
    return condition


class Folded(Func):
    """The column's text folded by `text.fold`, on SQLite (a Python function it calls)."""

    function = "portal_fold"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        _register_fold(connection)
        return super().as_sql(compiler, connection, **extra_context)


def _register_fold(connection):
    # Once per SQLite connection, however it was opened (request, command, test, live server).
    connection.ensure_connection()
    raw = connection.connection
    if getattr(connection, "_portal_fold_for", None) is not raw:
        raw.create_function("portal_fold", 1, _fold_or_null, deterministic=True)
        connection._portal_fold_for = raw


def _fold_or_null(value):
    return None if value is None else fold(value)


def _contains(word, field):
    # The folded column contains the folded word: "ƏLİYEV" finds "Əliyev", "bakinin" finds
    # "Bakının", as PostgreSQL's unaccent-and-lower configuration does.
    return Contains(Folded(field), fold(word))


def rank_expression(words, using):
    """Return an expression scoring relevance: title matches over lead over body."""
    if is_postgresql(using):
        return RawSQL(
            "ts_rank(search_head, to_tsquery(%s::regconfig, %s))",
            (SEARCH_CONFIG, _tsquery(words)),
            output_field=FloatField(),
        )
    score = Value(0)
    for word in words:
        score = score + Case(
            When(_contains(word, "title"), then=Value(4)),
            When(_contains(word, "lead"), then=Value(2)),
            default=Value(1),
            output_field=IntegerField(),
        )
    return score


# --- Highlighting ---------------------------------------------------------------------------------


def _spans(text, words):
    """Return (start, end) of every word in `text` that starts with one of `words`."""
    folded = fold(text)
    spans = []
    for word in words:
        pattern = re.compile(rf"(?<!\w){re.escape(fold(word))}\w*")
        spans.extend(match.span() for match in pattern.finditer(folded))
    spans.sort()
    merged = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text, words):
    """Escape plain `text`, then wrap the matching words in <mark>."""
    parts, position = [], 0
    for start, end in _spans(text, words):
        parts.append(escape(text[position:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece was escaped above


def plain_text(markup):
    """Return the readable text of sanitised HTML, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(strip_tags(markup)).split())


def summary(article, length=200):
    """Return the article's lead, else its body's first sentence, as plain text of <= length.

    Only what the source lets us republish (`readable_lead`, `readable_body`) is summarised.
    """
    if article.readable_lead:
        text = " ".join(article.readable_lead.split())  # the lead is plain text already
    else:
        body = plain_text(article.readable_body)
        match = _SENTENCE.match(body)
        text = match.group(1) if match else body
    if len(text) > length:
        text = text[: length - 1].rsplit(" ", 1)[0] + "…"
    return text


def snippet(article, words, width=220):
    """Return an escaped excerpt of the lead or body around the first match, highlighted.

    Only what the source lets us republish (`readable_lead`, `readable_body`) is quoted.
    """
    text = " ".join(article.readable_lead.split())  # the lead is plain text already
    spans = _spans(text, words) if words else []
    if not spans:
        body = plain_text(article.readable_body)
        body_spans = _spans(body, words) if words else []
        if body_spans or not text:
            text, spans = body, body_spans
    start = 0
    if spans and spans[0][0] > width // 3:
        start = text.rfind(" ", 0, spans[0][0] - width // 3) + 1
    excerpt = text[start : start + width]
    if start + width < len(text):
        excerpt = excerpt[: excerpt.rfind(" ")] if " " in excerpt else excerpt
        excerpt += " …"
    if start:
        excerpt = "… " + excerpt
    return highlight(excerpt, words)


def decorate(articles, words):
    """Give each result its highlighted title and snippet for the results page."""
    for article in articles:
        article.title_html = highlight(article.title, words)
        article.snippet = snippet(article, words)
