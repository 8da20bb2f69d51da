// The map's container gets the class koper-map, and koper-zoom-detail from ``detailZoom`` on
// (see map.css; geo/mapping/elements.py, MapLook). Adds a metric-only scale.
//
// Settlement names never cover a marker, a cluster, a control or each other: after every move,
// zoom or change of the markers, the names are placed again, most populous first (the order of
// their ``data-rank``); a name that would touch anything already placed is hidden for this view.
// Below ``detailZoom`` the small settlements are placed only where there is room (the sparse
// eastern villages get their names; the crowded coast keeps only its towns).
function koperMapLook(map, detailZoom) {
    var box = map.getContainer(), pending = null;
    box.classList.add("koper-map");
    L.control.scale({metric: true, imperial: false}).addTo(map);
    function detail() {
        box.classList.toggle("koper-zoom-detail", map.getZoom() >= detailZoom);
    }
    function overlaps(a, b, gap) {
        return a.left < b.right + gap && b.left < a.right + gap && a.top < b.bottom + gap && b.top < a.bottom + gap;
    }
    function place() {
        pending = null;
        var frame = box.getBoundingClientRect();
        var labels = Array.prototype.slice.call(box.querySelectorAll(".koper-label"));
        labels.sort(function (a, b) { return Number(a.getAttribute("data-rank")) - Number(b.getAttribute("data-rank")); });
        var taken = [];
        var obstacles = box.querySelectorAll(".koper-marker-icon, .marker-cluster, .koper-start-point, " +
            ".leaflet-control, .leaflet-popup");
        for (var i = 0; i < obstacles.length; i++) {
            var r = obstacles[i].getBoundingClientRect();
            if (r.width && r.height) { taken.push(r); }
        }
        labels.forEach(function (label) { label.classList.remove("koper-label-hidden"); });
        var sparse = map.getZoom() < detailZoom;
        var rects = labels.map(function (label) { return label.getBoundingClientRect(); });
        var hide = labels.map(function (label, i) {
            var r = rects[i];
            var inside = r.width > 0 && r.left >= frame.left && r.right <= frame.right && r.top >= frame.top &&
                r.bottom <= frame.bottom;
            // Small settlements keep some air around them on the overview, so the map stays readable.
            var gap = sparse && label.classList.contains("koper-minor") ? 10 : 3;
            var free = inside && !taken.some(function (t) { return overlaps(r, t, gap); });
            if (free) { taken.push(r); }
            return !free;
        });
        labels.forEach(function (label, i) { if (hide[i]) { label.classList.add("koper-label-hidden"); } });
    }
    function later() {
        if (pending === null) { pending = setTimeout(place, 60); }
    }
    map.on("zoomend", detail);
    map.on("zoomend moveend resize layeradd layerremove popupopen popupclose", later);
    detail();
    later();
}
