from django.urls import path

from kaohe.measures.views import documents as views

app_name = "documents"
urlpatterns = [
    path("", views.document_list, name="list"),
    path("new/", views.document_create, name="create"),
    path("<uuid:public_id>/", views.version_detail, name="version"),
    path("<uuid:public_id>/compare/", views.compare, name="compare"),
    path("<uuid:public_id>/download.<str:fmt>", views.download, name="download"),
    path("<uuid:public_id>/draft/", views.start_draft, name="start_draft"),
    path("<uuid:public_id>/scheme/", views.attach_scheme, name="attach_scheme"),
    path("<uuid:public_id>/publish/", views.publish, name="publish"),
    path("<uuid:public_id>/clauses/add/", views.clause_add, name="clause_add"),
    path("<uuid:public_id>/clauses/<uuid:key>/reword/", views.clause_reword, name="clause_reword"),
    path("<uuid:public_id>/clauses/<uuid:key>/delete/", views.clause_delete, name="clause_delete"),
    path("<uuid:public_id>/clauses/<uuid:key>/move/", views.clause_move, name="clause_move"),
    path("<uuid:public_id>/clauses/<uuid:key>/split/", views.clause_split, name="clause_split"),
    path("<uuid:public_id>/clauses/<uuid:key>/merge/", views.clause_merge, name="clause_merge"),
]
