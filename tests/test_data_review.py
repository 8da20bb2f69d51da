"""The second reading of the directory (issue 13): each decision of the data owner is checked on
the shipped data, so that a later edit cannot bring the fault back unnoticed.

Decision 1: newer source text wins; 2: how an area service is delivered; 3: a funding call is
information; 4: never invent (prices, care levels, the shelter); 5: the area each record serves;
6: hand-placed points; 7: Italian as Koper writes it.
"""
from __future__ import annotations

import re

import pandas as pd
import pytest

from geo import areas, bilingual, load, model, nearest, settings
from test_services_data import source_text  # the cited source lines, one reader for both data tests

DATA = settings.PROJECT_DIR / "data"
SERVICES = load.load_services(DATA)
RECORDS = SERVICES.to_dict("records")
BY_ID = {r["id"]: r for r in RECORDS}
IDS = [r["id"] for r in RECORDS]
LANGS = ("sl", "it", "en")


# ------------------------------------------------------------------------------------------------
# Decision 1: where the source has an older and a newer text, the newer wins; the older is noted.

OLDER_PROVIDER = "Mali princ"
OLDER_DOMAINS = ("cpdmaliprinc.si", "mali-princ.si")


@pytest.mark.parametrize("service_id", ["remote-alarm", "vitica-accompaniment", "cajanke"])
def test_the_gerontological_centre_services_follow_the_newer_text(service_id):
    record = BY_ID[service_id]
    assert record["provider"] == "Obalni dom upokojencev Koper"
    assert record["provider_address"] == "Krožna cesta 5, 6000 Koper"
    assert record["address"] == "Dolinska cesta 58 A, 6000 Koper"  # the Gerontological Centre (line 266)
    for lang in LANGS:  # the older text's provider stays visible, in every language
        assert OLDER_PROVIDER in record[f"note_{lang}"], (service_id, lang)


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_no_current_fact_comes_from_the_older_provider_text(record):
    assert OLDER_PROVIDER not in record["provider"]
    assert not any(domain in e for e in record["emails"] for domain in OLDER_DOMAINS)
    assert not any(domain in record["website"] for domain in OLDER_DOMAINS)


def test_one_current_seat_per_organisation_and_the_other_noted():
    centre = BY_ID["day-activities-centre"]
    assert centre["provider_address"] == "Cesta Zore Perello-Godina 3, 6000 Koper"
    assert "+38656393932" not in centre["phones"] and centre["phones"][0] == "+38659902845"
    assert all("13" in centre[f"note_{lang}"] and "05 639 39 32" in centre[f"note_{lang}"] for lang in LANGS)
    groups = BY_ID["self-help-groups"]
    assert groups["provider_address"] == "Mladinska ulica 6, 6000 Koper"
    assert all("58 A" in groups[f"note_{lang}"] for lang in LANGS)


# ------------------------------------------------------------------------------------------------
# Decision 2: how a service without an address is delivered is data.

DELIVERY = {
    "home-help": "home", "meals-on-wheels": "home", "remote-alarm": "home", "vitica-accompaniment": "home",
    "prostofer": "home", "parenting-school": "community", "aed-first-responders": "community",
    "self-help-groups": "community", "caritas-help-for-homeless": "community",
    "homeless-housing-support": "accommodation",
}


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_every_area_service_says_how_it_is_delivered(record):
    if record["location_type"] == model.AREA and record["record_kind"] == model.SERVICE:
        assert record["delivery"] in model.DELIVERY_KINDS
    else:
        assert record["delivery"] == ""


def test_the_delivery_kinds_of_the_decision():
    assert {r["id"]: r["delivery"] for r in RECORDS if r["delivery"]} == DELIVERY


def test_the_model_refuses_an_area_service_without_a_delivery_kind():
    raw = load.read_csv_text(DATA / settings.SERVICES_FILE)
    raw.loc[raw["id"] == "home-help", "delivery"] = ""
    problems = [str(p) for p in model.validate_services(raw)]
    row = int(raw.index[raw["id"] == "home-help"][0]) + 2
    assert problems == [f"services.csv, row {row}, field 'delivery': an area service must say how it is delivered: "
                        "one of home, community, accommodation"]


def test_the_housing_support_is_applied_for_at_the_red_cross_office():
    record = BY_ID["homeless-housing-support"]
    assert record["address"] == "Gramšijev trg 1, 6000 Koper"
    assert "Gramšijev trg 1" in record["how_to_apply_sl"] and "Gramšijev trg 1" in record["how_to_apply_en"]
    assert "Piazzale Antonio Gramsci 1" in record["how_to_apply_it"]


