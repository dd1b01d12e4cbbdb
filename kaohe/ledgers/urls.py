from django.urls import path

from kaohe.ledgers.views import decisions, dues, io, meetings, pages

app_name = "ledgers"
# Fixed words first: "import" and "template.xlsx" are reserved org codes (kaohe.orgs.models), and
# the meeting and decision paths take a UUID, which no org code is mistaken for.
urlpatterns = [
    path("", pages.index, name="index"),
    path("import/", io.ledger_import, name="import"),
    path("template.xlsx", io.template, name="template"),
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
