"""The header's links and menu are shared fragments (`{% shared_piece %}`): cached by one page,
the header stays right on every other page, for every reader and in each language."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache


@pytest.fixture(autouse=True)
def cached(settings, db):
    settings.FRAGMENT_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def menu(response):
    html = response.content.decode()
    return html[html.index('<header class="site-header"') : html.index("</header>")]


def test_each_reader_keeps_their_own_links_in_the_cached_header(client, make_article):
    first, second = make_article(title="Birinci xəbər"), make_article(title="İkinci xəbər")
    client.get(first.get_absolute_url())

    anonymous = menu(client.get(second.get_absolute_url()))
    client.force_login(get_user_model().objects.create_user("oxucu", password="parol-12345"))
    reader = menu(client.get(first.get_absolute_url()))

    assert f'href="/accounts/login/?next={second.get_absolute_url()}"' in anonymous
    assert "Daxil ol" in anonymous and "Hesabdan çıx" not in anonymous
    assert "Hesabdan çıx" in reader and "Daxil ol" not in reader
    assert f'name="next" value="{first.get_absolute_url()}"' in reader


def test_each_language_has_its_own_cached_header(client, politics, make_article):
    az_article = make_article(title="Bakıda külək")
    ru_article = make_article(title="Ветер в Баку", language="ru")
    client.get(az_article.get_absolute_url())

    ru = menu(client.get(ru_article.get_absolute_url()))
    az = menu(client.get("/"))

    assert 'href="/ru/category/siyaset/">Политика' in ru and "Поиск" in ru
    assert 'class="lang-switch" href="/" hreflang="az"' in ru
    assert 'href="/category/siyaset/">Siyasət' in az and "Axtarış" in az
    assert 'class="lang-switch" href="/ru/" hreflang="ru"' in az
