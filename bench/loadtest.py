"""Load test: many people opening the service map at once.

Run with ``python bench/loadtest.py`` (``make loadtest``). Starts the app as a real Streamlit server
on a copy of data/ (``KOPER_MAP_ONLINE=0``) and measures it in up to three ways:

* **protocol** (default ``--sessions 100 --arrival-s 10``): visitors that speak Streamlit's own
  websocket protocol (bench/stclient.py), so no browser eats the server's two cores. Each one
  fetches the page, opens the map in sl/it/en (``/?lang=…``; the map's frame arguments and the
  marker rows file it fetches), answers as the drawn map does, ticks the category "Housing and
  residential care" (and checks the new map has exactly that category's addresses), and runs a
  nearest search from Dekani on ``/nearest`` (three results). Reported: errors (must be 0),
  p50/p95 of connect → map data sent and of each step, server CPU and memory per session.
* **capacity** (``--rates 2,4,6``): the same visit at a steady arrival rate (visitors per second)
  for ``--duration-s`` seconds each; the highest rate whose p95 (connect → map data sent) stays
  under 3 s with no error is what one server sustains.
* **browsers** (``--browsers 20``): the end-to-end check, each visitor in its own headless
  Chromium context: map drawn (markers in the frame), filter change, nearest search; JavaScript
  errors and requests off localhost are counted. Here the browsers share the server's cores.

Exits non-zero on any error.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # run from anywhere; Chromium's settings from browser_support

import stclient
import synthetic
from browser_support import CHROMIUM, CHROMIUM_ARGS, is_local

from geo import directory, filters, mapping

# streamlit-folium names its frame after itself; the page then titles it in the page's language (ui/common.py)
MAP_FRAME = 'iframe[data-koper-map-frame], iframe[title="streamlit_folium.st_folium"]'
MARKERS = ".marker-cluster, .koper-marker-icon"
CATEGORY = "residential"
CATEGORY_LABEL = re.compile(r"^Housing and residential care \(\d+\)$")
DEKANI = "10101522"
STEPS = ("map rendered", "filter change", "nearest search")
PROTOCOL_STEPS = ("map data sent", "map drawn report", "filter change", "nearest search")
LANGUAGES = ("sl", "it", "en")
#: p95 of connect → map data sent that a sustained arrival rate must stay under.
CAPACITY_P95_S = 3.0
STEP_TIMEOUT_S = 180
POLL_S = 0.05
RSS_SAMPLE_S = 0.5


@dataclass
class Results:
    """Step times and everything that went wrong, over all sessions."""

    times: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in STEPS})
    failures: list[str] = field(default_factory=list)
    exceptions_shown: int = 0
    js_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        """Everything that counts as an error."""
        return len(self.failures) + self.exceptions_shown + len(self.js_errors)


def expected_markers(data_dir: Path) -> int:
    """How many addresses the map shows with only the test's category ticked."""
    services = directory.build_directory(data_dir).services
    return len(mapping.map_locations(filters.apply(services, filters.Filters(categories=(CATEGORY,)), "en")))


async def marker_total(page) -> int:
    """Markers on the map: single markers plus the numbers on clusters (as the browser tests count)."""
    frame = page.frame_locator(MAP_FRAME).first
    singles = await frame.locator(".leaflet-marker-icon.koper-marker-icon").count()
    clusters = [int(t) for t in await frame.locator(".marker-cluster span").all_inner_texts() if t.strip().isdigit()]
    return singles + sum(clusters)


async def wait_for_markers(page, expected: int, timeout_s: float) -> None:
    """Poll until the map shows exactly ``expected`` addresses (the re-drawn map, not the old one)."""
    deadline = time.monotonic() + timeout_s
    total = -1
    while time.monotonic() < deadline:
        try:
            total = await marker_total(page)
        except Exception:  # noqa: BLE001 - the frame may be replaced while the map is re-drawn
            total = -1
        if total == expected:
            return
        await asyncio.sleep(POLL_S)
    raise TimeoutError(f"the map showed {total} addresses, not {expected}, after {timeout_s:.0f} s")


