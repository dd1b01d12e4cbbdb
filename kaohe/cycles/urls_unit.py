"""The pages where a unit does its own part of a cycle: evidence and self-assessment."""

from django.urls import path

from kaohe.cycles.views import evidence, self_assessment

urlpatterns = [
    path("<uuid:public_id>/evidence/", evidence.evidence_overview, name="evidence"),
    path("<uuid:public_id>/u/<str:code>/evidence/", evidence.unit_evidence, name="unit_evidence"),
    path("<uuid:public_id>/u/<str:code>/evidence/upload/", evidence.evidence_upload, name="evidence_upload"),
    path(
        "<uuid:public_id>/u/<str:code>/evidence/<uuid:file_id>/",
        evidence.evidence_download,
        name="evidence_download",
    ),
    path(
        "<uuid:public_id>/u/<str:code>/evidence/<uuid:file_id>/withdraw/",
        evidence.evidence_withdraw,
        name="evidence_withdraw",
    ),
    path(
        "<uuid:public_id>/u/<str:code>/evidence/<uuid:file_id>/verdict/",
        evidence.evidence_verdict,
        name="evidence_verdict",
    ),
    path("<uuid:public_id>/self/", self_assessment.self_overview, name="self_overview"),
    path("<uuid:public_id>/u/<str:code>/self/", self_assessment.unit_self, name="unit_self"),
    path("<uuid:public_id>/u/<str:code>/self/return/", self_assessment.self_return, name="self_return"),
]
