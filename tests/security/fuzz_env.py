"""The fuzz test's environment: one app and world for the module, a logged-in client per subject,
the POST targets found on the real pages, and a post that checks "no 500, nothing written on
rejection" (quality.md "Reliability": bad input gets a 4xx, never a 500). Writes are seen by
tests/security/write_log.py (every committed INSERT/UPDATE/DELETE).
"""
from __future__ import annotations

import importlib
import itertools
import re
from dataclasses import dataclass

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from wtforms.fields.core import UnboundField

from app.extensions import db
from tests.conftest import login
from tests.factories import PASSWORD
from tests.isolation_fixtures import ADMIN, SUBJECTS
from tests.security.forms_on_pages import PageForm, post_forms
from tests.security.write_log import WriteLog
from tests.test_isolation import Env

TENANT_PREFIX, ADMIN_PREFIX = "/t/<tenant_slug>/", "/admin/"
PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
# Every role, each on its own objects (the isolation world's owners), and the two outsiders.
FUZZ_SUBJECTS = ("operator", "reviewer_office", "municipal_B", "provider_Q", "platform_admin", "anonymous")
# blueprint -> tables a refused post may still write: a failed login, re-authentication, MFA code
# or current password is audited and counted for throttling (quality.md "Security").
REFUSAL_WRITES = {"auth": {"audit_events", "login_throttles"}, "admin_auth": {"audit_events", "login_throttles"},
                  "account_access": {"audit_events", "login_throttles"}}
# Tables any request may write: the server-side session's last_seen_at is refreshed now and then
# (idle timeout, app/auth/sessions.py).
EVERY_REQUEST_WRITES = {"user_sessions"}
# Links sent by mail (invitation, password reset): an unknown token, which must be refused cleanly.
LINK_TOKENS = {"token": ["unknown-token-0123456789abcdef"]}
# endpoint -> why it answers a successful post with 200 (a page shown once) instead of a redirect.
SHOWN_ONCE = {"surveys.remind": "the re-issued answer links are shown once, never stored in clear",
              "surveys.issue_link": "the new answer link is shown once, never stored in clear"}
LOGOUTS = {"auth.logout", "admin_auth.admin_logout"}
# GET pages not crawled for forms: files and JSON, which hold no form.
NO_FORMS = re.compile(r"export|download|\.api|^api\.|attachment|\.ics|\.svg|\.xlsx|\.csv", re.I)


@dataclass(frozen=True)
class Target:
    """Where a POST goes and the fields (name -> values offered on the page) it carries."""

    url: str
    fields: tuple[tuple[str, tuple[str, ...]], ...]
    file_fields: frozenset[str]

    @property
    def field_map(self) -> dict[str, list[str]]:
        return {name: list(values) for name, values in self.fields}


def post_rules(url_map) -> list:
    """Every rule accepting POST under /t/<tenant_slug>/ and /admin/, sorted by endpoint."""
    return sorted((r for r in url_map.iter_rules() if "POST" in r.methods
                   and (r.rule.startswith(TENANT_PREFIX) or r.rule.startswith(ADMIN_PREFIX))), key=lambda r: r.endpoint)


def fill(rule: str, ids: dict[str, list[int]]) -> list[str] | None:
    """Every URL of `rule` with the world's ids (all combinations), or None if a parameter has none."""
    params = [p for p in PARAM.findall(rule) if p != "tenant_slug"]
    if any(p not in ids for p in params):
        return None
    urls = []
    for combo in itertools.product(*(ids[p] for p in params)):
        values = {"tenant_slug": "fukushima", **{p: str(v) for p, v in zip(params, combo)}}
        urls.append(PARAM.sub(lambda m: values[m.group(1)], rule))
    return urls


def form_class_fields(endpoint: str) -> dict[str, list[str]]:
    """Field names of every form class in the endpoint's domain `forms.py` (for forms no page shows)."""
    try:
        module = importlib.import_module(f"app.{endpoint.split('.')[0]}.forms")
    except ImportError:
        return {}
    names: dict[str, list[str]] = {}
    for cls in vars(module).values():
        if isinstance(cls, type) and cls.__module__ == module.__name__:
            for attr in dir(cls):
                if not attr.startswith("_") and isinstance(getattr(cls, attr, None), UnboundField):
                    names.setdefault(attr, [])
    return names


