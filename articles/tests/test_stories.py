"""Stories: the same event from several sources, matched on arrival (articles/stories.py)."""

import io
import re
from datetime import timedelta
from email.utils import format_datetime
from itertools import combinations
from xml.sax.saxutils import escape

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from articles import stories
from articles.importers.feeds import import_source
from articles.models import Article, Story, StoryFingerprint, StoryKey
from articles.tests.factories import ArticleFactory, SourceFactory
from articles.tests.pages import NO_GALLERY, page_text
from articles.text import BAKU_TZ

# --- the labelled set: pairwise precision and recall ----------------------------------------


def pairwise(stored):
    """Return (precision, recall, wrong pairs) of the stories formed against the labels."""
    stories_of = dict(Article.objects.values_list("pk", "story_id"))
    true_positive = predicted = actual = 0
    wrong = []
    for (first, first_event), (second, second_event) in combinations(stored, 2):
        same = first_event == second_event
        joined = stories_of[first.pk] == stories_of[second.pk]
        actual += same
        predicted += joined
        true_positive += same and joined
        if same != joined:
            wrong.append((first_event, second_event, first.title, second.title))
    precision = true_positive / predicted if predicted else 1.0
    return precision, true_positive / actual, wrong


@pytest.mark.parametrize("language", ["az", "ru"])
@pytest.mark.parametrize("arrival", ["one by one", "one batch"])
def test_labelled_set_precision_and_recall(labelled_articles, language, arrival):
    stored = labelled_articles(language, match=arrival == "one by one")
    if arrival == "one batch":
        stories.match_articles([article for article, _event in stored])
    precision, recall, wrong = pairwise(stored)
    events = len({event for _article, event in stored})
    print(
        f"\n{language}, {arrival}: {len(stored)} articles, {events} events: "
        f"pairwise precision {precision:.3f}, recall {recall:.3f}"
    )
    assert len(stored) >= 50 and events >= 22
    assert precision >= 0.95, wrong
    assert recall >= 0.85, wrong


def test_matching_never_deletes_or_unpublishes(labelled_articles):
    stored = labelled_articles("az")
    assert Article.objects.count() == len(stored)
    assert set(Article.objects.values_list("status", flat=True)) == {Article.Status.PUBLISHED}
    assert not Article.objects.filter(story=None).exists()


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            "Icma.az xəbər verir ki, Prezident İlham Əliyev Fransaya rəsmi səfərə gedib.",
            "Prezident İlham Əliyev Fransaya rəsmi səfərə gedib, APA xəbər verir.",
        ),
        (
            "Как сообщает Trend, президент Ильхам Алиев прибыл во Францию.",
            "Президент Ильхам Алиев прибыл во Францию, передаёт Report.az.",
        ),
    ],
)
def test_attribution_phrasing_is_stripped_before_comparing(first, second):
    def clean(line):
        return stories.strip_boilerplate(line).rstrip(".").lower()

    assert clean(first) == clean(second)


@pytest.mark.parametrize(
    "line",
    [
        "Sonrakı hadisələr barədə daha çox məlumat almaq üçün Icma.az saytını izləyin.",
        "Следите за Icma.az, чтобы узнать больше о дальнейших событиях.",
        "Bizi Telegram kanalımızda izləyin.",
        "Читайте также: В Баку открылся новый парк",
        "Icma.az bildirir, 525.az portalına istinadən.",
    ],
)
def test_follow_us_and_attribution_lines_are_dropped(line):
    assert stories.strip_boilerplate(line) == ""


@pytest.mark.parametrize(
    ("language", "forms"),
    [
        ("az", ["Fransaya", "Fransada", "Fransanın", "Fransa"]),
        ("az", ["Əliyevin", "Əliyevə", "ƏLİYEV", "Əliyev"]),
        ("ru", ["Францию", "Франции", "Францией", "Франция"]),
        ("ru", ["Алиевым", "Алиева", "Алиеву", "Алиев"]),
    ],
)
def test_word_endings_and_case_fold_to_one_stem(language, forms):
    assert len({stories.stem(word, language) for word in forms}) == 1


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("Bakı. 3 dekabr. REPORT.AZ/ Mərkəzi Bank məzənnəni açıqlayıb.", "Mərkəzi Bank"),
        ("Bakı, 4 dekabr, AZƏRTAC. Prezident İlham Əliyev nazirini qəbul edib.", "Prezident"),
        ("BAKI, Azərbaycan, 4 dekabr. /Trend/ - Neftin qiyməti bahalaşıb.", "Neftin"),
        ("БАКУ, 3 дек – Sputnik. Центробанк установил курс евро.", "Центробанк"),
        ("БАКУ /Trend/ - Центробанк установил курс евро.", "Центробанк"),
    ],
)
def test_agency_datelines_are_stripped(line, kept):
    assert stories.strip_boilerplate(line).startswith(kept)