async def exceptions_shown(page) -> int:
    """Exceptions Streamlit shows on the page."""
    return await page.locator('[data-testid="stException"]').count()


async def one_visit(browser, base: str, expected: int, results: Results, label: str) -> None:
    """One visitor's three steps in a fresh context; times and errors go into ``results``."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    timeout_ms = STEP_TIMEOUT_S * 1000

    async def route(r):
        if is_local(r.request.url):
            await r.continue_()
        else:
            results.blocked.append(r.request.url)
            await r.abort()

    await page.route("**/*", route)
    page.on("pageerror", lambda error: results.js_errors.append(f"{label}: {error}"))
    step = STEPS[0]
    try:
        started = time.perf_counter()
        await page.goto(f"{base}/?lang=en", wait_until="commit", timeout=timeout_ms)
        await page.locator(MAP_FRAME).first.wait_for(timeout=timeout_ms)
        frame = page.frame_locator(MAP_FRAME).first
        await frame.locator(".leaflet-container").first.wait_for(timeout=timeout_ms)
        await frame.locator(MARKERS).first.wait_for(timeout=timeout_ms)
        results.times[step].append(time.perf_counter() - started)
        results.exceptions_shown += await exceptions_shown(page)

        step = STEPS[1]
        started = time.perf_counter()
        await page.get_by_text(CATEGORY_LABEL).click(timeout=timeout_ms)
        await page.wait_for_url(re.compile(rf"cat={CATEGORY}"), timeout=timeout_ms)
        await wait_for_markers(page, expected, STEP_TIMEOUT_S)
        results.times[step].append(time.perf_counter() - started)
        results.exceptions_shown += await exceptions_shown(page)

        step = STEPS[2]
        started = time.perf_counter()
        await page.goto(f"{base}/nearest?lang=en&from=settlement:{DEKANI}", wait_until="commit", timeout=timeout_ms)
        await page.get_by_role("heading", level=4).nth(2).wait_for(timeout=timeout_ms)
        results.times[step].append(time.perf_counter() - started)
        results.exceptions_shown += await exceptions_shown(page)
    except Exception as error:  # noqa: BLE001 - any failed step is an error of the run, not a crash
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        results.failures.append(f"{label}, {step}: {first_line}")
        # An exception Streamlit shows is often why a step never finished; the page may be gone.
        with contextlib.suppress(Exception):
            results.exceptions_shown += await exceptions_shown(page)
    finally:
        await context.close()


# --- protocol-level visitors (bench/stclient.py) ----------------------------------------------------

async def protocol_visit(base: str, lang: str, expected: int, results: Results, label: str) -> None:
    """One visitor over Streamlit's websocket protocol; step times and errors go into ``results``."""
    step = PROTOCOL_STEPS[0]
    try:
        # What the browser loads before it connects: the page, then the map frame's own page.
        async with stclient.Session(base, timeout_s=STEP_TIMEOUT_S) as session:
            await asyncio.to_thread(session.fetch, f"/?lang={lang}")
            started = time.perf_counter()
            await session.connect()
            run = await session.run(f"lang={lang}", report_drawn_after_s=stclient.BROWSER_DRAW_S)
            fetching = time.perf_counter()
            rows = await session.fetch_map_rows(run)
            # the map's element, then its rows file (a browser fetches it while the run goes on: a new
            # visitor's first run sends the rest of the page once the map reports, ui/first_paint.py)
            if run.map_at is None:
                raise stclient.ProtocolError("the run sent no map")
            results.times[step].append(run.map_at - started + time.perf_counter() - fetching)
            check_run(run, label, step, results)
            if not rows:
                raise stclient.ProtocolError("the map's marker rows were empty")
            await asyncio.to_thread(session.fetch, "/component/streamlit_folium.st_folium/index.html")

            step = PROTOCOL_STEPS[1]
            started = time.perf_counter()
            check_run(await session.map_drawn(), label, step, results)
            results.times[step].append(time.perf_counter() - started)

            step = PROTOCOL_STEPS[2]
            started = time.perf_counter()
            run = await session.run(widgets={f"map_category_{CATEGORY}": True})
            rows = await session.fetch_map_rows(run)
            results.times[step].append(time.perf_counter() - started)
            check_run(run, label, step, results)
            if len(rows) != expected:
                raise stclient.ProtocolError(f"the filtered map had {len(rows)} addresses, not {expected}")
            check_run(await session.map_drawn(), label, step, results)

            step = PROTOCOL_STEPS[3]
            started = time.perf_counter()
            run = await session.run(f"lang={lang}&from=settlement:{DEKANI}", page="nearest")
            results.times[step].append(time.perf_counter() - started)
            check_run(run, label, step, results)
            found = sum(text.startswith("#### ") for text in run.texts)
            if found < 3:
                raise stclient.ProtocolError(f"the nearest page listed {found} places, not 3")
    except Exception as error:  # noqa: BLE001 - any failed step is an error of the run, not a crash
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        results.failures.append(f"{label}, {step}: {first_line}")