# ------------------------------------------------------------------------------------------------
# Decision 3: a funding call is information, not a service.

def test_the_funding_call_is_the_only_information_record():
    information = [r["id"] for r in RECORDS if r["record_kind"] == model.INFORMATION]
    assert information == ["co-financed-social-programmes"]
    record = BY_ID["co-financed-social-programmes"]
    assert record["delivery"] == "" and record["phones"] == [] and record["address"] == ""


def test_nearest_never_offers_the_funding_call_as_reaching_a_point():
    index = areas.area_index(areas.load_boundaries(DATA))
    koper_centre = (45.5469, 13.7294)
    reaching = nearest.area_services_for_point(SERVICES, *koper_centre, index)
    assert "co-financed-social-programmes" not in set(reaching["id"])
    assert {"home-help", "parenting-school", "homeless-housing-support"} <= set(reaching["id"])


def test_coverage_never_counts_the_funding_call():
    from geo import coverage

    kept = coverage.counted(SERVICES)
    assert "co-financed-social-programmes" not in set(kept["id"])
    assert {"home-help", "parenting-school", "homeless-housing-support"} <= set(kept["id"])


# ------------------------------------------------------------------------------------------------
# Decision 4: never invent.

FREE_WORDS = ("brezplačn",)


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_a_price_kind_is_backed_by_the_cited_source_lines(record):
    text = source_text(record).lower()
    if record["price_type"] == "free":
        assert any(word in text for word in FREE_WORDS), "'free' is not in the cited lines"
    if record["price_type"] == "paid":
        assert "eur" in text, "'paid' without an amount in the cited lines"
    for lang in LANGS:  # a stated price has its amounts in the source, and none without a price kind
        if record[f"price_{lang}"]:
            assert record["price_type"] in ("free", "paid"), f"price_{lang} without a known price kind"


def test_the_red_cross_material_aid_price_is_unknown():
    record = BY_ID["red-cross-material-aid"]
    assert record["price_type"] == "unknown" and not any(record[f"price_{lang}"] for lang in LANGS)


@pytest.mark.parametrize("service_id", ["care-home-odu", "care-home-du-ptuj-koper", "care-home-danica"])
def test_a_care_home_does_not_claim_every_care_level(service_id):
    record = BY_ID[service_id]
    assert "I–IV" not in record["eligibility_sl"] + record["eligibility_it"] + record["eligibility_en"]
    assert "ne pove pa, katere ravni nudi posamezni dom" in record["eligibility_sl"]
    assert "does not say which levels each home offers" in record["eligibility_en"]
    assert "non dice quali livelli offre ciascuna casa di riposo" in record["eligibility_it"]


def test_the_shelter_keeps_its_official_name_and_the_sources_contradiction():
    record = BY_ID["homeless-shelter"]
    assert record["name_sl"] == "Zavetišče za brezdomne osebe z individualno obravnavo"
    assert record["name_sl"] in source_text(record)
    for lang in LANGS:
        note = record[f"note_{lang}"]
        assert "14" in note and "12" in note, lang  # up to 14 people, but six double rooms = 12 beds


# ------------------------------------------------------------------------------------------------
# Decision 5: who may use it.

RESIDENCE = re.compile(r"staln\w+ prebivališč\w+ v Mestni občini Koper")
#: Records whose source names residence in Koper but whose right is no longer the municipality's.
RESIDENCE_EXCEPTIONS = {
    "health-insurance-contribution": "since 2021 paid by the State and decided by the social-work centre",
}
#: Rights decided by the social-work centre of the administrative unit Koper (Koper + Ankaran).
CSD_DECIDED = ("rent-subsidy", "health-insurance-contribution", "family-assistant")


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_every_record_names_the_area_it_serves(record):
    assert record["service_area"] and set(record["service_area"]) <= set(model.SERVICE_AREAS)
    if RESIDENCE.search(record["eligibility_sl"]) and record["id"] not in RESIDENCE_EXCEPTIONS:
        assert record["service_area"] == ["koper"], "a right bound to residence in Koper is not for Ankaran"


