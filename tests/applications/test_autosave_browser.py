"""Autosave in a real browser (issue 17, "Autosave: never lose a word").

Debian's Chromium through Playwright against pytest-django's live server, as tests/system/test_e2e_year.py:
type and wait → the text is on the server after a reload; offline → the text stays in the browser
and is offered back when the page opens again; two tabs → the conflict page with both texts.
Any console error, uncaught page error or CSP violation fails the test.
"""

import re
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import ApplicantFactory, ApplicationFactory
from tests.system.test_e2e_year import CSP_WATCH, TIMEOUT_MS, Console, chromium  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED = re.compile(r"已自动保存 \d\d:\d\d")
# The background texts the browser keeps under keys starting with the argument.
KEPT = """prefix => Object.keys(localStorage).filter(k => k.startsWith(prefix))
    .map(k => JSON.parse(localStorage.getItem(k)).values.background).filter(Boolean)"""


@pytest.fixture
def console():
    watcher = Console()
    yield watcher
    watcher.check()


@pytest.fixture
def draft(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    app = ApplicationFactory(background="原来的背景。", objectives="原来的目标。")
    user = ApplicantFactory(organisation=app.organisation)
    return app, user


def signed_in_context(chromium, live_server, user):  # noqa: F811
    client = Client()
    client.force_login(user)
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(CSP_WATCH)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context


def open_form(context, console, app, tab="intro", who="applicant"):
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    page.dialogs = dialogs
    console.watch(page, who)
    page.goto(f"/applications/{app.pk}/?tab={tab}")
    page.locator(f"#tab-{tab}.active.show").wait_for()
    return page


def status(page):
    return page.locator("[data-autosave-status]")


def wait_status(page, pattern):
    page.wait_for_function(
        "p => new RegExp(p).test(document.querySelector('[data-autosave-status]').textContent)", arg=pattern)


AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe.min.js"
AXE_RUN = """async (selectors) => {
  const result = await axe.run({include: selectors.map(s => [s])},
    {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']});
  return result.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));
}"""


def axe_violations(page, *selectors):
    """WCAG 2.1 A/AA violations (axe-core, tests/vendor) inside the autosave's own elements."""
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")  # through DevTools: the CSP does not apply
    return page.evaluate(AXE_RUN, list(selectors))


def stored(app):
    app.refresh_from_db()
    return app


def test_typed_text_is_saved_in_the_background_and_there_after_a_reload(chromium, live_server,  # noqa: F811
                                                                        console, draft):
    app, user = draft
    context = signed_in_context(chromium, live_server, user)
    page = open_form(context, console, app)
    page.locator("#id_background").fill("自动保存的背景：第一段。\n第二段。")
    wait_status(page, SAVED.pattern)  # ~3 s after typing stopped
    assert SAVED.search(status(page).inner_text())
    assert page.locator("input[name=lock_version]").input_value() == "1"  # 保存草稿 stays current
    assert page.locator("#id_background").input_value() == "自动保存的背景：第一段。\n第二段。"  # form not reset
    assert stored(app).background == "自动保存的背景：第一段。\n第二段。"
    assert stored(app).objectives == "原来的目标。" and stored(app).lock_version == 1
    page.reload()
    assert page.locator("#id_background").input_value() == "自动保存的背景：第一段。\n第二段。"
    assert "beforeunload" not in page.dialogs  # everything was saved: nothing to warn about
    assert page.locator(".autosave-restore").count() == 0
    # Leaving a field saves it at once (change), and the button still saves with the moved version.
    page.locator("#id_objectives").fill("离开字段即保存的目标。")
    page.locator("#id_background").focus()
    wait_status(page, SAVED.pattern)
    assert stored(app).objectives == "离开字段即保存的目标。" and stored(app).lock_version == 2
    with page.expect_navigation():
        page.locator("button[form=application-form]").click()
    assert "草稿已保存" in page.locator(".messages").inner_text()
    assert stored(app).lock_version == 3
    context.close()


def test_offline_text_is_kept_in_the_browser_and_offered_back(chromium, live_server, console, draft):  # noqa: F811
    app, user = draft
    context = signed_in_context(chromium, live_server, user)
    page = open_form(context, console, app)
    context.set_offline(True)
    with console.allow("Failed to fetch|ERR_INTERNET_DISCONNECTED|net::"):
        page.locator("#id_background").fill("断网时写下的背景，一个字也不能丢。")
        wait_status(page, "网络已断开，内容已保存在本浏览器")
        assert "自动保存失败" in status(page).inner_text()
        assert axe_violations(page, "[data-autosave-status]") == []  # the failure's colour too
        kept = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('portal.autosave.'))")
        assert len(kept) == 1 and kept[0].startswith(f"portal.autosave.{app.pk}.0.")
        page.close()  # the laptop is shut while the network is down
    assert stored(app).background == "原来的背景。"
    context.set_offline(False)

    page = open_form(context, console, app)
    prompt = page.locator(".autosave-restore")
    prompt.wait_for()
    assert "恢复未发送的内容？" in prompt.inner_text() and "项目背景意义" in prompt.inner_text()
    assert page.locator("#id_background").input_value() == "原来的背景。"  # nothing applied unasked
    assert axe_violations(page, ".autosave-restore", "[data-autosave-status]") == []
    prompt.get_by_role("button", name="恢复").click()
    assert page.locator("#id_background").input_value() == "断网时写下的背景，一个字也不能丢。"
    wait_status(page, SAVED.pattern)
    assert stored(app).background == "断网时写下的背景，一个字也不能丢。" and stored(app).lock_version == 1
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('portal.autosave.'))") == []

    # The network comes back on the same page: the kept text goes out by itself.
    context.set_offline(True)
    with console.allow("Failed to fetch|ERR_INTERNET_DISCONNECTED|net::"):
        page.locator("#id_objectives").fill("网络恢复后自动发送的目标。")
        wait_status(page, "网络已断开")
    context.set_offline(False)
    wait_status(page, SAVED.pattern)
    assert stored(app).objectives == "网络恢复后自动发送的目标。"
    context.close()


