"""Oxşar xəbərlər / Похожие новости: how alike two articles are. Knows no model.

An article's related ones come from the published articles of its language within
RELATED_WINDOW of it (ArticleQuerySet.related_to); they are ranked here: the same story first,
then by shared tags, then by the words their titles share.
"""

import operator
import re
from datetime import UTC, datetime, timedelta

from articles import search, text

RELATED_LIMIT = 5
RELATED_WINDOW = timedelta(days=21)
# Candidates looked at: those sharing most tags, then the newest.
RELATED_POOL = 200
# Short words ("və", "bu", "на") say nothing about the subject: only runs of 4 and more.
MIN_WORD = 4
_LONG_WORD = re.compile(rf"\w{{{MIN_WORD},}}")


class Candidate:
    """A candidate as its row: two hundred model instances per page cost more than the rest
    of the related block (ArticleQuerySet.related_to reads rows of FIELDS instead).

    The time comes as text and is parsed only for the few shown: the rows arrive newest
    first within their story and tags, so ranking needs no time, and loading 200 timestamps
    was a third of the block's CPU at 1 000 000 articles. The title's words come folded
    (Article.title_words), not folded again for every page that weighs them.
    """

    FIELDS = ("id", "title", "title_words", "slug", "language", "label", "published_text")
    FIELDS += ("story_id", "shared_tags")
    __slots__ = (*FIELDS, "url")

    def __init__(self, row, url=None):
        for name, value in zip(self.FIELDS, row, strict=True):
            setattr(self, name, value)
        self.url = url

    @property
    def pk(self):
        return self.id

    @property
    def published_at(self):
        moment = datetime.fromisoformat(self.published_text)
        # SQLite keeps UTC without an offset; PostgreSQL writes "+00" (connections in UTC).
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    @property
    def display_label(self):
        return text.upper_for_language(self.label, self.language)


_TITLE, _WORDS, _STORY, _SHARED_TAGS = map(
    Candidate.FIELDS.index, ("title", "title_words", "story_id", "shared_tags")
)


def title_words(title):
    """Return the folded words of a title that can tell what it is about.

    The long words are folded in one call, joined by NUL (folding maps character by character
    and leaves NUL alone): one call per title instead of one per word was a third of rank()'s
    time with the 200 candidates every article has at 1 000 000 articles.
    """
    words = _LONG_WORD.findall(title or "")
    return set(search.fold("\0".join(words)).split("\0")) if words else set()


def stored_title_words(title):
    """Return title_words() as Article.title_words stores them: space-separated, sorted."""
    return " ".join(sorted(title_words(title)))


def rank(article, rows, limit=RELATED_LIMIT):
    """Return up to `limit` Candidates of `rows` most like `article`, leaving out unrelated ones.

    `rows` are the query's tuples of Candidate.FIELDS, in its order: the article's story first,
    then most shared tags (`shared_tags`: how many of the article's tags a row has), then the
    newest. Weighed as tuples; only the few chosen become Candidates (200 objects per page
    were most of what the block cost beyond its query at 1 000 000 articles).
    """
    words = title_words(article.title)
    story = article.story_id
    scored = []
    for row in rows:
        # Stored with the article (a space never folds out of a word); older rows folded now.
        stored = row[_WORDS]
        common = len(words.intersection(stored.split() if stored else title_words(row[_TITLE])))
        # The same story (Article.story) comes first, then shared tags, then shared words.
        in_story = story is not None and row[_STORY] == story
        shared_tags = row[_SHARED_TAGS]
        if in_story or shared_tags or common >= 2:
            scored.append(((in_story, shared_tags, common), row))
    # Stable: equals stay in the query's order, the newest first.
    scored.sort(key=operator.itemgetter(0), reverse=True)
    return [Candidate(row) for _key, row in scored[:limit]]