def check_run(run: stclient.RunResult, label: str, step: str, results: Results) -> None:
    """Count the exceptions a run showed (each is an error of the load test)."""
    results.exceptions_shown += len(run.exceptions)
    results.failures += [f"{label}, {step}: {text}" for text in run.exceptions[:1]]


async def protocol_wave(base: str, pid: int, sessions: int, arrival_s: float, expected: int) -> tuple[Results, dict]:
    """``sessions`` visitors arriving evenly over ``arrival_s`` seconds (after one untimed warm-up visit)."""
    warm = Results(times={s: [] for s in PROTOCOL_STEPS})
    for lang in LANGUAGES:  # the server's caches: the directory, and each language's map
        await protocol_visit(base, lang, expected, warm, f"warm-up {lang}")
    results = Results(times={s: [] for s in PROTOCOL_STEPS})
    results.failures += warm.failures
    memory = {"before": synthetic.rss_kib(pid), "cpu_before": synthetic.cpu_seconds(pid)}
    peak, stop = [memory["before"]], asyncio.Event()
    sampler = asyncio.create_task(sample_rss(pid, peak, stop))
    started = time.perf_counter()

    async def arrive(i: int) -> None:
        await asyncio.sleep(i * arrival_s / sessions)
        await protocol_visit(base, LANGUAGES[i % len(LANGUAGES)], expected, results, f"session {i + 1}")

    await asyncio.gather(*(arrive(i) for i in range(sessions)))
    memory["wall_s"] = time.perf_counter() - started
    stop.set()
    await sampler
    memory["after"], memory["peak"] = synthetic.rss_kib(pid), peak[0]
    memory["cpu_s"] = synthetic.cpu_seconds(pid) - memory["cpu_before"]
    return results, memory


def protocol_report(results: Results, memory: dict, sessions: int, arrival_s: float) -> None:
    """Print the protocol-level table."""
    print(f"\nLoad test (Streamlit protocol, no browsers): {sessions} sessions arriving within {arrival_s:.0f} s, "
          f"wall time {memory['wall_s']:.1f} s")
    print(f"{'step':<28} {'done':>5} {'p50 (s)':>8} {'p95 (s)':>8} {'max (s)':>8}")
    for step in PROTOCOL_STEPS:
        values = results.times[step]
        label = "connect → map data sent" if step == PROTOCOL_STEPS[0] else step
        worst = max(values) if values else float("nan")
        print(f"{label:<28} {len(values):>5} {synthetic.percentile(values, 50):>8.2f} "
              f"{synthetic.percentile(values, 95):>8.2f} {worst:>8.2f}")
    mib = 1024
    print(f"Server memory (VmRSS): {memory['before'] / mib:.0f} MiB after warm-up, peak {memory['peak'] / mib:.0f} MiB, "
          f"{memory['after'] / mib:.0f} MiB after; {(memory['peak'] - memory['before']) / sessions / mib:.2f} MiB "
          f"per session at the peak, {(memory['after'] - memory['before']) / sessions / mib:.2f} MiB kept per session")
    print(f"Server CPU: {memory['cpu_s']:.1f} s in all, {memory['cpu_s'] / sessions:.3f} s per session "
          f"(map, drawn report, filter change, nearest search); load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores at the end")
    print(f"Errors: {results.errors} (failed steps or exceptions shown {len(results.failures)})")
    for line in results.failures[:10]:
        print(f"  - {line}")


