"""Rate limits per client address (Flask-Limiter) and named counters per account, with a Japanese
429 answer (issue 14 §3; ASVS 5.0 V2.4.1, V6.3.1).

One `flask_limiter.Limiter` per application (`app.extensions["ictad_ratelimit"]`), not a module
global: Flask-Limiter keeps its storage and settings on the instance, so two apps in one process
(the test suite, or a worker next to a web app) would otherwise share whatever the last one
configured.

Storage: `RATELIMIT_STORAGE_URI`, any URI of the `limits` library. `memory://` (the development
default) counts inside one process only, which is right for `make run` (one `flask run` process) and
the tests; production needs storage shared by every worker on every host, so production start-up (`app.config.production_problems`) refuses
`memory://` unless `APP_ENV=development` — use `redis://host:6379/1` (or another `limits` backend
such as `memcached://`). When the storage is unreachable the request is let through and the error
logged (`RATELIMIT_SWALLOW_ERRORS`): an outage of Redis must not stop every login, and the
per-(account, address) lock in the database (`app.auth.throttle`) still holds.

Limits are strings such as ``"30 per minute; 200 per day"`` (fixed windows). What is limited where
is declared in one table (`app.ratelimits.RULES`) and applied to the endpoints by `init_ratelimit`.
A refused request answers 429 with `Retry-After` (seconds) and the Japanese error page, or JSON
`{"error": …}` for the blueprints named in `json_blueprints`; the view is not run, so nothing is
checked, written or audited for it.
"""
from __future__ import annotations

import ipaddress
import logging
import math
import time
from dataclasses import dataclass
from typing import Callable, Iterable

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_limiter import Limiter
from limits import parse_many
from werkzeug.exceptions import TooManyRequests

EXTENSION_KEY = "ictad_ratelimit"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rule:
    """One limit per client address on some endpoints.

    `config_key` names the limit string in `app.config`; `endpoints` are endpoint names and
    `blueprints` blueprint names (every endpoint of it); `scope` makes the endpoints share one
    counter (e.g. both login pages and the code step); `methods` None limits every method;
    `failures_only` counts only requests whose view set `g.ratelimit_failure` (a refused password),
    while every request is still refused once the limit is reached.
    """

    config_key: str
    scope: str
    endpoints: tuple[str, ...] = ()
    blueprints: tuple[str, ...] = ()
    methods: tuple[str, ...] | None = ("POST",)
    failures_only: bool = False


class RateLimited(TooManyRequests):
    """A named counter (`refuse_if_exhausted`) is used up; `retry_after` is in seconds."""

    def __init__(self, retry_after: int):
        super().__init__()
        self.retry_after = retry_after


def client_address() -> str:
    """The client's address as the per-address key: `request.remote_addr` (the real client only
    when ProxyFix trusts the proxy's headers), IPv6 cut to its /64 (one subscriber usually holds a
    whole /64, so single IPv6 addresses would be free to rotate), IPv4-mapped IPv6 as IPv4."""
    raw = request.remote_addr or ""
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw[:64] or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def mark_failure() -> None:
    """Tell the `failures_only` rules of this request's endpoint to count it (call from the view
    when credentials or a code were refused)."""
    g.ratelimit_failure = True


def _failed(_response) -> bool:
    return bool(g.get("ratelimit_failure"))


def init_ratelimit(app: Flask, rules: Iterable[Rule], *, json_blueprints: tuple[str, ...] = ()) -> Limiter:
    """Create this app's limiter, apply `rules` to the registered endpoints and blueprints, and
    register the 429 handler. Call after the blueprints are registered. Raises KeyError for a rule
    naming an unknown endpoint or config key (the storage is checked at start-up by
    `app.config.production_problems`)."""
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    limiter = Limiter(key_func=client_address)
    limiter.init_app(app)
    app.extensions[EXTENSION_KEY] = limiter
    for rule in rules:
        _apply(app, limiter, rule)
    _register_handler(app, limiter, json_blueprints)
    return limiter


def _apply(app: Flask, limiter: Limiter, rule: Rule) -> None:
    app.config[rule.config_key]  # noqa: B018  (a rule naming no setting fails at start-up, not at the first request)
    decorator = limiter.shared_limit(
        lambda: current_app.config[rule.config_key], scope=rule.scope, methods=list(rule.methods) if rule.methods else None,
        deduct_when=_failed if rule.failures_only else None,
    )
    for endpoint in rule.endpoints:
        view = app.view_functions[endpoint]
        app.view_functions[endpoint] = decorator(view)
    for name in rule.blueprints:
        decorator(app.blueprints[name])


def _retry_after(limiter: Limiter, exc: TooManyRequests) -> int:
    if isinstance(exc, RateLimited):
        return exc.retry_after
    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, math.ceil(current.window.reset_time - time.time()))


def _register_handler(app: Flask, limiter: Limiter, json_blueprints: tuple[str, ...]) -> None:
    @app.errorhandler(429)
    def _too_many(exc):
        seconds = _retry_after(limiter, exc)
        minutes = max(1, math.ceil(seconds / 60))
        message = _("短い時間に多くの操作がありました。%(minutes)d分ほど待ってから、もう一度お試しください。", minutes=minutes)
        if request.blueprint in json_blueprints:
            response = jsonify(error=message, retry_after=seconds)
            response.status_code = 429
        else:
            response = current_app.make_response((render_template(
                "errors/error.html", status=429, title=_("しばらくお待ちください"), message=message), 429))
        response.headers["Retry-After"] = str(seconds)
        return response


# Named counters (per account): checked before the work, counted by the caller after a failure.


def _counter() -> tuple[Limiter | None, str]:
    limiter = current_app.extensions.get(EXTENSION_KEY)
    if limiter is None or not limiter.enabled:
        return None, ""
    return limiter, str(current_app.config.get("RATELIMIT_KEY_PREFIX", ""))


def _guarded(action: Callable[[], None]) -> None:
    try:
        action()
    except RateLimited:
        raise
    except Exception:  # storage down: let the request through, as the route limits do
        log.exception("rate limit storage failed; request not limited")


def refuse_if_exhausted(config_key: str, identity: str) -> None:
    """Raise `RateLimited` (429, with the seconds until the fullest window ends) when the counter
    `config_key` of `identity` (e.g. "fukushima|op@example.jp") has no attempt left. Counts nothing."""
    limiter, prefix = _counter()
    if limiter is None:
        return

    def check() -> None:
        for item in parse_many(current_app.config[config_key]):
            if not limiter.limiter.test(item, prefix, config_key, identity):
                reset_at = limiter.limiter.get_window_stats(item, prefix, config_key, identity).reset_time
                raise RateLimited(max(1, math.ceil(reset_at - time.time())))

    _guarded(check)


def count_attempt(config_key: str, identity: str) -> None:
    """Count one attempt (a failure, for the login counters) against `config_key` of `identity`."""
    limiter, prefix = _counter()
    if limiter is None:
        return

    def hit() -> None:
        for item in parse_many(current_app.config[config_key]):
            limiter.limiter.hit(item, prefix, config_key, identity)

    _guarded(hit)
