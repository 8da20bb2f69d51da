"""A visitor without a browser: Streamlit's own websocket protocol (BackMsg / ForwardMsg protobufs).

The load test (bench/loadtest.py) and the benchmark (bench/bench_server.py) use it so that what
they measure is the server, not a hundred Chromiums on the same cores. A session does what the
browser's Streamlit client does on the wire:

* connects to ``/_stcore/stream`` (subprotocol ``streamlit``, same-origin ``Origin``), sends a
  ``rerun_script`` BackMsg with the page's query string and reads ForwardMsgs until
  ``script_finished``;
* keeps the widgets it was sent (checkboxes, toggles, …) and sends a changed value back the way
  the browser does (a ``rerun_script`` with that widget's state);
* answers the map component as streamlit-folium's frame does once the map is drawn (its
  returned value: centre and zoom), which costs the server a second run per visit, as in a browser;
* fetches over HTTP what the map's frame would fetch from the app (the marker rows file named in
  the component's arguments), so that serving it is counted too.

It does not run the map's JavaScript, so "map data sent" means: the map component's arguments
arrived and its marker rows were downloaded. Errors are collected, never raised, by the
callers; this module raises ``ProtocolError`` for a step that did not finish.
"""
from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

#: The component every map frame is (streamlit-folium).
MAP_COMPONENT = "streamlit_folium.st_folium"
#: What streamlit-folium's frame sends once the map is drawn (returned_objects of pages/map.py).
MAP_DRAWN_VALUE = {"last_object_clicked": None, "last_object_clicked_count": None,
                   "zoom": 11, "center": {"lat": 45.53, "lng": 13.8}}
#: Seconds from the map's element arriving to its frame's report, as headless Chromium on this machine
#: does on a first visit (bench_map: the first marker ~0.3 s after the frame; the report comes after it).
#: The service map waits for that report before sending the rest of a new visitor's page (ui/first_paint.py).
BROWSER_DRAW_S = 0.5
#: The marker rows file the map fetches (see ui/cache.py map_rows_url).
ROWS_URL = re.compile(r'"(/app/static/maprows/[0-9a-f]+\.json)')
#: A small view's markers, inline in the frame's script (geo/mapping/elements.py, LocationLayer).
INLINE_MARKERS = re.compile(r"var markers = (\[.*?\]);\n")
#: ... and then its view file's content (geo.mapping.rows.view_json).
INLINE_VIEW = re.compile(r"var view = (\[.*?\]);\n")


class ProtocolError(RuntimeError):
    """A step did not finish: closed connection, timeout, or the server reported an error."""


@dataclass
class RunResult:
    """What one script run sent: element counts, the map's arguments, exceptions, timings (s)."""

    started: float
    finished: float = 0.0
    status: int | None = None  # the ScriptFinishedStatus that ended it (0 a page run, 3 a fragment's run)
    map_at: float | None = None  # when the map component's delta arrived
    map_args: str | None = None  # its json_args
    exceptions: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # markdown and HTML bodies, headings, expander labels, in order
    elements: int = 0
    bytes_received: int = 0
    references: int = 0  # messages the server sent as a reference to one this session already had

    @property
    def seconds(self) -> float:
        """Wall time of the run."""
        return self.finished - self.started


