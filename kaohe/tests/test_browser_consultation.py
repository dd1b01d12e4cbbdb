"""A consultation round from draft to published final in headless Chromium: the committee imports
the draft from Word, sends it out; two enterprise cadres comment (one anonymously); the committee
records a symposium, answers every suggestion, edits the next draft, links the change to the
suggestion behind it, publishes the final version and downloads the register."""

import io

import openpyxl
import pytest
from docx import Document

from kaohe.accounts.models import Role
from kaohe.conftest import make_user
from kaohe.consultation.models import Round, RoundStatus, Suggestion
from kaohe.cycles.tests.conftest import SMALL_SCHEME
from kaohe.engine.text_form import load_scheme
from kaohe.measures import actions as measure_actions
from kaohe.measures.models import DocumentVersion, VersionStatus
from kaohe.tests.test_browser_cycle import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def draft_docx(path) -> None:
    document = Document()
    for line in (
        "明澜市党建工作目标责任制考核办法",
        "第一章 总则",
        "第一条 为压实党建工作责任，制定本办法。",
        "第二条 本办法适用于市属国有企业党委。",
        "第二章 考核内容",
        "第三条 基层组织建设：党课每年不少于4次。",
        "第四条 考核实行百分制。",
    ):
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    path.write_bytes(out.getvalue())


def test_a_round_from_draft_to_final_in_the_browser(city, live_server, page, tmp_path):
    base = live_server.url
    make_user("staff_a2", Role.PARTY_STAFF, city.ent_a)
    measure_actions.add_scheme_version(None, city.root, load_scheme(SMALL_SCHEME))
    word = tmp_path / "征求意见稿.docx"
    draft_docx(word)

    # The committee imports the draft from Word and attaches the scoring table.
    sign_in(page, base, "admin")
    page.goto(f"{base}/documents/new/")
    page.fill("input[name=title]", "明澜市党建工作目标责任制考核办法")
    page.set_input_files("input[name=file]", str(word))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=已建立文件草稿")
    page.select_option("select[name=scheme]", index=1)
    page.click("form[action$='/scheme/'] button")
    page.wait_for_selector("text=附件评分细则已更新")

    # ... and sends it to two enterprise cadres, one of them anonymous to the other.
    page.click("text=发起征求意见")
    page.fill("input[name=deadline]", "2099-12-31T17:00")
    staff_a = page.locator("tr:has-text('staff_a ·')")
    staff_a.locator("input[name=participants]").check()
    staff_a2 = page.locator("tr:has-text('staff_a2 ·')")
    staff_a2.locator("input[name=participants]").check()
    staff_a2.locator("input[name=anonymous]").check()
    page.click("main button[type=submit]")
    page.wait_for_selector("text=已发出征求意见稿")
    round_ = Round.objects.get()

    # A cadre comments on 第三条 and on an indicator; the other, anonymously, in general.
    sign_in(page, base, "staff_a")
    page.goto(f"{base}/consultation/")
    page.click(f"a:has-text('{round_.title}')")
    clause = page.locator("div[id^=c-]:has-text('第三条')")
    clause.locator("summary").click()
    clause.locator("textarea[name=text]").fill("党课每年4次偏少，建议改为每季度不少于1次")
    clause.locator("button").click()
    page.wait_for_selector("text=已提交第 1 条意见")
    sign_in(page, base, "staff_a2")
    page.goto(f"{base}/consultation/{round_.public_id}/")
    page.fill("#general-text", "建议把党课次数改为每季度1次，与支部工作条例一致")
    page.click("form:has(#general-text) button")
    page.wait_for_selector("text=已提交第 2 条意见")
    assert "staff_a2" not in page.inner_text("main")  # not even to themself: the page shows 匿名

    # The committee records the symposium and a speaker's remark.
    sign_in(page, base, "admin")
    page.goto(f"{base}/consultation/{round_.public_id}/symposia/new/")
    page.fill("input[name=title]", "征求意见座谈会")
    page.fill("input[name=held_on]", "2026-11-20")
    page.fill("input[name=place]", "市国资委三楼会议室")
    page.fill("input[name=chair]", "王主任")
    page.fill(
        "textarea[name=attendees]", "李明，市交通集团，党委副书记，1\n赵强，市水务集团，党群工作部部长，2"
    )
    page.click("main button[type=submit]")
    page.wait_for_selector("text=座谈会已记录")
    speaker = page.locator(".kh-card:has-text('李明')")
    speaker.locator("summary").click()
    speaker.locator("textarea[name=text]").fill("轻微违纪的扣分应区分情节轻重")
    speaker.locator("button:has-text('录入')").click()
    page.wait_for_selector("text=已录入第 3 条意见")

    # The similar comments are proposed as a group; the committee confirms and answers them at once.
    page.goto(f"{base}/consultation/{round_.public_id}/suggestions/")
    page.click("button:has-text('确认归并')")
    page.wait_for_selector("text=已归并为一组")
    page.select_option("form[action*='/groups/'] select[name=disposition]", "adopted")
    page.click("button:has-text('统一答复')")
    page.wait_for_selector("text=已统一答复本组意见")
    third = Suggestion.objects.get(number=3)
    page.goto(f"{base}/consultation/{round_.public_id}/s/{third.public_id}/")
    page.check("#d-covered")
    page.fill("textarea[name=reason]", "第五章已有规定")
    page.click("button:has-text('保存答复')")
    page.wait_for_selector("text=第 3 条意见已答复")

    # The next draft: 第三条 reworded, and the change linked to the suggestion that asked for it.
    page.goto(f"{base}/consultation/{round_.public_id}/")
    page.click("button:has-text('建立修改稿')")
    page.wait_for_selector("text=已建立第2稿")
    article = page.locator("div.kh-level-article:has(> p > strong:text-is('第三条'))")
    edit = article.locator("details:has(> summary:text-is('修改'))")
    edit.locator("summary").click()
    edit.locator("textarea[name=text]").fill("基层组织建设：党课每季度不少于1次。")
    edit.locator("button:has-text('保存')").click()
    page.wait_for_selector("text=条款已修改")
    first = Suggestion.objects.get(number=1)
    page.goto(f"{base}/consultation/{round_.public_id}/s/{first.public_id}/")
    page.click("button:has-text('关联')")
    page.wait_for_selector("text=已关联修改")
    page.goto(f"{base}/consultation/{round_.public_id}/changes/")
    row = page.locator("tr:has-text('第三条')")
    assert "党课每年4次偏少" in row.inner_text()

    # Publication: the round is closed, the final version and its scoring table published.
    page.goto(f"{base}/consultation/{round_.public_id}/")
    page.click("button:has-text('截止征求意见')")
    page.wait_for_selector("text=征求意见已截止")
    page.check("#conclude-confirm")
    page.click("button:has-text('为正式稿发布')")
    page.wait_for_selector("text=正式稿已发布")
    round_.refresh_from_db()
    assert round_.status == RoundStatus.CONCLUDED
    final = DocumentVersion.objects.get(number=2)
    assert final.scheme is not None
    assert final.status == VersionStatus.FINAL and final.scheme.is_published
    page.click("button:has-text('下载')")
    with page.expect_download() as download:
        page.click("a:has-text('征求意见采纳情况汇总表（Excel）')")
    saved = tmp_path / "register.xlsx"
    download.value.save_as(saved)
    book = openpyxl.load_workbook(saved)
    text = " ".join(str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None)
    assert "党课每年4次偏少" in text and "已有规定" in text and "采纳" in text