@pytest.mark.parametrize(
    ("language", "first", "second", "figure"),
    [
        ("az", "Turistlərin sayı on iki faiz artıb", "Turistlərin sayı 12 faiz artıb", "12"),
        ("ru", "Число туристов выросло на двенадцать процентов", "выросло на 12 процентов", "12"),
        ("az", "Dollar 1.70, avro 1,9847 manat olub", "Dollar 1,7, avro 1.9847 manat", "1.7"),
        ("az", "Dekabrın 4-də Abşeronda yağış", "4 dekabrda Abşeronda yağış", "4/12"),
        ("ru", "Курс на 4 декабря: евро 1,9762", "4 декабря евро 1.9762", "4/12"),
    ],
)
def test_numbers_and_dates_written_differently_are_the_same(language, first, second, figure):
    def figures(line):
        return {name for name in stories.names_and_numbers([line], language) if name[0].isdigit()}

    assert figure in figures(first)
    assert figures(first) == figures(second)


def test_matching_costs_the_same_queries_with_more_articles(labelled_articles):
    stored = labelled_articles("az")
    visit = stored[0][0]

    def arrival(minutes):
        article = ArticleFactory(
            title=visit.title,
            body=visit.body,
            published_at=visit.published_at + timedelta(minutes=minutes),
            source=SourceFactory(),
        )
        with CaptureQueriesContext(connection) as queries:
            stories.match_articles([article])
        article.refresh_from_db()
        assert article.story_id == visit.story_id
        return [query["sql"] for query in queries.captured_queries]

    few = arrival(30)
    others = [
        ArticleFactory(title=f"Xəbər {n}: Gəncədə {n} yeni məktəb tikilir", source=visit.source)
        for n in range(300)
    ]
    stories.match_articles(others)
    many = arrival(40)
    assert len(many) == len(few)
    # The candidates are read from the index; the articles table only by story or id.
    assert any("articles_storykey" in sql for sql in many)
    article_reads = [
        sql for sql in many if sql.startswith("SELECT") and 'FROM "articles_article"' in sql
    ]
    assert all("story_id" in sql.split("WHERE", 1)[1] for sql in article_reads)


# --- feeds from several sources, in both languages ------------------------------------------

FEED_CASES = {
    "az": [
        ("APA", "Prezident İlham Əliyev Fransaya rəsmi səfərə gedib", "APA xəbər verir"),
        ("Report.az", "İlham Əliyev Fransaya rəsmi səfərə gedib", "Report.az xəbər verir"),
        ("Trend", "Prezident İlham Əliyev Fransaya rəsmi səfərə gedib", "Trend xəbər verir"),
    ],
    "ru": [
        ("Report.az", "Ильхам Алиев прибыл с визитом во Францию", "Как сообщает Report.az"),
        ("1news.az", "Президент Ильхам Алиев прибыл во Францию", "Как передает 1news.az"),
        ("Haqqin.az", "Ильхам Алиев прибыл с визитом во Францию", "Как пишет Haqqin.az"),
    ],
}
FEED_BODIES = {
    "az": "{said} ki, Azərbaycan Prezidenti İlham Əliyev Fransa Respublikasına rəsmi səfərə "
    "yola düşüb. Parisin Orli hava limanında dövlət başçısını Fransanın rəsmi şəxsləri "
    "qarşılayıb. Səfər çərçivəsində Emmanuel Makronla görüş və 12 sənədin imzalanması "
    "gözlənilir.",
    "ru": "{said}, президент Азербайджана Ильхам Алиев прибыл с официальным визитом во "
    "Французскую Республику. В аэропорту Орли главу государства встретили официальные лица "
    "Франции. Ожидается встреча с Эммануэлем Макроном и подписание 12 документов.",
}
OTHER_NEWS = {
    "az": ("Qarabağ Neftçini 2:0 hesabı ilə məğlub edib", "Qolları Juninyo və Zubir vurub."),
    "ru": ("«Карабах» обыграл «Нефтчи» со счетом 2:0", "Голы забили Жуниньо и Зубир."),
}


