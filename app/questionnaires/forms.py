"""Forms of the questionnaire editor (事業設定). Every form carries `base_version`, the version the
page showed, so that a save over someone else's newer version is refused instead of lost."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from app.core.forms import BaseForm, strip_filter

TITLE_MAX, LABEL_MAX, OPTION_MAX, OPTIONS_MAX = 200, 500, 200, 30
TYPE_CHOICES = [SelectChoice("single", _l("単一選択（1つ選ぶ）")), SelectChoice("multi", _l("複数選択（いくつでも選ぶ）")),
                SelectChoice("scale5", _l("5段階評価")), SelectChoice("text", _l("自由記述"))]
LEVEL_ROWS_EXTRA, LEVEL_ROWS_MAX = 2, 12


def lines(text: str | None) -> list[str]:
    """The non-blank lines of a textarea, trimmed (one option per line)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _base_version(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # never a stored version: the save is refused as a conflict


class EditorForm(BaseForm):
    """Base: the version the page was built from."""

    base_version = HiddenField(filters=[_base_version])


class SurveySettingsForm(EditorForm):
    """Title, answer and link periods, and whether a follow-up survey is asked."""

    title = StringField(_l("表題"), filters=[strip_filter], validators=[
        InputRequired(message=_l("表題を入力してください。")), Length(max=TITLE_MAX, message=_l("%(max)d文字以内で入力してください。", max=TITLE_MAX))])
    due_days = IntegerField(_l("回答期限（依頼から何日以内）"), validators=[
        InputRequired(message=_l("日数を入力してください。")), NumberRange(1, 365, message=_l("1〜365の日数を入力してください。"))])
    link_days = IntegerField(_l("回答用リンクの有効期間（日）"), validators=[
        InputRequired(message=_l("日数を入力してください。")), NumberRange(1, 365, message=_l("1〜365の日数を入力してください。"))])
    follow_up = BooleanField(_l("翌年度にフォローアップアンケートを実施する"))
    follow_up_title = StringField(_l("フォローアップアンケートの表題"), filters=[strip_filter], validators=[
        Optional(), Length(max=TITLE_MAX, message=_l("%(max)d文字以内で入力してください。", max=TITLE_MAX))])

    def validate_follow_up_title(self, field):
        if self.follow_up.data and not field.data:
            raise ValidationError(_l("フォローアップアンケートを実施するときは表題を入力してください。"))


class QuestionForm(EditorForm):
    """One question: label, type, choices (one per line), required; for the 課題解決につながったか
    question also the answers that count as solved (001:195)."""

    label = TextAreaField(_l("設問文"), filters=[strip_filter], validators=[
        InputRequired(message=_l("設問文を入力してください。")), Length(max=LABEL_MAX, message=_l("%(max)d文字以内で入力してください。", max=LABEL_MAX))])
    type = SelectField(_l("回答の形式"), choices=TYPE_CHOICES, validators=[InputRequired(message=_l("回答の形式を選んでください。"))])
    options = TextAreaField(_l("選択肢（1行に1つ）"), filters=[strip_filter])
    required = BooleanField(_l("回答を必須にする"))
    solved_options = TextAreaField(_l("「課題解決につながった」とみなす回答（1行に1つ、選択肢と同じ文言）"), filters=[strip_filter])

    def __init__(self, *args, is_solved_question: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_solved_question = is_solved_question
        if is_solved_question:  # fixed: the share 課題解決につながった is counted from it
            self.type.choices = [TYPE_CHOICES[0]]
        else:
            del self.solved_options

    def validate_options(self, field):
        options = lines(field.data)
        if self.type.data in ("single", "multi"):
            if len(options) < 2 or len(set(options)) != len(options):
                raise ValidationError(_l("異なる選択肢を2つ以上、1行に1つずつ入力してください。"))
            if len(options) > OPTIONS_MAX or any(len(o) > OPTION_MAX for o in options):
                raise ValidationError(_l("選択肢は%(n)d個まで、それぞれ%(max)d文字以内にしてください。", n=OPTIONS_MAX, max=OPTION_MAX))
        elif options:
            raise ValidationError(_l("選択肢は単一選択・複数選択の設問にだけ入力できます。"))

    def validate_solved_options(self, field):
        solved = lines(field.data)
        if not solved:
            raise ValidationError(_l("「課題解決につながった」とみなす回答を1つ以上入力してください。"))
        unknown = [o for o in solved if o not in lines(self.options.data)]
        if unknown:
            raise ValidationError(_l("選択肢にない回答があります：%(names)s", names="、".join(unknown)))


def needs_form_class(rows: int) -> type[EditorForm]:
    """The needs-survey editor with `rows` maturity-level rows (`level_value_<i>`, `level_label_<i>`);
    blank rows are ignored, so a row is added by filling a blank one and removed by clearing it."""
    attrs = {
        "title": StringField(_l("表題"), filters=[strip_filter], validators=[
            InputRequired(message=_l("表題を入力してください。")), Length(max=TITLE_MAX, message=_l("%(max)d文字以内で入力してください。", max=TITLE_MAX))]),
        "maturity_label": StringField(_l("取組段階の設問文"), filters=[strip_filter], validators=[
            InputRequired(message=_l("取組段階の設問文を入力してください。")), Length(max=LABEL_MAX, message=_l("%(max)d文字以内で入力してください。", max=LABEL_MAX))]),
        "comment_max": IntegerField(_l("コメントの最大文字数"), validators=[
            InputRequired(message=_l("文字数を入力してください。")), NumberRange(1, 10000, message=_l("1〜10000の文字数を入力してください。"))]),
        "rows": rows,
    }
    for i in range(rows):
        attrs[f"level_value_{i}"] = IntegerField(_l("段階%(n)dの値", n=i + 1), validators=[
            Optional(), NumberRange(0, 99, message=_l("0〜99の整数を入力してください。"))])
        attrs[f"level_label_{i}"] = StringField(_l("段階%(n)dの名前", n=i + 1), filters=[strip_filter], validators=[
            Optional(), Length(max=LABEL_MAX, message=_l("%(max)d文字以内で入力してください。", max=LABEL_MAX))])
    return type("NeedsEditorForm", (NeedsEditorBase,), attrs)


class NeedsEditorBase(EditorForm):
    """Cross-row checks of the maturity levels."""

    rows = 0

    def level_fields(self) -> list[tuple]:
        """`[(value_field, label_field)]` in row order."""
        return [(self[f"level_value_{i}"], self[f"level_label_{i}"]) for i in range(self.rows)]

    def levels(self) -> list[dict]:
        """The filled rows as `[{"value", "label"}]`."""
        return [{"value": v.data, "label": label.data} for v, label in self.level_fields()
                if v.data is not None and label.data]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        seen: set[int] = set()
        for value, label in self.level_fields():
            if value.errors or label.errors:
                continue
            if value.data is None and label.data:
                value.errors.append(_l("値を入力してください（名前だけの段階は保存できません）。"))
            elif value.data is not None and not label.data:
                label.errors.append(_l("名前を入力してください（値だけの段階は保存できません）。"))
            elif value.data is not None and value.data in seen:
                value.errors.append(_l("段階の値が重複しています。"))
            if value.data is not None:
                seen.add(value.data)
        if len(self.levels()) < 2 and not any(v.errors or lb.errors for v, lb in self.level_fields()):
            first = self.level_fields()[0][1] if self.rows else None
            if first is not None:
                first.errors.append(_l("取組段階は2つ以上入力してください。"))
        return ok and not any(v.errors or lb.errors for v, lb in self.level_fields())
