"""Every endpoint of /api/v1/, aimed at enterprise A, for the tests that go through all of them.

`{person}` in a path stands for the public id of `city.person_a`.
"""

ORG_BODY = {
    "code": "EA-B9",
    "name": "企业A第九党支部",
    "kind": "branch",
    "parent": "EA",
    "active_from": "2021-01-01",
}
PERSON_BODY = {"org": "EA-B1", "name": "李四", "gender": "F", "phone": "13912345678"}

# (method, path, body, status for someone who may change A)
Endpoint = tuple[str, str, dict | None, int]

READS: list[Endpoint] = [
    ("GET", "/api/v1/orgs?parent=EA", None, 200),
    ("GET", "/api/v1/orgs/EA", None, 200),
    ("GET", "/api/v1/orgs/EA/children", None, 200),
    ("GET", "/api/v1/people?org=EA", None, 200),
    ("GET", "/api/v1/people/{person}", None, 200),
]
WRITES: list[Endpoint] = [
    ("POST", "/api/v1/orgs", ORG_BODY, 201),
    ("PATCH", "/api/v1/orgs/EA-B1", {"name": "企业A第一党支部（新）"}, 200),
    ("POST", "/api/v1/orgs/EA-B1/close", {"on": "2024-06-30"}, 200),
    ("POST", "/api/v1/people", PERSON_BODY, 201),
    ("PATCH", "/api/v1/people/{person}", {"position": "组织委员"}, 200),
]
UNFILTERED_LISTS: list[Endpoint] = [("GET", "/api/v1/orgs", None, 200), ("GET", "/api/v1/people", None, 200)]
ALL = READS + WRITES + UNFILTERED_LISTS


def url(path: str, city) -> str:
    return path.format(person=city.person_a.public_id)