def test_kept_text_based_on_an_older_version_shows_both_texts_instead_of_saving(chromium, live_server,  # noqa: F811
                                                                               console, draft):
    app, user = draft
    context = signed_in_context(chromium, live_server, user)
    page = open_form(context, console, app)
    context.set_offline(True)
    with console.allow("Failed to fetch|ERR_INTERNET_DISCONNECTED|net::"):
        page.locator("#id_background").fill("离线写的背景。")
        wait_status(page, "网络已断开")
        page.close()
    context.set_offline(False)
    # Meanwhile a colleague saves the application from elsewhere.
    from applications.services import drafts

    drafts.save_draft(user, app, data={"background": "同事后来保存的背景。"}, lock_version=0)

    page = open_form(context, console, app)
    prompt = page.locator(".autosave-restore")
    prompt.wait_for()
    assert "不会覆盖已保存的内容" in prompt.inner_text()
    with console.allow("status of 400"), page.expect_navigation():
        prompt.get_by_role("button", name="恢复").click()
    conflict = page.locator("[data-edit-conflict]")
    assert "同事后来保存的背景。" in conflict.inner_text() and "离线写的背景。" in conflict.inner_text()
    assert stored(app).background == "同事后来保存的背景。"  # never overwritten blindly
    assert "不自动保存" in status(page).inner_text()
    assert axe_violations(page, "[data-edit-conflict]", "[data-autosave-status]") == []
    context.close()


def test_two_tabs_autosaving_end_on_the_conflict_page_with_nothing_lost(chromium, live_server,  # noqa: F811
                                                                       console, draft):
    app, user = draft
    context = signed_in_context(chromium, live_server, user)
    first = open_form(context, console, app, who="tab 1")
    second = open_form(context, console, app, who="tab 2")
    first.locator("#id_background").fill("第一个标签页写的背景。")
    wait_status(first, SAVED.pattern)
    with console.allow("status of 409"):
        second.locator("#id_background").fill("第二个标签页写的背景。")
        wait_status(second, "已在其他窗口或由他人保存")
    assert stored(app).background == "第一个标签页写的背景。" and stored(app).lock_version == 1
    button = second.locator("[data-autosave-conflict]")
    with console.allow("status of 400"), second.expect_navigation():
        button.click()
    conflict = second.locator("[data-edit-conflict]")
    assert "第一个标签页写的背景。" in conflict.inner_text()
    assert "第二个标签页写的背景。" in conflict.inner_text()
    second.locator("#tab-intro-button").click()
    assert second.locator("#id_background").input_value() == "第二个标签页写的背景。"  # still in the form
    # and in the browser, under the version it was based on (a later restore shows the conflict again)
    assert second.evaluate(KEPT, f"portal.autosave.{app.pk}.0.") == ["第二个标签页写的背景。"]
    # Typing on the conflict page autosaves nothing until the person chooses by saving.
    second.locator("#id_objectives").fill("冲突页上继续写的目标。")
    second.wait_for_timeout(3500)
    assert stored(app).background == "第一个标签页写的背景。" and stored(app).objectives == "原来的目标。"
    with second.expect_navigation():
        second.locator("button[form=application-form]").click()
    assert stored(app).background == "第二个标签页写的背景。"
    assert stored(app).objectives == "冲突页上继续写的目标。"
    assert second.evaluate(KEPT, "portal.autosave.") == []  # on the server now: nothing left to offer
    context.close()


def test_a_save_refused_for_one_field_still_keeps_the_rest(chromium, live_server, console, draft):  # noqa: F811
    """保存草稿 refuses the whole form for one bad field; the page it answers autosaves what is valid."""
    app, user = draft
    context = signed_in_context(chromium, live_server, user)
    page = open_form(context, console, app, tab="basic")
    # Set without input events, so no autosave runs before the button: what follows is the answer page's.
    page.evaluate("""() => {
        document.getElementById('id_completion_date').value = '2099-01-01';  // in the future: refused
        document.getElementById('id_background').value = '按钮保存被拒时写的背景。';
    }""")
    with console.allow("status of 400"), page.expect_navigation():
        page.locator("button[form=application-form]").click()
    wait_status(page, "未保存")
    assert "该日期不能晚于今天" in status(page).inner_text()
    assert stored(app).background == "按钮保存被拒时写的背景。" and stored(app).completion_date is None
    context.close()


def test_signing_out_forgets_the_unsent_text_kept_in_this_browser(chromium, live_server, console, draft):  # noqa: F811
    """A shared office PC: the next person never gets the previous one's unsent draft offered back."""
    app, user = draft
    context = signed_in_context(chromium, live_server, user)
    page = open_form(context, console, app)
    context.set_offline(True)
    with console.allow("Failed to fetch|ERR_INTERNET_DISCONNECTED|net::"):
        page.locator("#id_background").fill("不应留在这台电脑上的文字。")
        wait_status(page, "网络已断开")
    context.set_offline(False)
    page.evaluate("localStorage.setItem('portal.other', 'kept')")  # not the portal's drafts: left alone
    page.evaluate("localStorage.setItem('portal.autosave.999.0.x', '{}')")
    page.locator("form[data-logout]").evaluate("form => form.requestSubmit()")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    kept = page.evaluate("Object.keys(localStorage).sort()")
    assert kept == ["portal.other"], kept
    context.close()