def rss(items):
    entries = "".join(
        f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
        f"<description>{escape(f'<p>{body}</p>')}</description>"
        f"<pubDate>{format_datetime(published)}</pubDate></item>"
        for title, link, body, published in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Xəbərlər'
        f"</title><link>https://news.example/</link><description>-</description>{entries}"
        "</channel></rss>"
    ).encode()


@pytest.fixture
def story_feeds(feed_import, server, make_source):
    """Serve a feed per source: the same visit from each, plus another event from the first."""

    def serve(language):
        now = timezone.now()
        sources = []
        for number, (name, title, said) in enumerate(FEED_CASES[language]):
            slug = f"{language}-{number}"
            items = [
                (
                    title,
                    f"https://{slug}.example/news/visit",
                    FEED_BODIES[language].format(said=said),
                    now - timedelta(hours=5 - number),
                )
            ]
            if number == 0:
                other_title, other_body = OTHER_NEWS[language]
                items.append((other_title, f"https://{slug}.example/news/match", other_body, now))
            server.add(f"/{slug}.xml", rss(items), content_type="application/rss+xml")
            sources.append(
                make_source(
                    f"/{slug}.xml",
                    name=name if language == "az" else f"{name} ru",
                    slug=slug,
                    language=language,
                    publish_imported=True,
                )
            )
        for source in sources:
            import_source(source)
        return sources

    return serve


SOURCES_LABEL = {"az": "+2 mənbə", "ru": "+2 источника"}
ALSO = {"az": "Bu xəbəri həmçinin yazıb:", "ru": "Об этом также пишут:"}


@pytest.mark.parametrize("language", ["az", "ru"])
def test_feeds_of_several_sources_form_one_story_shown_once(client, story_feeds, language):
    story_feeds(language)
    visits = list(Article.objects.filter(source_url__endswith="/news/visit").order_by("id"))
    match = Article.objects.get(source_url__endswith="/news/match")
    assert len(visits) == 3
    assert len({article.story_id for article in visits}) == 1
    assert match.story_id not in {None, visits[0].story_id}
    story = Story.objects.get(pk=visits[0].story_id)
    first = min(visits, key=lambda article: article.published_at)
    assert (story.lead_article, story.source_count, story.language) == (first, 3, language)

    prefix = "/ru" if language == "ru" else ""
    response = client.get(f"{prefix}/")
    html, home = response.content.decode(), page_text(response)
    # The lead once in each block ("Son xəbərlər" in the page, "most read" beside it), the
    # other versions not at all.
    links = {article: html.count(f'href="{article.get_absolute_url()}"') for article in visits}
    assert links == {article: 2 if article == first else 0 for article in visits}
    assert home.count(SOURCES_LABEL[language]) == 2
    assert html.count(f'href="{match.get_absolute_url()}"') == 2

    page = client.get(first.get_absolute_url())
    body = page.content.decode()
    assert ALSO[language] in page_text(page)
    for other in visits:
        if other != first:
            assert f'<a href="{other.get_absolute_url()}">{other.source.name}</a>' in body


# --- "+N mənbə", Russian plural forms ------------------------------------------------------


def story_of(
    copies, language="az", title="Bakıda yeni metro stansiyası açılıb", hours=1, text=None
):
    """Store `copies` near-copies of one agency text from as many sources; return them."""
    text = (
        text
        or {
            "az": "<p>{said} Bakı metrosunun Xocəsən stansiyası sərnişinlərin istifadəsinə "
            "verilib. Stansiya Yaşıl xəttdə yerləşir və gündə 40 min sərnişinə xidmət "
            "göstərəcək.</p>",
            "ru": "<p>{said} Станция Ходжасан бакинского метро открыта для пассажиров. "
            "Станция находится на Зеленой линии и будет обслуживать 40 тысяч пассажиров в "
            "день.</p>",
        }[language]
    )
    articles = []
    for number in range(copies):
        source = SourceFactory(language=language)
        article = ArticleFactory(
            language=language,
            title=title,
            body=text.format(said=f"{source.name} xəbər verir ki," if language == "az" else ""),
            source=source,
            published_at=timezone.now() - timedelta(hours=hours, minutes=copies - number),
        )
        stories.match_articles([article])
        articles.append(article)
    return articles


