"""Tenant and organisation isolation, generated from `app.url_map` (architecture.md "Tenancy" 6).

Every route under /t/<tenant_slug>/ that takes an id is requested, with each of its methods (GET,
POST), by every subject of tests/isolation_fixtures.py, against the foreign objects (of municipality
B / provider Q, unpublished):

1. users of tenant "other" at /t/other/<path with Fukushima ids>: 404;
2. users of "other", platform admins and anonymous visitors at /t/fukushima/<path>: not logged in
   there, so 302 to the Fukushima login page or 404 — never a page;
3. Fukushima municipal A, provider P and the reviewers: 404, except the commented `ALLOWED` pairs;
4. public routes show published objects to everyone (in their own tenant only), never unpublished.

After every refused request the whole database is unchanged. New routes join the matrix by themselves;
a route whose parameter has no object in `FOREIGN_MODELS` fails with "add a builder for parameter X".

"Takes an id" means an `<int:…>` parameter: objects are addressed by integer ids. Routes whose only
parameters are strings are not object routes and are left out — the single-use links of
invitations and password resets (`<token>`: a random secret, looked up by hash within the tenant
of the URL; tests/accounts prove that another tenant's token is refused).
"""
from __future__ import annotations

import io
import json
import re
import zipfile
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from tests.conftest import _make_app, in_tenant, login
from tests.factories import PASSWORD
from tests.isolation_fixtures import ADMIN, FOREIGN_MODELS, MARK, OTHER, OWNERS, SUBJECTS, World, build_world

TENANT_PREFIX = "/t/<tenant_slug>/"
METHODS = ("GET", "POST")
UNDER_TEST = ("municipal_A", "provider_P", "reviewer_Q", "reviewer_office")
OTHERS = tuple(s for s, spec in SUBJECTS.items() if spec and spec[0] == OTHER)
# (subject, scenario): "home" = at /t/other/, "away" = at /t/fukushima/ without a Fukushima
# session, "inside" = Fukushima users at /t/fukushima/.
SCENARIOS = [*((s, "home") for s in OTHERS), *((s, "away") for s in ("anonymous", "platform_admin", *OTHERS)),
             *((s, "inside") for s in UNDER_TEST)]

# (endpoint, subject) -> why this Fukushima user legitimately reaches the foreign object (not 404).
ALLOWED = {
    ("reviews.score", "reviewer_office"): "reviewers score every submitted proposal except their own company's "
                                          "(product.md §5); only reviewer_Q (staff of Q) has a conflict",
}
# Routes that show a published object to anyone; the matrix uses unpublished objects, which they hide.
PUBLIC_ENDPOINTS = {
    "menus.item_detail": "a numbered item of a published menu (支援メニュー, public)",
    "cases.detail": "a published case (事例集, public)",
}
# Public routes whose unpublished object has no page for anybody: the positive control uses the
# published object instead.
CONTROL_WITH_PUBLISHED = {"menus.item_detail"}
# Plausible form data, so that a missing check would show as a changed row rather than a 400.
POST_DATA = {
    "applications.return_": {"reason": "差し戻します"},
    "cases.transition": {"to": "approved", "note": "承認します"},
    "engagements.cancel": {"reason": "中止します"},
    "engagements.report": {"summary": "報告します", "outcomes": "成果"},
    "engagements.report_decide": {"decision": "accept"},
    "engagements.session_confirm": {"comment": "確認しました"},
    "menus.decide": {"decision": "adopt"},
    "calls.advance": {"note": "進めます"},
}
# (endpoint, method, subject) -> reason: leaks found by this test, left for the domain owners to fix.
KNOWN_LEAKS: dict[tuple[str, str, str], str] = {}


# Collected from the real url_map (create_app touches no database), so new routes join by themselves.
URL_MAP = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "url-map"}).url_map
TENANT_RULES = [rule for rule in URL_MAP.iter_rules() if rule.rule.startswith(TENANT_PREFIX)]
INT_PARAM = re.compile(r"<int:([^<>]+)>")
# (endpoint, rule, method, parameters) of every id-bearing tenant route (integer parameters, see above)
ROUTES = sorted((rule.endpoint, rule.rule, m, tuple(sorted(INT_PARAM.findall(rule.rule))))
                for rule in TENANT_RULES if INT_PARAM.search(rule.rule) for m in METHODS if m in rule.methods)


