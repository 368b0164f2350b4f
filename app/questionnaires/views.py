"""Views of the questionnaire editor in 事業設定 (routes under /t/<tenant_slug>/settings/): the
program office edits the 事後アンケート (/settings/survey) and the DX課題把握アンケート
(/settings/needs-survey). Plain forms, no JavaScript: general settings on the survey page, one
page per question, and one POST per move or removal. Every save is a new version (audited)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.models import Role
from app.auth.permissions import role_required
from app.extensions import db
from app.needs.forms import needs_form_class as needs_answer_form_class
from app.questionnaires import editing, store
from app.questionnaires.forms import LEVEL_ROWS_EXTRA, LEVEL_ROWS_MAX, QuestionForm, SurveySettingsForm, lines, needs_form_class
from app.questionnaires.models import QuestionnaireKind
from app.questionnaires.services import QuestionnaireConflict, save_questionnaire, template_of
from app.surveys.forms import survey_form_class
from app.surveys.template import SOLVED_KEY

bp = Blueprint("questionnaires", __name__, url_prefix="/t/<tenant_slug>/settings")
SURVEY, NEEDS = QuestionnaireKind.SURVEY, QuestionnaireKind.NEEDS
PART_LABELS = {"initial": "事後アンケート", "follow_up": "フォローアップアンケート（翌年度）"}


def _save(kind: QuestionnaireKind, definition: dict, base_version) -> bool:
    """Store `definition` and commit; flash the outcome. False (nothing written) on a conflict or
    an invalid definition, whose message names the key."""
    try:
        row = save_questionnaire(g.tenant, kind, definition, actor=current_user, base_version=base_version)
    except (QuestionnaireConflict, editing.EditError, ValueError) as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return False
    if row is None:
        flash(_("変更がないため、新しい版は作成しませんでした。"), "info")
        return True
    db.session.commit()
    flash(_("保存しました（第%(n)d版）。これからの回答はこの版の設問で受け付けます。", n=row.version), "success")
    return True


def _current_survey():
    stored = store.current(g.tenant.id, SURVEY)
    return stored, (stored.definition if stored else None)


def _part_or_404(part: str) -> str:
    if part not in editing.PARTS:
        abort(404)
    return part


@bp.route("/survey", methods=["GET", "POST"])
@role_required(Role.OPERATOR)
def survey():
    """The 事後アンケート: its general settings (title, answer and link periods, follow-up), the
    questions of each part with edit, move and remove, and the version history."""
    stored, definition = _current_survey()
    form = SurveySettingsForm(data=None if stored is None or request.method != "GET" else {
        "base_version": stored.version, "title": definition["title"], "due_days": definition["due_days"],
        "link_days": definition["link_days"], "follow_up": definition["follow_up"],
        "follow_up_title": (definition.get("follow_up_survey") or {}).get("title", editing.STARTER_FOLLOW_UP["title"])})
    if stored is not None and form.validate_on_submit():
        new = editing.with_settings(definition, title=form.title.data, due_days=form.due_days.data,
                                    link_days=form.link_days.data, follow_up=form.follow_up.data,
                                    follow_up_title=form.follow_up_title.data)
        if _save(SURVEY, new, form.base_version.data):
            return redirect(url_for("questionnaires.survey"))
    status = 400 if form.is_submitted() else 200
    return render_template("questionnaires/survey.html", stored=stored, definition=definition, form=form,
                           sections=_sections(definition), history=store.history(g.tenant.id, SURVEY),
                           part_labels=PART_LABELS, solved_key=SOLVED_KEY), status


def _sections(definition: dict | None) -> list[tuple[str, dict]]:
    if definition is None:
        return []
    return [(part, editing.section(definition, part)) for part in editing.PARTS if editing.section(definition, part)]


@bp.route("/survey/create", methods=["POST"])
@role_required(Role.OPERATOR)
def create_survey():
    """Create the tenant's first 事後アンケート from a starter (課題解決につながったか, 満足度, ご意見),
    to be edited from there."""
    if store.current(g.tenant.id, SURVEY) is not None:
        flash(_("事後アンケートはすでにあります。設問はこのページで編集できます。"), "info")
    else:
        _save(SURVEY, editing.STARTER_SURVEY, 0)
    return redirect(url_for("questionnaires.survey"))


@bp.route("/survey/<part>/questions/new", methods=["GET", "POST"], defaults={"key": None})
@bp.route("/survey/<part>/questions/<key>", methods=["GET", "POST"])
@role_required(Role.OPERATOR)
def question(part: str, key: str | None):
    """Add a question to a part (key None) or edit one: its text, answer type, choices, whether
    it is required; for 課題解決につながったか also the answers that count as solved."""
    stored, definition = _current_survey()
    target = editing.section(definition, _part_or_404(part)) if definition else None
    if target is None:
        abort(404)
    existing = next((q for q in target["questions"] if q["key"] == key), None)
    if key is not None and existing is None:
        abort(404)
    data = {"base_version": stored.version, "type": "single", "required": False}
    if existing is not None:
        data.update(label=existing["label"], type=existing["type"], options="\n".join(existing.get("options", [])),
                    required=existing["required"])
        if key == SOLVED_KEY:
            data["solved_options"] = "\n".join(target["solved_options"])
    form = QuestionForm(data=data if request.method == "GET" else None, is_solved_question=key == SOLVED_KEY)
    if form.validate_on_submit():
        try:
            new = editing.with_question(definition, part, key, label=form.label.data, type_=form.type.data,
                                        options=lines(form.options.data), required=form.required.data,
                                        solved_options=lines(form.solved_options.data) if key == SOLVED_KEY else None)
        except editing.EditError as exc:
            flash(str(exc), "error")
        else:
            if _save(SURVEY, new, form.base_version.data):
                return redirect(url_for("questionnaires.survey"))
    status = 400 if form.is_submitted() else 200
    return render_template("questionnaires/question.html", form=form, part=part, key=key, stored=stored,
                           part_label=PART_LABELS[part]), status


def _base_version() -> int:
    return request.form.get("base_version", type=int, default=-1)


@bp.route("/survey/<part>/questions/<key>/move", methods=["POST"])
@role_required(Role.OPERATOR)
def move_question(part: str, key: str):
    """Move a question up (direction=up) or down; a new version."""
    _stored, definition = _current_survey()
    if definition is None or editing.section(definition, _part_or_404(part)) is None:
        abort(404)
    try:
        new = editing.moved(definition, part, key, -1 if request.form.get("direction") == "up" else 1)
    except editing.EditError:
        abort(404)
    _save(SURVEY, new, _base_version())
    return redirect(url_for("questionnaires.survey"))


@bp.route("/survey/<part>/questions/<key>/delete", methods=["POST"])
@role_required(Role.OPERATOR)
def delete_question(part: str, key: str):
    """Remove a question (not 課題解決につながったか); answers already given keep it, since they
    are shown with their own version."""
    _stored, definition = _current_survey()
    if definition is None or editing.section(definition, _part_or_404(part)) is None:
        abort(404)
    try:
        new = editing.without_question(definition, part, key)
    except editing.EditError as exc:
        flash(str(exc), "error")
    else:
        _save(SURVEY, new, _base_version())
    return redirect(url_for("questionnaires.survey"))


@bp.route("/survey/preview")
@role_required(Role.OPERATOR)
def survey_preview():
    """The current survey as respondents see it (both parts; nothing can be submitted)."""
    stored = store.current(g.tenant.id, SURVEY)
    if stored is None:
        abort(404)
    template = template_of(SURVEY, stored)
    parts = [(t, survey_form_class(t)(formdata=None, prefix=f"preview-{name}"))
             for name, t in (("initial", template), ("follow_up", template.follow_up)) if t is not None]
    return render_template("questionnaires/survey_preview.html", stored=stored, parts=parts)


def _needs_rows(definition: dict | None) -> int:
    levels = len(definition["maturity"]["levels"]) if definition else 2
    return min(levels + LEVEL_ROWS_EXTRA, LEVEL_ROWS_MAX)


@bp.route("/needs-survey", methods=["GET", "POST"])
@role_required(Role.OPERATOR)
def needs_survey():
    """The DX課題把握アンケート: title, the maturity question and its levels, the comment length;
    a tenant without one creates it here (the navigation then shows its pages)."""
    stored = store.current(g.tenant.id, NEEDS)
    definition = stored.definition if stored else editing.STARTER_NEEDS
    rows = _needs_rows(definition)
    data = {"base_version": stored.version if stored else 0, "title": definition["title"],
            "maturity_label": definition["maturity"]["label"], "comment_max": definition["comment_max"]}
    for i, level in enumerate(definition["maturity"]["levels"]):
        data.update({f"level_value_{i}": level["value"], f"level_label_{i}": level["label"]})
    # Prefilled on GET only: on POST a field left out must stay empty, not fall back to the stored value.
    form = needs_form_class(rows)(data=data if request.method == "GET" else None)
    if form.validate_on_submit():
        new = {"title": form.title.data, "comment_max": form.comment_max.data,
               "maturity": {"label": form.maturity_label.data, "levels": form.levels()}}
        if _save(NEEDS, new, form.base_version.data):
            return redirect(url_for("questionnaires.needs_survey"))
    preview = None
    if stored is not None:
        template = template_of(NEEDS, stored)
        preview = (template, needs_answer_form_class(g.tenant, template)(formdata=None, prefix="preview"))
    status = 400 if form.is_submitted() else 200
    return render_template("questionnaires/needs.html", stored=stored, form=form, preview=preview,
                           history=store.history(g.tenant.id, NEEDS)), status
