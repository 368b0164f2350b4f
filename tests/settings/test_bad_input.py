"""Hostile input on every 事業設定 form never gives a 500 (the suite-wide fuzz covers these routes
too; this is the quick check while working on them)."""
import pytest

from tests.security.bad_values import SPECIAL
from tests.settings.conftest import version

BASE = "/t/fukushima/settings"
ROW = ("original", "order", "remove")
FORMS = {
    "basic": ("name", "office_name", "council_name", "provider_label", "phone", "email", "address", "head_title"),
    "rules": ("call_model", "applicant_kinds", "label_municipality", "provider_model", "cost_bearer", "max_choices",
              "max_dispatches_per_body_per_year", "stale_after_weeks", "report_due_days"),
    "regions": tuple(f"{p}-0-{c}" for p in ("region", "area") for c in ("name",) + ROW),
    "categories": tuple(f"category-{i}-{c}" for i in (0, 99) for c in ("code", "label") + ROW),
    "rubric": tuple(f"criterion-0-{c}" for c in ("key", "label", "max", "weight", "required") + ROW),
    "calendar": ("applications_start", "applications_end", "support_start"),
    "notifications/calls.open": ("subject", "body", "action"),
    "notices": ("call_closing_days_before", "report_overdue_every_days"),
}


@pytest.mark.parametrize("path", list(FORMS))
def test_hostile_values_are_refused_or_saved_never_a_500(app, operator, path):
    for value in SPECIAL:
        data = {name: value for name in FORMS[path]} | {"version_id": version(app)}
        response = operator.post(f"{BASE}/{path}", data=data)
        assert response.status_code in (200, 302, 400, 409), (path, value[:40], response.status_code)


def test_hostile_tile_layout_uploads_are_refused(app, operator):
    import io

    for body in (b"\xff\xfe\x00", b"", b"lg_code,row,col\n072010,99999999999999999999999,0\n", b"lg_code,row,col\n\x00,0,0\n",
                 b"lg_code,row,col\n072010,201,0\n", b"lg_code,row,col\n072010,1e3,0\n", "lg_code,row,col\n072010,０,１\n".encode()):
        response = operator.post(f"{BASE}/tile-map", data={"file": (io.BytesIO(body), "x.csv")},
                                 content_type="multipart/form-data")
        assert response.status_code in (302, 400), body
