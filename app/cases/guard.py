"""Personal-data guard: find text in a case that looks like residents' personal data (issue 4
item 6) — phone numbers, e-mail addresses, 12-digit numbers (マイナンバー-like) and a name followed
by 様/さん/氏. Pure functions; the case services block publication while anything is found.

Text is folded character by character (full-width ASCII → ASCII, dash variants → "-"), so match
positions stay those of the original text and the warning shows what the author typed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}  # ！…～ → !…~
_FOLD |= {ord(c): "-" for c in "‐‑‒–—―−ーｰ"} | {0x3000: " ", ord("（"): "(", ord("）"): ")"}

_SEP = r"[- ()]?"
PATTERNS = {
    # 0 + 9–10 more digits with optional separators: 024-000-0000, 090 1234 5678, 0120-123-456, 09012345678
    "phone": re.compile(rf"(?<![\d.,])0\d{{1,4}}{_SEP}\d{{1,4}}{_SEP}\d{{3,4}}(?![\d.,])"),
    "email": re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"),
    "twelve_digits": re.compile(r"(?<![\d.,])\d{4}[- ]?\d{4}[- ]?\d{4}(?![\d.,])"),
    # two or more kanji/katakana, then an honorific that is not the start of 様式・様子・氏名 …
    "honorific": re.compile(r"[一-龥々ァ-ヶ]{2,}(?:様|さん|氏)(?![式子相態々名])"),
}
KIND_LABELS = {"phone": "電話番号", "email": "メールアドレス", "twelve_digits": "12桁の番号（マイナンバー等）",
               "honorific": "個人名と敬称（様・さん・氏）"}
# Roles and groups addressed with 様/さん that are not personal names.
NOT_NAMES = ("皆", "各位", "住民", "市民", "町民", "村民", "県民", "職員", "事業者", "利用者", "担当者", "関係者",
             "参加者", "受講者", "申請者", "来庁者", "業者", "ベンダー", "企業", "お客")


@dataclass(frozen=True)
class Finding:
    """One suspicious match: the case field, the kind (a `PATTERNS` key) and the text as typed."""

    field: str
    kind: str
    match: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


def _phone_like(text: str) -> bool:
    return 10 <= sum(ch.isdigit() for ch in text) <= 11


def _name_like(text: str) -> bool:
    name = re.sub(r"(様|さん|氏)$", "", text)
    return not any(name.endswith(word) for word in NOT_NAMES)


_CHECKS = {"phone": _phone_like, "honorific": _name_like}


def find_in_text(field: str, text: str) -> list[Finding]:
    """Findings in one text, in order of kind then position (`field` is only carried along)."""
    folded = (text or "").translate(_FOLD)
    found = []
    for kind, pattern in PATTERNS.items():
        for m in pattern.finditer(folded):
            if _CHECKS.get(kind, bool)(m.group()):
                found.append(Finding(field, kind, text[m.start():m.end()]))
    return found


def find_personal_data(fields: dict[str, str | list | None]) -> list[Finding]:
    """Findings in every text field of `fields` ({name: str or list of str}); list items are
    checked one by one. Empty when nothing looks like personal data."""
    found = []
    for name, value in fields.items():
        for text in value if isinstance(value, list) else [value or ""]:
            found += find_in_text(name, str(text))
    return found
