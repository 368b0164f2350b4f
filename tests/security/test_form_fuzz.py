"""Bad input on every form route, as every role (issue 7 §6; quality.md "Reliability").

Every route accepting POST under /t/<tenant_slug>/ and /admin/ is taken from the real url_map, so
new routes join by themselves. Each is posted to by every role on its own objects (the isolation
world plus objects whose forms are open, tests/security/fuzz_world.py), at the form actions found
on the real pages, with fields named as on the page plus fields no form has. Values (in the fields
and in the action's query string) come from tests/security/bad_values.py: full-width digits, emoji, zero-width and control characters (NUL),
10,000-character strings, huge and negative numbers, impossible dates, repeated keys, files.

Asserted for every post: the answer is never a 500, and a refusal (4xx, or the form shown again)
commits no INSERT, UPDATE or DELETE (tests/security/write_log.py; the listed exceptions are in
tests/security/fuzz_env.py). A post that succeeds (302) may write. A final test checks that at least 10,000 posts ran.
"""
from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import _make_app
from tests.isolation_fixtures import FOREIGN_MODELS
from tests.security.bad_values import action_urls, payloads
from tests.security.fuzz_env import FUZZ_SUBJECTS, LINK_TOKENS, FuzzEnv, fill, post_rules
from tests.security.fuzz_world import build_fuzz_world
from tests.test_isolation import URL_MAP

TARGET_POSTS = 10_000
DOMAIN_BLUEPRINTS = {"applications", "calls", "cases", "decisions", "engagements", "imports", "menus", "needs",
                     "notifications", "relationships", "reviews", "selection", "surveys", "auth", "admin_auth"}
# Posts that end or advance something run after the posts that edit, so that a fuzzed post that
# legitimately succeeds (an engagement cancelled, a call advanced) does not close the forms before
# they are fuzzed.
FINAL_WORDS = ("cancel", "decline", "withdraw", "close", "complete", "confirm", "return", "approve", "decide", "publish",
               "advance", "promote", "transition", "submit", "accept", "agree", "logout", "read", "remind", "propose")
# Inputs that once gave a 500 (or nearly did), posted to every target as every role. Add the
# payload of every 500 the fuzzer finds here, with the fix it led to.
REGRESSIONS: list[list[tuple[str, str]]] = [
    # a 2001-digit integer: NumberRange's float() raised OverflowError, a 500 on every integer field
    # (fixed in app/core/forms.py: storable_integer on every IntegerField)
    [("attendees_staff", "9" * 2001), ("categories", "MINDSET"), ("format", "onsite"), ("proposals_count", "0")],
    [("planned_sessions", "9" * 400), ("population", "-" + "9" * 400), ("capacity", "2147483648")],
    # fiscal_year of 「未回答者へ督促」: a 20-digit year overflowed the SQL parameter (fixed in app/surveys/views.py)
    [("fiscal_year", "9" * 20), ("kind", "follow_up")],
    # guarded before this test existed: Decimal NaN (engagements.forms._finite), NUL on PostgreSQL (core.forms.strip_nul)
    [("hours", "NaN"), ("held_on", "2024-02-30"), ("content", "a\x00b"), ("summary", "\x00")],
]


def _order(endpoint: str) -> tuple[bool, str]:
    return any(word in endpoint.split(".")[-1] for word in FINAL_WORDS), endpoint


ALL_IDS = {**{param: [0] for param in FOREIGN_MODELS}, **LINK_TOKENS}
RULES = post_rules(URL_MAP)
FUZZED = sorted({r.endpoint for r in RULES if fill(r.rule, ALL_IDS) is not None}, key=_order)
UNFILLABLE = sorted(f"{r.endpoint} {r.rule}" for r in RULES if fill(r.rule, ALL_IDS) is None)
CASES = [(endpoint, subject) for endpoint in FUZZED for subject in FUZZ_SUBJECTS]
EXAMPLES = math.ceil(TARGET_POSTS * 1.05 / max(len(CASES), 1))
FUZZ = settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large, HealthCheck.large_base_example])
RAN: set[tuple[str, str]] = set()