def test_social_work_centre_rights_serve_koper_and_ankaran_and_the_rest_only_koper():
    for record in RECORDS:
        expected = ["koper", "ankaran"] if record["id"] in CSD_DECIDED else ["koper"]
        assert record["service_area"] == expected, record["id"]
        if record["id"] in CSD_DECIDED:
            assert all("Ankaran" in record[f"note_{lang}"] or "Ancarano" in record[f"note_{lang}"] for lang in LANGS)


def test_a_record_without_a_service_area_is_refused():
    raw = load.read_csv_text(DATA / settings.SERVICES_FILE)
    raw.loc[raw["id"] == "care-home-odu", "service_area"] = ""
    assert [(p.field, p.message) for p in model.validate_services(raw)] == [("service_area", "is required")]


def test_data_review_frame_is_the_shipped_table():
    assert isinstance(SERVICES, pd.DataFrame) and len(SERVICES) == 36


# ------------------------------------------------------------------------------------------------
# Decision 6: hand-placed points say honestly how far off they may be.

RPE = settings.SHARED_DIR / "reference" / "rpe"
MANUAL = pd.read_csv(DATA / settings.MANUAL_COORDINATES_FILE, dtype=str, keep_default_na=False).set_index("address")
DOLINSKA, GAZON = "Dolinska cesta 58 A, 6000 Koper", "Gažon 39, 6274 Šmarje"


def _register_settlement(name: str) -> tuple[pd.Series, pd.DataFrame]:
    """A Koper settlement of the register and its spatial districts (D96/TM metres in CEN_E, CEN_N)."""
    if not RPE.is_dir():
        pytest.skip(f"the register extract {RPE} is not beside the checkout")
    settlements = pd.read_csv(RPE / "settlements_obalno_kraska.csv")
    districts = pd.read_csv(RPE / "spatial_districts_obalno_kraska.csv")
    settlement = settlements[(settlements["NA_UIME"] == name) & (settlements["OB_MID"] == 11027776)].iloc[0]
    return settlement, districts[districts["NA_MID"] == settlement["NA_MID"]]