def test_the_index_reads_each_keys_newest_articles_of_the_window(db, monkeypatch):
    monkeypatch.setattr(stories, "MAX_POSTINGS", 2)
    copies = story_of(4)
    first = copies[0]
    stale = ArticleFactory(
        title=first.title,
        body=first.body,
        source=SourceFactory(),
        published_at=first.published_at - timedelta(days=5),
    )
    stories.match_articles([stale])
    arrival = stories.Features.of(first)
    postings = stories._postings("az", [arrival])
    assert set(postings) == set(arrival.keys)
    # The two newest copies of each key; neither the older ones nor one outside 72 hours.
    for rows in postings.values():
        assert {pk for pk, _published_at in rows} == {copies[2].pk, copies[3].pk}


OTHER_TEXT = (
    "<p>{said} Gəncə şəhərində 5 hektarlıq yeni park sakinlərin istifadəsinə verilib. Parkda "
    "uşaq meydançaları və velosiped yolları salınıb.</p>"
)


@pytest.mark.parametrize(
    ("copies", "label"),
    [(2, "+1 источник"), (3, "+2 источника"), (6, "+5 источников")],
)
def test_russian_blocks_count_sources_with_plural_forms(client, db, copies, label):
    story_of(copies, "ru", title="В Баку открылась станция метро Ходжасан")
    assert label in page_text(client.get("/ru/"))


def test_azerbaijani_blocks_say_mənbə(client, db):
    story_of(4)
    assert "+3 mənbə" in page_text(client.get("/"))


# --- the article page ----------------------------------------------------------------------


def test_article_page_links_the_other_sources_versions_only_published(client, db):
    lead, second, third = story_of(3)
    Article.objects.filter(pk=third.pk).update(status=Article.Status.DRAFT)
    stories.refresh_stories([lead.story_id])
    body = client.get(lead.get_absolute_url()).content.decode()
    assert f'<a href="{second.get_absolute_url()}">{second.source.name}</a>' in body
    assert third.source.name not in body
    alone = ArticleFactory(title="Tək xəbər", source=SourceFactory())
    assert "Bu xəbəri həmçinin yazıb" not in page_text(client.get(alone.get_absolute_url()))


def test_an_arriving_copy_shows_on_the_cached_pages_of_the_others(client, db, settings):
    settings.FRAGMENT_CACHE_SECONDS = 60
    settings.PAGE_CACHE_SECONDS = 30
    cache.clear()
    (lead,) = story_of(1)
    assert "Bu xəbəri həmçinin yazıb" not in page_text(client.get(lead.get_absolute_url()))
    assert "+1 mənbə" not in page_text(client.get("/"))
    source = SourceFactory(name="Trend")
    # Arriving now: the factory's default time depends on how many articles tests made before.
    copy = ArticleFactory(
        title=lead.title, body=lead.body, source=source, published_at=timezone.now()
    )
    stories.match_articles([copy])
    page = " ".join(page_text(client.get(lead.get_absolute_url())).split())
    assert "Bu xəbəri həmçinin yazıb: Trend" in page
    assert "+1 mənbə" in page_text(client.get("/"))


# --- articles scheduled for later -----------------------------------------------------------

# "+N" on the home page, "N sources" on /stories/, the article page's "Also reported by".
SCHEDULED_WORDS = {
    "az": ("", "+1 mənbə", "+2 mənbə", "2 mənbə", "3 mənbə", "Bu xəbəri həmçinin yazıb"),
    "ru": (
        "/ru",
        "+1 источник",
        "+2 источника",
        "2 источника",
        "3 источника",
        "Об этом также пишут",
    ),
}


def scheduled_copy(lead, hours=1):
    """Store a third source's copy of `lead`, scheduled `hours` ahead, and match it."""
    due = ArticleFactory(
        language=lead.language,
        title=lead.title,
        body=lead.body,
        source=SourceFactory(language=lead.language, name="Sabahın Qəzeti"),
        published_at=timezone.now() + timedelta(hours=hours),
    )
    stories.match_articles([due])
    return due


def sources_beside(response, article):
    """Return the "+N sources" the page's list items of `article` show."""
    link = re.escape(f'<a class="news-title" href="{article.get_absolute_url()}"')
    items = re.findall(rf'<li class="news-item">\s*{link}.*?</li>', response.content.decode(), re.S)
    return {label for item in items for label in STORY_SOURCES.findall(item)}


STORY_SOURCES = re.compile(r'<span class="story-sources">([^<]*)</span>')


