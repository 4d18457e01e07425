"""Oxşar xəbərlər / Похожие новости: how alike two articles are. Knows no model.

An article's related ones come from the published articles of its language within
RELATED_WINDOW of it (ArticleQuerySet.related_to); they are ranked here: the same story first,
then by shared tags, then by the words their titles share.
"""

import re
from datetime import timedelta

from articles import search, text

RELATED_LIMIT = 5
RELATED_WINDOW = timedelta(days=21)
# Candidates looked at: those sharing most tags, then the newest.
RELATED_POOL = 200
# Short words ("və", "bu", "на") say nothing about the subject.
MIN_WORD = 4
_WORD = re.compile(r"\w+")


class Candidate:
    """A candidate as the values of its row: two hundred model instances per page cost more
    than the rest of the related block (ArticleQuerySet.related_to loads these instead)."""

    __slots__ = ("id", "title", "slug", "language", "label", "published_at", "story_id")
    __slots__ += ("shared_tags", "url")
    FIELDS = __slots__[:-2]

    def __init__(self, url=None, **values):
        for name, value in values.items():
            setattr(self, name, value)
        self.url = url

    @property
    def pk(self):
        return self.id

    @property
    def display_label(self):
        return text.upper_for_language(self.label, self.language)


def title_words(title):
    """Return the folded words of a title that can tell what it is about.

    The long words are folded in one call, joined by NUL (folding maps character by character
    and leaves NUL alone): one call per title instead of one per word was a third of rank()'s
    time with the 200 candidates every article has at 1 000 000 articles.
    """
    words = [word for word in _WORD.findall(title or "") if len(word) >= MIN_WORD]
    return set(search.fold("\0".join(words)).split("\0")) if words else set()


def same_story(article, candidate):
    """Tell whether the two belong to one story (Article.story): such articles come first."""
    return article.story_id is not None and candidate.story_id == article.story_id


def rank(article, candidates, limit=RELATED_LIMIT):
    """Return up to `limit` of `candidates` most like `article`, leaving out unrelated ones.

    Each candidate carries `shared_tags`, the number of the article's tags it has.
    """
    words = title_words(article.title)
    scored = []
    for candidate in candidates:
        common = len(words & title_words(candidate.title))
        story = same_story(article, candidate)
        if not (story or candidate.shared_tags or common >= 2):
            continue
        scored.append(((story, candidate.shared_tags, common, candidate.published_at), candidate))
    scored.sort(key=lambda pair: pair[0], reverse=True)
    return [candidate for _key, candidate in scored[:limit]]