async def capacity(base: str, pid: int, rates: list[float], duration_s: float, expected: int) -> list[dict]:
    """One steady wave per arrival rate (visitors per second); p95 of connect → map data sent for each."""
    rows = []
    for rate in rates:
        sessions = max(1, round(rate * duration_s))
        results, memory = await protocol_wave(base, pid, sessions, duration_s, expected)
        values = results.times[PROTOCOL_STEPS[0]]
        rows.append({"rate": rate, "sessions": sessions, "p50": synthetic.percentile(values, 50),
                     "p95": synthetic.percentile(values, 95), "errors": results.errors,
                     "cpu_per_session": memory["cpu_s"] / sessions, "failures": results.failures[:3]})
    return rows


def capacity_report(rows: list[dict], duration_s: float) -> None:
    """Print the capacity table and the highest sustained rate."""
    print(f"\nCapacity: visitors arriving at a steady rate for {duration_s:.0f} s each (protocol-level)")
    print(f"{'visitors/s':>10} {'sessions':>9} {'p50 (s)':>8} {'p95 (s)':>8} {'errors':>7} {'CPU/session (s)':>16}")
    for r in rows:
        print(f"{r['rate']:>10.1f} {r['sessions']:>9} {r['p50']:>8.2f} {r['p95']:>8.2f} {r['errors']:>7} "
              f"{r['cpu_per_session']:>16.3f}")
    for r in rows:
        for line in r.get("failures", []):
            print(f"  - at {r['rate']:.1f}/s: {line}")
    ok = [r["rate"] for r in rows if r["p95"] < CAPACITY_P95_S and r["errors"] == 0]
    print(f"Sustained by one server with p95 (connect → map data sent) under {CAPACITY_P95_S:.0f} s: "
          + (f"{max(ok):.1f} new visitors per second" if ok else "none of the rates tried"))


async def sample_rss(pid: int, peak: list[int], stop: asyncio.Event) -> None:
    """Keep the highest VmRSS seen in peak[0] until ``stop`` is set."""
    while not stop.is_set():
        peak[0] = max(peak[0], synthetic.rss_kib(pid))
        try:
            await asyncio.wait_for(stop.wait(), RSS_SAMPLE_S)
        except TimeoutError:
            pass


async def run(base: str, pid: int, sessions: int, rounds: int, expected: int) -> tuple[Results, dict]:
    """Warm up with one visit, then ``rounds`` waves of ``sessions`` concurrent visits."""
    from playwright.async_api import async_playwright

    results = Results()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            # Untimed: the server's first run loads and caches the directory for everyone.
            warm = Results()
            await one_visit(browser, base, expected, warm, "warm-up")
            if warm.errors:
                results.failures += warm.failures
                results.js_errors += warm.js_errors
                results.exceptions_shown += warm.exceptions_shown
            memory = {"before": synthetic.rss_kib(pid), "cpu_before": synthetic.cpu_seconds(pid)}
            peak, stop = [memory["before"]], asyncio.Event()
            sampler = asyncio.create_task(sample_rss(pid, peak, stop))
            started = time.perf_counter()
            for wave in range(rounds):
                await asyncio.gather(*(one_visit(browser, base, expected, results, f"round {wave + 1} session {i + 1}")
                                       for i in range(sessions)))
            memory["wall_s"] = time.perf_counter() - started
            stop.set()
            await sampler
            memory["after"], memory["peak"] = synthetic.rss_kib(pid), peak[0]
            memory["cpu_s"] = synthetic.cpu_seconds(pid) - memory["cpu_before"]
        finally:
            await browser.close()
    return results, memory


