// The map's first view (geo/mapping/elements.py, FitView): show all of ``bounds`` at the size the
// map really has (a phone or a wide screen), leaving the legend's corner free, and again whenever
// the frame changes size, until the user moves or zooms the map. Leaflet's own fitBounds at
// creation ran on a frame without its final size (it zoomed in to 100 m on the nearest page).
function koperFitView(map, bounds, maxZoom, pad) {
    var userMoved = false, fitting = false, box = map.getContainer();
    function legendPadding() {
        var legend = box.querySelector(".koper-legend-control");
        var size = map.getSize();
        if (!legend || !legend.offsetWidth) { return [0, 0]; }
        var w = legend.offsetWidth, h = legend.offsetHeight;
        // A narrow legend keeps a strip on the right; a wide one (a phone) a strip at the bottom.
        return (size.x - w >= 300) ? [w + pad, 0] : [0, h + pad];
    }
    function fit() {
        var size = map.getSize();
        if (userMoved || !size.x || !size.y) { return; }
        var extra = legendPadding();
        fitting = true;
        map.fitBounds(bounds, {paddingTopLeft: [pad, pad], paddingBottomRight: [pad + extra[0], pad + extra[1]],
                               maxZoom: maxZoom, animate: false});
        fitting = false;
    }
    map.on("movestart zoomstart", function () { if (!fitting) { userMoved = true; } });
    map.on("resize", fit);
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
        if (legend && window.ResizeObserver) { new ResizeObserver(fit).observe(legend); }
        fit();
    }, 0);
    fit();
}
