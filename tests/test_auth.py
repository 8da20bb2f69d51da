"""Staff sign-in: ui.auth with a faked st.user (AppTest), the staff page's
place in the navigation, routing through app.py, and the plain error instead of a traceback."""
from __future__ import annotations

import logging

import pytest
from streamlit.testing.v1 import AppTest

from apptest_support import STAFF_EMAIL, UPKEEP_PAGE, run_page, sign_in
from geo import i18n, safe, settings
from geo.errors import NotStaff

APP = str(settings.PROJECT_DIR / "app.py")


# --- ui.auth inside a Streamlit run (AppTest fakes st.user) ------------------------------------------

def _probe():
    import streamlit as st

    from geo.errors import NotStaff
    from ui import auth

    st.text(f"configured={auth.sign_in_configured()}")
    st.text(f"staff={auth.is_staff()}")
    st.text(f"offered={auth.staff_page_offered()}")
    try:
        st.text(f"identity={auth.staff_identity()}")
    except NotStaff:
        st.text("identity=refused")
    st.text(f"provider={auth.provider() if auth.sign_in_configured() else '-'}")


def _probe_run(app: AppTest) -> dict[str, str]:
    app.run()
    assert not app.exception, app.exception
    return dict(t.value.split("=", 1) for t in app.text)


def test_without_secrets_nothing_is_configured_and_nobody_is_staff():
    app = AppTest.from_function(_probe)
    app.user = {"is_logged_in": True, "email": STAFF_EMAIL, "email_verified": True}  # a forged identity alone…
    assert _probe_run(app) == {"configured": "False", "staff": "False", "offered": "False",
                               "identity": "refused", "provider": "-"}


def test_staff_member_signed_in():
    app = sign_in(AppTest.from_function(_probe), STAFF_EMAIL.upper())
    assert _probe_run(app) == {"configured": "True", "staff": "True", "offered": "True",
                               "identity": STAFF_EMAIL, "provider": "None"}


@pytest.mark.parametrize("email, verified", [("drugi@example.org", True), (STAFF_EMAIL, False)])
def test_non_staff_or_unverified_is_refused(email, verified):
    app = sign_in(AppTest.from_function(_probe), email, verified=verified)
    assert _probe_run(app)["identity"] == "refused"


def test_switched_off_upkeep_hides_the_page_even_for_staff(monkeypatch):
    monkeypatch.setenv(settings.UPKEEP_ENV, "0")
    values = _probe_run(sign_in(AppTest.from_function(_probe)))
    assert values["staff"] == "True" and values["offered"] == "False"


def test_staff_from_the_environment(monkeypatch):
    monkeypatch.setenv(settings.STAFF_ENV, "@obcina.example")
    app = sign_in(AppTest.from_function(_probe), "Someone@Obcina.example", staff_emails=())
    assert _probe_run(app)["identity"] == "someone@obcina.example"


@pytest.mark.parametrize("missing", ["redirect_uri", "cookie_secret", "client_id", "server_metadata_url"])
def test_incomplete_auth_is_not_configured(missing):
    app = sign_in(AppTest.from_function(_probe))
    del app.secrets["auth"][missing]
    assert _probe_run(app)["configured"] == "False"


def test_a_named_provider_is_used_for_sign_in():
    app = sign_in(AppTest.from_function(_probe))
    shared = {k: app.secrets["auth"].pop(k) for k in ("redirect_uri", "cookie_secret")}
    app.secrets["auth"] = {**shared, "entra": dict(app.secrets["auth"]), "half": {"client_id": "x"}}
    assert _probe_run(app)["provider"] == "entra"
    app.secrets["staff"]["provider"] = "half"  # names a table without its settings: no sign-in
    assert _probe_run(app)["configured"] == "False"


def _gate():
    import streamlit as st

    from ui import auth

    st.text(f"passed={auth.require_staff('en')}")


@pytest.mark.parametrize("email, key", [(None, "auth.required"), ("drugi@example.org", "auth.required")])
def test_require_staff_stops_the_page(email, key):
    app = sign_in(AppTest.from_function(_gate), email)
    app.run()
    assert not app.text and app.error[0].value == i18n.t(key, "en")


def test_require_staff_without_sign_in_or_switched_off(monkeypatch):
    app = AppTest.from_function(_gate)
    app.run()
    assert not app.text and app.warning[0].value == i18n.t("auth.not_configured", "en")
    monkeypatch.setenv(settings.UPKEEP_ENV, "0")
    app = sign_in(AppTest.from_function(_gate))
    app.run()
    assert not app.text and app.warning[0].value == i18n.t("upkeep.disabled", "en")


