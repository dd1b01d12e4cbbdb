from django.urls import path

from kaohe.measures.views import schemes as views

app_name = "measures"
urlpatterns = [
    path("", views.scheme_list, name="list"),
    path("upload/", views.scheme_upload, name="upload"),
    path("<uuid:public_id>/", views.scheme_detail, name="detail"),
    path("<uuid:public_id>/publish/", views.scheme_publish, name="publish"),
    path("<uuid:public_id>/download.<str:fmt>", views.scheme_download, name="download"),
]
