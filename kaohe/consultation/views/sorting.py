"""Sorting and answering (梳理、吸纳): the register page with filters and grouping suggestions,
one suggestion's page (its answer, its links to the next version's changes, what became of its
clause), topics and groups."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaohe.consultation import actions
from kaohe.consultation.forms import AnswerForm, LinkForm
from kaohe.consultation.models import Channel, Disposition, SuggestionGroup
from kaohe.consultation.queries import (
    fate_in,
    get_round_for_user,
    get_suggestion_for_user,
    indicator_titles,
    is_organiser,
    latest_version,
    register_rows,
    sees_all,
)
from kaohe.forms_errors import run_action
from kaohe.measures.documents import full_labels

PAGE_SIZE = 50


def _organiser_side(request, public_id):
    round_ = get_round_for_user(request.user, public_id)
    if not sees_all(request.user, round_):
        raise Http404("participants do not sort")
    return round_


def _proposed_groups(rows):
    """Similar suggestions not yet confirmed as a group, for a person to confirm."""
    from kaohe.consultation.similarity import group_similar

    loose = [(str(r.suggestion.pk), r.text) for r in rows if r.suggestion.group_id is None]
    by_pk = {str(r.suggestion.pk): r for r in rows}
    return [
        {"rows": [by_pk[i] for i in g.ids], "score": g.score, "terms": g.terms} for g in group_similar(loose)
    ]


@login_required
def suggestions(request, public_id):
    round_ = _organiser_side(request, public_id)
    rows = register_rows(round_, reveal=True)
    topic, disposition, channel = (request.GET.get(k, "") for k in ("topic", "disposition", "channel"))
    query = request.GET.get("q", "").strip()
    shown = [
        r
        for r in rows
        if (not topic or str(r.suggestion.topic_id or "none") == topic)
        and (not disposition or r.suggestion.disposition == (disposition if disposition != "pending" else ""))
        and (not channel or r.suggestion.channel == channel)
        and (not query or query in r.text or query in r.submitter or query in r.target)
    ]
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "consultation/suggestions.html",
        {
            "round": round_,
            "page": page,
            "total": len(rows),
            "shown": len(shown),
            "topics": round_.topics.all(),
            "dispositions": Disposition.choices[1:],
            "channels": Channel.choices,
            "filters": {"topic": topic, "disposition": disposition, "channel": channel, "q": query},
            "proposed": _proposed_groups(rows) if is_organiser(request.user, round_) else [],
            "groups": SuggestionGroup.objects.filter(round=round_).prefetch_related("suggestions"),
            "can_manage": is_organiser(request.user, round_),
        },
    )


@login_required
def suggestion_detail(request, public_id, suggestion_id):
    round_ = _organiser_side(request, public_id)
    suggestion = get_suggestion_for_user(request.user, round_, suggestion_id)
    row = next(r for r in register_rows(round_, reveal=True) if r.suggestion.pk == suggestion.pk)
    latest = latest_version(round_)
    later = latest.number > round_.draft.number
    full = full_labels(latest) if later else {}
    latest_clauses = [(c, full[c.pk]) for c in latest.clauses.order_by("position")] if later else []
    labels = {str(c.key): label for c, label in latest_clauses}
    links = [
        {
            "link": made,
            "label": labels.get(str(made.clause_key), _("（已删除）")) if made.clause_key else made.indicator,
        }
        for made in suggestion.links.select_related("version")
    ]
    titles = indicator_titles(round_)
    if latest.scheme is not None:
        titles |= {p.node.code: p.node.title for p in latest.scheme.scheme.walk()}
    return render(
        request,
        "consultation/suggestion.html",
        {
            "round": round_,
            "row": row,
            "suggestion": suggestion,
            "fate": fate_in(latest, suggestion.clause, full) if later and suggestion.clause else None,
            "latest": latest if later else None,
            "latest_clauses": latest_clauses,
            "indicators": list(titles.items()),  # in the table's order
            "links": links,
            "form": AnswerForm(
                initial={
                    "disposition": suggestion.disposition,
                    "reason": suggestion.reason,
                    "revision": suggestion.revision,
                }
            ),
            "dispositions": Disposition.choices[1:],
            "topics": round_.topics.all(),
            "can_manage": is_organiser(request.user, round_),
        },
    )


def _after(request, round_, suggestion=None):
    target = request.POST.get("next", "")
    if target == "list" or suggestion is None:
        return redirect("consultation:suggestions", public_id=round_.public_id)
    return redirect("consultation:suggestion", public_id=round_.public_id, suggestion_id=suggestion.public_id)


def _write(request, round_, suggestion, write, success: str):
    run_action(request, write, success)
    return _after(request, round_, suggestion)


@login_required
@require_POST
def answer(request, public_id, suggestion_id):
    round_ = get_round_for_user(request.user, public_id, write=True)
    suggestion = get_suggestion_for_user(request.user, round_, suggestion_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择处理意见"))
        return _after(request, round_, suggestion)
    data = form.cleaned_data
    revision = data["revision"] if data["revision"] is not None else suggestion.revision
    return _write(
        request,
        round_,
        suggestion,
        lambda: actions.answer(
            request.user, suggestion, data["disposition"], data["reason"], revision=revision
        ),
        _("第 %(n)d 条意见已答复") % {"n": suggestion.number},
    )


@login_required
@require_POST
def set_topic(request, public_id, suggestion_id):
    round_ = get_round_for_user(request.user, public_id, write=True)
    suggestion = get_suggestion_for_user(request.user, round_, suggestion_id)
    topic_id = request.POST.get("topic", "")
    topic = round_.topics.filter(pk=topic_id).first() if topic_id else None
    if topic_id and topic is None:
        raise Http404("no such topic")
    return _write(
        request,
        round_,
        suggestion,
        lambda: actions.set_topic(request.user, suggestion, topic),
        _("议题已更新"),
    )


@login_required
@require_POST
def add_topic(request, public_id):
    round_ = get_round_for_user(request.user, public_id, write=True)
    return _write(
        request,
        round_,
        None,
        lambda: actions.add_topic(request.user, round_, request.POST.get("name", "")),
        _("已添加议题"),
    )


@login_required
@require_POST
def group(request, public_id):
    round_ = get_round_for_user(request.user, public_id, write=True)
    chosen = list(round_.suggestions.filter(pk__in=request.POST.getlist("suggestion")))
    return _write(
        request,
        round_,
        None,
        lambda: actions.group(request.user, round_, chosen, request.POST.get("title", "")),
        _("已归并为一组，可统一答复"),
    )


@login_required
@require_POST
def ungroup(request, public_id, suggestion_id):
    round_ = get_round_for_user(request.user, public_id, write=True)
    suggestion = get_suggestion_for_user(request.user, round_, suggestion_id)
    return _write(
        request, round_, suggestion, lambda: actions.ungroup(request.user, suggestion), _("已移出归并组")
    )


@login_required
@require_POST
def answer_group(request, public_id, group_id):
    round_ = get_round_for_user(request.user, public_id, write=True)
    group_ = SuggestionGroup.objects.filter(round=round_, pk=group_id).first()
    if group_ is None:
        raise Http404("no such group")
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择处理意见"))
        return redirect("consultation:suggestions", public_id=round_.public_id)
    data = form.cleaned_data
    return _write(
        request,
        round_,
        None,
        lambda: actions.answer_group(request.user, group_, data["disposition"], data["reason"]),
        _("已统一答复本组意见"),
    )


@login_required
@require_POST
def link(request, public_id, suggestion_id):
    round_ = get_round_for_user(request.user, public_id, write=True)
    suggestion = get_suggestion_for_user(request.user, round_, suggestion_id)
    form = LinkForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    latest = latest_version(round_)
    return _write(
        request,
        round_,
        suggestion,
        lambda: actions.link(
            request.user,
            suggestion,
            latest,
            clause_key=data.get("clause", ""),
            indicator=data.get("indicator", ""),
        ),
        _("已关联修改"),
    )


@login_required
@require_POST
def unlink(request, public_id, suggestion_id, link_id):
    round_ = get_round_for_user(request.user, public_id, write=True)
    suggestion = get_suggestion_for_user(request.user, round_, suggestion_id)
    made = suggestion.links.filter(pk=link_id).first()
    if made is None:
        raise Http404("no such link")
    return _write(request, round_, suggestion, lambda: actions.unlink(request.user, made), _("已取消关联"))
