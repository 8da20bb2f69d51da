"""geo.geocode.files: the hand-placed points and the geocode cache, read, validated, written atomically."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from geo import atomic, settings
from geo import geocode as g
from geo.errors import DataValidationError
from geocode_support import (  # noqa: F401 - fixtures too
    PROJECT_DIR, CACHE_HEADER, data_dir, write_manual, write_cache,
)

# Fail loudly if anything here tries to open a connection or resolve a name (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("no_network")


def test_manual_file_is_optional(data_dir):
    assert g.load_manual_coordinates(data_dir).empty


def test_manual_file_loads_typed(data_dir):
    write_manual(data_dir, '"Krožna cesta 5, 6000 Koper",45.5411,13.7401,koper-center,10,map,2026-11-20,')
    table = g.load_manual_coordinates(data_dir)
    assert table.loc[0, "lat"] == 45.5411 and table.loc[0, "accuracy_m"] == 10


def test_malformed_manual_file_names_file_row_and_field(data_dir):
    write_manual(
        data_dir,
        '"Krožna cesta 5, 6000 Koper",45.5411,13.7401,koper-center,10,map,2026-11-20,',  # row 2: fine
        '"Levja ulica 7, 6000 Koper","45,547",13.729,koper-center,10,map,2026-11-20,',  # row 3: comma decimal
        '"Gažon 39, 6274 Šmarje",45.51,14.5,smarje,10,map,2026-11-20,',  # row 4: lon outside the bbox
        '"Prisoje 1, 6000 Koper",45.54,13.73,koper-center,0,map,2026-11-20,',  # row 5: accuracy 0
        '"Verdijeva ulica 10, 6000 Koper",45.54,13.73,koper-center,15,map,23.11.2026,',  # row 6: not ISO
        '"krožna cesta 5,  6000 koper",45.54,13.73,koper-center,15,map,2026-11-20,',  # row 7: duplicate of row 2
        ",45.54,13.73,koper-center,15,map,2026-11-20,",  # row 8: empty address
    )
    with pytest.raises(DataValidationError) as caught:
        g.load_manual_coordinates(data_dir)
    found = {(p.file, p.row, p.field) for p in caught.value.problems}
    assert found == {
        ("manual_coordinates.csv", 3, "lat"),
        ("manual_coordinates.csv", 4, "lon"),
        ("manual_coordinates.csv", 5, "accuracy_m"),
        ("manual_coordinates.csv", 6, "placed_on"),
        ("manual_coordinates.csv", 7, "address"),
        ("manual_coordinates.csv", 8, "address"),
    }
    assert "manual_coordinates.csv, row 3, field 'lat'" in str(caught.value)
    duplicate = next(p for p in caught.value.problems if p.row == 7)
    assert "row 2" in duplicate.message


def test_manual_file_missing_column(data_dir):
    (data_dir / settings.MANUAL_COORDINATES_FILE).write_text("address,lat,lon\nX,45.5,13.7\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as caught:
        g.load_manual_coordinates(data_dir)
    assert {p.field for p in caught.value.problems} == {"area_id", "accuracy_m", "method", "placed_on", "note"}


def test_cache_file_is_optional(data_dir):
    assert g.load_geocode_cache(data_dir).empty


def test_malformed_cache_is_reported(data_dir):
    write_cache(data_dir, "\"Levja ulica 7, 6000 Koper\",45.547,13.729,exact,nominatim,2026-11-01,x")
    with pytest.raises(DataValidationError) as caught:
        g.load_geocode_cache(data_dir)
    assert [(p.file, p.row, p.field) for p in caught.value.problems] == [("geocode_cache.csv", 2, "precision")]


def test_unreadable_cache_is_reported(data_dir):
    (data_dir / settings.GEOCODE_CACHE_FILE).write_text(CACHE_HEADER + 'a,"b\n', encoding="utf-8")
    with pytest.raises(DataValidationError, match="geocode_cache.csv"):
        g.load_geocode_cache(data_dir)


# A child process that writes a large cache through the real code and stalls halfway, so the
# parent can SIGKILL it while the temporary file is half written.
_KILLED_WRITER = """
import sys, time
import pandas as pd
from geo import atomic, geocode

def stall_halfway(handle, data):
    handle.write(data[: len(data) // 2])
    handle.flush()
    print("half written", flush=True)
    time.sleep(120)
    handle.write(data[len(data) // 2:])

atomic._write_payload = stall_halfway
rows = [{"query": f"Ulica {i}, 6000 Koper", "lat": 45.54, "lon": 13.73, "precision": "address",
         "source": "nominatim", "retrieved_on": "2026-11-23", "display_name": "x" * 200} for i in range(20000)]
geocode.write_geocode_cache(pd.DataFrame(rows), sys.argv[1])
"""


@pytest.mark.skipif(not hasattr(os, "kill") or sys.platform == "win32", reason="needs POSIX signals")
def test_a_writer_killed_mid_write_leaves_the_old_cache_whole(data_dir):
    import signal

    old = write_cache(data_dir, "\"Prisoje 1, 6000 Koper\",45.54,13.73,address,nominatim,2026-11-01,x")
    old_bytes = old.read_bytes()
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WRITER, str(data_dir)],
        cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert child.stdout.readline().strip() == "half written", child.stderr.read()
        leftovers = atomic.leftover_temp_files(old)
        assert len(leftovers) == 1 and leftovers[0].stat().st_size > 1_000_000  # really mid-write
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert old.read_bytes() == old_bytes
    assert list(g.load_geocode_cache(data_dir)["query"]) == ["Prisoje 1, 6000 Koper"]
    # The kill left its temporary file; loading ignores it, and the next write still succeeds.
    assert atomic.leftover_temp_files(old)
    g.write_geocode_cache(g.load_geocode_cache(data_dir), data_dir)
    assert len(g.load_geocode_cache(data_dir)) == 1


def test_a_temp_file_left_by_a_kill_does_not_disturb_loading(data_dir):
    write_cache(data_dir, "\"Prisoje 1, 6000 Koper\",45.54,13.73,address,nominatim,2026-11-01,x")
    (data_dir / ".geocode_cache.csv.abc123.tmp").write_text(CACHE_HEADER + '"Levja ul', encoding="utf-8")
    assert list(g.load_geocode_cache(data_dir)["query"]) == ["Prisoje 1, 6000 Koper"]


def test_unquoted_address_with_a_comma_is_caught(data_dir):
    # Every row one field too long: pandas would silently make the first column an index.
    write_manual(data_dir, "Krožna cesta 5, 6000 Koper,45.5411,13.7401,koper-center,10,map,2026-11-20,")
    with pytest.raises(DataValidationError) as caught:
        g.load_manual_coordinates(data_dir)
    problem, = caught.value.problems
    assert (problem.file, problem.row) == ("manual_coordinates.csv", 2)
    assert "double quotes" in problem.message