def test_require_staff_lets_staff_through():
    app = sign_in(AppTest.from_function(_gate))
    app.run()
    assert app.text[0].value == f"passed={STAFF_EMAIL}"


# --- the app: navigation, sidebar control ----------------------------------------------------------

def _app(email: str | None = "", lang: str = "en", verified: bool = True) -> AppTest:
    """app.py without sign-in ("" ), signed out (None) or signed in as ``email``; run once."""
    app = AppTest.from_file(APP, default_timeout=60)
    if email != "":
        sign_in(app, email, verified=verified)
    app.query_params["lang"] = lang
    app.run()
    return app


def _sidebar_buttons(app: AppTest) -> list[str]:
    return [b.label for b in app.sidebar.button]


@pytest.mark.parametrize("email", ["", None, "drugi@example.org"])
def test_the_staff_page_is_not_in_the_navigation_for_others(email, data_dir):
    app = _app(email)
    with pytest.raises(ValueError, match="Known pages"):
        app.switch_page(UPKEEP_PAGE)  # app.py did not register it: no URL reaches it
    assert not app.get("file_uploader")


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_sidebar_offers_sign_in_only_when_configured(lang, data_dir):
    assert i18n.t("auth.sign_in", lang) not in _sidebar_buttons(_app("", lang))
    assert _sidebar_buttons(_app(None, lang))[0] == i18n.t("auth.sign_in", lang)


def test_sidebar_says_who_is_signed_in_and_offers_sign_out(data_dir):
    app = _app(STAFF_EMAIL)
    assert _sidebar_buttons(app)[0] == i18n.t("auth.sign_out", "en")
    assert i18n.t("auth.sign_in", "en") not in _sidebar_buttons(app)
    assert i18n.t("auth.signed_in_as", "en", email=safe.md_text(STAFF_EMAIL)) in [c.value for c in app.sidebar.caption]
    refused = _app("drugi@example.org")
    assert _sidebar_buttons(refused)[0] == i18n.t("auth.sign_out", "en")
    assert refused.sidebar.warning[0].value == i18n.t("auth.not_staff", "en", email=safe.md_text("drugi@example.org"))
    unverified = _app(STAFF_EMAIL, verified=False)
    assert unverified.sidebar.warning[0].value == i18n.t("auth.unverified", "en", email=safe.md_text(STAFF_EMAIL))


def test_staff_reach_the_upkeep_page(data_dir):
    app = run_page(UPKEEP_PAGE, "en")  # signs a member of staff in
    assert not app.exception, app.exception
    assert app.title[0].value == i18n.t("page.upkeep", "en")
    assert not app.error


# --- routing without the private patch --------------------------------------------------------------

def test_a_page_started_alone_reruns_through_app_py(data_dir):
    """AppTest starts every run in Streamlit's older pages/ mode, as a fresh server does: after
    switch_page the page script starts alone, and must hand over to app.py (whose sidebar control
    then shows). Fails if a Streamlit upgrade changes how st.navigation ends that mode."""
    app = _app(None)
    app.switch_page("pages/directory.py").run()
    assert not app.exception, app.exception
    assert app.title[0].value == i18n.t("page.directory", "en")
    assert _sidebar_buttons(app)[0] == i18n.t("auth.sign_in", "en")


# --- no public traceback ----------------------------------------------------------------------------

TYPED = "Dolinska cesta 58/a, tajno"


def _raise(*args, **kwargs):
    raise RuntimeError(f"could not place {TYPED}")


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_an_unexpected_error_is_a_plain_translated_message_and_logged_without_input(
        lang, data_dir, monkeypatch, caplog):
    from ui import cache

    monkeypatch.delenv(settings.RAISE_ERRORS_ENV)
    monkeypatch.setattr(cache, "load_directory", _raise)
    with caplog.at_level(logging.ERROR, logger="koper_map"):
        app = _app("", lang)
    assert not app.exception
    assert [e.value for e in app.error] == [i18n.t("app.unexpected", lang)]
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "koper_map")
    assert "RuntimeError" in logged and "load_directory" in logged and "_raise" in logged
    assert TYPED not in logged and "tajno" not in logged


def test_in_tests_and_development_the_error_raises(data_dir, monkeypatch):
    from ui import cache

    monkeypatch.setattr(cache, "load_directory", _raise)
    app = _app("")
    assert app.exception and app.exception[0].value == f"could not place {TYPED}"


def test_public_deployments_hide_error_details():
    import tomllib

    config = tomllib.loads((settings.PROJECT_DIR / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"
    assert config["browser"]["gatherUsageStats"] is False


def test_staff_identity_outside_a_session_refuses():
    from ui import auth

    with pytest.raises(NotStaff):
        auth.staff_identity()