class FuzzEnv(Env):
    """The isolation test's Env (one client per subject, a DB fingerprint) plus the POST targets."""

    def __init__(self, app, world, extra: dict[str, list[int]]):
        super().__init__(app, world)
        self.ids = {**{k: [v, *extra.get(k, [])] for k, v in world.foreign.items()}, **LINK_TOKENS}
        self.posts, self.crawl_errors = 0, []
        self.targets, self.skipped = self._targets()
        with app.app_context():
            self.writes = WriteLog(db.engine)

    # --- targets -------------------------------------------------------------------------------

    def _targets(self) -> tuple[dict[str, list[Target]], list[str]]:
        found = self._crawl()
        targets, skipped = {}, []
        for rule in post_rules(self.app.url_map):
            urls = fill(rule.rule, self.ids)
            if urls is None:
                skipped.append(f"{rule.endpoint} {rule.rule}: no object in the world for its parameters")
                continue
            pages = found.get(rule.endpoint, {})
            fallback = form_class_fields(rule.endpoint)
            targets[rule.endpoint] = ([_target(f) for f in pages.values()] or
                                      [Target(u, tuple((k, ()) for k in sorted(fallback)), frozenset()) for u in urls])
        return targets, skipped

    def _crawl(self) -> dict[str, dict[str, PageForm]]:
        """GET every page as every fuzz subject and keep its POST forms, by endpoint and action."""
        adapter = self.app.url_map.bind("localhost")
        found: dict[str, dict[str, PageForm]] = {}
        for rule in self.app.url_map.iter_rules():
            if "GET" not in rule.methods or NO_FORMS.search(rule.endpoint) or NO_FORMS.search(rule.rule):
                continue
            for url in fill(rule.rule, self.ids) or []:
                for subject in FUZZ_SUBJECTS:
                    try:
                        response = self.clients[subject].get(url)
                    except Exception as exc:  # a broken page must not hide the other forms: reported by a test
                        self.crawl_errors.append(f"GET {url} as {subject}: {exc!r:.300}")
                        continue
                    if response.status_code != 200 or response.mimetype != "text/html":
                        continue
                    for form in post_forms(response.get_data(as_text=True), url):
                        endpoint = _endpoint(adapter, form.action)
                        if endpoint:
                            _merge(found.setdefault(endpoint, {}), form)
        return found

    # --- posting -------------------------------------------------------------------------------

    def relogin(self, subject: str) -> None:
        """Log `subject` in again (after a fuzzed logout)."""
        spec = SUBJECTS[subject]
        with self.app.app_context():  # fuzzed re-authentication may have locked the account: lockout is tested in tests/auth
            throttles = db.metadata.tables["login_throttles"]
            db.session.execute(sa.delete(throttles).where(throttles.c.email == self.world.email(subject)))
            db.session.commit()
        client = self.clients[subject] = self.app.test_client()
        if spec is not None and spec[0] == ADMIN:
            assert client.post("/admin/login", data={"email": self.world.email(subject), "password": PASSWORD}).status_code == 302
        elif spec is not None:
            login(client, self.world.email(subject), slug=spec[0])

    def fuzz_post(self, subject: str, endpoint: str, url: str, pairs: list[tuple[str, object]]):
        """POST `pairs` to `url` as `subject`; assert no 500 and, on a refusal, no row written."""
        self.posts += 1
        self.writes.reset()
        response = self.clients[subject].post(url, data=MultiDict(pairs))  # multipart when a file is sent
        status = response.status_code
        assert status < 500, f"POST {url} as {subject} answered {status} for {pairs!r:.2000}"
        if status >= 400 or (status == 200 and endpoint not in SHOWN_ONCE):  # a refusal: 4xx, or the form again
            unexpected = self.writes.committed - REFUSAL_WRITES.get(endpoint.split(".")[0], set()) - EVERY_REQUEST_WRITES
            assert not unexpected, f"POST {url} as {subject} was refused ({status}) but wrote {sorted(unexpected)}: {pairs!r:.2000}"
        if endpoint in LOGOUTS or (status == 302 and endpoint.endswith("login")):
            self.relogin(subject)
        return response


def _endpoint(adapter, action: str) -> str | None:
    path = action.split("?", 1)[0]
    try:
        endpoint, _args = adapter.match(path, method="POST")
    except HTTPException:
        return None
    return endpoint


def _merge(forms: dict[str, PageForm], form: PageForm) -> None:
    known = forms.setdefault(form.action, PageForm(form.action))
    for name, values in form.fields.items():
        for value in values or [None]:
            known.add(name, value)
    known.file_fields |= form.file_fields


def _target(form: PageForm) -> Target:
    fields = tuple(sorted((name, tuple(values)) for name, values in form.fields.items()))
    return Target(form.action, fields, frozenset(form.file_fields))