def advance_time(monkeypatch, hours):
    later = timezone.now() + timedelta(hours=hours)
    monkeypatch.setattr(timezone, "now", lambda: later)


@pytest.mark.parametrize("language", ["az", "ru"])
def test_a_scheduled_version_counts_only_once_it_is_out(client, db, monkeypatch, language):
    from articles import tasks

    prefix, plus_one, plus_two, two, three, also = SCHEDULED_WORDS[language]
    lead, second = story_of(2, language, hours=2)
    due = scheduled_copy(lead)
    other = story_of(2, language, title="Gəncədə yeni park açılıb", text=OTHER_TEXT)
    Article.objects.filter(pk__in=[item.pk for item in other]).update(views=500)
    story, other_story = lead.story_id, other[0].story_id
    assert due.story_id == story

    def seen():
        home = sources_beside(client.get(f"{prefix}/"), lead)
        ranked = page_text(client.get(f"{prefix}/stories/"))
        article = " ".join(page_text(client.get(lead.get_absolute_url())).split())
        api = client.get(f"{prefix}/api/v1/stories/").json()["results"]
        return home, ranked, article, {item["id"]: item for item in api}, list(api)

    assert tasks.refresh_due_stories.delay().get() == 0  # not out yet
    home, ranked, article, api, order = seen()
    assert home == {plus_one}
    assert three not in ranked and ranked.count(two) == 2 and due.source.name not in ranked
    assert ranked.index(other[0].title) < ranked.index(lead.title)  # same sources: views
    assert f"{also}: {second.source.name}" in article and due.source.name not in article
    assert [item["id"] for item in order] == [other_story, story]
    assert (api[story]["source_count"], api[story]["article_count"]) == (2, 2)
    assert api[story]["lead"]["id"] == lead.pk
    assert api[story]["lead"]["story"]["source_count"] == 2
    assert api[story]["last_published_at"] == second.published_at.astimezone(BAKU_TZ).isoformat()

    advance_time(monkeypatch, hours=2)
    assert tasks.refresh_due_stories.delay().get() == 1
    home, ranked, article, api, order = seen()
    assert home == {plus_two}
    assert three in ranked and due.source.name in ranked
    assert ranked.index(lead.title) < ranked.index(other[0].title)
    assert due.source.name in article
    assert [item["id"] for item in order] == [story, other_story]
    assert (api[story]["source_count"], api[story]["article_count"]) == (3, 3)
    assert api[story]["lead"]["id"] == lead.pk
    assert Story.objects.get(pk=story).recount_at is None


def test_a_scheduled_article_alone_is_no_story_until_it_is_out(client, db, monkeypatch):
    article = ArticleFactory(
        source=SourceFactory(), published_at=timezone.now() + timedelta(hours=1)
    )
    stories.match_articles([article])
    story = Story.objects.get(pk=article.story_id)
    assert (story.source_count, story.recount_at) == (0, article.published_at)
    assert article.title not in page_text(client.get("/stories/"))
    assert client.get("/api/v1/stories/").json()["results"] == []

    advance_time(monkeypatch, hours=2)
    stories.refresh_due_stories()
    story.refresh_from_db()
    assert (story.source_count, story.lead_article_id, story.recount_at) == (1, article.pk, None)
    assert article.title in page_text(client.get("/stories/"))


def test_an_editor_cannot_make_a_scheduled_article_the_lead(editor_client, db):
    lead, _second = story_of(2)
    due = scheduled_copy(lead)
    response = editor_client.post(
        "/admin/articles/article/",
        {"action": "make_story_lead", "_selected_action": [due.pk]},
        follow=True,
    )
    assert "Hadisənin əsas məqaləsi yalnız saytda olan məqalə ola bilər" in page_text(response)
    story = Story.objects.get(pk=lead.story_id)
    assert (story.lead_article_id, story.lead_chosen, story.source_count) == (lead.pk, False, 2)


def test_beat_recounts_the_due_stories():
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "articles.tasks.refresh_due_stories" in tasks


