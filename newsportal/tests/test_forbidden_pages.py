"""The 403 pages: a permission error and a refused form, in the site's layout and language."""

import pytest
from django.test import Client

PAGES = {
    "az": {
        "prefix": "",
        "lang": '<html lang="az"',
        "denied": "Giriş qadağandır",
        "denied_text": "Bu səhifəni açmağa icazəniz yoxdur.",
        "csrf": "Forma göndərilmədi",
        "csrf_text": "Geri qayıdın, səhifəni yeniləyin və formanı yenidən göndərin.",
        "layout": "Son xəbərlər",
    },
    "ru": {
        "prefix": "/ru",
        "lang": '<html lang="ru"',
        "denied": "Доступ запрещён",
        "denied_text": "У вас нет прав на просмотр этой страницы.",
        "csrf": "Форма не отправлена",
        "csrf_text": "Вернитесь назад, обновите страницу и отправьте форму ещё раз.",
        "layout": "Последние новости",
    },
}


@pytest.mark.parametrize("language", PAGES)
def test_permission_error_is_a_403_page_in_the_layout_and_language(client, editor, language):
    expected = PAGES[language]
    client.force_login(editor)  # staff, but not allowed to manage user accounts

    response = client.get(f"{expected['prefix']}/admin/auth/user/")

    html = response.content.decode()
    assert response.status_code == 403
    assert expected["lang"] in html
    assert f"<h1>{expected['denied']}</h1>" in html
    assert expected["denied_text"] in html
    assert expected["layout"] in html  # the site's sidebar: our layout, not a bare page
    assert "403 Forbidden" not in html


@pytest.mark.parametrize("language", PAGES)
def test_refused_form_is_a_403_page_in_the_layout_and_language(db, language):
    expected = PAGES[language]
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(
        f"{expected['prefix']}/accounts/login/", {"username": "x", "password": "y"}
    )

    html = response.content.decode()
    assert response.status_code == 403
    assert expected["lang"] in html
    assert f"<h1>{expected['csrf']}</h1>" in html
    assert expected["csrf_text"] in html
    assert expected["layout"] in html
    assert "CSRF" not in html
