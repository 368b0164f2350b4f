"""Japanese full-text search of the case library without database extensions: both the stored
`Case.search_text` and the query are folded the same way (NFKC, case, katakana → hiragana), and
every whitespace-separated term must occur as a substring (LIKE with escaping), so it behaves the
same on SQLite and PostgreSQL."""
from __future__ import annotations

import unicodedata

import sqlalchemy as sa

_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(ord("ァ"), ord("ヶ") + 1)}
MAX_TERMS = 8


def normalise(text: str) -> str:
    """Fold `text` for matching: NFKC (full-width → half-width ASCII, half-width kana →
    full-width), case-folded, katakana → hiragana, whitespace runs → one space."""
    folded = unicodedata.normalize("NFKC", text or "").casefold().translate(_KATAKANA_TO_HIRAGANA)
    return " ".join(folded.split())


def terms_of(query: str) -> list[str]:
    """The normalised, distinct search terms of `query` (at most `MAX_TERMS`)."""
    return list(dict.fromkeys(normalise(query).split()))[:MAX_TERMS]


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def match_all(column, query: str) -> list[sa.ColumnElement[bool]]:
    """Conditions that `column` (already normalised text) contains every term of `query`."""
    return [column.like(f"%{_escape_like(term)}%", escape="\\") for term in terms_of(query)]