class Session:
    """One visitor's websocket session. Use ``async with Session(base) as s: await s.run(...)``."""

    def __init__(self, base: str, timeout_s: float = 120.0):
        self.base = base.rstrip("/")
        self.timeout_s = timeout_s
        parts = urlsplit(self.base)
        self._ws_url = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}{parts.path}/_stcore/stream"
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._ws = None
        self.widgets: dict[str, str] = {}  # user key (or id) -> widget id
        self.fragments: dict[str, str] = {}  # the map component -> id of the st.fragment it is drawn in
        self.pages: dict[str, str] = {}  # url path name ('' = default) -> page_script_hash
        self.page_hash = ""
        self.query_string = ""
        self.cookies = ""
        self.cached: dict[str, ForwardMsg] = {}  # the big messages kept by hash, as the browser's message cache
        self._report_after: float | None = None  # see run(report_drawn_after_s=)
        self._drawn_report: asyncio.Task | None = None  # the drawn map's report, sent while a run goes on
        self._drawn_run_seen: RunResult | None = None  # that report's run, when the page run's reading saw it end

    async def __aenter__(self) -> "Session":
        return self

    async def connect(self) -> None:
        """Open the websocket (``run`` does it when needed)."""
        headers = {"Origin": self._origin}
        if self.cookies:
            headers["Cookie"] = self.cookies
        try:
            self._ws = await websockets.connect(self._ws_url, subprotocols=["streamlit"], additional_headers=headers,
                                                max_size=None, open_timeout=self.timeout_s, ping_interval=None)
        except (OSError, TimeoutError, websockets.InvalidHandshake) as error:
            raise ProtocolError(f"could not connect to {self._ws_url}: {error}") from error

    async def __aexit__(self, *exc) -> None:
        if self._ws is not None:
            await self._ws.close()

    async def run(self, query_string: str | None = None, *, page: str | None = None,
                  widgets: dict[str, object] | None = None, fragment_id: str = "",
                  report_drawn_after_s: float | None = None) -> RunResult:
        """Ask for a script run (optionally another page / query / changed widgets); read until it ends.

        ``widgets`` maps a widget's user key (e.g. ``map_category_residential``) or id to its new value
        (bool, str, int, float, or a dict/list sent as JSON, as a component does). ``fragment_id``: rerun
        only that fragment (as the browser does when a widget inside an ``st.fragment`` changes).
        ``report_drawn_after_s``: as a browser, send the drawn map's report that many seconds after the
        map's element arrives, while the run goes on (a new visitor's first run waits for it); then
        :meth:`map_drawn` only reads the run it causes.
        Raises ProtocolError when the connection closes or the run does not end in ``timeout_s``.
        """
        if self._ws is None:
            await self.connect()
        if query_string is not None:
            self.query_string = query_string
        if page is not None:
            if page not in self.pages:
                raise ProtocolError(f"no page {page!r} in the app's navigation ({sorted(self.pages)})")
            self.page_hash = self.pages[page]
        message = self._rerun_message(fragment_id)
        state = message.rerun_script
        for key, value in (widgets or {}).items():
            widget = state.widget_states.widgets.add()
            widget.id = self.widgets.get(key, key)
            if isinstance(value, bool):
                widget.bool_value = value
            elif isinstance(value, int):
                widget.int_value = value
            elif isinstance(value, float):
                widget.double_value = value
            elif isinstance(value, str):
                widget.string_value = value
            else:
                widget.json_value = json.dumps(value)
        result = RunResult(started=time.perf_counter())
        self._report_after = report_drawn_after_s
        await self._ws.send(message.SerializeToString())
        try:
            await self._read_until_finished(result)
        finally:
            self._report_after = None
        # A report that reaches the server just as the page's run stops starts a new script runner, and
        # Streamlit then drops the stopped run's "finished" message (its own comment in
        # runtime/app_session.py, request_rerun): the reading above ended at the fragment's run instead.
        if report_drawn_after_s is not None and result.status == 3 and not fragment_id:
            self._drawn_run_seen = result
        return result

    async def _read_until_finished(self, result: RunResult) -> None:
        deadline = time.monotonic() + self.timeout_s
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ProtocolError(f"the script run did not finish in {self.timeout_s:.0f} s")
            try:
                payload = await asyncio.wait_for(self._ws.recv(), remaining)
            except TimeoutError as error:
                raise ProtocolError(f"the script run did not finish in {self.timeout_s:.0f} s") from error
            except websockets.ConnectionClosed as error:
                raise ProtocolError(f"the server closed the connection ({error})") from error
            result.bytes_received += len(payload)
            message = ForwardMsg()
            message.ParseFromString(payload)
            kind = message.WhichOneof("type")
            if message.metadata.cacheable and message.hash:
                self.cached[message.hash] = message
            if kind == "ref_hash" and message.ref_hash in self.cached:
                result.references += 1
                message = self.cached[message.ref_hash]
                kind = message.WhichOneof("type")
            if kind == "new_session":
                self._learn_pages(message.new_session.app_pages, message.new_session.page_script_hash)
            elif kind == "navigation":
                self._learn_pages(message.navigation.app_pages, message.navigation.page_script_hash)
            elif kind == "page_info_changed":
                self.query_string = message.page_info_changed.query_string
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                if self._element(message.delta.new_element, result):
                    self.fragments[MAP_COMPONENT] = message.delta.fragment_id  # "" outside a fragment
                    if self._report_after is not None and self._drawn_report is None:
                        self._drawn_report = asyncio.create_task(self._report_drawn(self._report_after))
            elif kind == "delta" and message.delta.WhichOneof("type") == "add_block":
                if message.delta.add_block.WhichOneof("type") == "expandable":
                    result.texts.append(message.delta.add_block.expandable.label)
            elif kind == "script_finished":
                result.finished = time.perf_counter()
                result.status = message.script_finished
                # 0 = finished successfully, 2 = rerun requested (the server starts the next run itself)
                if message.script_finished in (0, 3):  # FINISHED_SUCCESSFULLY, FINISHED_FRAGMENT_RUN_SUCCESSFULLY
                    return
                if message.script_finished == 1:  # FINISHED_WITH_COMPILE_ERROR
                    result.exceptions.append("compile error")
                    return

    def _learn_pages(self, app_pages, current: str) -> None:
        for app_page in app_pages:
            self.pages[app_page.url_pathname] = app_page.page_script_hash
            if app_page.is_default:
                self.pages[""] = app_page.page_script_hash
        if current:
            self.page_hash = current

    def _element(self, element, result: RunResult) -> bool:
        """Note one element of a run; True when it is the map."""
        result.elements += 1
        kind = element.WhichOneof("type")
        if kind == "exception":
            result.exceptions.append(f"{element.exception.type}: {element.exception.message}"[:300])
        elif kind == "markdown":
            result.texts.append(element.markdown.body)
        elif kind == "html":  # the service list's entries (ui.listing.entries) and the page's own scripts
            result.texts.append(element.html.body)
        elif kind == "heading":
            result.texts.append("#" * max(1, int(element.heading.tag[1:] or 1)) + " " + element.heading.body
                                if element.heading.tag.startswith("h") else element.heading.body)
        elif kind == "component_instance" and element.component_instance.component_name.endswith(MAP_COMPONENT):
            result.map_at = time.perf_counter()
            result.map_args = element.component_instance.json_args
            self.widgets[MAP_COMPONENT] = element.component_instance.id
            return True
        widget = getattr(element, kind, None) if kind else None
        widget_id = getattr(widget, "id", "") if widget is not None else ""
        if widget_id:
            self.widgets[widget_id.rsplit("-", 1)[-1] if "-" in widget_id else widget_id] = widget_id
        return False

    def fetch(self, path: str) -> bytes:
        """GET a path of the app (blocking; call through ``asyncio.to_thread``), keeping the cookies it sets
        (a reverse proxy's sticky-session cookie goes with the websocket and every later request).
        Raises ProtocolError for an HTTP error or no answer."""
        request = urllib.request.Request(self.base + path, headers={"Cookie": self.cookies} if self.cookies else {})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as reply:
                for header in reply.headers.get_all("Set-Cookie") or []:
                    pair = header.split(";", 1)[0].strip()
                    kept = [c for c in self.cookies.split("; ") if c and c.split("=", 1)[0] != pair.split("=", 1)[0]]
                    self.cookies = "; ".join([*kept, pair])
                return reply.read()
        except OSError as error:
            raise ProtocolError(f"GET {path}: {error}") from error

    async def fetch_map_rows(self, result: RunResult) -> list:
        """The marker rows the map's frame fetches (``[]`` when the rows are inline in the arguments): for
        a view's file, its markers file (one row per address), after fetching its details file too.

        Raises ProtocolError when the run sent no map.
        """
        if result.map_args is None:
            raise ProtocolError("the run sent no map")
        found = ROWS_URL.search(result.map_args)
        if not found:
            return []
        script = json.loads(result.map_args).get("script", "")
        inline, view = INLINE_MARKERS.search(script), INLINE_VIEW.search(script)
        if inline and view:  # a small view: its markers and its view file are in the frame; only details fetched
            await asyncio.to_thread(self.fetch, json.loads(view.group(1))[1])
            return json.loads(inline.group(1))
        rows = json.loads(await asyncio.to_thread(self.fetch, found.group(1)))
        if rows and isinstance(rows[0], str):  # the view's file (geo.mapping.rows.view_json): markers, then details
            markers = json.loads(await asyncio.to_thread(self.fetch, rows[0]))
            await asyncio.to_thread(self.fetch, rows[1])  # as the map does once its markers are drawn
            return markers
        return rows

    async def map_drawn(self) -> RunResult:
        """What the map's frame sends once drawn (its value: centre, zoom); the server reruns the page.
        After a run with ``report_drawn_after_s`` the report went already: read the run it caused."""
        if self._drawn_report is not None:
            result = RunResult(started=time.perf_counter())
            await self._drawn_report
            self._drawn_report = None
            if self._drawn_run_seen is not None:  # see run(): the report's run ended the page's reading
                result, self._drawn_run_seen = self._drawn_run_seen, None
                return result
            await self._read_until_finished(result)
            return result
        if MAP_COMPONENT not in self.widgets:
            raise ProtocolError("no map component to answer")
        # inside an st.fragment the browser reruns only that fragment (pages/map.py draws the map in one)
        return await self.run(widgets={self.widgets[MAP_COMPONENT]: MAP_DRAWN_VALUE},
                              fragment_id=self.fragments.get(MAP_COMPONENT, ""))

    def _rerun_message(self, fragment_id: str) -> BackMsg:
        """A ``rerun_script`` BackMsg of this page and query, as the browser sends it (no widget states yet)."""
        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = self.page_hash
        state.fragment_id = fragment_id
        state.context_info.timezone = "Europe/Ljubljana"
        state.context_info.locale = "sl-SI"
        # As the browser: big messages it already holds come back as references (ForwardMsg.ref_hash).
        state.cached_message_hashes.extend(sorted(self.cached))
        return message

    async def _report_drawn(self, delay_s: float) -> None:
        """Send the drawn map's report after ``delay_s`` (a run may still be going on)."""
        await asyncio.sleep(delay_s)
        message = self._rerun_message(self.fragments.get(MAP_COMPONENT, ""))
        widget = message.rerun_script.widget_states.widgets.add()
        widget.id = self.widgets[MAP_COMPONENT]
        widget.json_value = json.dumps(MAP_DRAWN_VALUE)
        await self._ws.send(message.SerializeToString())