def report(results: Results, memory: dict, sessions: int, rounds: int) -> None:
    """Print the table."""
    visits = sessions * rounds
    print(f"\nLoad test: {sessions} concurrent sessions × {rounds} round(s) = {visits} visits, "
          f"one headless Chromium, wall time {memory['wall_s']:.1f} s")
    print(f"{'step':<16} {'done':>5} {'p50 (s)':>8} {'p95 (s)':>8} {'max (s)':>8}")
    for step in STEPS:
        values = results.times[step]
        worst = max(values) if values else float("nan")
        print(f"{step:<16} {len(values):>5} {synthetic.percentile(values, 50):>8.2f} "
              f"{synthetic.percentile(values, 95):>8.2f} {worst:>8.2f}")
    mib = 1024
    growth = (memory["after"] - memory["before"]) / visits
    print(f"Server memory (VmRSS): {memory['before'] / mib:.0f} MiB after warm-up, peak {memory['peak'] / mib:.0f} MiB, "
          f"{memory['after'] / mib:.0f} MiB after; growth {growth / mib:.2f} MiB per session")
    print(f"Server CPU: {memory['cpu_s']:.1f} s in all ({memory['cpu_s'] / visits:.2f} s per visit of three steps); "
          f"machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the end")
    print(f"Errors: {results.errors} (failed steps {len(results.failures)}, exceptions shown by Streamlit "
          f"{results.exceptions_shown}, JavaScript errors {len(results.js_errors)}); "
          f"requests off localhost aborted: {len(results.blocked)}")
    for line in (results.failures + results.js_errors)[:10]:
        print(f"  - {line}")


def main(argv: list[str] | None = None) -> int:
    """Run the load test; exit status 1 when anything failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=100, help="protocol-level sessions (0: none)")
    parser.add_argument("--arrival-s", type=float, default=10.0, help="the sessions arrive evenly within this time")
    parser.add_argument("--rates", default="", help="capacity: arrival rates to try, e.g. 2,4,6 (visitors per second)")
    parser.add_argument("--duration-s", type=float, default=20.0, help="capacity: seconds of arrivals per rate")
    parser.add_argument("--browsers", type=int, default=0, help="concurrent headless Chromium sessions (0: none)")
    parser.add_argument("--rounds", type=int, default=1, help="browsers: waves of concurrent sessions")
    args = parser.parse_args(argv)
    rates = [float(r) for r in args.rates.split(",") if r.strip()]
    if args.sessions < 0 or args.browsers < 0 or args.rounds < 1 or args.arrival_s < 0 or any(r <= 0 for r in rates):
        parser.error("--sessions, --browsers and rates must not be negative, --rounds at least 1")
    if args.browsers and not CHROMIUM.exists():
        print(f"{CHROMIUM} is not installed (apt-get install chromium); the browser load test needs it", file=sys.stderr)
        return 2
    errors = 0
    with tempfile.TemporaryDirectory(prefix="loadtest-") as tmp:
        data = synthetic.copy_koper_data(Path(tmp) / "data")
        expected = expected_markers(data)
        log = synthetic.ROOT / "test-artifacts" / "loadtest-streamlit.log"
        if args.sessions:
            with synthetic.streamlit_server(data, log) as (base, pid):
                results, memory = asyncio.run(protocol_wave(base, pid, args.sessions, args.arrival_s, expected))
            protocol_report(results, memory, args.sessions, args.arrival_s)
            errors += results.errors
        if rates:
            with synthetic.streamlit_server(data, log) as (base, pid):
                rows = asyncio.run(capacity(base, pid, rates, args.duration_s, expected))
            capacity_report(rows, args.duration_s)
            errors += sum(r["errors"] for r in rows)
        if args.browsers:
            with synthetic.streamlit_server(data, log) as (base, pid):
                results, memory = asyncio.run(run(base, pid, args.browsers, args.rounds, expected))
            report(results, memory, args.browsers, args.rounds)
            errors += results.errors
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
