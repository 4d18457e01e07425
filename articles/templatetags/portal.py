import functools

from django import template
from django.conf import settings
from django.template.loader import get_template
from django.urls import get_script_prefix, get_urlconf, reverse, translate_url
from django.utils import formats, timezone, translation
from django.utils.encoding import iri_to_uri
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import ngettext

from articles import stories, text
from articles.caching.fragments import ARTICLE_PARTS, PageFragments
from articles.models import Article, FrontPagePick, current_language

register = template.Library()


@register.filter
def portal_date(value):
    """Format a datetime as the portal does, in Baku time: `20 Oktyabr 2025 12:24`."""
    if not value:
        return ""
    return text.format_datetime(value, current_language())


@register.filter
def iso_datetime(value):
    """Format a datetime for machines (`<time datetime>`, metadata): ISO 8601, whole seconds."""
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


@register.filter
def attribution(article):
    return article.attribution(settings.SITE_NAME)


@register.simple_tag
def icon(name):
    """Return one of the inline SVG icons of includes/icon.html (rendered once per name)."""
    return _icon(name)


@functools.cache
def _icon(name):
    return mark_safe(get_template("includes/icon.html").render({"name": name}))


@register.simple_tag
def list_item(item, show_sources=False):
    """Render one article of a list (blocks, list pages, the front page's picks).

    Written in Python rather than an included template: twenty or more per page, an include's
    context and nodes cost more than the rest of a list page.
    """
    label = format_html(' <span class="label">{}</span>', item.display_label) if item.label else ""
    sources = ""
    if show_sources and item.story and item.story.other_sources:
        counter = item.story.other_sources
        sources = format_html(
            ' <span class="story-sources">{}</span>',
            ngettext("+%(counter)s source", "+%(counter)s sources", counter) % {"counter": counter},
        )
    return format_html(
        '<li class="news-item">\n  <a class="news-title" href="{}">{}{}</a>\n'
        '  <span class="news-meta"><time datetime="{}">{}</time> <span class="views">{}{}</span>'
        "{}</span>\n</li>\n",
        item.get_absolute_url(),
        item.title,
        label,
        iso_datetime(item.published_at),
        portal_date(item.published_at),
        _icon("see"),
        formats.localize(item.views),
        sources,
    )


@register.simple_tag
def fixed_url(name):
    """Return `{% url name %}` of a route without arguments, resolved once per language (the
    header and footer of every page hold ten of them)."""
    return _fixed_url(name, translation.get_language(), get_script_prefix(), get_urlconf())


@functools.lru_cache(maxsize=256)
def _fixed_url(name, _language, _script_prefix, _urlconf):
    return reverse(name)


def page_fragments(context):
    """Return the page's cached pieces, passed along in the context (articles/caching/)."""
    return context.get("fragments") or PageFragments(context.get("request"))


@register.tag
def shared_piece(parser, token):
    """`{% shared_piece "name" %}…{% endshared_piece %}`: HTML that is the same on every page of
    a language (the header's links and menu, nothing of the reader or the page in it), kept as
    a shared fragment (SHARED_FRAGMENTS) until the language's articles change.

    The header was a fifth of a cached article page's CPU (README "The long tail").
    """
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f'{bits[0]} takes the name of a piece: "name"')
    nodelist = parser.parse(("endshared_piece",))
    parser.delete_first_token()
    return SharedPieceNode(bits[1].strip("\"'"), nodelist)


class SharedPieceNode(template.Node):
    def __init__(self, name, nodelist):
        self.name, self.nodelist = name, nodelist

    def render(self, context):
        html = page_fragments(context).get(self.name, lambda: self.nodelist.render(context))
        return mark_current_link(html, context.get("request"))


def mark_current_link(html, request):
    """Give the piece's link to the page being shown `aria-current="page"`.

    The piece is shared by every page, so it is cached without it; a link written
    `<a href="…">` (the menu's items) to this very path is marked as the page is served.
    """
    if request is None:
        return html
    link = f'<a href="{escape(iri_to_uri(request.path))}"'
    return mark_safe(html.replace(f"{link}>", f'{link} aria-current="page">', 1))


