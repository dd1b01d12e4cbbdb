from django.urls import path

from kaohe.cycles import urls_followup, urls_unit
from kaohe.cycles.views import appeals, cycle, dashboard, facts, letters, results, scoring

app_name = "cycles"
urlpatterns = [
    path("", cycle.cycle_list, name="list"),
    path("new/", cycle.cycle_create, name="create"),
    path("<uuid:public_id>/", cycle.cycle_detail, name="detail"),
    path("<uuid:public_id>/advance/", cycle.cycle_advance, name="advance"),
    path("<uuid:public_id>/units/", cycle.cycle_units, name="units"),
    path("<uuid:public_id>/letters/", letters.letters_page, name="letters"),
    path("<uuid:public_id>/u/<str:code>/letter.<str:fmt>", letters.letter_download, name="letter_download"),
    path("<uuid:public_id>/u/<str:code>/letter/upload/", letters.letter_upload, name="letter_upload"),
    path("<uuid:public_id>/u/<str:code>/letter/signed/", letters.letter_signed, name="letter_signed"),
    path("<uuid:public_id>/dashboard/", dashboard.dashboard_page, name="dashboard"),
    path("<uuid:public_id>/panels/", scoring.panels_page, name="panels"),
    path("<uuid:public_id>/u/<str:code>/scoring/", scoring.unit_scoring, name="unit_scoring"),
    path("<uuid:public_id>/appeals/", appeals.appeal_list, name="appeals"),
    path("<uuid:public_id>/appeals/<uuid:appeal_id>/decide/", appeals.appeal_decide, name="appeal_decide"),
    path(
        "<uuid:public_id>/appeals/<uuid:appeal_id>/attachment/",
        appeals.appeal_attachment,
        name="appeal_attachment",
    ),
    path("<uuid:public_id>/u/<str:code>/appeal/<str:node>/", appeals.appeal_file, name="appeal_file"),
    path("<uuid:public_id>/bulletin/", appeals.bulletin, name="bulletin"),
    path("<uuid:public_id>/bulletin.docx", appeals.bulletin_download, name="bulletin_download"),
    path("<uuid:public_id>/results/", results.results, name="results"),
    path("<uuid:public_id>/results/status/", results.status, name="results_status"),
    path("<uuid:public_id>/results.xlsx", results.results_export, name="results_export"),
    path("<uuid:public_id>/recompute/", results.recompute, name="recompute"),
    path("<uuid:public_id>/u/<str:code>/", results.unit_result, name="unit"),
    path("<uuid:public_id>/u/<str:code>/feedback.<str:fmt>", results.unit_feedback, name="unit_feedback"),
    path("<uuid:public_id>/u/<str:code>/facts/", facts.unit_facts, name="unit_facts"),
    path("<uuid:public_id>/u/<str:code>/facts/set/", facts.unit_fact_set, name="unit_fact_set"),
]

urlpatterns += urls_unit.urlpatterns + urls_followup.urlpatterns
