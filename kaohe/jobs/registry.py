"""The kinds of job and the function that does each one's work.

A handler takes (actor, job) and returns (ok, result): `result` is stored as JSON and shown by the
kind's template; ok False means the input was refused and nothing was written.
"""

from dataclasses import dataclass

from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class JobKind:
    label: object  # lazily translated
    handler: str  # dotted path, imported when the job runs
    result_template: str
    back_url: str  # where the user goes when the job is done


KINDS = {
    "orgs.import": JobKind(
        _("导入组织"), "kaohe.orgs.importing.run_org_import", "orgs/partials/import_result.html", "orgs:tree"
    ),
    "people.import": JobKind(
        _("导入人员"),
        "kaohe.orgs.importing.run_people_import",
        "orgs/partials/import_result.html",
        "orgs:people",
    ),
    "ledgers.import": JobKind(
        _("导入台账"),
        "kaohe.ledgers.importing.run_ledger_import",
        "ledgers/partials/import_result.html",
        "ledgers:index",
    ),
    # The ledger exports (kaohe/ledgers/exports.py): a city-wide one takes many seconds.
    "ledgers.export": JobKind(
        _("导出台账"),
        "kaohe.ledgers.exports.run_ledger_export",
        "ledgers/partials/export_result.html",
        "ledgers:index",
    ),
    "ledgers.recruitment_import": JobKind(
        _("导入发展党员台账"),
        "kaohe.ledgers.recruitment_import.run_recruitment_import",
        "ledgers/partials/recruitment_import_result.html",
        "ledgers:index",
    ),
    "discipline.import": JobKind(
        _("导入违纪案件"),
        "kaohe.discipline.importing.run_case_import",
        "discipline/partials/import_result.html",
        "discipline:list",
    ),
    "cycles.recompute": JobKind(
        _("计算考核结果"),
        "kaohe.cycles.tasks.run_recompute",
        "cycles/partials/recompute_result.html",
        "cycles:list",
    ),
}


def handler_for(kind: str):
    return import_string(KINDS[kind].handler)
