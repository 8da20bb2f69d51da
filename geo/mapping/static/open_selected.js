// Open the popup of one marker of a LocationLayer (inside its cluster) once the map is ready
// (geo/mapping/elements.py, OpenSelected). ``layer`` is what koperLocationLayer returned.
function koperOpenSelected(layer, locationId) {
    // Wait until the frame has its final size, or the popup's auto-pan works on the wrong box.
    setTimeout(function () {
        var tries = 0;
        (function show() {
            // the rows may still be on their way (a fetched rows file), or chunked loading may not
            // have reached this marker yet
            var marker = layer.markers[locationId];
            if (!marker || !marker.__parent) {
                if (tries++ < 100) { setTimeout(show, 100); }
                return;
            }
            layer.cluster.zoomToShowLayer(marker, function () { marker.openPopup(); });
        })();
    }, 300);
}
