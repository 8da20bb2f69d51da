"""Service records as text: how an area service is delivered, and which area a record serves (issue 13)."""
from __future__ import annotations

import datetime as dt

import pytest

from geo import i18n, load, model, present, settings

SERVICES = load.load_services(settings.PROJECT_DIR / "data")
RECORDS = {r["id"]: r for r in SERVICES.to_dict("records")}
WHEN = dt.datetime(2026, 11, 23, 10, 0)
#: How each language says "at (the) home" (issue 13: only for delivery = home).
AT_HOME = {"sl": ("na dom",), "it": ("domicilio",), "en": ("home",)}


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_only_services_delivered_at_home_say_at_home(lang):
    for record in RECORDS.values():
        text = present.location_text(record, lang).lower()
        says_home = any(word in text for word in AT_HOME[lang])
        assert says_home == (record["delivery"] == model.HOME), (record["id"], text)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_each_delivery_kind_has_its_own_wording(lang):
    office = "Gramšijev trg 1, 6000 Koper"
    texts = {kind: present.location_text({"location_type": "area", "delivery": kind, "address": office}, lang)
             for kind in model.DELIVERY_KINDS}
    assert len(set(texts.values())) == 3 and all(office in t for t in texts.values())
    assert texts[model.HOME] == i18n.t("location.delivery.home", lang, office=office)
    assert present.delivery_text({"location_type": "area", "delivery": "accommodation"}, lang) == i18n.t(
        "delivery.accommodation", lang)
    assert present.delivery_text({"location_type": "site", "delivery": ""}, lang) == ""


def test_the_real_records_read_as_their_delivery_kind():
    assert present.location_text(RECORDS["home-help"], "en").startswith("Comes to your home")
    assert present.location_text(RECORDS["parenting-school"], "en").startswith("At changing places in the municipality")
    housing = present.location_text(RECORDS["homeless-housing-support"], "en")
    assert housing == "Accommodation in flats whose addresses are not published; apply at: Gramšijev trg 1, 6000 Koper"
    assert present.location_text(RECORDS["homeless-housing-support"], "sl").endswith("prijava: Gramšijev trg 1, 6000 Koper")


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_a_funding_call_reads_as_information_not_as_available_anywhere(lang):
    record = RECORDS["co-financed-social-programmes"]
    text = present.location_text(record, lang)
    assert text == i18n.t("location.information", lang, office=record["provider"])
    assert i18n.t("list.anywhere", lang, n=1).split("(")[0].strip().lower() not in text.lower()


def test_the_area_served_is_named_in_each_language():
    both = RECORDS["rent-subsidy"]
    assert present.service_area_text(both, "sl") == "Mestna občina Koper, Občina Ankaran"
    assert present.service_area_text(both, "it") == "Comune città di Capodistria, Comune di Ancarano"
    assert present.service_area_text(RECORDS["birth-grant"], "en") == "Municipality of Koper"
    assert present.service_area_text({"service_area": "koper;ankaran"}, "en") == "Municipality of Koper, Municipality of Ankaran"
    assert present.service_area_text({"service_area": []}, "en") == ""
    details = present.details_markdown(RECORDS["birth-grant"], "sl", WHEN)
    assert "**Območje delovanja:** Mestna občina Koper" in details


def test_a_place_at_the_starting_point_is_said_so_not_zero_km():
    # A typed address of the place itself gave "0,0 km zračne razdalje, po cesti približno 0,0 km".
    assert present.distance_markdown(12.0, 15.6, "sl") == "**Na vašem izhodišču** (do 50 m)"
    assert present.distance_markdown(50.0, 65.0, "it") == "**Al vostro punto di partenza** (entro 50 m)"
    assert present.distance_markdown(51.0, 66.3, "en") == "**0.1 km** in a straight line, about 0.1 km by road"
    assert present.distance_markdown(3249.0, 4223.7, "sl") == "**3,2 km** zračne razdalje, po cesti približno 4,2 km"