def _url(rule: str, slug: str, ids: dict[str, int]) -> str:
    missing = sorted(p for p in re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", rule) if p != "tenant_slug" and p not in ids)
    if missing:
        pytest.fail(f"{rule}: add a builder for parameter {', '.join(missing)} in tests/isolation_fixtures.py "
                    "(FOREIGN_MODELS and World.foreign), so that the isolation test covers this route")
    values = {"tenant_slug": slug, **{k: str(v) for k, v in ids.items()}}
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: values[m.group(1)], rule)


def _snapshot() -> dict[str, object]:
    """A fingerprint of every table in one round trip, read outside the ORM session: its row
    count, and the newest `updated_at` and sum of `version_id` where it has them (any ORM update
    moves one of these), so that inserts, deletes and updates all show."""
    columns = []
    for table in db.metadata.sorted_tables:
        columns.append(sa.select(sa.func.count()).select_from(table).scalar_subquery().label(f"{table.name}.rows"))
        if "updated_at" in table.c:
            columns.append(sa.select(sa.func.max(table.c.updated_at)).scalar_subquery().label(f"{table.name}.updated_at"))
        if "version_id" in table.c:
            columns.append(sa.select(sa.func.sum(table.c.version_id)).scalar_subquery().label(f"{table.name}.version_id"))
    with db.engine.connect() as conn:
        return dict(conn.execute(sa.select(*columns)).one()._mapping)


class Env:
    """One app, database and world for the whole module, with a logged-in client per subject."""

    def __init__(self, app, world: World):
        self.app, self.world, self.clients = app, world, {}
        for subject, spec in SUBJECTS.items():
            client = app.test_client()
            if spec is not None and spec[0] == ADMIN:
                response = client.post("/admin/login", data={"email": world.email(subject), "password": PASSWORD})
                assert response.status_code == 302
            elif spec is not None:
                login(client, world.email(subject), slug=spec[0])
            self.clients[subject] = client
        with app.app_context():
            self.baseline = _snapshot()  # refused requests leave every row as it is now

    def request(self, subject: str, method: str, url: str, endpoint: str):
        client = self.clients[subject]
        if method == "GET":
            return client.get(url)
        return client.post(url, data=POST_DATA.get(endpoint, {}))

    def request_unchanged(self, subject: str, method: str, url: str, endpoint: str):
        """Make the request and assert that no row of the database changed."""
        response = self.request(subject, method, url, endpoint)
        with self.app.app_context():
            after = _snapshot()
        changed = sorted(name for name in after if after[name] != self.baseline.get(name))
        self.baseline = after  # one leak must not fail every later case
        assert not changed, f"{method} {url} as {subject} answered {response.status_code} but changed {changed}"
        return response

    def request_allowed(self, subject: str, method: str, url: str, endpoint: str):
        """Make a request the rules allow; it may change rows, which become the new baseline."""
        response = self.request(subject, method, url, endpoint)
        if method == "POST":
            with self.app.app_context():
                self.baseline = _snapshot()
        return response


@pytest.fixture(scope="module")
def env(templates, tmp_path_factory):
    """The module's app on its own database (conftest's `app` is per test; the matrix reuses one)."""
    gen = _make_app(templates, "base", tmp_path_factory.mktemp("isolation"))
    app = next(gen)
    try:
        yield Env(app, build_world(app))
    finally:
        next(gen, None)  # dispose and drop the database


def _is_login_redirect(response, slug: str) -> bool:
    return response.status_code == 302 and urlsplit(response.headers["Location"]).path == f"/t/{slug}/login"


def _case(endpoint: str, method: str, subject: str, scenario: str):
    leak = KNOWN_LEAKS.get((endpoint, method, subject))
    marks = [pytest.mark.xfail(strict=True, reason=leak)] if leak else []
    return pytest.param(endpoint, method, subject, scenario, marks=marks, id=f"{endpoint}-{method}-{subject}-{scenario}")


