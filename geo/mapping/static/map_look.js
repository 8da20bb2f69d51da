// The map's container gets the class koper-map, and koper-zoom-detail from ``detailZoom`` on,
// which shows every settlement name (see map.css; geo/mapping/elements.py, MapLook).
function koperMapLook(map, detailZoom) {
    var box = map.getContainer();
    box.classList.add("koper-map");
    function detail() {
        box.classList.toggle("koper-zoom-detail", map.getZoom() >= detailZoom);
    }
    map.on("zoomend", detail);
    detail();
}
