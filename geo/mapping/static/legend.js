// A Leaflet control in the bottom right corner holding the legend (geo/mapping/elements.py, Legend).
// ``html`` is the legend markup made in Python from escaped texts.
function koperLegend(map, html, foldBelowPx) {
    var legend = L.control({position: "bottomright"});
    legend.onAdd = function () {
        var box = L.DomUtil.create("div", "koper-legend-control");
        box.innerHTML = html;
        // On a narrow map (a phone) the legend starts folded, so it does not hide the map.
        var details = box.querySelector("details");
        if (details && map.getSize().x < foldBelowPx) { details.open = false; }
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
    };
    legend.addTo(map);
}
