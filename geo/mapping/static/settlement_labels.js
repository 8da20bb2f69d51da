// Settlement names (geo/mapping/elements.py, SettlementLabels): one non-interactive marker per row
// [lat, lon, name, major (1/0), rank], the name already HTML-escaped in Python. static/map_look.js then
// shows them by rank and hides a name that would cover a marker, a control or an earlier name.
function (group, rows) {
    rows.forEach(function (row) {
        var kind = row[3] ? "koper-major" : "koper-minor";
        L.marker([row[0], row[1]], {
            // aria-hidden: a screen reader gets the places from the markers and the list, not 105 names
            icon: L.divIcon({
                html: '<span class="koper-label ' + kind + '" data-rank="' + Number(row[4]) +
                      '" aria-hidden="true">' + row[2] + "</span>",
                iconSize: [0, 0], iconAnchor: [0, 0], className: "koper-label-icon"
            }),
            interactive: false,
            keyboard: false
        }).addTo(group);
    });
}
