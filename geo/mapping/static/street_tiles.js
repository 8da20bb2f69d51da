// The street background (geo/mapping/elements.py, StreetTiles): the tile layer starts shown; if the
// browser cannot reach the tile server (an error before any tile arrived, or nothing after
// ``timeoutMs``), the layer is taken off and a note says the map shows the offline background.
// ``tiles`` is null when tiles are switched off: the note is shown at once. ``note`` is escaped text.
function koperStreetTiles(map, tiles, note, timeoutMs) {
    var box = map.getContainer(), control = null, loaded = false;
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