MATRIX = [_case(endpoint, method, subject, scenario) for endpoint, _rule, method, _params in ROUTES
          for subject, scenario in SCENARIOS]
RULES = {(endpoint, method): rule for endpoint, rule, method, _params in ROUTES}


@pytest.mark.parametrize(("endpoint", "method", "subject", "scenario"), MATRIX)
def test_foreign_objects_are_not_reachable(env, endpoint, method, subject, scenario):
    rule = RULES[(endpoint, method)]
    slug = OTHER if scenario == "home" else "fukushima"
    url = _url(rule, slug, env.world.foreign)
    allowed = scenario == "inside" and (endpoint, subject) in ALLOWED
    response = (env.request_allowed if allowed else env.request_unchanged)(subject, method, url, endpoint)
    status = response.status_code
    if scenario == "home":  # 1. in their own tenant, Fukushima's ids do not exist
        assert status == 404, f"{method} {url} as {subject}: {status}, expected 404"
    elif scenario == "away":  # 2. the session is not valid in Fukushima: anonymous there
        assert status == 404 or _is_login_redirect(response, "fukushima"), (
            f"{method} {url} as {subject}: {status} {response.headers.get('Location', '')}, expected 404 or the login page")
    elif allowed:  # 3. legitimate access, documented above
        assert status in (200, 302, 400), f"{method} {url} as {subject}: {status} (allowed: {ALLOWED[(endpoint, subject)]})"
    else:  # 3. another organisation's object inside the same tenant
        assert status == 404, f"{method} {url} as {subject}: {status}, expected 404 (object of B / Q)"
    if status == 404:
        assert MARK not in response.get_data(as_text=True)


# --- the matrix is complete and meaningful --------------------------------------------------------

def test_every_id_parameter_has_a_foreign_object(env):
    params = {p for _endpoint, _rule, _method, ps in ROUTES for p in ps}
    missing = sorted(params - set(env.world.foreign))
    assert not missing, f"add a builder for parameter(s) {missing} in tests/isolation_fixtures.py"
    assert set(FOREIGN_MODELS) == set(env.world.foreign)


def test_the_matrix_covers_every_domain():
    blueprints = {endpoint.split(".")[0] for endpoint, *_rest in ROUTES}
    domains = {"calls", "menus", "reviews", "applications", "selection", "engagements", "surveys", "cases"}
    assert domains <= blueprints, f"no id-bearing route found for {sorted(domains - blueprints)}"
    assert all(rule.startswith(TENANT_PREFIX) for _e, rule, _m, _p in ROUTES)
    assert set(PUBLIC_ENDPOINTS) <= {e for e, *_rest in ROUTES}, "a public endpoint was renamed: update PUBLIC_ENDPOINTS"
    assert {e for e, _s in ALLOWED} <= {e for e, *_rest in ROUTES}, "an allowed endpoint was renamed: update ALLOWED"


def test_foreign_objects_belong_to_b_or_q_in_fukushima(env):
    orgs = env.world.organisations
    foreign_orgs = {orgs["B"], orgs["Q"]}
    with in_tenant(env.app) as fukushima:
        for param, model in FOREIGN_MODELS.items():
            row = db.session.scalar(sa.select(model).where(model.id == env.world.foreign[param]))
            assert row is not None and row.tenant_id == fukushima.id, param
            owners = {getattr(row, a) for a in ("municipality_id", "provider_id") if hasattr(row, a)}
            assert owners <= foreign_orgs, param


GET_ROUTES = sorted({(endpoint, rule) for endpoint, rule, method, _params in ROUTES if method == "GET"})


@pytest.mark.parametrize(("endpoint", "rule"), GET_ROUTES, ids=[e for e, _r in GET_ROUTES])
def test_an_owner_reaches_every_get_route(env, endpoint, rule):
    """Positive control: the 404s above come from the rules, not from wrong ids."""
    ids = {**env.world.foreign, **env.world.published} if endpoint in CONTROL_WITH_PUBLISHED else env.world.foreign
    url = _url(rule, "fukushima", ids)
    responses = {s: env.request(s, "GET", url, endpoint) for s in OWNERS}
    reached = [s for s, r in responses.items() if r.status_code in (200, 302, 400) and not _is_login_redirect(r, "fukushima")]
    assert reached, f"GET {url}: no owner reaches it: { {s: r.status_code for s, r in responses.items()} }"


