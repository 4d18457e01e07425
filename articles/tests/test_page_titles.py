import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/most-read/", "Ən çox oxunanlar · Icma.az"),
        ("/ru/most-read/", "Самое читаемое · Icma.az"),
        ("/stories/", "Ən çox müzakirə olunan hadisələr · Icma.az"),
        ("/ru/stories/", "Самые обсуждаемые события · Icma.az"),
    ],
)
def test_list_pages_name_the_site_like_every_other_page(client, path, title):
    # Every page's title ends "· Icma.az"; these two once said "| Icma.az".
    html = client.get(path).content.decode()
    assert f"<title>{title}</title>" in html
