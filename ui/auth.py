"""Staff sign-in with Streamlit's own OpenID Connect support (``st.login`` / ``st.user`` / ``st.logout``).

Configuration lives in ``.streamlit/secrets.toml`` (see ``.streamlit/secrets.toml.example``):
``[auth]`` as Streamlit documents it (``redirect_uri``, ``cookie_secret``, ``client_id``,
``client_secret``, ``server_metadata_url``, or one named ``[auth.<provider>]``), and ``[staff]``
with ``emails`` and ``domains`` (plus ``$KOPER_MAP_STAFF``). Who is staff is decided by
``geo.staff`` from the identity provider's verified e-mail claim, never from anything the browser
sends. Without a complete ``[auth]`` there is no sign-in and no staff page.
"""
from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from geo import i18n, safe, settings, staff
from geo.errors import NotStaff

#: Settings a provider needs besides the shared ``redirect_uri`` and ``cookie_secret``.
_PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


def _section(name: str) -> dict:
    """A top-level table of secrets.toml as a plain dict ({} when there is no file or no table)."""
    try:
        value = st.secrets.get(name)
    except (StreamlitSecretNotFoundError, FileNotFoundError, KeyError):
        return {}
    return _plain(value) if isinstance(value, Mapping) else {}


def _plain(value: object) -> object:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _complete(table: Mapping) -> bool:
    return all(str(table.get(key) or "").strip() for key in _PROVIDER_KEYS)


def provider() -> str | None:
    """The provider name for ``st.login``: None for settings directly in ``[auth]``.

    Otherwise ``[staff] provider`` if set, else the first complete ``[auth.<name>]`` table.
    Raises NotStaff when ``[auth]`` names no complete provider.
    """
    auth = _section("auth")
    if _complete(auth):
        return None
    named = [name for name, table in auth.items() if isinstance(table, Mapping) and _complete(table)]
    wanted = str(_section("staff").get("provider") or "").strip()
    if wanted:
        if wanted not in named:
            raise NotStaff(f"[staff] provider = {wanted!r} has no complete [auth.{wanted}] table in secrets.toml")
        return wanted
    if not named:
        raise NotStaff("[auth] in secrets.toml names no provider with " + ", ".join(_PROVIDER_KEYS))
    return named[0]


def sign_in_configured() -> bool:
    """True when secrets.toml has a usable ``[auth]`` (shared settings and a provider) and Authlib is installed."""
    auth = _section("auth")
    if not all(str(auth.get(key) or "").strip() for key in ("redirect_uri", "cookie_secret")):
        return False
    try:
        provider()
    except NotStaff:
        return False
    return importlib.util.find_spec("authlib") is not None


def staff_rules() -> staff.StaffRules:
    """The configured staff addresses and domains (``[staff]`` and ``$KOPER_MAP_STAFF``)."""
    return staff.rules_from(_section("staff"), os.environ)


def _claims() -> dict:
    """The signed-in identity's claims (``st.user``), as a plain dict; {} outside a session."""
    try:
        return dict(st.user.to_dict())
    except Exception:  # no script run context (imported by a tool): nobody is signed in
        return {}


def is_staff() -> bool:
    """True when sign-in is configured and the signed-in, verified e-mail is on the staff list."""
    return sign_in_configured() and staff.is_staff(_claims(), staff_rules())


def staff_identity() -> str:
    """The signed-in staff member's e-mail (lower-case), for the change log.

    Raises NotStaff when sign-in is not configured or the person is not (verified) staff.
    """
    if not is_staff():
        raise NotStaff("nobody on the staff list is signed in; sign in with a staff account")
    return staff.verified_email(_claims()) or ""


def staff_page_offered() -> bool:
    """Whether the navigation lists the staff page: upkeep on, sign-in configured, a staff member signed in."""
    return settings.upkeep_enabled() and is_staff()


def require_staff(lang: str) -> str:
    """Stop the page with a translated message unless a staff member is signed in; returns their e-mail."""
    if not settings.upkeep_enabled():
        st.warning(i18n.t("upkeep.disabled", lang))
        st.stop()
    if not sign_in_configured():
        st.warning(i18n.t("auth.not_configured", lang))
        st.stop()
    if not is_staff():
        st.error(i18n.t("auth.required", lang))
        st.stop()
    return staff_identity()


def sidebar_control(lang: str) -> None:
    """"Sign in (staff)" or who is signed in and "Sign out", in the sidebar; nothing without sign-in."""
    if not sign_in_configured():
        return
    claims = _claims()
    box = st.sidebar.container()
    if claims.get("is_logged_in") is not True:
        if box.button(i18n.t("auth.sign_in", lang), key="auth_sign_in", type="tertiary",
                      icon=":material/login:"):
            st.login(provider())
        return
    email = staff.verified_email(claims)
    shown = safe.md_text(email or str(claims.get("email") or ""))
    if email is None:
        box.warning(i18n.t("auth.unverified", lang, email=shown))
    elif not staff.is_staff(claims, staff_rules()):
        box.warning(i18n.t("auth.not_staff", lang, email=shown))
    else:
        box.caption(i18n.t("auth.signed_in_as", lang, email=shown))
    if box.button(i18n.t("auth.sign_out", lang), key="auth_sign_out", type="tertiary", icon=":material/logout:"):
        st.logout()
