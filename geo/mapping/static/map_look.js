// The map's container gets the class koper-map, and koper-zoom-detail from ``detailZoom`` on
// (see map.css; geo/mapping/elements.py, MapLook). Adds a metric-only scale.
//
// Settlement names never cover a marker, a cluster, a control or each other: after every move,
// zoom or change of the markers, the names are placed again, most populous first (the order of
// their ``data-rank``), on the place or just beside it; a name with no free spot is hidden for this view.
// Below ``detailZoom`` the small settlements are placed only where there is room (the sparse
// eastern villages get their names; the crowded coast keeps only its towns).
function koperMapLook(map, detailZoom) {
    var box = map.getContainer(), pending = null;
    box.classList.add("koper-map");
    // Leaflet focuses the map on a press without preventScroll and restores only this frame's
    // scroll: in Streamlit's page a map partly below the fold scrolled the page between press and
    // release, so the release landed elsewhere and the click on an area was lost.
    if (map.keyboard && map.keyboard.enabled()) {
        map.keyboard.disable();
        map.keyboard._onMouseDown = function () {
            if (!this._focused) { this._map._container.focus({preventScroll: true}); }
        };
        map.keyboard.enable();
    }
    L.control.scale({metric: true, imperial: false}).addTo(map);
    function detail() {
        box.classList.toggle("koper-zoom-detail", map.getZoom() >= detailZoom);
    }
    function overlaps(a, b, gap) {
        return a.left < b.right + gap && b.left < a.right + gap && a.top < b.bottom + gap && b.top < a.bottom + gap;
    }
    function place() {
        pending = null;
        // The areas' shapes answer clicks and hovers but are no Tab stops: 23 unnamed stops before
        // the services; the list of areas is their keyboard equivalent.
        box.querySelectorAll("path.leaflet-interactive:not([tabindex])").forEach(function (path) {
            path.setAttribute("tabindex", "-1");
        });
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
        labels.forEach(function (label) {
            label.classList.remove("koper-label-hidden");
            label.style.transform = "";
        });
        var sparse = map.getZoom() < detailZoom;
        var rects = labels.map(function (label) { return label.getBoundingClientRect(); });
        function shifted(r, dx, dy) {
            return {left: r.left + dx, right: r.right + dx, top: r.top + dy, bottom: r.bottom + dy};
        }
        var moves = labels.map(function (label, i) {
            var r = rects[i], w = r.right - r.left, h = r.bottom - r.top;
            // Small settlements keep some air around them on the overview, so the map stays readable.
            var gap = sparse && label.classList.contains("koper-minor") ? 10 : 3;
            // On the place, else just above, below, right or left of it (a town under a cluster keeps its name).
            // (24 px: clear of a 40 px cluster's edge)
            var tries = [[0, 0], [0, -(h / 2 + 24)], [0, h / 2 + 24], [w / 2 + 24, 0], [-(w / 2 + 24), 0]];
            for (var k = 0; k < tries.length; k++) {
                var c = shifted(r, tries[k][0], tries[k][1]);
                var inside = w > 0 && c.left >= frame.left && c.right <= frame.right && c.top >= frame.top &&
                    c.bottom <= frame.bottom;
                if (inside && !taken.some(function (t) { return overlaps(c, t, gap); })) {
                    taken.push(c);
                    return tries[k];
                }
            }
            return null;
        });
        labels.forEach(function (label, i) {
            var move = moves[i];
            if (!move) { label.classList.add("koper-label-hidden"); return; }
            if (move[0] || move[1]) {
                label.style.transform = "translate(-50%, -50%) translate(" + move[0] + "px, " + move[1] + "px)";
            }
        });
    }
    function later() {
        if (pending === null) { pending = setTimeout(place, 60); }
    }
    map.on("zoomend", detail);
    map.on("zoomend moveend resize layeradd layerremove popupopen popupclose", later);
    // A frame that gets its size late (Streamlit sizes the map's iframe after it starts) places them again.
    if (window.ResizeObserver) { new ResizeObserver(later).observe(box); }
    detail();
    later();
}
