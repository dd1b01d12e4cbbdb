from django.urls import path

from kaohe.ledgers.views import attachments, decisions, dues, io, meetings, pages, recruitment

app_name = "ledgers"
# Fixed words first: "import" and "template.xlsx" are reserved org codes (kaohe.orgs.models), and
# the meeting and decision paths take a UUID, which no org code is mistaken for.
urlpatterns = [
    path("", pages.index, name="index"),
    path("import/", io.ledger_import, name="import"),
    path("template.xlsx", io.template, name="template"),
    path("exports/<uuid:public_id>/", io.export_download, name="export_download"),
    path("recruitment/import/", io.recruitment_import, name="recruitment_import"),
    path("recruitment/template.xlsx", io.recruitment_template, name="recruitment_template"),
    path("meetings/<uuid:public_id>/", meetings.meeting_detail, name="meeting"),
    path("meetings/<uuid:public_id>/edit/", meetings.meeting_edit, name="meeting_edit"),
    path("meetings/<uuid:public_id>/delete/", meetings.meeting_delete, name="meeting_delete"),
    path("decisions/<uuid:public_id>/edit/", decisions.decision_edit, name="decision_edit"),
    path("decisions/<uuid:public_id>/delete/", decisions.decision_delete, name="decision_delete"),
    path("<str:code>/", pages.org_home, name="org"),
    path("<str:code>/duties/", pages.duties, name="duties"),
    path("<str:code>/meetings/new/", meetings.meeting_create, name="meeting_create"),
    path("<str:code>/meetings.xlsx", io.meetings_export, name="meetings_export"),
    path("<str:code>/dues/", dues.dues_month, name="dues"),
    path("<str:code>/dues.xlsx", io.dues_export, name="dues_export"),
    path("<str:code>/decisions/", decisions.decision_list, name="decisions"),
    path("<str:code>/decisions/new/", decisions.decision_create, name="decision_create"),
    path("<str:code>/decisions.xlsx", io.decisions_export, name="decisions_export"),
]

# Meeting attachments and 发展党员 (recruitment). The UUID paths cannot be taken for an org's pages:
# those have a fixed word after the code, never a UUID.
urlpatterns += [
    path("meetings/<uuid:public_id>/files/", attachments.attachment_upload, name="attachment_upload"),
    path(
        "meetings/<uuid:public_id>/files/<uuid:file_id>/",
        attachments.attachment_download,
        name="attachment_download",
    ),
    path(
        "meetings/<uuid:public_id>/files/<uuid:file_id>/withdraw/",
        attachments.attachment_withdraw,
        name="attachment_withdraw",
    ),
    path("recruitment/<uuid:public_id>/", recruitment.case_detail, name="recruitment_case"),
    path("recruitment/<uuid:public_id>/edit/", recruitment.case_edit, name="recruitment_case_edit"),
    path("recruitment/<uuid:public_id>/delete/", recruitment.case_delete, name="recruitment_case_delete"),
    path("<str:code>/recruitment/", recruitment.case_list, name="recruitment"),
    path("<str:code>/recruitment/new/", recruitment.case_create, name="recruitment_case_create"),
    path("<str:code>/recruitment.xlsx", io.recruitment_export, name="recruitment_export"),
]
