"""Needs-survey services: the operator opens (or re-dates) the round of a fiscal year and records
reminders; a municipality's answer is recorded — by its staff while the round is open, or by an
importer — through `record_needs_response`, which validates exactly as the form does.
Services flush, never commit, never read `flask.request`."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _

from app.core.audit import record_audit
from app.core.clock import today_jst
from app.core.db import utcnow
from app.extensions import db
from app.needs.models import NeedsSurveyResponse, NeedsSurveyRound
from app.needs.template import NeedsTemplate, load_needs_template
from app.tenancy.models import Organisation, OrganisationKind, Tenant


class NeedsSurveyError(ValueError):
    """The round or answer is not acceptable as given (message is user-facing Japanese)."""


def save_needs_round(tenant, *, fiscal_year: int, opens_on: dt.date, closes_on: dt.date, actor) -> NeedsSurveyRound:
    """Open the needs survey of `fiscal_year` (the year whose menu it informs), or change the dates
    of the existing round. Dates are JST, inclusive. Raises `NeedsSurveyError` when `closes_on` is
    before `opens_on` or the year is outside 2000–2100."""
    if not 2000 <= fiscal_year <= 2100:
        raise NeedsSurveyError(_("年度が正しくありません。"))
    if closes_on < opens_on:
        raise NeedsSurveyError(_("締切日は開始日以降にしてください。"))
    round_ = db.session.scalar(sa.select(NeedsSurveyRound).where(
        NeedsSurveyRound.tenant_id == tenant.id, NeedsSurveyRound.fiscal_year == fiscal_year))
    if round_ is None:
        round_ = NeedsSurveyRound(tenant_id=tenant.id, fiscal_year=fiscal_year, reminders=[])
        db.session.add(round_)
    round_.opens_on, round_.closes_on = opens_on, closes_on
    db.session.flush()
    record_audit("needs.round", tenant_id=tenant.id, actor=actor, target=round_,
                 changes={"fiscal_year": fiscal_year, "opens_on": opens_on.isoformat(), "closes_on": closes_on.isoformat()})
    return round_


def clean_needs_answer(tenant, template: NeedsTemplate, *, categories, maturity, comments) -> tuple[list, int, dict]:
    """Validate an answer: at least one category of the tenant's taxonomy (kept in taxonomy order),
    a maturity value of the template's levels, comments only for chosen categories and at most
    `comment_max` characters (blank ones dropped). Returns `(categories, maturity, comments)`;
    raises `NeedsSurveyError`."""
    codes = [c["code"] for c in tenant.categories or []]
    chosen = list(categories or [])
    if not chosen:
        raise NeedsSurveyError(_("課題の分類を1つ以上選んでください。"))
    if unknown := [c for c in chosen if c not in codes]:
        raise NeedsSurveyError(_("分類一覧にない分類があります：%(codes)s", codes="、".join(map(str, unknown))))
    if type(maturity) is not int or maturity not in {v for v, _label in template.levels}:
        raise NeedsSurveyError(_("取組段階を選んでください。"))
    cleaned = {}
    for code, text in (comments or {}).items():
        text = (text or "").strip() if isinstance(text, str) else None
        if text is None or (text and code not in chosen):
            raise NeedsSurveyError(_("選んでいない分類へのコメントは入力できません。"))
        if len(text) > template.comment_max:
            raise NeedsSurveyError(_("コメントは%(max)d文字以内で入力してください。", max=template.comment_max))
        if text:
            cleaned[code] = text
    return [c for c in codes if c in chosen], maturity, cleaned


def record_needs_response(round_: NeedsSurveyRound, municipality: Organisation, *, actor, categories, maturity,
                          comments, today: dt.date | None = None, check_window: bool = True,
                          is_sample: bool = False) -> NeedsSurveyResponse:
    """Create or replace `municipality`'s answer to `round_` (categories: list of codes; maturity:
    int level; comments: `{code: text}`) against the current version of the needs survey (recorded
    on the answer). With `check_window` (municipal staff) the round must be
    open on `today` (JST); an importer or seed passes False. Raises `NeedsSurveyError`."""
    tenant = db.session.get(Tenant, round_.tenant_id)
    if municipality.tenant_id != round_.tenant_id or municipality.kind != OrganisationKind.MUNICIPALITY:
        raise NeedsSurveyError(_("市町村が正しくありません。"))
    if check_window and not round_.is_open(today or today_jst()):
        raise NeedsSurveyError(_("回答期間外です。回答・修正は受付期間中にできます。"))
    template = load_needs_template(tenant)
    cats, level, texts = clean_needs_answer(tenant, template, categories=categories, maturity=maturity, comments=comments)
    response = response_for(round_, municipality)
    if response is None:
        response = NeedsSurveyResponse(tenant_id=round_.tenant_id, round_id=round_.id, municipality_id=municipality.id,
                                       is_sample=is_sample)
        db.session.add(response)
    response.categories, response.maturity, response.comments = cats, level, texts
    response.questionnaire_version = template.version  # an edited answer is to the current questions
    response.submitted_at, response.submitted_by_id = utcnow(), getattr(actor, "id", None)
    db.session.flush()
    record_audit("needs.answer", tenant_id=round_.tenant_id, actor=actor, target=response,
                 changes={"round_id": round_.id, "municipality_id": municipality.id})
    return response


def response_for(round_: NeedsSurveyRound, municipality: Organisation) -> NeedsSurveyResponse | None:
    """`municipality`'s answer to `round_`, or None."""
    return db.session.scalar(sa.select(NeedsSurveyResponse).where(
        NeedsSurveyResponse.tenant_id == round_.tenant_id, NeedsSurveyResponse.round_id == round_.id,
        NeedsSurveyResponse.municipality_id == municipality.id))


def remind_needs_non_respondents(round_: NeedsSurveyRound, *, actor, municipality_ids: list[int]) -> dict:
    """Record a reminder to the municipalities that have not answered (`municipality_ids`, from
    `queries.non_respondents`); e-mail comes with the notifications issue. Returns the entry."""
    entry = {"at": utcnow().isoformat(), "actor_id": getattr(actor, "id", None), "municipality_ids": list(municipality_ids)}
    round_.reminders = [*(round_.reminders or []), entry]
    db.session.flush()
    record_audit("needs.remind", tenant_id=round_.tenant_id, actor=actor, target=round_,
                 changes={"count": len(municipality_ids)})
    return entry