@pytest.mark.django_db(transaction=True)
def test_the_embedded_scheduler_recounts_the_due_stories(client, monkeypatch):
    from articles.management.commands import import_feeds

    lead, _second = story_of(2)
    scheduled_copy(lead)
    advance_time(monkeypatch, hours=2)

    def sleep(self, seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr(import_feeds.Command, "sleep", sleep)
    call_command("import_feeds", "--due", "--every", "30", "--quiet", stdout=io.StringIO())
    assert Story.objects.get(pk=lead.story_id).source_count == 3
    assert sources_beside(client.get("/"), lead) == {"+2 mənbə"}


# --- /stories/ -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "title", "empty", "count"),
    [
        ("", "Ən çox müzakirə olunan hadisələr", "Son 24 saatda hələ hadisə yoxdur.", "3 mənbə"),
        (
            "/ru",
            "Самые обсуждаемые события",
            "За последние 24 часа событий пока нет.",
            "3 источника",
        ),
    ],
)
def test_stories_page_ranks_by_sources_then_views(client, db, prefix, title, empty, count):
    language = "ru" if prefix else "az"
    response = client.get(f"{prefix}/stories/")
    assert response.status_code == 200
    assert empty in page_text(response)

    big = story_of(3, language)
    small_title = {"az": "Gəncədə yeni park açılıb", "ru": "В Гяндже открылся парк"}[language]
    small = ArticleFactory(language=language, title=small_title, source=SourceFactory(), views=900)
    stories.match_articles([small])
    response = client.get(f"{prefix}/stories/")
    text = page_text(response)
    body = response.content.decode()
    assert f"<title>{title} · Icma.az</title>" in body
    assert f'<link rel="canonical" href="http://testserver{prefix}/stories/">' in body
    assert '<meta name="description" content="' in body
    assert text.index(big[0].title) < text.index(small_title)
    assert count in text
    assert empty not in text


def test_stories_page_keeps_to_the_last_day(client, db):
    story_of(2, title="Köhnə hadisə", hours=50, text=OTHER_TEXT)
    story_of(2, title="Bugünkü hadisə", hours=1)
    html = client.get("/stories/").content.decode()
    ranked = html.split('class="block stories-page"')[1].split("</section>")[0]
    assert "Bugünkü hadisə" in ranked and "Köhnə hadisə" not in ranked


def test_menu_and_most_read_block_link_the_stories_page(client, db):
    ArticleFactory()
    body = client.get("/ru/").content.decode()
    assert body.count('href="/ru/stories/"') == 2


# --- editors ---------------------------------------------------------------------------------


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.mark.parametrize(
    ("prefix", "message"), [("", "Birləşdirildi"), ("/ru", "Объединено в один сюжет")]
)
def test_editor_merges_two_stories(editor_client, db, prefix, message):
    first = story_of(2)
    second = story_of(1, title="Gəncədə yeni park açılıb", text=OTHER_TEXT)
    assert first[0].story_id != second[0].story_id
    response = editor_client.post(
        f"{prefix}/admin/articles/story/",
        {"action": "merge", "_selected_action": [first[0].story_id, second[0].story_id]},
        follow=True,
    )
    assert message in page_text(response)
    assert Article.objects.values("story").distinct().count() == 1
    assert Story.objects.get().source_count == 3


@pytest.mark.parametrize(
    ("prefix", "refusal"),
    [("", "Birləşdirmək üçün iki"), ("/ru", "Выберите два сюжета или больше")],
)
def test_merging_one_story_is_refused_in_the_editors_language(editor_client, db, prefix, refusal):
    (article,) = story_of(1)
    response = editor_client.post(
        f"{prefix}/admin/articles/story/",
        {"action": "merge", "_selected_action": [article.story_id]},
        follow=True,
    )
    assert refusal in page_text(response)


def test_editor_moves_an_article_out_and_picks_a_lead(editor_client, db):
    lead, second, third = story_of(3)
    editor_client.post(
        "/admin/articles/article/",
        {"action": "move_out_of_story", "_selected_action": [third.pk]},
    )
    third.refresh_from_db()
    story = Story.objects.get(pk=lead.story_id)
    assert third.story_id != lead.story_id
    assert (story.source_count, Story.objects.get(pk=third.story_id).source_count) == (2, 1)

    response = editor_client.post(
        "/ru/admin/articles/article/",
        {"action": "make_story_lead", "_selected_action": [second.pk]},
        follow=True,
    )
    assert "теперь главная в своём сюжете" in page_text(response)
    story.refresh_from_db()
    assert (story.lead_article, story.lead_chosen) == (second, True)
    home = page_text(editor_client.get("/"))
    assert second.title in home  # the same title: check the link goes to the chosen lead
    assert second.get_absolute_url() in editor_client.get("/").content.decode()
    assert lead.get_absolute_url() not in editor_client.get("/").content.decode()

    page = page_text(editor_client.get(f"/admin/articles/story/{story.pk}/change/"))
    assert lead.title in page and lead.source.name in page and second.source.name in page


