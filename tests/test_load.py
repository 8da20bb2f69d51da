"""Loading validates every time and falls back to the last good data."""
from __future__ import annotations

import pytest

from geo import load, settings
from geo.errors import DataFileError, DataValidationError


def test_loads_the_shipped_directory_from_the_configured_dir(data_dir):
    services = load.load_services(settings.data_dir())
    assert len(services) == 36
    assert services.loc[services["id"] == "remote-alarm", "opening_hours"].item() == "24/7"


def test_a_broken_file_gives_a_precise_error_and_the_last_good_data(data_dir):
    good = load.load_services_safe(data_dir)
    assert good.error is None and len(good.services) == 36
    path = data_dir / "services.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("financial_aid", "money", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = load.load_services_safe(data_dir, last_good=good.services)
    assert isinstance(result.error, DataValidationError)
    assert "services.csv, row 4, field 'category'" in str(result.error)
    assert result.is_stale and len(result.services) == 36
    assert result.services is good.services  # the caller's table, not a copy kept in geo
    assert load.load_services_safe(data_dir).services is None  # geo keeps no last good table itself


def test_a_missing_file_without_earlier_data_is_an_error_not_a_crash(tmp_path):
    result = load.load_services_safe(tmp_path)
    assert result.services is None
    assert isinstance(result.error, DataFileError)
    assert "services.csv: file not found" in str(result.error)


def test_a_file_in_another_encoding_is_explained(data_dir):
    path = data_dir / "services.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1250", errors="replace"))
    result = load.load_services_safe(data_dir)
    assert "is not UTF-8 text" in str(result.error)


def test_provider_addresses_are_the_sites_and_offices(data_dir):
    addresses = load.provider_addresses(data_dir)
    assert "Gažon 39, 6274 Šmarje" in addresses
    assert "Kolodvorska cesta, 6000 Koper" in addresses
    assert not any("Logatec" in a for a in addresses)  # Prostofer is area-wide


def test_the_data_folder_is_never_guessed():
    with pytest.raises(TypeError, match="data_dir is required"):
        load.load_services(None)
    assert not [name for name in vars(load) if name.startswith("_last")]
