"""Rounds: the list, opening one on a draft, the round's page (the draft to comment on for a
participant; responses, reminders and the way to the final version for the organiser)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaohe.consultation import actions
from kaohe.consultation.forms import CommentForm, RoundForm
from kaohe.consultation.models import Disposition, RoundStatus
from kaohe.consultation.queries import (
    get_round_for_user,
    indicator_titles,
    invitable_people,
    is_organiser,
    latest_version,
    register_rows,
    rounds_for_user,
    sees_all,
    statistics,
)
from kaohe.forms_errors import add_action_errors, run_action
from kaohe.measures.documents import clause_rows, get_version_for_user
from kaohe.measures.models import VersionStatus
from kaohe.measures.views.schemes import scheme_rows


@login_required
def round_list(request):
    rounds = rounds_for_user(request.user).prefetch_related("participants")
    rows = [
        {"round": r, "mine": next((p for p in r.participants.all() if p.user_id == request.user.pk), None)}
        for r in rounds
    ]
    return render(request, "consultation/list.html", {"rows": rows})


@login_required
def round_create(request, public_id):
    draft = get_version_for_user(request.user, public_id, write=True)
    people = invitable_people(draft.document.owner)
    initial = {"title": _("关于征求《%(title)s》意见的通知") % {"title": draft.title}}
    form = RoundForm(request.POST or None, people=people, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # People chosen one by one, and everyone invitable in the chosen organisations.
        orgs = set(data["orgs"])
        picked = set(data["participants"])
        chosen = [p for p in people if str(p["user"].pk) in picked or p["org"].code in orgs]
        anonymous = set(data["anonymous"])
        try:
            round_ = actions.open_round(
                request.user,
                draft,
                title=data["title"],
                deadline=data["deadline"],
                instructions=data["instructions"],
                people=[(p["user"], p["org"], str(p["user"].pk) in anonymous) for p in chosen],
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("已发出征求意见稿，共 %(n)d 名参与人") % {"n": len(chosen)})
            return redirect("consultation:detail", public_id=round_.public_id)
    return render(request, "consultation/form.html", {"form": form, "draft": draft, "people": people})


@login_required
def round_detail(request, public_id):
    round_ = get_round_for_user(request.user, public_id)
    organiser_side = sees_all(request.user, round_)
    me = round_.participants.filter(user=request.user).first()
    rows = register_rows(round_, reveal=organiser_side)
    counts: dict[int, int] = {}
    for row in rows:
        if row.suggestion.clause_id:
            counts[row.suggestion.clause_id] = counts.get(row.suggestion.clause_id, 0) + 1
    open_for_me = me is not None and round_.status == RoundStatus.OPEN and timezone.now() <= round_.deadline
    titles = indicator_titles(round_)
    latest = latest_version(round_)
    participants = list(round_.participants.select_related("user", "org")) if organiser_side else []
    return render(
        request,
        "consultation/detail.html",
        {
            "round": round_,
            "me": me,
            "open_for_me": open_for_me,
            "organiser_side": organiser_side,
            "can_manage": is_organiser(request.user, round_),
            "rows": [{**row, "count": counts.get(row["clause"].pk, 0)} for row in clause_rows(round_.draft)],
            "suggestions": rows,
            "mine": [r for r in rows if me is not None and r.suggestion.participant_id == me.pk],
            "indicators": list(titles.items()),  # in the table's order
            "participants": participants,
            "waiting": sum(1 for p in participants if p.responded_at is None),
            "stats": statistics(rows),
            "latest": latest,
            "loose_ends": _loose_ends(round_, latest) if organiser_side else {},
            "final_ready": round_.status == RoundStatus.CLOSED
            and latest.number > round_.draft.number
            and latest.status == VersionStatus.DRAFT,
            "comment_form": CommentForm(),
        },
    )


def _loose_ends(round_, latest) -> dict:
    """What publishing now would leave: unanswered suggestions, adoptions with no linked change."""
    if latest.number <= round_.draft.number:
        return {}
    return {
        "pending": round_.suggestions.filter(disposition=Disposition.PENDING).count(),
        "unlinked": round_.suggestions.filter(disposition__in=[Disposition.ADOPTED, Disposition.PARTLY])
        .exclude(links__version=latest)
        .count(),
    }


def _back(round_):
    return redirect("consultation:detail", public_id=round_.public_id)


@login_required
@require_POST
def comment(request, public_id):
    round_ = get_round_for_user(request.user, public_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写意见建议"))
        return _back(round_)
    data = form.cleaned_data
    run_action(
        request,
        lambda: actions.comment(
            request.user,
            round_,
            data["text"],
            proposed=data["proposed"],
            clause_key=data["clause"],
            indicator=data["indicator"],
        ),
        lambda suggestion: _("已提交第 %(n)d 条意见") % {"n": suggestion.number},
    )
    return _back(round_)


@login_required
@require_POST
def no_comment(request, public_id):
    round_ = get_round_for_user(request.user, public_id)
    run_action(request, lambda: actions.declare_no_comment(request.user, round_), _("已反馈：无意见"))
    return _back(round_)


@login_required
@require_POST
def remind(request, public_id):
    round_ = get_round_for_user(request.user, public_id, write=True)
    count = run_action(
        request,
        lambda: actions.remind(request.user, round_),
        lambda n: _("已提醒 %(n)d 名尚未反馈的参与人") % {"n": n} if n else "",
    )
    if count == 0:
        messages.info(request, _("尚未反馈的参与人在 24 小时内都已提醒过，不再重复提醒"))
    return _back(round_)


@login_required
@require_POST
def close(request, public_id):
    round_ = get_round_for_user(request.user, public_id, write=True)
    run_action(
        request, lambda: actions.close_round(request.user, round_), _("征求意见已截止，可继续梳理和答复")
    )
    return _back(round_)


@login_required
@require_POST
def conclude(request, public_id):
    round_ = get_round_for_user(request.user, public_id, write=True)
    final = latest_version(round_)
    if final.number <= round_.draft.number:
        raise Http404("no later draft")
    if request.POST.get("confirm") != "yes":
        # Publishing cannot be undone: the page lists what is left loose and asks for a tick.
        messages.error(request, _("请先核对待办事项并勾选确认，再发布正式稿"))
        return _back(round_)
    run_action(
        request,
        lambda: actions.conclude(request.user, round_, final),
        _("正式稿已发布，附件评分细则可供考核周期选用"),
    )
    return _back(round_)


@login_required
def scheme(request, public_id):
    """The scoring table annexed to the draft, for everyone in the round to read (participants
    may not open the committee's scheme pages)."""
    round_ = get_round_for_user(request.user, public_id)
    version = round_.draft.scheme
    if version is None:
        raise Http404("no annex")
    return render(
        request,
        "consultation/scheme.html",
        {"round": round_, "version": version, "rows": scheme_rows(version.scheme)},
    )
