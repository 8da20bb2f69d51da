"""``python -m geo <command>``: one command line for coverage, export and geocode (geo.cli)."""
from __future__ import annotations

import io
import subprocess
import sys

import pytest

from geo import cli, settings


def test_geocode_lookup_goes_through_the_geocoders_own_command(data_dir):
    out = io.StringIO()
    assert cli.main(["geocode", "lookup", "Gažon 39, 6274 Šmarje"], data_dir=data_dir, out=out) == 0
    fields = dict(line.split(None, 1) for line in out.getvalue().splitlines() if len(line.split(None, 1)) == 2)
    assert fields["precision"] in {"address", "street", "settlement", "manual"}
    assert 45.4 < float(fields["lat"]) < 45.6 and 13.6 < float(fields["lon"]) < 13.9
    assert cli.main(["geocode", "lookup", "asdf qwerty"], data_dir=data_dir, out=io.StringIO()) == 1


def test_geocode_options_are_the_geocoders(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["geocode", "lookup"])  # the address is missing
    assert stop.value.code == 2
    assert "python -m geo geocode" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [[], ["knit"], ["export"], ["coverage", "--lang", "de"]])
def test_bad_commands_exit_2_in_one_line(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("python -m geo") and len(err.strip().splitlines()) == 1, err


def test_python_dash_m_geo_lists_its_commands():
    done = subprocess.run([sys.executable, "-m", "geo", "--help"], capture_output=True, text=True,
                          cwd=settings.PROJECT_DIR, timeout=120)
    assert done.returncode == 0
    for command in ("coverage", "export", "geocode"):
        assert command in done.stdout


def test_library_modules_have_no_command_line_of_their_own():
    from geo import coverage, export

    for module in (coverage, export):
        assert not hasattr(module, "main") and not hasattr(module, "_parser")
