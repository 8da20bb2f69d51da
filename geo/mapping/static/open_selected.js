// Open the popup of one marker of a LocationLayer (inside its cluster) once the map is ready
// (geo/mapping/elements.py, OpenSelected). ``layer`` is what koperLocationLayer returned.
function koperOpenSelected(layer, locationId) {
    // Wait until the frame has its final size, or the popup's auto-pan works on the wrong box.
    setTimeout(function () {
        var marker = layer.markers[locationId];
        var tries = 0;
        (function show() {
            if (!marker) { return; }
            // chunked loading may not have reached this marker yet
            if (!marker.__parent && tries++ < 100) { setTimeout(show, 100); return; }
            layer.cluster.zoomToShowLayer(marker, function () { marker.openPopup(); });
        })();
    }, 300);
}
