from django.urls import path

from kaohe.orgs.views import io, people, tree

app_name = "orgs"
urlpatterns = [
    path("", tree.tree, name="tree"),
    path("new/", tree.org_create, name="create"),
    path("people/", people.people_list, name="people"),
    path("people/new/", people.person_create, name="person_create"),
    path("people/<uuid:public_id>/", people.person_detail, name="person"),
    path("people/<uuid:public_id>/edit/", people.person_edit, name="person_edit"),
    path("import/", io.org_import, name="org_import"),
    path("export.xlsx", io.org_export, name="org_export"),
    path("template.xlsx", io.org_template, name="org_template"),
    path("people/import/", io.people_import, name="people_import"),
    path("people/export.xlsx", io.people_export, name="people_export"),
    path("people/template.xlsx", io.people_template, name="people_template"),
    path("<str:code>/", tree.org_detail, name="detail"),
    path("<str:code>/children/", tree.org_children, name="children"),
    path("<str:code>/edit/", tree.org_edit, name="edit"),
    path("<str:code>/close/", tree.org_close, name="close"),
]
