from django.urls import path

from kaohe.orgs.views import people, tree

app_name = "orgs"
urlpatterns = [
    path("", tree.tree, name="tree"),
    path("new/", tree.org_create, name="create"),
    path("people/", people.people_list, name="people"),
    path("people/new/", people.person_create, name="person_create"),
    path("people/<uuid:public_id>/", people.person_detail, name="person"),
    path("people/<uuid:public_id>/edit/", people.person_edit, name="person_edit"),
    path("<str:code>/", tree.org_detail, name="detail"),
    path("<str:code>/children/", tree.org_children, name="children"),
    path("<str:code>/edit/", tree.org_edit, name="edit"),
    path("<str:code>/close/", tree.org_close, name="close"),
]
