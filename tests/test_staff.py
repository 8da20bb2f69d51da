"""Who is staff (geo.staff): configured addresses and domains against a verified e-mail claim."""
from __future__ import annotations

import pytest

from geo import settings, staff


def _claims(email="Ana.Novak@Koper.si", **extra):
    return {"is_logged_in": True, "email": email, **extra}


def test_rules_from_lists_and_environment():
    rules = staff.rules(["Ana.Novak@KOPER.si", "not-an-address", "a@b@c"], ["@Ankaran.si", "koper.si"],
                        "Marko@Example.org, @Obcina.SI ;  ")
    assert rules.emails == frozenset({"ana.novak@koper.si", "marko@example.org"})
    assert rules.domains == frozenset({"ankaran.si", "koper.si", "obcina.si"})
    assert staff.rules() == staff.StaffRules() and not staff.rules()


def test_rules_from_config_section_and_environ():
    rules = staff.rules_from({"emails": ["x@y.si"]}, {settings.STAFF_ENV: "@koper.si"})
    assert rules.emails == {"x@y.si"} and rules.domains == {"koper.si"}
    assert not staff.rules_from(None, {})


@pytest.mark.parametrize("claims, expected", [
    (_claims(), True),                                          # case-insensitive address
    (_claims("  ANA.NOVAK@koper.si "), True),
    (_claims(email_verified=True), True),
    (_claims(email_verified="true"), True),
    (_claims(email_verified=False), False),                      # the provider says: not verified
    (_claims(email_verified="false"), False),
    (_claims(email_verified=None), False),
    (_claims("druga@koper.si"), False),                           # another address, domain not listed
    (_claims("ana.novak@koper.si.evil.example"), False),
    ({"email": "ana.novak@koper.si"}, False),                     # not signed in (AppTest's default user)
    ({"is_logged_in": "true", "email": "ana.novak@koper.si"}, False),
    ({"is_logged_in": True}, False),                              # no e-mail claim
    (_claims("ana.novak@koper.si@evil.example"), False),
])
def test_is_staff_by_address(claims, expected):
    assert staff.is_staff(claims, staff.rules(["ana.novak@koper.si"])) is expected


@pytest.mark.parametrize("email, expected", [
    ("Kdorkoli@Ankaran.SI", True), ("x@sub.ankaran.si", False), ("x@evilankaran.si", False),
    ("ankaran.si@evil.example", False),
])
def test_is_staff_by_domain_is_exact(email, expected):
    assert staff.is_staff(_claims(email), staff.rules(domains=["ankaran.si"])) is expected
