"""Every page of ours, public and admin, speaks one language: no Azerbaijani on Russian pages,
no English on Azerbaijani ones.

The content (titles, bodies, names) is what editors and readers wrote; it is cut out of the page
before the interface text is judged, so only our own and Django's words remain.
"""

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from articles.importers import feeds
from articles.models import Article, Category, DailyViews, ImportStatus, Source
from articles.tests.factories import bulk_articles
from articles.tests.pages import NO_GALLERY
from comments.models import Comment, CommentBan
from newsportal import accounts
from newsportal import views as project_views

AZ_LETTERS = re.compile("[əğışƏĞİŞ]")
# Words of Django's and our interface that an Azerbaijani page must not show in English.
ENGLISH_WORDS = {
    "Add", "Change", "Changed", "Save", "Delete", "Search", "History", "Log", "Logout", "Password",
    "Username", "View", "Home", "Filter", "Select", "Action", "Actions", "Go", "Yes", "No", "All",
    "Unknown", "Today", "Now", "Clear", "Show", "Hide", "Users", "Groups", "Group", "Recent",
    "Welcome", "Documentation", "Edit", "Remove", "Name", "Title", "Body", "Date", "Time", "By",
    "Editors", "Access", "Attempts", "Attempt", "Failure", "Failures", "Logs", "failed", "feed",
    "the", "of", "and", "to", "is", "has", "not", "no", "entries", "import", "error", "Error",
    "Page", "Not", "Found", "Forbidden", "Reset", "Sign", "Staff", "Active", "Superuser",
    "Permissions", "Important", "dates", "Personal", "info", "Email", "address", "First", "last",
    "Last", "login", "joined", "status", "Status", "Source", "Article", "Articles", "Category",
    "Comment", "Comments", "views", "Views", "day", "Day", "with", "this", "for", "new", "item",
}  # fmt: skip
# Brand and protocol names that read the same in every language.
ALLOWED = {"Icma.az", "RSS", "Atom", "ETag", "Last-Modified", "HTML", "URL", "MB", "ID"}
# capfirst("istifadəçi") is "Istifadəçi": Azerbaijani capitalises i as İ.
AZ_DOTLESS_CAPITALS = re.compile(r"\bI(stifad|dxal|stinad|caz|darə|mtina|nternet|lk\b)")
# Whole words only: "is" of the Azerbaijani "isə" is no English.
ENGLISH_WORD = re.compile(r"(?<![^\W\d_])[A-Za-z][A-Za-z'’-]*(?![^\W\d_])")
LABEL = re.compile(r"<label[^>]*>\s*([^<]*)<")
COLUMN_HEADER = re.compile(
    r'<th scope="col"[^>]*>\s*(?:<div class="text">\s*(?:<a[^>]*>|<span>)?)?([^<]*)<'
)


def lower_case_labels(html):
    """Return form labels and column headers that start with a small letter ("tərcümə:")."""
    texts = LABEL.findall(html) + COLUMN_HEADER.findall(html)
    return [f"label: {text.strip()}" for text in texts if text.strip()[:1].islower()]


class VisibleText(HTMLParser):
    """Collect what a reader sees or hears: text, and the attributes shown or read aloud."""

    SKIP = {"script", "style", "template"}
    SHOWN_ATTRIBUTES = {"title", "placeholder", "alt", "aria-label"}

    def __init__(self):
        super().__init__()
        self.parts, self._skipping = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skipping += 1
        attributes = dict(attrs)
        self.parts += [value for name, value in attrs if name in self.SHOWN_ATTRIBUTES and value]
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self.parts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self._skipping = max(0, self._skipping - 1)

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


# django-axes names its records in English in code ("Attempted Access: <time>"), with no msgid
# to translate; like content, those names are cut out.
AXES_RECORD_NAMES = re.compile(r"(Attempted Access: |Access Log for ).*?\+00:00")


def visible_text(html, content):
    parser = VisibleText()
    parser.feed(html)
    text = AXES_RECORD_NAMES.sub(" ", " \n ".join(parser.parts))
    for value in sorted(content, key=len, reverse=True):
        # Whole words only: the username "oxucu" must not hide the interface's "oxuculara".
        text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", " ", text)
    return text


