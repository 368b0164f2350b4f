"""Hypothesis strategies for bad form input (issue 7 §6): full-width digits, emoji, zero-width and
control characters (NUL included), 10,000-character strings, negative and huge numbers, impossible
dates, wrong types, repeated keys, missing fields and fields no form has.

A payload is a list of (name, value) pairs, so a name may repeat (a list value); a value is a
string or, for file inputs, a (stream, filename) pair built fresh for every post.
"""
from __future__ import annotations

import io
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode

from hypothesis import strategies as st

# Names a role must never be able to set through a form (mass assignment), plus plain junk.
EXTRA_FIELDS = ("tenant_id", "state", "role", "organisation_id", "municipality_id", "provider_id", "version_id",
                "is_active_account", "id", "call_id", "published_at", "is_sample", "password_hash", "x")

SPECIAL = (
    "", " ", "　", "０１２", "１２３４５６７８９０", "－１", "１．５", "２０２４－０２－３０",
    "😀", "👨‍👩‍👧‍👦", "🇯🇵", "\u200b", "a\u200db", "\ufeff", "\u202etxt.exe", "\x00", "a\x00b", "\x01\x02\x1b\x7f",
    "\r\n", "\t", "\x85\u2028", "-1", "0", "-0", "1.5", "1e309", "-1e309", "NaN", "inf", "9" * 40,
    "-99999999999999999999", "18446744073709551616", "2024-02-30", "2023-02-29", "2024-13-01", "0000-00-00",
    "9999-12-31", "10000-01-01", "1868-01-01", "2024/02/30", "令和6年2月30日", "25:61", "24:00", "99:99:99",
    "true", "on", "None", "null", "[]", "{}", "%00", "<script>alert(1)</script>", "' OR '1'='1", "=HYPERLINK(1)",
    "../../etc/passwd", "x" * 10_000, "あ" * 10_000, "😀" * 10_000, "\u200b" * 10_000, "1" * 10_000,
)
LONG = st.builds(lambda unit, n: unit * n, st.sampled_from(("x", "あ", "😀", "\u200b", "9", "\x00", " ")),
                 st.sampled_from((255, 256, 2001, 5001, 10_000, 10_001)))
NUMBERS = st.integers(min_value=-(2**80), max_value=2**80).map(str)
FULL_WIDTH = st.text(alphabet="０１２３４５６７８９－．，", min_size=1, max_size=8)
DATES = st.builds(lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}", st.integers(0, 10_000), st.integers(0, 13), st.integers(0, 32))
ODD_TEXT = st.text(alphabet=st.characters(codec="utf-8", categories=("Cc", "Cf", "Zs", "So", "Lo", "Nd", "Mn")), max_size=20)
BAD_VALUE = st.one_of(st.sampled_from(SPECIAL), LONG, NUMBERS, FULL_WIDTH, DATES, ODD_TEXT, st.text(max_size=20))
FILE_NAMES = st.sampled_from(("a.pdf", "../../../etc/passwd", "a\x00.pdf", "😀.xlsx", "", "x" * 300 + ".pdf", "book.xlsx",
                              "CON", ".htaccess", "a.exe"))
FILE_BODIES = st.one_of(st.binary(max_size=64), st.sampled_from((b"%PDF-1.4 fuzz", b"PK\x03\x04" + b"\x00" * 30, b"")))


@lru_cache(maxsize=None)
def value_for(valid: tuple[str, ...]) -> st.SearchStrategy[str]:
    """A value of one field: one the page offers, a bad one, or an offered one with junk around it."""
    bad = BAD_VALUE
    if not valid:
        return bad
    offered = st.sampled_from(valid)
    mutated = st.builds(lambda v, junk, front: junk + v if front else v + junk, offered,
                        st.sampled_from(SPECIAL[:24]), st.booleans())
    return st.one_of(offered, bad, mutated)


def _file() -> st.SearchStrategy[tuple]:
    return st.builds(lambda body, name: (io.BytesIO(body), name), FILE_BODIES, FILE_NAMES)


@st.composite
def payloads(draw, fields: dict[str, list[str]], file_fields: frozenset[str] = frozenset()) -> list[tuple[str, object]]:
    """Form data for one post: each known field omitted, sent once or sent repeatedly; plus extras."""
    pairs: list[tuple[str, object]] = []
    for name, valid in sorted(fields.items()):
        if name in file_fields:
            if draw(st.booleans()):
                pairs.append((name, draw(_file())))
            continue
        how = draw(st.sampled_from(("once", "once", "once", "missing", "repeated")))
        if how == "missing":
            continue
        count = draw(st.integers(2, 3)) if how == "repeated" else 1
        pairs.extend((name, draw(value_for(tuple(valid)))) for _ in range(count))
    for name in draw(st.lists(st.sampled_from(EXTRA_FIELDS), max_size=3, unique=True)):
        pairs.append((name, draw(BAD_VALUE)))
    return pairs


@st.composite
def action_urls(draw, url: str) -> str:
    """The form's action, or (half the time) with bad values in its query string (`?version=`)."""
    path, _, query = url.partition("?")
    if not query or draw(st.booleans()):
        return url
    pairs = parse_qsl(query, keep_blank_values=True)
    return f"{path}?{urlencode([(name, draw(value_for((value,)))) for name, value in pairs])}"
