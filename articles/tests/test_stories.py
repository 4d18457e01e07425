"""Stories: the same event from several sources, matched on arrival (articles/stories.py)."""

from itertools import combinations

import pytest

from articles.models import Article


def pairwise(stored):
    """Return (precision, recall) of the stories formed against the labelled events."""
    stories_of = dict(Article.objects.values_list("pk", "story_id"))
    true_positive = predicted = actual = 0
    for (first, first_event), (second, second_event) in combinations(stored, 2):
        same = first_event == second_event
        joined = stories_of[first.pk] == stories_of[second.pk]
        actual += same
        predicted += joined
        true_positive += same and joined
    return true_positive / predicted if predicted else 1.0, true_positive / actual


@pytest.mark.parametrize("language", ["az", "ru"])
def test_labelled_set_precision_and_recall(labelled_articles, language):
    stored = labelled_articles(language)
    precision, recall = pairwise(stored)
    events = len({event for _article, event in stored})
    print(
        f"{language}: {len(stored)} articles, {events} events: "
        f"pairwise precision {precision:.3f}, recall {recall:.3f}"
    )
    missed = []
    stories_of = dict(Article.objects.values_list("pk", "story_id"))
    for (a, ea), (b, eb) in combinations(stored, 2):
        if (ea == eb) != (stories_of[a.pk] == stories_of[b.pk]):
            missed.append((ea, eb, a.title[:50], b.title[:50]))
    for m in missed:
        print(m)
    assert len(stored) >= 40 and events >= 15
    assert precision >= 0.95
    assert recall >= 0.85
