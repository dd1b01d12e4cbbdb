from django.urls import include, path

from kaohe import views

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("kaohe.accounts.urls")),
    path("orgs/", include("kaohe.orgs.urls")),
    path("audit/", include("kaohe.audit.urls")),
    path("jobs/", include("kaohe.jobs.urls")),
    path("schemes/", include("kaohe.measures.urls")),
    path("documents/", include("kaohe.measures.urls_documents")),
    path("consultation/", include("kaohe.consultation.urls")),
    path("cycles/", include("kaohe.cycles.urls")),
    path("ledgers/", include("kaohe.ledgers.urls")),
    path("discipline/", include("kaohe.discipline.urls")),
    path("api/", include("kaohe.api.urls")),
]

handler403 = "kaohe.views.forbidden"
handler404 = "kaohe.views.not_found"
