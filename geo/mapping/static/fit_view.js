// The map's first view (geo/mapping/elements.py, FitView): show all of ``bounds`` at the size the
// map really has (a phone or a wide screen), clear of the legend, and again whenever the frame
// changes size or the legend is folded, opened or moved (legend.js fires "koperlegend"), until
// the user moves or zooms the map. Leaflet's own fitBounds at creation ran on a frame without its
// final size (it zoomed in to 100 m on the nearest page).
//
// The bounds get the largest zoom at which they fit the whole frame (less ``pad`` on every side)
// and sit in its middle, if the legend and the notes in the bottom left corner (the plain-background
// notice: a nearest place hid under it) leave them free there (a wide screen, a phone's folded
// legend). Else they get the zoom at which they fit beside a narrow legend's strip or above a wide
// one, as close to the middle as the legend allows. (Fitting every map into what the legend's
// strip left had a wide screen's right half empty: the municipality left of the middle, the
// legend alone on the right.)
function koperFitView(map, bounds, maxZoom, pad) {
    var userMoved = false, fitting = false, box = map.getContainer(), area = L.latLngBounds(bounds);
    // An element's box in the map's pixels, or null (not laid out).
    function boxOf(element) {
        if (!element || !element.offsetWidth) { return null; }
        var frame = box.getBoundingClientRect(), r = element.getBoundingClientRect();
        return {left: r.left - frame.left, top: r.top - frame.top, right: r.right - frame.left, bottom: r.bottom - frame.top};
    }
    // The legend's box, or null (none, or not laid out yet).
    function legendBox() { return boxOf(box.querySelector(".koper-legend-control")); }
    // The boxes the bounds keep clear of: the legend and the notes in the bottom left corner (not the scale).
    function obstacles(legend) {
        var notes = box.querySelectorAll(".leaflet-bottom.leaflet-left .leaflet-control:not(.leaflet-control-scale)");
        var found = legend ? [legend] : [];
        for (var i = 0; i < notes.length; i++) { var b = boxOf(notes[i]); if (b) { found.push(b); } }
        return found;
    }
    // Where the bounds (w x h px) go: their top left corner, or null if the obstacles leave no room.
    // ``move``: they may leave the middle (to the left of an obstacle or above it, the smaller move).
    function spot(size, w, h, legend, move) {
        var left = (size.x - w) / 2, top = (size.y - h) / 2, boxes = obstacles(legend);
        function clear(x, y) {
            return boxes.every(function (o) {
                return x + w + pad <= o.left || y + h + pad <= o.top || x >= o.right + pad || y >= o.bottom + pad;
            });
        }
        if (clear(left, top)) { return [left, top]; }
        if (!move) { return null; }
        var tries = [];
        boxes.forEach(function (o) {
            tries.push([Math.min(left, o.left - pad - w), top], [left, Math.min(top, o.top - pad - h)]);
        });
        tries = tries.filter(function (p) { return p[0] >= pad - 0.5 && p[1] >= pad - 0.5 && clear(p[0], p[1]); });
        tries.sort(function (a, b) { return (left - a[0]) + (top - a[1]) - (left - b[0]) - (top - b[1]); });
        return tries.length ? tries[0] : null;
    }
    // The room the legend takes: a strip beside a narrow legend, below a wide one (a phone's, opened).
    function legendPadding(legend, size) {
        if (!legend) { return [0, 0]; }
        var w = legend.right - legend.left, h = legend.bottom - legend.top;
        return (size.x - w >= 300) ? [w + pad, 0] : [0, h + pad];
    }
    // Show the bounds at ``zoom`` with their top left corner at ``at`` (map pixels).
    function show(zoom, at, nw, se) {
        var size = map.getSize(), w = se.x - nw.x, h = se.y - nw.y;
        var middle = nw.add(se).divideBy(2).subtract(L.point(at[0] + w / 2 - size.x / 2, at[1] + h / 2 - size.y / 2));
        map.setView(map.unproject(middle, zoom), zoom, {animate: false});
    }
    function fit() {
        var size = map.getSize();
        if (userMoved || !size.x || !size.y) { return; }
        var legend = legendBox(), extra = legendPadding(legend, size);
        // beside or above the legend, and above the bottom left notes
        obstacles(null).forEach(function (o) { extra[1] = Math.max(extra[1], size.y - o.top + pad); });
        fitting = true;
        // the whole frame, in its middle; else beside or above the legend
        for (var k = 0; k < 2; k++) {
            var room = k === 0 ? L.point(2 * pad, 2 * pad) : L.point(2 * pad + extra[0], 2 * pad + extra[1]);
            var zoom = Math.min(map.getBoundsZoom(area, false, room), maxZoom);
            var nw = map.project(area.getNorthWest(), zoom), se = map.project(area.getSouthEast(), zoom);
            var at = spot(size, se.x - nw.x, se.y - nw.y, legend, k === 1);
            if (at) { show(zoom, at, nw, se); fitting = false; return; }
        }
        // a legend lifted over a note on a short map: the strip as Leaflet fits it
        map.fitBounds(area, {paddingTopLeft: [pad, pad], paddingBottomRight: [pad + extra[0], pad + extra[1]],
                             maxZoom: maxZoom, animate: false});
        fitting = false;
    }
    map.on("movestart zoomstart", function () { if (!fitting) { userMoved = true; } });
    map.on("resize koperlegend", fit);
    // Leaflet's own re-centring after a size change starts a move too: not the user's.
    function resized() {
        fitting = true;
        map.invalidateSize({pan: false});
        fitting = false;
        fit();
    }
    if (window.ResizeObserver) { new ResizeObserver(resized).observe(box); }
    // After the other elements (the legend) are on the map; again whenever the legend gets its size
    // (it is laid out late in a frame that is sized late) or is folded or opened.
    setTimeout(function () {
        var legend = box.querySelector(".koper-legend-control");
        var corner = box.querySelector(".leaflet-bottom.leaflet-left");  // a note shown or gone
        if (legend && window.ResizeObserver) { new ResizeObserver(fit).observe(legend); }
        if (corner && window.ResizeObserver) { new ResizeObserver(fit).observe(corner); }
        fit();
    }, 0);
    fit();
}