def test_an_owner_reaches_every_post_route(app):
    """Positive control for POST routes, on a fresh world (owners' POSTs may change rows)."""
    world = build_world(app)
    clients = {}
    for subject in OWNERS:
        clients[subject] = app.test_client()
        login(clients[subject], world.email(subject))
    refused = {}
    for endpoint, rule, method, _params in ROUTES:
        if method != "POST":
            continue
        url = _url(rule, "fukushima", world.foreign)
        statuses = {s: c.post(url, data=POST_DATA.get(endpoint, {})).status_code for s, c in clients.items()}
        if not any(st in (200, 302, 400, 409) for st in statuses.values()):
            refused[url] = statuses
    assert not refused, f"no owner reaches these POST routes: {refused}"


# --- public routes ---------------------------------------------------------------------------------

PUBLIC_CASES = [(e, s) for e in sorted(PUBLIC_ENDPOINTS) for s in SUBJECTS]


@pytest.mark.parametrize(("endpoint", "subject"), PUBLIC_CASES, ids=[f"{e}-{s}" for e, s in PUBLIC_CASES])
def test_public_routes_show_published_objects_in_their_own_tenant_only(env, endpoint, subject):
    rule = RULES[(endpoint, "GET")]
    published = {**env.world.foreign, **env.world.published}
    response = env.request(subject, "GET", _url(rule, "fukushima", published), endpoint)
    assert response.status_code == 200, f"{endpoint} of a published object as {subject}: {response.status_code}"
    assert "公開テスト" in response.get_data(as_text=True)
    assert env.request(subject, "GET", _url(rule, OTHER, published), endpoint).status_code == 404


# --- pages without an id ---------------------------------------------------------------------------

LIST_ROUTES = sorted((rule.endpoint, rule.rule) for rule in TENANT_RULES
                     if set(rule.arguments) == {"tenant_slug"} and "GET" in rule.methods)
# reviewer_office is left out: reviewers legitimately list Q's submitted proposals while a call is in review.
LIST_CASES = [(e, r, s, scenario) for e, r in LIST_ROUTES for s, scenario in SCENARIOS if s != "reviewer_office"]


def _text_of(response) -> str:
    """The text a user gets: JSON, HTML, or every XML part of an .xlsx export (Excel出力)."""
    if response.is_json:
        return json.dumps(response.get_json(), ensure_ascii=False)
    if response.mimetype.endswith("spreadsheetml.sheet"):
        with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
            return "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml"))
    return response.get_data(as_text=True)


@pytest.mark.parametrize(("endpoint", "rule", "subject", "scenario"), LIST_CASES,
                         ids=[f"{e}-{s}-{sc}" for e, _r, s, sc in LIST_CASES])
def test_pages_without_an_id_never_show_a_foreign_object(env, endpoint, rule, subject, scenario):
    """Lists, dashboards and the API: nothing of B's / Q's unpublished objects (marked MARK)."""
    response = env.request(subject, "GET", _url(rule, OTHER if scenario == "home" else "fukushima", {}), endpoint)
    assert response.status_code < 500
    assert MARK not in _text_of(response), f"GET {rule} as {subject} ({scenario}) shows an object of B / Q"


@pytest.mark.parametrize(("subject", "endpoint"), [
    ("operator", "cases.manage"), ("municipal_B", "applications.index"), ("provider_Q", "menus.my_proposals"),
    ("reviewer_office", "reviews.index"),
])
def test_owners_see_the_mark_on_their_own_lists(env, subject, endpoint):
    """Positive control of the test above: the MARK of the foreign objects is found where it belongs."""
    rule = next(r for e, r in LIST_ROUTES if e == endpoint)
    assert MARK in env.request(subject, "GET", _url(rule, "fukushima", {}), endpoint).get_data(as_text=True)
