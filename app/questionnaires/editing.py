"""Edits of a survey definition as the 事業設定 editor makes them: pure functions from one
canonical definition (a dict, `app.surveys.template`) to the next, which `save_questionnaire`
then validates and stores as a new version. Nothing here touches the database.

A survey has two parts: "initial" (the top-level questionnaire) and "follow_up" (the
`follow_up_survey` table, asked in the next fiscal year when `follow_up` is true).
"""
from __future__ import annotations

import copy

from flask_babel import gettext as _

from app.surveys.template import SOLVED_KEY

PARTS = ("initial", "follow_up")

STARTER_SURVEY = {
    "title": "事後アンケート", "due_days": 30, "link_days": 14, "follow_up": False,
    "solved_options": ["とてもつながった", "つながった"],
    "questions": [
        {"key": SOLVED_KEY, "type": "single", "label": "今回の支援は、課題解決につながりましたか",
         "options": ["とてもつながった", "つながった", "あまりつながらなかった", "つながらなかった"], "required": True},
        {"key": "satisfaction", "type": "scale5", "label": "今回の支援の満足度を5段階でお答えください", "required": True},
        {"key": "comment", "type": "text", "label": "ご意見・ご感想", "required": False},
    ],
}
STARTER_FOLLOW_UP = {
    "title": "フォローアップアンケート（翌年度）",
    "solved_options": ["解決した状態が続いている", "おおむね続いている"],
    "questions": [
        {"key": SOLVED_KEY, "type": "single", "label": "支援から1年たった現在も、課題が解決した状態は続いていますか",
         "options": ["解決した状態が続いている", "おおむね続いている", "元に戻りつつある", "解決していない"], "required": True},
    ],
}
STARTER_NEEDS = {
    "title": "DX課題把握アンケート", "comment_max": 1000,
    "maturity": {"label": "DXの取組段階", "levels": [
        {"value": 0, "label": "ステップ0：認識共有・機運醸成の段階"},
        {"value": 1, "label": "ステップ1：全体方針の決定の段階"},
        {"value": 2, "label": "ステップ2：推進体制・人材の整備の段階"},
        {"value": 3, "label": "ステップ3：重点取組の計画的な実行の段階"},
    ]},
}


class EditError(ValueError):
    """The edit cannot be made (message is user-facing Japanese, naming the item)."""


def section(definition: dict, part: str) -> dict | None:
    """The questionnaire of `part` inside `definition` (the dict itself for "initial"), or None
    when the survey has no follow-up."""
    if part == "initial":
        return definition
    return definition.get("follow_up_survey") if definition.get("follow_up") else None


def _edited(definition: dict, part: str) -> tuple[dict, dict]:
    new = copy.deepcopy(definition)
    target = section(new, part)
    if target is None:
        raise EditError(_("フォローアップアンケートを実施する設定にしてから設問を編集してください。"))
    return new, target


def with_settings(definition: dict, *, title: str, due_days: int, link_days: int, follow_up: bool,
                  follow_up_title: str) -> dict:
    """The survey with new general settings. Turning the follow-up on for the first time adds a
    starter follow-up questionnaire (its problem_solved question) titled `follow_up_title`."""
    new = copy.deepcopy(definition)
    new.update(title=title, due_days=due_days, link_days=link_days, follow_up=follow_up)
    if follow_up:
        new["follow_up_survey"] = new.get("follow_up_survey") or copy.deepcopy(STARTER_FOLLOW_UP)
        if follow_up_title:
            new["follow_up_survey"]["title"] = follow_up_title
    return new


def next_key(definition: dict, part: str) -> str:
    """A key for a new question of `part`: q1, q2, … (the first not used)."""
    used = {q["key"] for q in (section(definition, part) or {}).get("questions", [])}
    return next(f"q{n}" for n in range(1, len(used) + 2) if f"q{n}" not in used)


def with_question(definition: dict, part: str, key: str | None, *, label: str, type_: str, options: list[str],
                  required: bool, solved_options: list[str] | None = None) -> dict:
    """The survey with question `key` of `part` replaced (or, when `key` is None, a new question
    appended under `next_key`). `solved_options` replaces the part's 課題解決とみなす回答 (only
    for the problem_solved question). Raises `EditError` for an unknown key or a problem_solved
    question that is not single choice."""
    new, target = _edited(definition, part)
    question = {"key": key or next_key(definition, part), "type": type_, "label": label}
    if type_ in ("single", "multi"):
        question["options"] = options
    question["required"] = required
    if question["key"] == SOLVED_KEY and type_ != "single":
        raise EditError(_("「%(label)s」は課題解決の割合の集計に使うため、単一選択のままにしてください。", label=label))
    if key is None:
        target["questions"].append(question)
    else:
        index = _index(target, key)
        target["questions"][index] = question
    if solved_options is not None and question["key"] == SOLVED_KEY:
        target["solved_options"] = solved_options
    return new


def without_question(definition: dict, part: str, key: str) -> dict:
    """The survey without question `key` of `part`. Raises `EditError` for the problem_solved
    question (every survey needs it, 001:195) or the last question."""
    new, target = _edited(definition, part)
    index = _index(target, key)
    if key == SOLVED_KEY:
        raise EditError(_("「%(label)s」は課題解決の割合の集計に使うため削除できません。", label=target["questions"][index]["label"]))
    del target["questions"][index]
    return new


def moved(definition: dict, part: str, key: str, delta: int) -> dict:
    """The survey with question `key` of `part` moved up (`delta` −1) or down (+1); unchanged at
    either end."""
    new, target = _edited(definition, part)
    index = _index(target, key)
    other = index + delta
    questions = target["questions"]
    if 0 <= other < len(questions):
        questions[index], questions[other] = questions[other], questions[index]
    return new


def _index(target: dict, key: str) -> int:
    for index, question in enumerate(target["questions"]):
        if question["key"] == key:
            return index
    raise EditError(_("設問が見つかりません。ページを読み込み直してください。"))
