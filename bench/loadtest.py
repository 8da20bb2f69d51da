"""Load test: many people using the app at once, each in their own headless Chromium context.

Run with ``python bench/loadtest.py [--sessions 20] [--rounds 1]`` (or ``make loadtest``).
Starts the app as a real Streamlit server on a copy of data/ (``KOPER_MAP_ONLINE=0``), then
``--sessions`` concurrent sessions (one browser, one context each, driven with asyncio) each
``--rounds`` times go through what a visitor does:

1. open the map page (``/?lang=en``) and wait until the map is drawn: the st_folium iframe
   holds ``.leaflet-container`` and at least one marker or cluster;
2. tick the category "Housing and residential care" in the side panel and wait until the
   link holds ``cat=residential`` and the map shows exactly that category's addresses;
3. open the nearest-centre page from Dekani and wait for the three nearest places (level-4
   headings).

Prints p50/p95 of each step, the errors (failed or timed-out steps, exceptions shown by
Streamlit, JavaScript errors) and the server's memory growth per session (VmRSS before and
after). Exits non-zero on any error. Requests that would leave localhost are aborted and counted.
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

import synthetic
from browser_support import CHROMIUM, CHROMIUM_ARGS, is_local

from geo import directory, filters, mapping

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
MARKERS = ".marker-cluster, .koper-marker-icon"
CATEGORY = "residential"
CATEGORY_LABEL = re.compile(r"^Housing and residential care \(\d+\)$")
DEKANI = "10101522"
STEPS = ("map rendered", "filter change", "nearest search")
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
    parser.add_argument("--sessions", type=int, default=20, help="concurrent sessions (browser contexts)")
    parser.add_argument("--rounds", type=int, default=1, help="waves of concurrent sessions, one after another")
    args = parser.parse_args(argv)
    if args.sessions < 1 or args.rounds < 1:
        parser.error("--sessions and --rounds must be at least 1")
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is not installed (apt-get install chromium); the load test needs it", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="loadtest-") as tmp:
        data = synthetic.copy_koper_data(Path(tmp) / "data")
        expected = expected_markers(data)
        log = synthetic.ROOT / "test-artifacts" / "loadtest-streamlit.log"
        with synthetic.streamlit_server(data, log) as (base, pid):
            results, memory = asyncio.run(run(base, pid, args.sessions, args.rounds, expected))
    report(results, memory, args.sessions, args.rounds)
    return 1 if results.errors else 0


if __name__ == "__main__":
    sys.exit(main())
