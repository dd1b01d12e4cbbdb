"""Writes to scoring schemes: upload a version (YAML or the published xlsx table), publish it.
Writes to measures documents are in `documents`."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.audit.actions import record
from kaohe.engine.errors import EngineError, SchemeError
from kaohe.engine.scheme import Scheme
from kaohe.engine.scheme_xlsx import read_xlsx
from kaohe.engine.text_form import dump_scheme, load_scheme
from kaohe.measures.models import SchemeStatus, SchemeVersion
from kaohe.orgs.models import OrgUnit

MAX_PROBLEMS_SHOWN = 30


def parse_upload(name: str, content: bytes) -> Scheme:
    """A scheme from a .yaml/.yml text or an .xlsx table; ValidationError lists every problem."""
    lower = name.lower()
    try:
        if lower.endswith((".yaml", ".yml")):
            try:
                text = content.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationError({"file": _("YAML 文件必须是 UTF-8 编码")}) from None
            return load_scheme(text)
        if lower.endswith(".xlsx"):
            return read_xlsx(content)
    except SchemeError as error:
        problems = error.problems[:MAX_PROBLEMS_SHOWN]
        more = len(error.problems) - len(problems)
        if more > 0:
            problems.append(_("……另有 %(n)d 个问题") % {"n": more})
        raise ValidationError({"file": problems}) from None
    except EngineError as error:
        raise ValidationError({"file": str(error)}) from None
    raise ValidationError({"file": _("请上传 .xlsx 评分细则表或 .yaml 方案文本")})


def _require(actor, owner: OrgUnit) -> None:
    if actor is not None and not has_cap(actor, Cap.MANAGE_SCHEMES, owner):
        raise PermissionDenied(_("无权维护该单位的评分细则"))


@transaction.atomic
def add_scheme_version(actor, owner: OrgUnit, scheme: Scheme) -> SchemeVersion:
    _require(actor, owner)
    if SchemeVersion.objects.filter(owner=owner, code=scheme.code, version=scheme.version).exists():
        raise ValidationError(
            {
                "file": _("本单位已有方案 %(code)s 的第 %(version)d 版；请在表中提高版本号")
                % {"code": scheme.code, "version": scheme.version}
            }
        )
    version = SchemeVersion(
        owner=owner,
        code=scheme.code,
        version=scheme.version,
        title=scheme.title,
        year=scheme.year,
        text=dump_scheme(scheme),
        created_by=actor,
    )
    version.save()
    record(
        actor,
        "scheme.add",
        version,
        new={"code": version.code, "version": version.version, "digest": version.digest},
    )
    return version


@transaction.atomic
def publish_scheme(actor, version: SchemeVersion) -> SchemeVersion:
    version = SchemeVersion.objects.select_for_update().get(pk=version.pk)
    _require(actor, version.owner)
    if version.is_published:
        raise ValidationError(_("该版本已发布"))
    version.status = SchemeStatus.PUBLISHED
    version.published_at = timezone.now()
    version.save()
    record(actor, "scheme.publish", version, new={"digest": version.digest})
    return version
