"""Who is staff: a configured list of e-mail addresses and domains, matched against a verified identity.

No Streamlit here: ``ui.auth`` reads the configuration (``[staff]`` in ``.streamlit/secrets.toml``
and ``$KOPER_MAP_STAFF``) and the signed-in identity (``st.user``) and asks these functions.
Staff never comes from the browser: only the identity provider's signed e-mail claim is compared.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from geo import settings


@dataclass(frozen=True)
class StaffRules:
    """Staff e-mail addresses and domains, lower-case, without a leading ``@`` on domains."""

    emails: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.emails or self.domains)


def _entries(values: object) -> list[str]:
    """A list or a comma/space/semicolon separated string, as stripped non-empty strings."""
    if values is None:
        return []
    if isinstance(values, str):
        values = values.replace(",", " ").replace(";", " ").split()
    if not isinstance(values, Iterable):
        return []
    return [str(v).strip() for v in values if str(v).strip()]


def normalise_email(value: object) -> str | None:
    """``value`` lower-cased and stripped when it is one address with exactly one ``@``; else None."""
    text = str(value or "").strip().lower()
    local, at, domain = text.partition("@")
    if not at or not local or not domain or "@" in domain or any(c.isspace() for c in text):
        return None
    return text


def rules(emails: object = (), domains: object = (), env: str | None = None) -> StaffRules:
    """Build the staff rules from configured lists and the ``$KOPER_MAP_STAFF`` value.

    ``emails`` and ``domains`` are lists (or separated strings) from the configuration; ``env`` is
    the variable's text, where an entry starting with ``@`` (``@koper.si``) is a whole domain and
    any other entry an address. Entries that are not addresses (``"ana"``, ``"a@b@c"``) are ignored.
    """
    found_emails: set[str] = set()
    found_domains: set[str] = {d.lower().lstrip("@") for d in _entries(domains)}
    for entry in _entries(env):
        if entry.startswith("@"):
            found_domains.add(entry[1:].lower())
        else:
            found_emails.add(entry)
    found_emails.update(_entries(emails))
    clean_emails = {e for e in (normalise_email(x) for x in found_emails) if e}
    clean_domains = {d for d in found_domains if d and "@" not in d}
    return StaffRules(frozenset(clean_emails), frozenset(clean_domains))


def rules_from(config: Mapping | None, environ: Mapping[str, str]) -> StaffRules:
    """The rules from a ``[staff]`` section (``emails``, ``domains``; may be None) and the environment."""
    config = config or {}
    return rules(config.get("emails", ()), config.get("domains", ()), environ.get(settings.STAFF_ENV))


def verified_email(claims: Mapping) -> str | None:
    """The signed-in person's e-mail (lower-case) when it can be trusted; else None.

    ``claims`` is the identity token's claims (``st.user``). Needs ``is_logged_in`` true and an
    ``email`` claim; when the provider sends ``email_verified`` it must be true (a boolean, or the
    text ``"true"`` that some providers send).
    """
    if claims.get("is_logged_in") is not True:
        return None
    if "email_verified" in claims:
        flag = claims.get("email_verified")
        if not (flag is True or (isinstance(flag, str) and flag.strip().lower() == "true")):
            return None
    return normalise_email(claims.get("email"))


def is_staff(claims: Mapping, staff: StaffRules) -> bool:
    """True when the verified e-mail of ``claims`` is a staff address or in a staff domain."""
    email = verified_email(claims)
    if email is None:
        return False
    return email in staff.emails or email.rpartition("@")[2] in staff.domains
