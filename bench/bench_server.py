"""Benchmark: server CPU per visit and per step, measured on a running server (issue 14).

Run with ``python bench/bench_server.py`` (``make bench`` runs it). Starts the app on a copy of
data/ and sends visitors one after another over Streamlit's websocket protocol (bench/stclient.py:
no browser shares the cores), reading the server process's CPU time (user + system, all threads,
from /proc) before and after each step:

* **first map visit** in sl, it and en: the page (``/?lang=…``), the map's frame arguments, the
  marker rows file, and the rerun the drawn map's report causes (as in a browser);
* **filter change**: ticking a category, with the new map's rows and its report;
* **nearest**: ``/nearest`` from a settlement (Dekani), three results;
* **coverage**: ``/coverage`` with its defaults;
* **what-if**: ``/whatif`` from a link with one hypothetical place (a day centre in Marezige):
  the before/after tables and the scenario's map; then **what-if rerun**: the "only changed areas"
  switch turned off (the same scenario, another table shown).

Each is the median of ``--visits`` fresh sessions after a warm-up visit (the server's caches are
shared by every session, which is the point); the server's very first visit is shown apart.
Targets: ≤ 0.3 s per first map visit, ≤ 0.1 s per filter change.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import stclient
import synthetic

from geo import scenario

LANGUAGES = ("sl", "it", "en")
CATEGORY = "residential"
DEKANI = "10101522"
VISIT_TARGET_S = 0.3
FILTER_TARGET_S = 0.1
STEPS = ("first map visit", "filter change", "nearest (settlement)", "coverage", "what-if (1 place)",
         "what-if rerun")
#: The what-if link's scenario: a day centre for older people in Marezige (as tests/test_whatif_page.py).
WHATIF_LINK = "wi=" + urllib.parse.quote(scenario.encode([scenario.Place(
    45.509027, 13.796061, "day_activities", ("older",), "Mo-Fr 08:00-16:00", origin="s10101883")]))


async def visit(base: str, pid: int, lang: str) -> dict[str, float]:
    """One visitor's steps; server CPU seconds per step. Raises ProtocolError on an error shown or a step not done."""
    cpu: dict[str, float] = {}
    async with stclient.Session(base) as session:
        before = synthetic.cpu_seconds(pid)
        await asyncio.to_thread(session.fetch, f"/?lang={lang}")
        run = await session.run(f"lang={lang}", report_drawn_after_s=stclient.BROWSER_DRAW_S)
        if not await session.fetch_map_rows(run):
            raise stclient.ProtocolError("the map had no marker rows")
        drawn = await session.map_drawn()
        cpu[STEPS[0]] = synthetic.cpu_seconds(pid) - before
        before = synthetic.cpu_seconds(pid)
        changed = await session.run(widgets={f"map_category_{CATEGORY}": True})
        await session.fetch_map_rows(changed)
        redrawn = await session.map_drawn()
        cpu[STEPS[1]] = synthetic.cpu_seconds(pid) - before
        before = synthetic.cpu_seconds(pid)
        near = await session.run(f"lang={lang}&from=settlement:{DEKANI}", page="nearest")
        cpu[STEPS[2]] = synthetic.cpu_seconds(pid) - before
        before = synthetic.cpu_seconds(pid)
        covered = await session.run(f"lang={lang}", page="coverage")
        cpu[STEPS[3]] = synthetic.cpu_seconds(pid) - before
        before = synthetic.cpu_seconds(pid)
        whatif = await session.run(f"lang={lang}&{WHATIF_LINK}", page="whatif")
        cpu[STEPS[4]] = synthetic.cpu_seconds(pid) - before
        before = synthetic.cpu_seconds(pid)
        rerun = await session.run(widgets={"wi_only_changed": False})
        cpu[STEPS[5]] = synthetic.cpu_seconds(pid) - before
    shown = [e for r in (run, drawn, changed, redrawn, near, covered, whatif, rerun) for e in r.exceptions]
    if shown:
        raise stclient.ProtocolError(f"the page showed an exception: {shown[0]}")
    if sum(text.startswith("#### ") for text in near.texts) < 3:
        raise stclient.ProtocolError("the nearest page did not list three places")
    if not any("Marezige" in text for text in whatif.texts) or whatif.map_args is None:
        raise stclient.ProtocolError("the what-if page did not show its scenario and map")
    return cpu


async def measure(base: str, pid: int, visits: int) -> tuple[dict, dict]:
    """(the server's first visit per step, {lang: {step: median}})."""
    first = await visit(base, pid, LANGUAGES[0])
    for lang in LANGUAGES[1:]:
        await visit(base, pid, lang)  # warm-up: each language's map once
    medians = {}
    for lang in LANGUAGES:
        samples = [await visit(base, pid, lang) for _ in range(visits)]
        medians[lang] = {step: statistics.median(s[step] for s in samples) for step in STEPS}
    return first, medians


def print_table(first: dict, medians: dict, visits: int) -> None:
    """The table: one row per step, one column per language, the target."""
    print(f"\nServer CPU per step (s; median of {visits} fresh sessions per language, one at a time, "
          f"over Streamlit's websocket protocol; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"{'step':<22} {'sl':>6} {'it':>6} {'en':>6} {'server cold':>12}  target")
    targets = {STEPS[0]: VISIT_TARGET_S, STEPS[1]: FILTER_TARGET_S}
    for step in STEPS:
        row = " ".join(f"{medians[lang][step]:>6.3f}" for lang in LANGUAGES)
        target = targets.get(step)
        verdict = ""
        if target is not None:
            worst = max(medians[lang][step] for lang in LANGUAGES)
            verdict = f"≤ {target} s: " + ("met" if worst <= target else f"MISSED ({worst:.3f} s)")
        print(f"{step:<22} {row} {first[step]:>12.3f}  {verdict}")
    print("'first map visit' = the page, the map's frame, its marker rows and the rerun its drawn report causes; "
          "'server cold' = the first visit after start (sl), before any cache is warm.")


def main(argv: list[str] | None = None) -> int:
    """Measure and print; exit status 1 when a visit failed (a target missed is reported, not an error)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--visits", type=int, default=7, help="timed fresh sessions per language")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-server-") as tmp:
        data = synthetic.copy_koper_data(Path(tmp) / "data")
        log = synthetic.ROOT / "test-artifacts" / "bench-server.log"
        with synthetic.streamlit_server(data, log) as (base, pid):
            try:
                first, medians = asyncio.run(measure(base, pid, args.visits))
            except stclient.ProtocolError as error:
                print(f"a visit failed: {error}", file=sys.stderr)
                return 1
    print_table(first, medians, args.visits)
    return 0


if __name__ == "__main__":
    sys.exit(main())