@pytest.fixture(scope="module")
def env(templates, tmp_path_factory):
    """One app, database and fuzz world for the module (posts re-baseline the DB fingerprint)."""
    gen = _make_app(templates, "base", tmp_path_factory.mktemp("fuzz"))
    app = next(gen)
    try:
        world, extra = build_fuzz_world(app)
        yield FuzzEnv(app, world, extra)
    finally:
        next(gen, None)


def test_every_domain_form_route_is_fuzzed():
    """Only routes added by new work whose parameters the world cannot fill may be left out (listed)."""
    if UNFILLABLE:
        print("\nPOST routes not fuzzed (no object for their parameters):\n  " + "\n  ".join(UNFILLABLE))
    left_out = [r for r in UNFILLABLE if r.split(".")[0] in DOMAIN_BLUEPRINTS]
    assert not left_out, f"domain POST routes the fuzz cannot reach: {left_out}"
    assert {"applications.edit", "engagements.session_new", "auth.login", "admin_auth.admin_login"} <= set(FUZZED)


def test_forms_are_found_on_the_pages(env):
    """Positive control: the crawl finds the real forms with their fields, so posts reach validation."""
    assert not env.crawl_errors, "pages that raised while looking for forms:\n" + "\n".join(env.crawl_errors)
    fields = {e: {n for t in ts for n, _v in t.fields} for e, ts in env.targets.items()}
    assert {"issue", "contact_email", "choice_1"} <= fields["applications.edit"]
    assert {"held_on", "hours", "format", "content"} <= fields["engagements.session_new"]
    assert {"kickoff_issues", "planned_sessions"} <= fields["engagements.kickoff_edit"]
    assert {"email", "password"} <= fields["auth.login"]
    assert any("version=" in t.url for t in env.targets["selection.adjust"]), "the action's ?version= is kept"


def test_the_write_log_sees_a_saved_form(env):
    """Positive control of "nothing written": a valid save by its owner is seen as a write."""
    target = next(t for t in env.targets["applications.edit"] if "issue" in t.field_map)
    fields = target.field_map
    data = {"issue": "保存された課題", "choice_1": next(v for v in fields["choice_1"] if v),
            "version_id": next(v for v in fields["version_id"] if v)}
    env.writes.reset()
    response = env.clients["municipal_B"].post(target.url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert "applications" in env.writes.committed


@pytest.mark.parametrize(("endpoint", "subject"), CASES, ids=[f"{e}-{s}" for e, s in CASES])
def test_bad_input_never_gives_a_500_nor_a_write(env, endpoint, subject):
    targets = env.targets[endpoint]

    @FUZZ
    @given(data=st.data())
    def post_bad_input(data):
        target = data.draw(st.sampled_from(targets), label="target")
        pairs = data.draw(payloads(target.field_map, target.file_fields), label="payload")
        env.fuzz_post(subject, endpoint, data.draw(action_urls(target.url), label="url"), pairs)

    post_bad_input()
    RAN.add((endpoint, subject))


@pytest.mark.parametrize("payload", REGRESSIONS, ids=[f"regression{n}" for n in range(len(REGRESSIONS))])
def test_inputs_that_once_failed_are_refused_everywhere(env, payload):
    """Each payload goes to every target that has one of its fields, as every role."""
    names = {name for name, _value in payload}
    for endpoint in FUZZED:
        for target in env.targets[endpoint]:
            if names & set(target.field_map):
                for subject in FUZZ_SUBJECTS:
                    env.fuzz_post(subject, endpoint, target.url, list(payload))


def test_at_least_10000_posts_ran(env):
    """The done-when of issue 7 §6: the fuzz runs at least 10,000 posts without a 500."""
    if RAN != set(CASES):
        pytest.skip("only part of the fuzz ran (-k or a failure): the count is not meaningful")
    print(f"\n{env.posts} fuzzed posts over {len(FUZZED)} POST routes x {len(FUZZ_SUBJECTS)} roles")
    assert env.posts >= TARGET_POSTS