def _honest_radius(x: float, y: float, settlement: pd.Series, districts: pd.DataFrame) -> int:
    """Metres, rounded up to 100: the farthest district centroid, or the settlement's equal-area circle if wider."""
    farthest = float(((districts["CEN_E"] - x) ** 2 + (districts["CEN_N"] - y) ** 2).pow(0.5).max())
    equal_area = (float(settlement["POV_KM2"]) * 1e6 / 3.141592653589793) ** 0.5
    return int(-(-max(farthest, equal_area) // 100) * 100)


def test_dolinska_is_placed_from_the_register_with_an_honest_radius():
    streets = pd.read_csv(DATA / "streets.csv", dtype=str)
    street = streets[streets["name_sl"] == "Dolinska cesta"]
    assert len(street) == 1  # the register knows only the settlement of the street
    settlement, districts = _register_settlement("Koper")
    assert street["settlement_id"].iloc[0] == str(settlement["NA_MID"])
    xy = districts[["CEN_E", "CEN_N"]].to_numpy(dtype=float)
    total = ((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2) ** 0.5
    medoid = districts.iloc[int(total.sum(axis=1).argmin())]
    line = MANUAL.loc[DOLINSKA]
    assert (float(line["lat"]), float(line["lon"])) == (medoid["lat"], medoid["lon"])
    assert int(line["accuracy_m"]) == _honest_radius(medoid["CEN_E"], medoid["CEN_N"], settlement, districts) == 2900
    assert (line["lat"], line["lon"]) != ("45.5375", "13.7430")  # the unsupported point of the first reading


def test_gazon_keeps_the_settlement_centroid_and_gets_a_radius():
    settlement, districts = _register_settlement("Gažon")
    line = MANUAL.loc[GAZON]
    assert (float(line["lat"]), float(line["lon"])) == (settlement["lat"], settlement["lon"])
    assert int(line["accuracy_m"]) == _honest_radius(settlement["CEN_E"], settlement["CEN_N"], settlement, districts)


def test_every_placed_service_has_an_accuracy_radius():
    from geo import directory

    table = directory.directory_table(DATA)
    placed = table[table["location_type"].isin(model.PLACED_TYPES)]
    radii = pd.to_numeric(placed["location_accuracy_m"], errors="coerce")
    assert radii.notna().all() and (radii > 0).all(), list(placed.loc[radii.isna(), "id"])


def test_dolinska_is_listed_first_among_the_points_to_verify_online():
    from geo import directory, upkeep

    first = upkeep.verify_online_first(directory.directory_table(DATA))
    assert first.loc[0, "address"] == DOLINSKA and first.loc[0, "location_accuracy_m"] == 2900
    assert set(first.loc[0, "ids"].split(";")) == {"cajanke", "information-point"}


def test_the_staff_page_lists_the_points_to_verify_online_first(data_dir):
    from apptest_support import UPKEEP_PAGE, run_page
    from geo import i18n

    app = run_page(UPKEEP_PAGE, "it")
    assert not app.exception, app.exception
    headings = [s.value for s in app.subheader]
    assert i18n.t("upkeep.verify_first", "it") in headings
    tables = [t.value for t in app.dataframe]
    listed = next(t for t in tables if i18n.t("upkeep.col.ids", "it") in t.columns)
    assert list(listed[i18n.t("upkeep.col.address", "it")]) == [DOLINSKA]
    assert "1.000 m" in " ".join(c.value for c in app.caption)


# ------------------------------------------------------------------------------------------------
# Decision 7: Italian as Koper writes it.

ITALIAN_FIELDS = [f.name for f in model.FIELDS if f.name.endswith("_it")]
QUOTED = re.compile(r"«[^»]*»")
STREET_CHECK = bilingual.SloveneStreetCheck(pd.read_csv(DATA / "streets.csv", dtype=str, keep_default_na=False))



@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_italian_texts_use_the_registers_italian_street_names(record):
    wrong = {field: STREET_CHECK.find(record[field]) for field in ITALIAN_FIELDS}
    assert not {f: w for f, w in wrong.items() if w}


#: Italian words the first reading used, and the form Koper uses (issue 13, decision 7).
NOT_KOPERS_ITALIAN = {
    r"casa di cura": "casa di riposo (care homes)",
    r"casa sicura": "casa rifugio (the safe house)",
    r"\bKras\b": "Carso",
    r"estiv[oaie]": "vacanze scolastiche (school-holiday care, not summer)",
    r"scuole (?:elementari e )?medie(?! superiori)": "scuole medie superiori (srednje šole)",
}


@pytest.mark.parametrize("record", RECORDS, ids=IDS)
def test_italian_texts_use_kopers_words(record):
    for field in ITALIAN_FIELDS:
        for wrong, right in NOT_KOPERS_ITALIAN.items():
            assert not re.search(wrong, QUOTED.sub(" ", record[field]), re.IGNORECASE), f"{field}: use {right}"


def test_the_home_help_price_names_holidays_and_non_working_days():
    record = BY_ID["home-help"]
    assert "7,65 EUR nei giorni di festa nazionale e nei giorni non lavorativi" in record["price_it"]
    assert "7.65 on public holidays and work-free days" in record["price_en"]
    assert "državni praznik ali dela prost dan" in record["price_sl"]
    assert BY_ID["safe-house-kras"]["name_it"] == "Casa rifugio regionale del Carso"


@pytest.mark.parametrize("lang", LANGS)
def test_the_address_placeholder_uses_a_register_street_name(lang):
    from geo import i18n

    streets = pd.read_csv(DATA / "streets.csv", dtype=str, keep_default_na=False)
    names = set(streets["name_it" if lang == "it" else "name_sl"]) - {""}
    example = i18n.t("nearest.address_placeholder", lang).split(" ", 1)[1]  # after "npr." / "es." / "e.g."
    street = re.match(r"^(.*?)\s+\d", example).group(1)
    assert street in names, f"{street!r} is not the register's {'Italian' if lang == 'it' else 'Slovene'} name"


@pytest.mark.parametrize("lang", LANGS)
def test_the_directory_page_shows_the_funding_call_as_information_and_each_delivery_kind(lang, data_dir):
    from apptest_support import run_page
    from geo import i18n, safe

    app = run_page("pages/directory.py", lang)
    assert not app.exception, app.exception
    labels = {e.label for e in app.expander}
    name = {r["id"]: r[f"name_{lang}"] for r in RECORDS}

    def label_of(service_id: str) -> str:
        return next(label for label in labels if label.startswith(safe.md_text(name[service_id]) + " · "))

    assert label_of("co-financed-social-programmes").endswith(" · " + i18n.t("record_kind.information", lang))
    assert label_of("homeless-housing-support").endswith(" · " + i18n.t("delivery.accommodation", lang))
    assert label_of("parenting-school").endswith(" · " + i18n.t("delivery.community", lang))
    assert label_of("home-help").endswith(" · " + i18n.t("delivery.home", lang))
