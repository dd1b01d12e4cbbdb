"""The consultation and measures-document pages, each with the organiser, a read-only member of the
organiser's staff, an invited participant and someone from another enterprise."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from kaohe.consultation import actions
from kaohe.consultation.models import Disposition
from kaohe.consultation.tests.conftest import clause_key
from kaohe.measures.models import Clause, DocumentVersion

pytestmark = pytest.mark.django_db


def docx_bytes(*paragraphs: str) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_round_pages_with_the_personas(people, consultation, draft, login):
    suggestion = actions.comment(
        people.staff_a, consultation, "党课次数", clause_key=clause_key(draft, "基层组织")
    )
    pages = [
        reverse("consultation:suggestions", args=[consultation.public_id]),
        reverse("consultation:suggestion", args=[consultation.public_id, suggestion.public_id]),
        reverse("consultation:changes", args=[consultation.public_id]),
    ]
    detail = reverse("consultation:detail", args=[consultation.public_id])
    answer = reverse("consultation:answer", args=[consultation.public_id, suggestion.public_id])
    for user in (people.admin, people.viewer_c):
        client = login(user)
        assert "党课次数" in client.get(detail).text
        for page in pages:
            assert client.get(page).status_code == 200, page
    assert login(people.viewer_c).post(answer, {"disposition": "adopted"}).status_code == 403
    assert (
        login(people.viewer_c).post(reverse("consultation:remind", args=[consultation.public_id])).status_code
        == 403
    )
    # the participant sees the draft and comments, but not the sorting pages
    client = login(people.staff_a)
    assert "对本条提意见" in client.get(detail).text
    for page in pages:  # the next draft too stays the organiser's until the final is published
        assert client.get(page).status_code == 404, page
    # another enterprise's staff, not invited, see nothing
    client = login(people.staff_b)
    for page in [
        detail,
        *pages,
        reverse("consultation:download", args=[consultation.public_id, "register.xlsx"]),
    ]:
        assert client.get(page).status_code == 404, page
    assert str(consultation.public_id) not in client.get(reverse("consultation:list")).text
    # the organiser answers through the page
    response = login(people.admin).post(
        answer, {"disposition": "partly", "reason": "部分采纳", "revision": 0}
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.disposition == Disposition.PARTLY


def test_a_participant_comments_from_the_page_and_sees_the_anonymous_as_such(
    people, consultation, draft, login
):
    actions.comment(people.staff_a2, consultation, "匿名者的意见")
    client = login(people.staff_a)
    url = reverse("consultation:comment", args=[consultation.public_id])
    assert client.post(url, {"text": "条款意见", "clause": clause_key(draft, "考核实行")}).status_code == 302
    page = client.get(reverse("consultation:detail", args=[consultation.public_id])).text
    assert "条款意见" in page and "匿名者的意见" in page and "staff_a2" not in page
    assert (
        "staff_a2"
        in login(people.admin).get(reverse("consultation:detail", args=[consultation.public_id])).text
    )


def test_opening_a_round_from_the_page(people, draft, login):
    client = login(people.admin)
    url = reverse("consultation:create", args=[draft.public_id])
    page = client.get(url)
    assert page.status_code == 200 and "staff_a" in page.text
    response = client.post(
        url,
        {
            "title": "关于征求意见的通知",
            "deadline": "2099-01-01T12:00",
            "participants": [people.staff_a.pk, people.staff_a2.pk],
            "anonymous": [people.staff_a2.pk],
        },
    )
    assert response.status_code == 302
    round_ = draft.rounds.get()
    assert {(p.user.username, p.anonymous) for p in round_.participants.all()} == {
        ("staff_a", False),
        ("staff_a2", True),
    }
    assert login(people.viewer_c).get(url).status_code == 403
    assert login(people.staff_b).get(url).status_code == 404


def test_a_document_is_created_from_word_and_edited_in_the_browser(people, login):
    client = login(people.admin)
    upload = docx_bytes(
        "测试考核办法", "第一章 总则", "第一条 为了测试，制定本办法。", "第二条 本办法自发布之日起施行。"
    )
    response = client.post(
        reverse("documents:create"),
        {
            "owner": "C",
            "title": "测试考核办法",
            "kind": "measures",
            "file": SimpleUploadedFile("办法.docx", upload),
        },
    )
    assert response.status_code == 302
    version = DocumentVersion.objects.get()
    assert [c.label for c in version.clauses.all()] == ["第一章", "第一条", "第二条"]
    first = version.clauses.get(number=1, level="article")
    url = reverse("documents:clause_reword", args=[version.public_id, first.key])
    assert client.post(url, {"heading": "", "text": "为了规范考核，制定本办法。"}).status_code == 302
    assert Clause.objects.get(version=version, key=first.key).text == "为了规范考核，制定本办法。"
    page = reverse("documents:version", args=[version.public_id])
    assert login(people.viewer_c).get(page).status_code == 200
    assert login(people.viewer_c).post(url, {"text": "x"}).status_code == 403
    assert login(people.staff_b).get(page).status_code == 404


def test_a_word_file_without_numbering_is_refused_with_the_reason(people, login):
    response = login(people.admin).post(
        reverse("documents:create"),
        {
            "owner": "C",
            "title": "无编号",
            "kind": "measures",
            "file": SimpleUploadedFile("x.docx", docx_bytes("标题", "只有正文，没有任何编号。")),
        },
    )
    assert response.status_code == 200
    assert "没有找到" in " ".join(response.context["form"].errors["file"])
    assert not DocumentVersion.objects.exists()


def test_the_compare_page_shows_each_change(people, consultation, draft, login):
    from kaohe.measures.actions import documents as document_actions

    second = document_actions.start_draft(people.admin, draft)
    document_actions.reword_clause(
        people.admin,
        second,
        clause_key(second, "本办法适用"),
        "",
        "本办法适用于市属国有企业及其所属企业党组织。",
    )
    page = login(people.admin).get(reverse("documents:compare", args=[second.public_id])).text
    assert "修改" in page and "<ins>" in page
    assert login(people.staff_b).get(reverse("documents:compare", args=[second.public_id])).status_code == 404


def test_the_home_page_asks_a_participant_for_comments_until_they_answer(people, consultation, login):
    home, notice = reverse("home"), f'id="consultation-{consultation.public_id}"'
    assert notice in login(people.staff_a).get(home).text
    assert notice not in login(people.staff_b).get(home).text
    actions.remind(people.admin, consultation)
    assert "已催办" in login(people.staff_a).get(home).text
    actions.declare_no_comment(people.staff_a, consultation)
    assert notice not in login(people.staff_a).get(home).text


def test_participants_download_the_draft_through_their_round(people, consultation, login):
    url = reverse("consultation:download", args=[consultation.public_id, "draft.docx"])
    response = login(people.staff_a).get(url)
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "第三条" in text and "党课每年不少于4次" in text
    # the committee's document pages stay closed to them; the final text does not exist yet
    assert (
        login(people.staff_a)
        .get(reverse("documents:version", args=[consultation.draft.public_id]))
        .status_code
        == 404
    )
    final = reverse("consultation:download", args=[consultation.public_id, "final.docx"])
    assert login(people.staff_a).get(final).status_code == 404
    assert login(people.staff_b).get(url).status_code == 404
    assert login(people.viewer_c).get(url).status_code == 200


def test_everyone_in_the_round_reads_the_annexed_scoring_table(people, consultation, login):
    url = reverse("consultation:scheme", args=[consultation.public_id])
    for user in (people.admin, people.viewer_c, people.staff_a):
        page = login(user).get(url)
        assert page.status_code == 200 and "党课" in page.text and "lecture" in page.text
    assert login(people.staff_b).get(url).status_code == 404


def test_an_adoption_without_a_change_is_pointed_out(people, consultation, draft, login):
    from kaohe.measures.actions import documents as document_actions

    suggestion = actions.comment(
        people.staff_a, consultation, "党课次数", clause_key=clause_key(draft, "基层组织")
    )
    actions.answer(people.admin, suggestion, Disposition.ADOPTED, "", revision=0)
    second = document_actions.start_draft(people.admin, draft)
    url = reverse("consultation:changes", args=[consultation.public_id])
    assert "已采纳但尚未关联修改的意见" in login(people.admin).get(url).text
    actions.link(people.admin, suggestion, second, clause_key=clause_key(draft, "基层组织"))
    assert "已采纳但尚未关联修改的意见" not in login(people.admin).get(url).text


def test_filed_documents_stay_chinese_in_the_english_interface(people, consultation, login):
    import openpyxl

    client = login(people.admin)
    client.post(reverse("set_language"), {"language": "en"})
    assert "Consultation" in client.get(reverse("consultation:list")).text
    url = reverse("consultation:download", args=[consultation.public_id, "register.xlsx"])
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(url).content)).active
    assert [c.value for c in sheet[2]][:2] == ["序号", "提出人"]


def test_inviting_an_organisation_invites_its_people(people, draft, login):
    client = login(people.admin)
    url = reverse("consultation:create", args=[draft.public_id])
    response = client.post(url, {"title": "按单位邀请", "deadline": "2099-01-01T12:00", "orgs": ["EA"]})
    assert response.status_code == 302
    invited = set(draft.rounds.get().participants.values_list("user__username", flat=True))
    assert {"staff_a", "staff_a2", "viewer_a"} <= invited and "staff_b" not in invited


def test_the_next_draft_and_the_answers_stay_with_the_organiser_until_concluded(
    people, consultation, draft, login
):
    from kaohe.measures.actions import documents as document_actions

    suggestion = actions.comment(
        people.staff_a, consultation, "党课次数", clause_key=clause_key(draft, "基层组织")
    )
    actions.answer(people.admin, suggestion, Disposition.ADOPTED, "", revision=0)
    second = document_actions.start_draft(people.admin, draft)
    changes = reverse("consultation:changes", args=[consultation.public_id])
    statement = reverse("consultation:download", args=[consultation.public_id, "statement.docx"])
    assert login(people.staff_a).get(changes).status_code == 404
    assert login(people.staff_a).get(statement).status_code == 404
    assert login(people.viewer_c).get(statement).status_code == 200
    actions.link(people.admin, suggestion, second, clause_key=clause_key(draft, "基层组织"))
    actions.close_round(people.admin, consultation)
    detail = reverse("consultation:detail", args=[consultation.public_id])
    conclude = reverse("consultation:conclude", args=[consultation.public_id])
    assert 'id="conclude-confirm"' in login(people.admin).get(detail).text
    login(people.admin).post(conclude)  # no tick: refused, nothing published
    consultation.refresh_from_db()
    assert consultation.final is None
    login(people.admin).post(conclude, {"confirm": "yes"})
    consultation.refresh_from_db()
    assert consultation.final == second
    assert login(people.staff_a).get(changes).status_code == 200
    assert login(people.staff_a).get(statement).status_code == 200
