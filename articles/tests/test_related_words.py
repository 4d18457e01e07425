"""Related news by the words their titles share (articles/related.py), folded as search folds
them: ə, İ/I, ё and letter case do not keep two titles about one thing apart."""

import pytest


def related_section(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    return html[html.index('class="related"') :].split("</section>")[0]


@pytest.mark.parametrize(
    ("language", "title", "alike", "unlike"),
    [
        (
            "az",
            "İlham Əliyev Naxçıvanda yeni zavodun açılışında",
            "ILHAM ELIYEV NAXÇIVANDA görüş keçirdi",
            "Naxçıvanda hava isti olacaq",
        ),
        (
            "ru",
            "Ёлка на площади Фонтанов зажжётся в субботу",
            "ЕЛКА у площади Фонтанов: что известно",
            "Площади Баку готовят к празднику",
        ),
    ],
)
def test_titles_sharing_two_folded_words_are_related(
    client, make_article, language, title, alike, unlike
):
    article = make_article(title=title, language=language)
    make_article(title=alike, language=language)
    make_article(title=unlike, language=language)

    section = related_section(client, article)

    assert alike in section
    assert unlike not in section