def test_an_editor_saving_an_article_matches_it(editor_client, db):
    (lead,) = story_of(1)
    article = ArticleFactory.build(title=lead.title, body=lead.body, source=SourceFactory())
    article.save()
    with translation.override("az"):
        url = reverse("admin:articles_article_change", args=[article.pk])
    data = {
        **NO_GALLERY,
        "language": "az",
        "title": article.title,
        "slug": article.slug,
        "label": "",
        "lead": "",
        "body": article.body,
        "image_caption": "",
        "author_name": "",
        "author_position": "",
        "source": article.source_id,
        "source_url": "",
        "archived_at_0": "",
        "archived_at_1": "",
        "attribution_variant": "",
        "status": "published",
        "published_at_0": timezone.localtime().strftime("%Y-%m-%d"),
        "published_at_1": timezone.localtime().strftime("%H:%M:%S"),
        "category": "",
        "translation_link": "",
    }
    response = editor_client.post(url, data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.story_id == lead.story_id
    assert StoryKey.objects.filter(article_id=article.pk).exists()


def test_unpublishing_the_lead_hands_the_story_to_the_next(editor_client, db):
    lead, second = story_of(2)
    editor_client.post(
        "/admin/articles/article/",
        {"action": "unpublish", "_selected_action": [lead.pk]},
    )
    story = Story.objects.get(pk=lead.story_id)
    assert (story.lead_article, story.source_count) == (second, 1)


# --- query budgets --------------------------------------------------------------------------


@pytest.mark.parametrize("cached", [False, True], ids=["rendered", "fragments-cached"])
def test_story_pages_keep_the_query_budgets(client, db, settings, cached):
    if cached:
        settings.FRAGMENT_CACHE_SECONDS = 60
        cache.clear()
    lead = story_of(3)[0]
    scheduled_copy(lead)
    story_of(2, title="Gəncədə yeni park açılıb", text=OTHER_TEXT)
    budgets = {"/": 6, lead.get_absolute_url(): 8, "/stories/": 6, "/ru/stories/": 6}
    for url, budget in budgets.items():
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert len(queries) <= budget, (url, [q["sql"] for q in queries.captured_queries])


def test_editors_may_see_and_change_stories_but_not_delete_them(db):
    codenames = set(
        Group.objects.get(name="Editors").permissions.values_list("codename", flat=True)
    )
    assert {"view_story", "change_story"} <= codenames
    assert "delete_story" not in codenames


def index_rows():
    keys = sorted(StoryKey.objects.values_list("article_id", "key", "language", "published_at"))
    fingerprints = sorted(
        StoryFingerprint.objects.values_list("article_id", "signature", "terms", "published_at")
    )
    return keys, fingerprints


def test_rebuilding_the_story_index_rewrites_it_and_keeps_the_stories(labelled_articles):
    stored = labelled_articles("az")
    lead = stored[0][0]
    Story.objects.filter(pk=lead.story_id).update(lead_chosen=True)  # an editor's choice
    stories_before = sorted(Story.objects.values_list("pk", "lead_article_id", "lead_chosen"))
    members_before = sorted(Article.objects.values_list("pk", "story_id"))
    index_before = index_rows()
    # An index of older rules: fingerprints without the texts' dates and names, keys missing.
    StoryKey.objects.filter(article_id__in=[a.pk for a, _event in stored[::2]]).delete()
    StoryFingerprint.objects.update(signature="", terms={"words": {}, "names": []})

    out = io.StringIO()
    call_command("rebuild_story_index", "--batch-size", "7", stdout=out)

    assert f"Rebuilt the story index of {len(stored)} articles." in out.getvalue()
    assert index_rows() == index_before
    assert sorted(Story.objects.values_list("pk", "lead_article_id", "lead_chosen")) == (
        stories_before
    )
    assert sorted(Article.objects.values_list("pk", "story_id")) == members_before
    assert not Article.objects.exclude(status=Article.Status.PUBLISHED).exists()


def test_rebuilding_the_story_index_refuses_a_batch_of_none(db):
    with pytest.raises(CommandError, match="--batch-size"):
        call_command("rebuild_story_index", "--batch-size", "0")