def world(language):
    """Create one of everything our pages show, written in `language`; return the content."""
    russian = language == "ru"
    editor_name, reader_name = "redaktor", "oxucu"
    category = Category.objects.create(name_az="İdman", name_ru="Спорт", slug="idman", position=1)
    source = Source.objects.create(
        name="525.az", slug="525-az", kind=Source.Kind.PORTAL, homepage="https://525.az",
        language=language, feed_url="https://525.az/rss",
        last_status=ImportStatus.FAILED, last_attempt_at=timezone.now(),
    )  # fmt: skip
    # The importer's own words for a failed import, as the admin shows them.
    report = feeds.SourceReport(source)
    try:
        feeds.parse_feed(b"<rss><channel></channel></rss>")
    except feeds.FeedError as error:
        report.status, report.error = ImportStatus.FAILED, error.message
    feeds._record(source, report)
    title = "Морозы в Баку продолжатся" if russian else "Bakıda şaxta davam edəcək"
    body = (
        "Синоптики предупреждают о морозах." if russian else "Sinoptiklər şaxta barədə xəbər verir."
    )
    article = Article.objects.create(
        language=language, title=title, slug="frost", label="FOTO", lead=body,
        body=f"<p>{body}</p>", category=category, source=source,
        source_url="https://525.az/news/1", archived_at=datetime(2026, 1, 20, 8, 24, tzinfo=UTC),
        status=Article.Status.PUBLISHED, published_at=timezone.now() - timedelta(hours=1),
        author_name="Fuad", author_position=body, image_caption=body, views=5,
    )  # fmt: skip
    DailyViews.objects.create(article=article, day=timezone.localdate(), views=5)
    users = get_user_model().objects
    superuser = users.create_superuser(editor_name, "redaktor@example.com", "s3cret-pass-1")
    reader = users.create_user(reader_name, "oxucu@example.com", "s3cret-pass-2")
    comment_text = "Хорошая новость" if russian else "Yaxşı xəbərdir"
    comment = Comment.objects.create(article=article, author=reader, body=comment_text)
    Article.objects.filter(pk=article.pk).update(comment_count=1)
    CommentBan.objects.create(user=reader, reason=comment_text, created_by=superuser)
    AccessAttempt.objects.create(
        username=reader_name, ip_address="127.0.0.1", user_agent="Firefox", failures_since_start=2
    )
    AccessLog.objects.create(username=reader_name, ip_address="127.0.0.1", user_agent="Firefox")
    AccessFailureLog.objects.create(
        username=reader_name, ip_address="127.0.0.1", user_agent="Firefox"
    )
    Group.objects.get_or_create(name="Editors")
    content = {
        title, body, comment_text, "Fuad", editor_name, reader_name, "redaktor@example.com",
        "oxucu@example.com", "525.az", "İdman", "Спорт", "FOTO", "Firefox", "frost", "idman",
        "525-az",
    }  # fmt: skip
    return superuser, article, comment, content


def admin_pages(article, user):
    """Return every admin page: index, statistics, and each model's list, add and change."""
    pages = [reverse("admin:index"), reverse("admin:articles_article_statistics")]
    pages += [
        reverse("admin:password_change"),
        reverse("admin:articles_article_history", args=[article.pk]),
    ]
    pages.append(reverse("admin:articles_article_delete", args=[article.pk]))
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        request = RequestFactory().get("/")
        request.user = user
        if model_admin.has_add_permission(request):
            pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
            )
    return pages


def public_pages(article, comment):
    today = timezone.localdate()
    return [
        reverse("home"),
        article.get_absolute_url(),
        reverse("articles:source", args=["525-az"]),
        reverse("articles:category", args=["idman"]),
        reverse("articles:label", args=["foto"]),
        reverse("articles:archive_month", args=[f"{today:%Y}", f"{today:%m}"]),
        reverse("articles:archive_month", args=["2026", "01"]),
        reverse("articles:archive_day", args=[f"{today:%Y}", f"{today:%m}", f"{today:%d}"]),
        reverse("articles:archive_day", args=["2026", "01", "14"]),
        reverse("articles:search") + "?q=xyzzy",
        reverse("articles:search"),
        reverse("articles:most_read"),
        reverse("comments:remove", args=[comment.pk]),
        reverse("password_change"),
        reverse("password_change_done"),
        ("/ru" if translation.get_language() == "ru" else "") + "/no-such-page/",
    ]


def anonymous_pages():
    return [
        reverse("login"),
        reverse("signup"),
        reverse("password_reset"),
        reverse("password_reset_done"),
        reverse("password_reset_confirm", args=["MQ", "set-password"]),
        reverse("password_reset_complete"),
        reverse("admin:login"),
    ]


def rendered_pages(client, language):
    """Yield (address, html) for every page, rendered in `language`."""
    with translation.override(language):
        superuser, article, comment, content = world(language)
        # The history shows what changed, in the field's own words.
        client.force_login(superuser)
        edit_body(client, article)
        pages = public_pages(article, comment) + admin_pages(article, superuser)
        anonymous = anonymous_pages()
    for page in pages:
        response = client.get(page)
        assert response.status_code in (200, 404), (page, response.status_code)
        yield page, response.content.decode(), content
    client.post(reverse("logout"))
    for page in anonymous:
        response = client.get(page)
        assert response.status_code == 200, (page, response.status_code)
        yield page, response.content.decode(), content
    # Pages rendered outside the usual request path: errors, the database outage, a lockout.
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with translation.override(language):
        yield "500", project_views.server_error(request).content.decode(), content
        for name in ("400.html", "413.html", "503.html"):
            yield name, render_to_string(name, request=request), content
        yield "lockout", accounts.lockout_response(request).content.decode(), content


