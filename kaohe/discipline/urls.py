from django.urls import path

from kaohe.discipline import views

app_name = "discipline"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="create"),
    path("people/", views.person_search, name="people"),
    path("export.xlsx", views.case_export, name="export"),
    path("import/", views.case_import, name="import"),
    path("template.xlsx", views.case_template, name="template"),
    path("summary/", views.summary, name="summary"),
    path("summary/export.xlsx", views.summary_export, name="summary_export"),
    path("<uuid:public_id>/", views.case_detail, name="detail"),
    path("<uuid:public_id>/edit/", views.case_edit, name="edit"),
    path("<uuid:public_id>/withdraw/", views.case_withdraw, name="withdraw"),
]
