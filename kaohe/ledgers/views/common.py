"""What the ledger pages share: the year asked for, the org's header, the page-size."""

import datetime

from django.utils import timezone

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.ledgers.queries import ledger_orgs_for_user
from kaohe.orgs.models import OrgUnit

PAGE_SIZE = 30
FIRST_YEAR = 2000


def today() -> datetime.date:
    return timezone.localdate()


def year_of(request) -> int:
    """?year=2025, else the current year (anything out of range too)."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return today().year
    return year if FIRST_YEAR <= year <= today().year + 1 else today().year


def years() -> list[int]:
    return list(range(today().year, FIRST_YEAR - 1, -1))[:10]


def org_context(request, org: OrgUnit, tab: str) -> dict:
    """The header every page of one org's ledger shows: the org, its visible parents, the tabs."""
    ancestors = list(ledger_orgs_for_user(request.user).filter(pk__in=org.ancestor_ids()).order_by("depth"))
    return {
        "org": org,
        "ancestors": ancestors,
        "tab": tab,
        "can_edit": has_cap(request.user, Cap.EDIT_LEDGERS, org),
        "is_branch": org.kind == "branch",
    }
