from django.urls import path

from kaohe.consultation.views import changes, outputs, rounds, sorting, symposia

app_name = "consultation"
R = "<uuid:public_id>/"
S = R + "s/<uuid:suggestion_id>/"
urlpatterns = [
    path("", rounds.round_list, name="list"),
    path("new/<uuid:public_id>/", rounds.round_create, name="create"),
    path(R, rounds.round_detail, name="detail"),
    path(R + "comment/", rounds.comment, name="comment"),
    path(R + "no-comment/", rounds.no_comment, name="no_comment"),
    path(R + "remind/", rounds.remind, name="remind"),
    path(R + "close/", rounds.close, name="close"),
    path(R + "conclude/", rounds.conclude, name="conclude"),
    path(R + "scheme/", rounds.scheme, name="scheme"),
    path(R + "suggestions/", sorting.suggestions, name="suggestions"),
    path(R + "topics/", sorting.add_topic, name="add_topic"),
    path(R + "groups/", sorting.group, name="group"),
    path(R + "groups/<int:group_id>/answer/", sorting.answer_group, name="answer_group"),
    path(S, sorting.suggestion_detail, name="suggestion"),
    path(S + "answer/", sorting.answer, name="answer"),
    path(S + "topic/", sorting.set_topic, name="set_topic"),
    path(S + "ungroup/", sorting.ungroup, name="ungroup"),
    path(S + "links/", sorting.link, name="link"),
    path(S + "links/<int:link_id>/delete/", sorting.unlink, name="unlink"),
    path(R + "symposia/new/", symposia.symposium_create, name="symposium_create"),
    path(R + "symposia/<uuid:symposium_id>/", symposia.symposium_detail, name="symposium"),
    path(R + "symposia/<uuid:symposium_id>/remarks/", symposia.remark, name="remark"),
    path(R + "changes/", changes.changes, name="changes"),
    path(R + "whatif/", changes.whatif, name="whatif"),
    path(R + "download/<str:what>", outputs.download, name="download"),
]
