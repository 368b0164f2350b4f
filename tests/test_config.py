"""Secure by default (issue 14 §1): only APP_ENV=development is development; production refuses
to start until SECRET_KEY, APP_BASE_URL, MAIL_FROM and RATELIMIT_STORAGE_URI are set to real values, and says which."""
import pytest

from app import create_app
from app.config import ConfigError

STRONG_KEY = "k" * 20 + "Z9-random-enough-for-tests-x"
GOOD = {"SECRET_KEY": STRONG_KEY, "APP_BASE_URL": "https://ict.pref.example-lg.jp",
        "MAIL_FROM": "no-reply@ict.pref.example-lg.jp", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/1"}


@pytest.fixture
def env(monkeypatch, tmp_path):
    """The process environment of a fresh installation: nothing set but an instance folder."""
    for name in ("APP_ENV", "SECRET_KEY", "APP_BASE_URL", "MAIL_FROM", "MAIL_BACKEND", "MFA_REQUIRED_ROLES",
                 "RATELIMIT_STORAGE_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    return monkeypatch


def _start():
    return create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_nothing_set_is_production_and_the_refusal_names_every_setting(env):
    with pytest.raises(ConfigError) as refused:
        _start()
    message = str(refused.value)
    assert "production" in message and "APP_ENV=development" in message
    for name in ("SECRET_KEY", "APP_BASE_URL", "MAIL_FROM", "RATELIMIT_STORAGE_URI"):
        assert f"{name}:" in message


@pytest.mark.parametrize("app_env", ["", "prod", "Production", "develop", "staging"])
def test_anything_but_exactly_development_is_production(env, app_env):
    env.setenv("APP_ENV", app_env)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        _start()


@pytest.mark.parametrize("name,value", [
    ("SECRET_KEY", "dev-only-not-secret"), ("SECRET_KEY", "short"),
    ("APP_BASE_URL", "http://127.0.0.1:5000"), ("APP_BASE_URL", "http://localhost:8000"), ("APP_BASE_URL", "ict.pref.jp"),
    ("MAIL_FROM", "no-reply@example.jp"), ("MAIL_FROM", "admin@example.com"), ("MAIL_FROM", "nobody"),
    ("RATELIMIT_STORAGE_URI", "memory://"),
])
def test_production_refuses_each_unsafe_value_and_names_only_it(env, name, value):
    for key, good in GOOD.items():
        env.setenv(key, good)
    env.setenv(name, value)
    with pytest.raises(ConfigError) as refused:
        _start()
    named = [key for key in GOOD if f"{key}:" in str(refused.value)]
    assert named == [name]


def test_production_with_real_values_starts_secure(env):
    for key, good in GOOD.items():
        env.setenv(key, good)
    app = _start()
    assert app.config["APP_ENV"] == "production" and app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["MAIL_BACKEND"] == "smtp" and "operator" in app.config["MFA_REQUIRED_ROLES"]


def test_development_only_needs_to_say_so(env):
    env.setenv("APP_ENV", "development")
    app = _start()
    assert app.config["APP_ENV"] == "development" and app.config["MAIL_BACKEND"] == "store"


def test_every_page_says_development_mode_and_production_pages_do_not(client, monkeypatch, templates, tmp_path):
    for path in ("/", "/t/fukushima/", "/t/fukushima/login", "/admin/login", "/no-such-page"):
        html = client.get(path).get_data(as_text=True)
        assert 'class="dev-banner"' in html and "開発モード" in html, path
    from tests.conftest import _config

    monkeypatch.setenv("APP_ENV", "production")
    url = templates.clone("base")
    prod = create_app({**_config(url, tmp_path), **GOOD, "APP_ENV": "production"})
    try:
        html = prod.test_client().get("/t/fukushima/login").get_data(as_text=True)
        assert "ログイン" in html and "開発モード" not in html
    finally:
        from app.extensions import db

        with prod.app_context():
            db.engine.dispose()
        templates.drop(url)
