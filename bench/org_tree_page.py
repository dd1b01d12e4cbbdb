"""Times the org tree page of the full demo city against a baseline measured in the same run.

    uv run python bench/org_tree_page.py [--repeat 30]

Builds the demo city (明澜市, 890 orgs, 12,000 people) in a fresh SQLite database in a temporary data
folder (or uses DATABASE_URL's database, which must be empty), then requests, signed in as the
committee admin (whole tree in scope): the tree page, a deeper level through htmx, the people list
and, as the baseline, the home page without any tree data (a user with no scope). Prints one JSON line
with medians in milliseconds and each page's ratio to the baseline. Not a test.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("KAOHE_DATA_DIR", tempfile.mkdtemp(prefix="kaohe-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaohe.settings")
os.environ.setdefault("KAOHE_ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402


def median_ms(client: Client, url: str, repeat: int, **headers) -> float:
    client.get(url, **headers)  # warm caches and template loading
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        response = client.get(url, **headers)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return round(statistics.median(times), 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    from kaohe.accounts.models import User
    from kaohe.orgs.demo import build_city
    from kaohe.orgs.models import OrgUnit

    call_command("migrate", verbosity=0)
    summary = build_city()
    admin = User.objects.get(username="admin")
    nobody = User.objects.create(username="bench_nobody", must_change_password=False)

    client, baseline_client = Client(), Client()
    client.force_login(admin)
    baseline_client.force_login(nobody)
    enterprise = OrgUnit.objects.filter(depth=1).order_by("code").first()
    assert enterprise is not None
    baseline = median_ms(baseline_client, "/", args.repeat)
    pages = {
        "tree": median_ms(client, "/orgs/", args.repeat),
        "children_htmx": median_ms(
            client, f"/orgs/{enterprise.code}/children/", args.repeat, HTTP_HX_REQUEST="true"
        ),
        "people": median_ms(client, "/orgs/people/", args.repeat),
        "home": median_ms(client, "/", args.repeat),
    }
    result = {
        "orgs": summary.orgs,
        "people": summary.people,
        "baseline_ms": baseline,
        **{f"{k}_ms": v for k, v in pages.items()},
        **{f"{k}_vs_baseline": round(v / baseline, 1) for k, v in pages.items()},
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
