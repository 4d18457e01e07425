"""The reader's pages in headless Chromium at phone and desktop widths, with and without JS."""

import pytest
from playwright.sync_api import expect

from comments.services import post_comment

pytestmark = [
    pytest.mark.browser,
    # live_server serves from another thread, so the data must be committed; the serialized
    # rollback puts back what migrations created for the tests after these.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 360, "height": 800}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def site(live_server, seeded, django_user_model):
    """The demo content with a comment and a reply; return the pages to look at."""
    reader = django_user_model.objects.create_user("oxucu", password="Qarabag-2026-bahar")
    first = post_comment(author=reader, article=seeded, body="Çox maraqlı yazıdır.")
    post_comment(author=reader, article=seeded, body="Razıyam.", reply_to=first.pk)
    return {
        "home": f"{live_server.url}/",
        "article": f"{live_server.url}{seeded.get_absolute_url()}",
        "source": f"{live_server.url}{seeded.source.get_absolute_url()}",
        "search": f"{live_server.url}/search/?q=Az%C9%99rbaycan",
        "home-ru": f"{live_server.url}/ru/",
    }


def open_page(browser, url, viewport, **options):
    context = browser.new_context(viewport=viewport, **options)
    page = context.new_page()
    page.goto(url)
    return page


@pytest.mark.parametrize("name", ["home", "article", "source", "search", "home-ru"])
def test_phone_pages_do_not_scroll_sideways_and_read_comfortably(browser, site, name):
    page = open_page(browser, site[name], PHONE)

    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 16
    overflowing = page.evaluate(
        """() => [...document.images].filter(
            img => img.getBoundingClientRect().right > window.innerWidth + 0.5).length"""
    )
    assert overflowing == 0


@pytest.mark.parametrize("name", ["home", "article"])
def test_tap_targets_are_at_least_44_pixels(browser, site, name):
    page = open_page(browser, site[name], PHONE)
    page.click("[data-menu-toggle]")

    small = page.evaluate(
        """() => [...document.querySelectorAll(
              '.header-bar a, .site-menu a, .site-menu button, .news-title, .button, '
              + '.login-prompt a')]
            .filter(el => el.offsetParent !== null)
            .map(el => [el.textContent.trim().slice(0, 40), el.getBoundingClientRect()])
            .filter(([, box]) => box.height < 44 || box.width < 44)
            .map(([text, box]) => `${text}: ${Math.round(box.width)}x${Math.round(box.height)}`)"""
    )
    assert small == []


def test_blocks_sit_beside_the_article_on_wide_screens_and_after_it_on_phones(browser, site):
    wide = open_page(browser, site["article"], DESKTOP)
    main, aside = wide.locator("main").bounding_box(), wide.locator("aside").bounding_box()
    assert aside["x"] >= main["x"] + main["width"]
    assert abs(aside["y"] - main["y"]) < 50

    phone = open_page(browser, site["article"], PHONE)
    main, aside = phone.locator("main").bounding_box(), phone.locator("aside").bounding_box()
    assert aside["y"] >= main["y"] + main["height"]


def test_menu_toggle_opens_and_closes_the_menu_on_phones(browser, site):
    page = open_page(browser, site["home"], PHONE)
    menu, toggle = page.locator("#site-menu"), page.locator("[data-menu-toggle]")

    expect(menu).to_be_hidden()
    toggle.click()
    expect(menu).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    toggle.click()
    expect(menu).to_be_hidden()


def test_menu_opens_without_javascript(browser, site):
    page = open_page(browser, site["home"], PHONE, java_script_enabled=False)

    expect(page.locator("#site-menu")).to_be_hidden()
    page.locator("[data-menu-toggle]").click()
    expect(page.locator("#site-menu")).to_be_visible()
    expect(page.locator("#site-menu").get_by_role("link", name="Ana səhifə")).to_be_visible()


def test_scroll_up_button_appears_after_scrolling_and_goes_back_to_the_top(browser, site):
    page = open_page(browser, site["article"], PHONE)
    up = page.locator("[data-scroll-up]")

    expect(up).to_be_hidden()
    page.mouse.wheel(0, 3000)
    expect(up).to_be_visible()
    up.click()
    page.wait_for_function("() => window.scrollY === 0")


def test_keyboard_focus_is_visible(browser, site):
    page = open_page(browser, site["home"], DESKTOP)

    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => { const el = document.activeElement, style = getComputedStyle(el);
                   return [el.className, style.outlineStyle, parseFloat(style.outlineWidth)]; }"""
    )
    assert focused[0] == "skip-link"
    assert focused[1] != "none" and focused[2] >= 2
    expect(page.locator(".skip-link")).to_be_in_viewport()


def test_print_keeps_the_article_and_its_source_only(browser, site):
    page = open_page(browser, site["article"], DESKTOP)
    page.emulate_media(media="print")

    for hidden in (".site-header", "aside", "#comments", ".site-footer"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator("h1")).to_be_visible()
    printed_url = page.evaluate(
        "getComputedStyle(document.querySelector('.source-link'), '::after').content"
    )
    assert "525.az" in printed_url
