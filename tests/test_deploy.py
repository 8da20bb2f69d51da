"""deploy/nginx-koper-map.conf run for real: two app processes behind nginx, sticky sessions (issue 14).

The very file in deploy/ is used (only its ports rewritten) with two app processes on one data
folder; visitors speak Streamlit's protocol through nginx (bench/stclient.py). Needs Debian's
nginx (``apt-get install nginx-light``): skipped locally without it, a failure in CI.
"""
from __future__ import annotations

import asyncio
import collections
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

import pytest

from browser_support import ARTIFACTS, free_port, running_server
from geo import atomic, settings

sys.path.insert(0, str(settings.PROJECT_DIR / "bench"))
import stclient  # noqa: E402

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CONF = settings.PROJECT_DIR / "deploy" / "nginx-koper-map.conf"
#: Streamlit's own static files: where the deploy file says they are, and where this test's are.
DEPLOYED_STREAMLIT_STATIC = "/srv/koper-map/.venv/lib/python3.11/site-packages/streamlit/static/static/"
STREAMLIT_STATIC = Path(__import__("streamlit").__file__).parent / "static" / "static"


def require_nginx() -> None:
    if os.path.exists(NGINX):
        return
    message = "nginx is not installed (apt-get install nginx-light); the reverse proxy test needs it"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def proxy_config(folder: Path, listen: int, ports: list[int]) -> Path:
    """A main nginx.conf in ``folder`` including deploy's file with its ports rewritten, logging the upstream."""
    site = CONF.read_text(encoding="utf-8")
    assert "listen 8080;" in site and "127.0.0.1:8501" in site and "127.0.0.1:8502" in site
    site = site.replace("listen 8080;", f"listen 127.0.0.1:{listen};")
    site = site.replace("127.0.0.1:8501", f"127.0.0.1:{ports[0]}").replace("127.0.0.1:8502", f"127.0.0.1:{ports[1]}")
    assert site.count(DEPLOYED_STREAMLIT_STATIC) == 1
    site = site.replace(DEPLOYED_STREAMLIT_STATIC, f"{STREAMLIT_STATIC}/")
    (folder / "site.conf").write_text(site, encoding="utf-8")
    main = f"""
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    log_format upstream '$upstream_addr $cookie_koper_server $request_uri';
    access_log {folder}/access.log upstream;
    include {folder}/site.conf;
}}
"""
    (folder / "nginx.conf").write_text(main, encoding="utf-8")
    return folder / "nginx.conf"


def wait_healthy(base: str, proc: subprocess.Popen, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("nginx stopped")
        try:
            with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("nginx did not answer")


async def visitor(base: str, lang: str) -> tuple[str, int, list[str]]:
    """A visitor through the proxy: page (the sticky cookie), map, its rows file, the drawn report; the nearest page."""
    async with stclient.Session(base, timeout_s=90) as session:
        await asyncio.to_thread(session.fetch, f"/?lang={lang}")
        cookie = session.cookies
        run = await session.run(f"lang={lang}")
        rows = await session.fetch_map_rows(run)
        drawn = await session.map_drawn()
        near = await session.run(f"lang={lang}&from=settlement:10101522", page="nearest")
        return cookie, len(rows), run.texts + near.texts + run.exceptions + drawn.exceptions + near.exceptions


def test_two_app_processes_behind_nginx_keep_each_visitor_on_one_and_share_the_data(data_dir, tmp_path):
    require_nginx()
    secret = {"STREAMLIT_SERVER_COOKIE_SECRET": "one-secret-for-every-process-of-this-test"}
    with ExitStack() as stack:
        servers = [stack.enter_context(running_server(
            data_dir, ARTIFACTS / f"deploy-{i}-{free_port()}.log", env=secret,
            extra_args=("--server.fileWatcherType", "none"))) for i in range(2)]
        ports = [int(base.rsplit(":", 1)[1]) for base, _proc in servers]
        listen = free_port()
        config = proxy_config(tmp_path, listen, ports)
        nginx = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(config)], stderr=subprocess.STDOUT,
                                 stdout=open(tmp_path / "nginx.out", "wb"))
        stack.callback(lambda: (nginx.terminate(), nginx.wait(timeout=10)))
        base = f"http://127.0.0.1:{listen}"
        wait_healthy(base, nginx)

        async def crowd():
            return await asyncio.gather(*(visitor(base, ("sl", "it", "en")[i % 3]) for i in range(8)))

        visits = asyncio.run(crowd())
        assert all(cookie.startswith("koper_server=") for cookie, _rows, _texts in visits)
        assert [n for _c, n, _t in visits] == [15] * 8  # every map fetched its 15 addresses through the proxy
        assert all(sum(t.startswith("#### ") for t in texts) >= 3 for _c, _n, texts in visits)
        assert not any("Error" in t or "exception" in t.lower() for _c, _n, texts in visits for t in texts[-3:])

        # Sticky: every request carrying a visitor's cookie went to one process; the crowd used both.
        lines = (tmp_path / "access.log").read_text(encoding="utf-8").splitlines()
        by_cookie = collections.defaultdict(set)
        for line in lines:
            upstream, cookie, _uri = line.split(" ", 2)
            if cookie != "-":
                by_cookie[cookie].add(upstream)
        assert len(by_cookie) == 8 and all(len(up) == 1 for up in by_cookie.values()), by_cookie
        assert {up for ups in by_cookie.values() for up in ups} == {f"127.0.0.1:{p}" for p in ports}
        assert any("/app/static/maprows/" in line and not line.startswith("-") for line in lines)

        # Streamlit's own files come from nginx (never proxied: no upstream in the log), as the browser needs
        # them (a module script's type) and with a year's caching; the app's own /app/static/ is proxied.
        index = urllib.request.urlopen(base + "/?lang=sl", timeout=30).read().decode("utf-8")
        assets = re.findall(r'(?:src|href)="\./(static/(?:js|css)/[^"]+)"', index)
        assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets), index[:500]
        for asset in assets:
            with urllib.request.urlopen(f"{base}/{asset}", timeout=30) as reply:
                assert reply.read() == (STREAMLIT_STATIC / asset.removeprefix("static/")).read_bytes()
                assert reply.headers["Content-Type"].split(";")[0] in ("text/javascript", "text/css"), asset
                assert "immutable" in reply.headers["Cache-Control"]
        served = [line for line in (tmp_path / "access.log").read_text(encoding="utf-8").splitlines()
                  if line.split(" ", 2)[2].startswith("/static/")]
        assert len(served) == len(assets) and all(line.startswith("- ") for line in served)

        # One data folder: a change saved with the app's atomic writer is seen by both processes.
        path = data_dir / settings.SERVICES_FILE
        text = path.read_text(encoding="utf-8")
        assert "Čajanke" in text
        atomic.write_text(path, text.replace("Čajanke", "Čajanke in čaj"))
        later = asyncio.run(crowd())
        seen = collections.Counter(any("Čajanke in čaj" in t for t in texts) for _c, _n, texts in later)
        assert seen == {True: 8}
        assert re.search(r"127\.0\.0\.1:\d+", (tmp_path / "access.log").read_text(encoding="utf-8"))
