"""Template writer → import → database gives back exactly the strings written, including
Japanese, full-width, emoji and text a spreadsheet would take for a formula (= + - @ TAB)."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.imports import municipalities
from app.imports.services import plan_import
from app.imports.states import ImportKind
from tests import factories
from tests.conftest import in_tenant
from tests.imports.helpers import from_template

CODES = ("072010", "072028", "072036")
# XML 1.0 cannot hold most C0 controls (and CR is normalised to LF by every XML parser).
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cn", "Co"),
                             blacklist_characters="".join(map(chr, range(0x20))).replace("\t", "").replace("\n", "")),
               min_size=1, max_size=20)
HOSTILE = st.tuples(st.sampled_from(["", "=", "+", "-", "@", "\t", "=HYPERLINK(\"x\")", "＝", "😀", "福島"]), TEXT).map("".join)
NAMES = HOSTILE.filter(lambda s: s == s.strip(" \u3000") and s)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(NAMES, min_size=3, max_size=3, unique=True), kanas=st.lists(st.one_of(st.just(""), NAMES), min_size=3, max_size=3),
       districts=st.lists(st.one_of(st.just(""), NAMES.filter(lambda s: len(s) <= 40)), min_size=3, max_size=3))
def test_municipality_rows_round_trip(app, names, kanas, districts):
    with in_tenant(app) as tenant:
        rows = [[code, name, kana, "町", district, "会津", "会津", "1"]
                for code, name, kana, district in zip(CODES, names, kanas, districts, strict=True)]
        result = plan_import(tenant, ImportKind.MUNICIPALITIES, from_template(tenant, ImportKind.MUNICIPALITIES, rows))
        assert result.errors == []
        municipalities.apply(result, tenant, actor=None)
        for code, name, kana, district in zip(CODES, names, kanas, districts, strict=True):
            org = factories.municipality(code)
            assert (org.name, org.kana, org.district, org.municipality_kind, org.is_evacuation_area) == (name, kana, district, "町", True)
        db.session.rollback()
