"""Scheme versions: upload (YAML and xlsx), publish, immutability, and the pages with three personas."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kaohe.audit.models import AuditEntry
from kaohe.cycles.tests.conftest import SMALL_SCHEME
from kaohe.engine.scheme_xlsx import read_xlsx, write_xlsx
from kaohe.engine.text_form import default_scheme, load_scheme
from kaohe.measures import actions
from kaohe.measures.models import SchemeVersion

pytestmark = pytest.mark.django_db


def upload(client, content: bytes, name: str, owner="C"):
    return client.post(
        reverse("measures:upload"), {"owner": owner, "file": SimpleUploadedFile(name, content)}
    )


def test_it_uploads_the_xlsx_table_and_publishes_it(city, login):
    client = login(city.admin)
    response = upload(client, write_xlsx(default_scheme()), "细则.xlsx")
    assert response.status_code == 302
    version = SchemeVersion.objects.get()
    assert version.scheme == default_scheme() and not version.is_published
    assert client.post(reverse("measures:publish", args=[version.public_id])).status_code == 302
    version.refresh_from_db()
    assert version.is_published and version.published_at
    assert list(
        AuditEntry.objects.filter(action__startswith="scheme.")
        .order_by("seq")
        .values_list("action", flat=True)
    ) == [
        "scheme.add",
        "scheme.publish",
    ]


def test_a_bad_table_names_the_place_of_every_problem(city, login):
    text = SMALL_SCHEME.replace("points: 4\n", "points: 5\n", 1)  # items no longer add up to 10
    response = upload(login(city.admin), text.encode(), "细则.yaml")
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["file"])
    assert "total_points" in errors or "10" in errors
    assert not SchemeVersion.objects.exists()


def test_a_published_version_never_changes(city):
    version = actions.publish_scheme(
        None, actions.add_scheme_version(None, city.root, load_scheme(SMALL_SCHEME))
    )
    version.text = version.text.replace("测试评分细则", "改过的细则")
    with pytest.raises(ValidationError):
        version.save()
    with pytest.raises(ValidationError):
        actions.add_scheme_version(None, city.root, load_scheme(SMALL_SCHEME))  # same code and version


def test_pages_with_three_personas(city, login):
    city_version = actions.publish_scheme(
        None, actions.add_scheme_version(None, city.root, load_scheme(SMALL_SCHEME))
    )
    a_draft = actions.add_scheme_version(
        None, city.ent_a, load_scheme(SMALL_SCHEME.replace("test-scheme", "ea-scheme"))
    )
    # the enterprise's own staff and observers see its draft and the city's published scheme
    for user in (city.staff_a, city.viewer_a):
        page = login(user).get(reverse("measures:list")).text
        assert str(a_draft.public_id) in page and str(city_version.public_id) in page
    detail = reverse("measures:detail", args=[a_draft.public_id])
    assert "发布" in login(city.staff_a).get(detail).text
    assert reverse("measures:publish", args=[a_draft.public_id]) not in login(city.viewer_a).get(detail).text
    assert login(city.viewer_a).post(reverse("measures:publish", args=[a_draft.public_id])).status_code == 403
    # another enterprise sees neither the draft nor its download
    assert login(city.staff_b).get(detail).status_code == 404
    assert (
        login(city.staff_b).get(reverse("measures:download", args=[a_draft.public_id, "xlsx"])).status_code
        == 404
    )
    assert login(city.staff_b).post(reverse("measures:publish", args=[a_draft.public_id])).status_code == 404
    assert str(a_draft.public_id) not in login(city.staff_b).get(reverse("measures:list")).text
    # the city's published scheme is visible to both enterprises (they are assessed by it)
    assert (
        login(city.staff_b).get(reverse("measures:detail", args=[city_version.public_id])).status_code == 200
    )


def test_downloads_read_back(city, login):
    version = actions.add_scheme_version(None, city.root, load_scheme(SMALL_SCHEME))
    client = login(city.viewer_a)
    assert client.get(reverse("measures:detail", args=[version.public_id])).status_code == 404  # a city draft
    client = login(city.admin)
    xlsx = client.get(reverse("measures:download", args=[version.public_id, "xlsx"]))
    assert read_xlsx(xlsx.content) == version.scheme
    yaml = client.get(reverse("measures:download", args=[version.public_id, "yaml"]))
    assert load_scheme(yaml.content.decode()) == version.scheme


def test_upload_page_access(city, login):
    assert login(city.viewer_a).get(reverse("measures:upload")).status_code == 404
    response = upload(login(city.staff_b), SMALL_SCHEME.encode(), "s.yaml", owner="EA")
    assert response.status_code == 200 and "owner" in response.context["form"].errors
