// The street background (geo/mapping/elements.py, StreetTiles): the tile layer starts shown; if the
// browser cannot reach the tile server (an error before any tile arrived, or nothing after
// ``timeoutMs``), the layer is taken off and a note says the map shows the offline background.
// ``tiles`` is null when tiles are switched off: the note is shown at once. ``note`` is escaped text.
// ``texts`` (plain text, in the page's language) names the map's focusable box for screen readers
// (else it is read as every settlement name run together) and Leaflet's buttons (English by default).
function koperStreetTiles(map, tiles, note, timeoutMs, texts) {
    var box = map.getContainer(), control = null, loaded = false;
    function named(selector, text) {
        var node = box.querySelector(selector);
        if (node && text) { node.setAttribute("title", text); node.setAttribute("aria-label", text); }
    }
    if (texts.frame_title) { box.setAttribute("role", "region"); box.setAttribute("aria-label", texts.frame_title); }
    setTimeout(function () {  // the controls exist once every element of the map has run
        named(".leaflet-control-zoom-in", texts.zoom_in);
        named(".leaflet-control-zoom-out", texts.zoom_out);
        named(".leaflet-control-layers-toggle", texts.layers);
    }, 0);
    function showNote() {
        box.classList.remove("koper-tiles-on");
        box.classList.add("koper-tiles-off");
        if (control) { return; }
        control = L.control({position: "bottomleft"});
        control.onAdd = function () {
            var div = L.DomUtil.create("div", "koper-offline-note");
            div.innerHTML = note;
            return div;
        };
        control.addTo(map);
    }
    function fallBack() {
        if (loaded) { return; }
        if (tiles && map.hasLayer(tiles)) { map.removeLayer(tiles); }
        showNote();
    }
    if (!tiles) { showNote(); return; }
    tiles.on("tileload", function () {
        if (loaded) { return; }
        loaded = true;
        box.classList.add("koper-tiles-on");
        if (control) { control.remove(); control = null; box.classList.remove("koper-tiles-off"); }
    });
    tiles.on("tileerror", fallBack);
    setTimeout(fallBack, timeoutMs);
}