def edit_body(client, article):
    """Change the article's text through the admin, so its history has a line to show."""
    url = reverse("admin:articles_article_change", args=[article.pk])
    form = client.get(url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value in (None, False) or name == "image":
            continue
        if isinstance(value, datetime):
            local = timezone.localtime(value)
            data[f"{name}_0"], data[f"{name}_1"] = f"{local:%Y-%m-%d}", f"{local:%H:%M:%S}"
        else:
            data[name] = value
    data["body"] = article.body + "<p>.</p>"
    data.update(NO_GALLERY)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert LogEntry.objects.filter(object_id=str(article.pk)).exists()


@pytest.mark.django_db
def test_russian_pages_show_no_azerbaijani_or_english(client):
    found = {}
    for page, html, content in rendered_pages(client, "ru"):
        text = visible_text(html, content)
        for token in ALLOWED:
            text = text.replace(token, " ")
        lines = [
            line.strip()
            for line in text.splitlines()
            if AZ_LETTERS.search(line) or set(ENGLISH_WORD.findall(line)) & ENGLISH_WORDS
        ] + lower_case_labels(html)
        if lines:
            found[page] = lines
    assert not found, "\n".join(f"{page}: {lines}" for page, lines in found.items())


@pytest.mark.django_db
def test_azerbaijani_pages_show_no_english(client):
    found = {}
    for page, html, content in rendered_pages(client, "az"):
        text = visible_text(html, content)
        for token in ALLOWED:
            text = text.replace(token, " ")
        lines = [
            line.strip()
            for line in text.splitlines()
            if set(ENGLISH_WORD.findall(line)) & ENGLISH_WORDS or AZ_DOTLESS_CAPITALS.search(line)
        ] + lower_case_labels(html)
        if lines:
            found[page] = lines
    assert not found, "\n".join(f"{page}: {lines}" for page, lines in found.items())


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "line"), [("az", "Mətn"), ("ru", "Текст")])
def test_admin_history_names_the_changed_fields_in_the_page_language(client, language, line):
    with translation.override(language):
        superuser, article, _comment, _content = world(language)
        client.force_login(superuser)
        edit_body(client, article)
        history = reverse("admin:articles_article_history", args=[article.pk])

    html = client.get(history).content.decode()

    assert line in html  # the history's one line: "<fields> dəyişdirildi." / "Изменено <fields>."
    assert "Body" not in html


def form_labels():
    """Return the English label of every field of every admin form, as the history stores it."""
    request = RequestFactory().get("/")
    request.user = get_user_model()(is_superuser=True, is_staff=True, is_active=True)
    labels = set()
    with translation.override(None):
        for model, model_admin in admin.site._registry.items():
            instance = model()
            for obj in (None, instance):
                form = model_admin.get_form(request, obj)
                labels |= {str(field.label) for field in form.base_fields.values()}
    return labels - {"ETag", "Last-Modified", "ID"}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["az", "ru"])
def test_every_admin_form_label_has_a_translation(language):
    with translation.override(language):
        untranslated = sorted(
            label for label in form_labels() if translation.gettext(label) == label
        )

    assert untranslated == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "count", "text"),
    [("az", 21, "21 qeyd"), ("ru", 21, "21 запись"), ("ru", 2, "2 записи"), ("ru", 5, "5 записей")],
)
def test_admin_list_counts_agree_with_the_number(admin_client, language, count, text):
    bulk_articles(count)
    with translation.override(language):
        url = reverse("admin:articles_article_changelist")

    html = client_text(admin_client.get(url))

    assert text in html


def client_text(response):
    return " ".join(visible_text(response.content.decode(), ()).split())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "source_title", "category_title"),
    [
        ("az", "Icma.az: 525.az xəbərləri", "Icma.az: İdman xəbərləri"),
        ("ru", "Icma.az: новости 525.az", "Icma.az: рубрика «Спорт»"),
    ],
)
def test_feed_titles_are_in_the_feed_language(client, language, source_title, category_title):
    world(language)
    with translation.override(language):
        source_feed = reverse("articles:source-rss", args=["525-az"])
        category_feed = reverse("articles:category-rss", args=["idman"])

    assert f"<title>{source_title}</title>" in client.get(source_feed).content.decode()
    assert f"<title>{category_title}</title>" in client.get(category_feed).content.decode()
