"""geo.atomic: a replaced file is always either the old or the new version, whole."""
from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from geo import atomic

PROJECT_DIR = Path(__file__).resolve().parent.parent


def test_write_replaces_and_keeps_permissions(tmp_path):
    target = tmp_path / "table.csv"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    assert atomic.write_text(target, "new čšž\n") == target
    assert target.read_bytes() == "new čšž\n".encode("utf-8")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert atomic.leftover_temp_files(target) == []


def test_write_creates_missing_folders(tmp_path):
    target = tmp_path / "backups" / "deeper" / "copy.csv"
    atomic.write_bytes(target, b"x")
    assert target.read_bytes() == b"x"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_an_interrupted_write_removes_its_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "table.csv"
    target.write_bytes(b"old")

    def interrupted(handle, data):
        handle.write(data[:2])
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic, "_write_payload", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic.write_bytes(target, b"new content")
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]


def test_leftover_temp_files_finds_only_this_files_leftovers(tmp_path):
    target = tmp_path / "services.csv"
    mine = tmp_path / ".services.csv.ab12cd.tmp"
    other = tmp_path / ".manual_coordinates.csv.ab12cd.tmp"
    for path in (mine, other):
        path.write_bytes(b"partial")
    assert atomic.leftover_temp_files(target) == [mine]
    assert atomic.leftover_temp_files(tmp_path / "missing" / "x.csv") == []


# The child rewrites one large file with two alternating versions as fast as it can and reports
# each finished write; the parent kills it at a moment when it is almost surely mid-write.
_WRITER_LOOP = """
import sys
from geo import atomic
target = sys.argv[1]
versions = [b"A" * 4_000_000, b"B" * 3_000_000]
n = 0
while True:
    atomic.write_bytes(target, versions[n % 2])
    n += 1
    print(n, flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals")
@pytest.mark.parametrize("writes_before_kill", [1, 2, 5])
def test_a_writer_killed_at_any_moment_leaves_one_whole_version(tmp_path, writes_before_kill):
    target = tmp_path / "big.csv"
    target.write_bytes(b"B" * 3_000_000)
    child = subprocess.Popen(
        [sys.executable, "-c", _WRITER_LOOP, str(target)], cwd=PROJECT_DIR, stdout=subprocess.PIPE, text=True
    )
    try:
        for _ in range(writes_before_kill):
            assert child.stdout.readline().strip()
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=30)
    content = target.read_bytes()
    assert content in (b"A" * 4_000_000, b"B" * 3_000_000)
