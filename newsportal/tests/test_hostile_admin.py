"""What the sweep (test_fuzz_sweep.py) found in the admin: NUL bytes in change-list filters
(a 500 on PostgreSQL), ids that are no ids in an add form's address and in an article's history
address (a 500 on both databases)."""

import pytest
from django.contrib.messages import get_messages

from comments.models import Comment

NUL_AZ = "Ünvanda axtarıla bilməyən simvol (NUL baytı) var idi, ona görə süzgəcləri götürdük."
NUL_RU = "В адресе был символ, по которому нельзя искать (байт NUL), поэтому фильтры убраны."


@pytest.fixture
def desk(client, editor, make_article):
    client.force_login(editor)
    return client


@pytest.mark.parametrize(
    "path, message",
    [
        ("/admin/articles/article/?status__exact=%00&q=xeber", NUL_AZ),
        ("/ru/admin/comments/comment/?status__exact=a%00b", NUL_RU),
        ("/admin/articles/source/?kind__exact=%00", NUL_AZ),
    ],
)
def test_a_nul_byte_in_a_change_list_filter_is_dropped_with_a_message(desk, path, message):
    response = desk.get(path)

    assert response.status_code == 302
    assert response["Location"] == path.split("?")[0]
    assert [str(each) for each in get_messages(response.wsgi_request)] == [message]
    assert desk.get(response["Location"]).status_code == 200


def test_filters_without_nul_bytes_are_kept(desk, make_article):
    make_article(title="Süzgəcdən keçən xəbər")

    response = desk.get("/admin/articles/article/?status__exact=published")

    assert response.status_code == 200
    assert "Süzgəcdən keçən xəbər" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    ["tags=%FF%FE", "tags=1,x", "translation_link=%ED%A0%80", "translation_link=-1"],
)
def test_an_add_form_ignores_ids_in_its_address_that_are_no_ids(desk, query):
    response = desk.get(f"/admin/articles/article/add/?{query}&title=Yeni")

    assert response.status_code == 200
    assert 'value="Yeni"' in response.content.decode()  # the rest of the address still fills


def test_a_pick_is_still_prefilled_with_a_real_article(admin_client, make_article):
    article = make_article(title="Seçilən xəbər")

    ok = admin_client.get(f"/admin/articles/frontpagepick/add/?article={article.pk}")
    bad = admin_client.get("/admin/articles/frontpagepick/add/?article=%FF%FE")

    assert ok.status_code == bad.status_code == 200
    assert "Seçilən xəbər" in ok.content.decode()


@pytest.mark.parametrize("object_id", ["abc", "%FF%FE", "..%2F..%2Fetc", "x" * 300])
def test_the_history_of_an_id_that_is_no_id_is_not_found(desk, object_id):
    assert desk.get(f"/admin/articles/article/{object_id}/history/").status_code == 404


def test_the_history_of_an_article_still_opens(desk, make_article):
    article = make_article(title="Tarixçəsi olan xəbər")

    response = desk.get(f"/admin/articles/article/{article.pk}/history/")

    assert response.status_code == 200
    assert "Tarixçəsi olan xəbər" in response.content.decode()
    assert Comment.objects.count() == 0