def _block(context, name, template_name, articles):
    """Render a sidebar block, or take it from the fragment cache."""

    def render():
        return get_template(template_name).render({"articles": articles()})

    return mark_safe(page_fragments(context).get(name, render))


@register.simple_tag(takes_context=True)
def most_read_block(context):
    """Render "Günün ən çox oxunanları": the most viewed articles of the last two days."""
    return _block(context, "most_read", "includes/most_read_block.html", Article.objects.most_read)


@register.simple_tag(takes_context=True)
def latest_news_block(context):
    """Render "Son xəbərlər": the newest articles."""
    return _block(
        context, "latest_news", "includes/latest_news_block.html", Article.objects.latest_news
    )


@register.simple_tag(takes_context=True)
def front_page(context):
    """Render the home page's main headline and the editors' picks (nothing without picks)."""

    def render():
        picks = list(FrontPagePick.objects.current())
        main = next((pick for pick in picks if pick.is_main), None)
        rest = [pick for pick in picks if not pick.is_main][: FrontPagePick.MAX_PICKS]
        if main is None and not rest:
            return ""
        return get_template("includes/front_page.html").render({"main": main, "picks": rest})

    return mark_safe(page_fragments(context).get("front_page", render))


# The live view count is put into an article part's cached HTML in place of this mark (no text
# of an article can hold it: titles and leads are escaped, bodies sanitised without comments).
VIEWS_MARK = "<!--views-->"


@register.simple_tag(takes_context=True)
def article_part(context, name):
    """Render a part of the article page from the fragment cache, with the live view count.

    Cached per article, language and host until the language's articles change; previews of
    drafts, scheduled articles and pending changes are rendered afresh every time.
    """
    article = context["article"]

    def render():
        template = context.template.engine.get_template(ARTICLE_PARTS[name])
        with context.push(views=mark_safe(VIEWS_MARK)):
            return template.render(context)

    if not article.is_visible or context.get("preview"):
        html = render()
    else:
        html = page_fragments(context).article_part(article.pk, name, render)
    return mark_safe(html.replace(VIEWS_MARK, formats.localize(article.views), 1))


@register.simple_tag(takes_context=True)
def page_alternates(context):
    """Return the page's address in each language that has it, for hreflang links."""
    request = context["request"]
    article = context.get("article")
    if article is not None:
        versions = [article]
        counterpart = article.translated
        if counterpart is not None and counterpart.is_visible:
            versions.append(counterpart)
        paths = {version.language: version.get_absolute_url() for version in versions}
    else:
        paths = {code: _translated(request.path, code) for code, _name in settings.LANGUAGES}
    origin = f"{request.scheme}://{request.get_host()}"
    return [{"code": code, "url": origin + path} for code, path in paths.items()]


@register.simple_tag(takes_context=True)
def other_language(context):
    """Return (code, label, url) of the language switch: the same page in the other language.

    For an article that is its linked translation, else the other language's home page.
    """
    other = "ru" if current_language() == "az" else "az"
    article = context.get("article")
    if article is not None:
        counterpart = article.translated
        if counterpart is not None and counterpart.language == other and counterpart.is_visible:
            url = counterpart.get_absolute_url()
        else:
            with translation.override(other):
                url = reverse("home")
    else:
        request = context.get("request")
        if request:
            path, mark, query = request.get_full_path().partition("?")
            url = _translated(path, other) + mark + query
        else:
            url = "/"
    return {"code": other, "label": other.upper(), "url": url}


def _translated(path, language):
    """Return translate_url() of a path without its query: the same page in `language`.

    Kept per path (each resolves the path and reverses it, three times a page); resolving
    depends on the active language, hence part of the key.
    """
    return _translate_path(
        path, language, translation.get_language(), get_script_prefix(), get_urlconf()
    )


@functools.lru_cache(maxsize=1024)
def _translate_path(path, language, _active, _script_prefix, _urlconf):
    return translate_url(path, language)


@register.filter
def related_articles(article):
    """Return "Oxşar xəbərlər": up to five published articles like this one."""
    return Article.objects.related_to(article)


@register.simple_tag
def story_sources(article):
    """Return the other sources' versions of the article's story (one query; cached with the
    article part that shows them)."""
    return stories.other_versions(article)
