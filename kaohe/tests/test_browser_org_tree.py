"""End to end in headless Chromium: sign in, change the one-time password, browse the tree."""

import pytest

from kaohe.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base, username, password=PASSWORD):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_a_new_user_changes_password_then_expands_the_tree(city, live_server, page):
    city.staff_a.must_change_password = True
    city.staff_a.save()
    _sign_in(page, live_server.url, "staff_a")
    page.wait_for_url("**/accounts/password/")
    page.fill("input[name=old_password]", PASSWORD)
    page.fill("input[name=new_password]", "Fresh-pass-2026!")
    page.fill("input[name=new_password2]", "Fresh-pass-2026!")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.click("text=组织架构")
    page.wait_for_url("**/orgs/")
    tree = page.locator("#org-tree")
    assert "企业A党委" in tree.inner_text() and "企业B党委" not in tree.inner_text()
    # The scope's second level is shown; nothing deeper is loaded until asked for.
    assert "企业A第一党支部" in tree.inner_text()


def test_htmx_loads_deeper_levels_on_demand(city, live_server, page):
    _sign_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/orgs/")
    tree = page.locator("#org-tree")
    assert "企业A第一党支部" not in tree.inner_text()
    page.click("[hx-get='/orgs/EA/children/']")
    page.wait_for_selector("text=企业A第一党支部")
    page.click("text=企业A第一党支部")
    page.wait_for_url("**/orgs/EA-B1/")
    assert "张a" in page.inner_text("main")


def test_a_loaded_level_folds_and_unfolds_without_asking_again(city, live_server, page):
    _sign_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/orgs/")
    toggle = page.locator("[hx-get='/orgs/EA/children/']")
    with page.expect_response("**/orgs/EA/children/"):
        toggle.click()
    branch = page.locator("#org-tree a", has_text="企业A第一党支部")
    branch.wait_for(state="visible")  # the response arrives a moment before htmx swaps it in
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    toggle.click()
    assert branch.is_hidden()
    toggle.click()
    assert branch.is_visible() and requests == []


def test_pages_load_nothing_from_outside_and_break_no_policy(city, live_server, page):
    seen: list[str] = []
    problems: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    _sign_in(page, live_server.url, "admin")
    for path in ("/", "/orgs/", "/orgs/people/", "/orgs/EA/", "/api/v1/docs"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    outside = [u for u in seen if not u.startswith(live_server.url) and not u.startswith("data:")]
    assert seen and outside == []
    # A Content-Security-Policy violation or a failed asset shows up as a console error.
    assert problems == []


def test_english_is_one_click_away(city, live_server, page):
    _sign_in(page, live_server.url, "viewer_a")
    page.wait_for_url(f"{live_server.url}/")
    page.click("button:has-text('English')")
    page.wait_for_selector("button:has-text('中文')")
    assert "Organisation" in page.inner_text("nav.kh-sidebar, aside")
