// A Leaflet control in the bottom right corner holding the legend (geo/mapping/elements.py, Legend).
// ``html`` is the legend markup made in Python from escaped texts.
//
// On a narrow map (a phone) the bottom left corner's notes (the offline note of street_tiles.js,
// the scale) reach under the legend: the legend then moves up until it clears them, whenever
// either changes (a note shown or taken away, the legend folded or opened, the map resized), and
// says so with the map event "koperlegend" (fit_view.js frames the first view again).
function koperLegend(map, html, foldBelowPx) {
    var legend = L.control({position: "bottomright"}), box = null, lifted = 0;
    function overlaps(a, b) {
        return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    }
    function clearOfNotes() {
        if (!box || !box.offsetWidth) { return; }
        var gap = 6, before = lifted;
        box.style.marginBottom = "";
        lifted = 0;
        var mine = box.getBoundingClientRect(), need = 0;
        var notes = map.getContainer().querySelectorAll(".leaflet-bottom.leaflet-left .leaflet-control");
        for (var i = 0; i < notes.length; i++) {
            var r = notes[i].getBoundingClientRect();
            if (r.width && r.height && overlaps(mine, r)) { need = Math.max(need, mine.bottom - r.top + gap); }
        }
        if (need) {
            lifted = Math.ceil(need);
            box.style.marginBottom = (parseFloat(window.getComputedStyle(box).marginBottom) + lifted) + "px";
        }
        if (lifted !== before) { map.fire("koperlegend"); }
    }
    legend.onAdd = function () {
        box = L.DomUtil.create("div", "koper-legend-control");
        box.innerHTML = html;
        // On a narrow map (a phone) the legend starts folded, so it does not hide the map.
        var details = box.querySelector("details");
        if (details && map.getSize().x < foldBelowPx) { details.open = false; }
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
    };
    legend.addTo(map);
    map.on("resize", clearOfNotes);
    if (window.ResizeObserver) {
        var watch = new ResizeObserver(clearOfNotes);
        watch.observe(box);  // folded or opened
        watch.observe(map.getContainer().querySelector(".leaflet-bottom.leaflet-left"));  // a note shown or gone
    }
    setTimeout(clearOfNotes, 0);
}
