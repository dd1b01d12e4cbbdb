"""Shared fixtures: a small city with two enterprises and the personas of DESIGN.md §3.3.

- `city.staff_a`  : party-affairs staff of enterprise A (may see and change A)
- `city.viewer_a` : read-only observer of enterprise A (may see A, change nothing)
- `city.staff_b`  : party-affairs staff of enterprise B (sees nothing of A: 404)
"""

import datetime
import os
import shutil
from types import SimpleNamespace

import pytest
from django.utils import translation

from kaohe.accounts import actions as account_actions
from kaohe.accounts.models import Role
from kaohe.orgs import actions as org_actions
from kaohe.orgs.models import OrgKind

PASSWORD = "Kaohe-test-2026"
DAY = datetime.date(2020, 1, 1)
# Valid numbers (GB 11643 check digit) for the two people of the fixture city.
ID_NUMBERS = {"a": "110101198001011232", "b": "110101198001015671"}


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Argon2 is the production hasher (tested in accounts); tests only need speed here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    # LocaleMiddleware leaves a request's language active in the thread afterwards; every test
    # starts and ends in the default language (Chinese) whatever the test before it requested.
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    # Stored uploads (kaohe.files) go to a fresh folder per test, never to ./var.
    settings.DATA_DIR = tmp_path


@pytest.fixture(autouse=True)
def _jobs_run_at_once(settings):
    # Jobs run inside the request that starts them, so a test sees their outcome at once; the
    # database backend and its worker are tested in kaohe/jobs/tests.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def make_user(username: str, role: str | None, org, *, home=None):
    user = account_actions.create_user(
        None,
        username=username,
        full_name=username,
        org=home or org,
        password=PASSWORD,
        must_change_password=False,
    )
    if role:
        account_actions.assign_role(None, user, role, org)
    return user


@pytest.fixture
def city(db):
    root = org_actions.create_org(
        None, code="C", name="明澜市国资委党委", kind=OrgKind.COMMITTEE, parent=None, active_from=DAY
    )
    ns = SimpleNamespace(root=root)
    for key in ("a", "b"):
        ent = org_actions.create_org(
            None,
            code=f"E{key.upper()}",
            name=f"企业{key.upper()}党委",
            kind=OrgKind.ENTERPRISE,
            parent=root,
            active_from=DAY,
        )
        branch = org_actions.create_org(
            None,
            code=f"E{key.upper()}-B1",
            name=f"企业{key.upper()}第一党支部",
            kind=OrgKind.BRANCH,
            parent=ent,
            active_from=DAY,
        )
        person = org_actions.create_person(
            None,
            org=branch,
            name=f"张{key}",
            gender="M",
            phone="13800001111",
            id_number=ID_NUMBERS[key],
        )
        setattr(ns, f"ent_{key}", ent)
        setattr(ns, f"branch_{key}", branch)
        setattr(ns, f"person_{key}", person)
    ns.admin = make_user("admin", Role.COMMITTEE_ADMIN, root)
    ns.staff_a = make_user("staff_a", Role.PARTY_STAFF, ns.ent_a)
    ns.viewer_a = make_user("viewer_a", Role.OBSERVER, ns.ent_a)
    ns.staff_b = make_user("staff_b", Role.PARTY_STAFF, ns.ent_b)
    ns.sysadmin = make_user("sysadmin", Role.SYSTEM_ADMIN, root)
    ns.secadmin = make_user("secadmin", Role.SECURITY_ADMIN, root)
    ns.auditor = make_user("auditadmin", Role.AUDIT_ADMIN, root)
    return ns


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


# -- a real headless Chromium (Debian's package) driven by Playwright against the live test server
CHROMIUM = os.environ.get("KAOHE_CHROMIUM", "/usr/bin/chromium")
# Flags that keep Chromium off the network: the intranet has none and the sandbox runs as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    if os.environ.get("KAOHE_SKIP_BROWSER") == "1":
        pytest.skip("KAOHE_SKIP_BROWSER=1")
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} not found: `apt-get install chromium` (or set KAOHE_SKIP_BROWSER=1)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures are safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    p = context.new_page()
    p.set_default_timeout(10_000)
    yield p
    context.close()
