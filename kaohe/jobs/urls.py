from django.urls import path

from kaohe.jobs import views

app_name = "jobs"
urlpatterns = [path("<uuid:public_id>/", views.job_detail, name="detail")]
