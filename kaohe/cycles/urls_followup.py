"""After the results: rectification (整改清单, 销号) and result uses (结果运用, 薪酬系数表).

Included into the cycles namespace by kaohe/cycles/urls.py (`urlpatterns += urls_followup.urlpatterns`).
"""

from django.urls import path

from kaohe.cycles.views import rectification, uses

urlpatterns = [
    path("<uuid:public_id>/rectification/", rectification.rectification_list, name="rectification"),
    path(
        "<uuid:public_id>/rectification.xlsx", rectification.rectification_export, name="rectification_export"
    ),
    path("<uuid:public_id>/rectification/new/", rectification.rectification_open, name="rectification_open"),
    path("<uuid:public_id>/rectification/auto/", rectification.rectification_auto, name="rectification_auto"),
    path(
        "<uuid:public_id>/rectification/<uuid:item_id>/",
        rectification.rectification_item,
        name="rectification_item",
    ),
    path(
        "<uuid:public_id>/rectification/<uuid:item_id>/plan/",
        rectification.rectification_plan,
        name="rectification_plan",
    ),
    path(
        "<uuid:public_id>/rectification/<uuid:item_id>/submit/",
        rectification.rectification_submit,
        name="rectification_submit",
    ),
    path(
        "<uuid:public_id>/rectification/<uuid:item_id>/verify/",
        rectification.rectification_verify,
        name="rectification_verify",
    ),
    path(
        "<uuid:public_id>/rectification/<uuid:item_id>/files/<uuid:file_id>/",
        rectification.rectification_file,
        name="rectification_file",
    ),
    path("<uuid:public_id>/uses/", uses.uses_page, name="uses"),
    path("<uuid:public_id>/uses/pay.xlsx", uses.pay_export, name="uses_pay_export"),
]
