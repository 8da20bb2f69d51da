// The service markers of one map, made in the browser (geo/mapping/elements.py, LocationLayer).
//
// The page calls this function with the parent MarkerCluster and the rows of geo/mapping/rows.py
// (location_row, service_row), or rows === null and options.rowsUrl: then the rows come in three
// files (rows.view_json names the other two): the markers (marker_row), drawn first, the popups'
// details (detail_rows) fetched after them or when a popup opens, and the open state of each
// service (state_codes). A small view's markers come inline instead (``markers``: the marker rows,
// drawn at once while the frame's script runs; the view file still brings the rest), and then the
// view file's own content too (``view``: only the popups' details are fetched).
// Every text in the rows and labels is already HTML-escaped in Python,
// so it may be given to innerHTML; links are set with setAttribute after checking the scheme.
// No marker, popup or tooltip DOM is made before it is shown. Returns {cluster, markers by location id}.
function koperLocationLayer(cluster, rows, labels, selectedId, options, markers, view) {
    var iconSize = [options.size, options.size], iconAnchor = [options.anchor, options.anchor];
    var popupOptions = options.popup, tooltipOptions = options.tooltip;
    var F = labels.fields, categoryLabel = Object.create(null), symbol = Object.create(null);
    labels.categories.forEach(function (c) { categoryLabel[c[0]] = c[1]; symbol[c[0]] = c[2]; });
    var SAFE_HREF = /^(https:[/][/]|http:[/][/]|mailto:|tel:)/;

    function symbolHtml(category, size) {
        return '<span class="koper-symbol koper-s' + size + ' koper-cat-' + category +
            '" aria-hidden="true">' + (symbol[category] || "?") + "</span>";
    }
    // ``html`` is always a string escaped in Python (or fixed markup made here from such strings).
    function el(tag, className, html) {
        var node = document.createElement(tag);
        if (className) { node.className = className; }
        if (html) { node.innerHTML = html; }
        return node;
    }
    function text(html) {
        var t = document.createElement("template");
        t.innerHTML = html;
        return t.content;
    }
    function link(href, labelHtml, newTab, className) {
        if (!href || !SAFE_HREF.test(href)) { return text(labelHtml); }
        var a = el("a", className || "", labelHtml);
        a.setAttribute("href", href);
        if (newTab) { a.setAttribute("target", "_blank"); a.setAttribute("rel", "noopener noreferrer"); }
        return a;
    }
    // <div><b>Label:</b> part, part</div>, left out when there is nothing to show.
    function line(box, label, parts, separator) {
        parts = parts.filter(function (p) { return p !== "" && p !== null; });
        if (!parts.length) { return; }
        var row = el("div");
        row.appendChild(el("b", "", label + ":"));
        row.appendChild(document.createTextNode(" "));
        parts.forEach(function (p, i) {
            if (i) { row.appendChild(separator === "<br>" ? el("br") : document.createTextNode(separator)); }
            row.appendChild(typeof p === "string" ? text(p) : p);
        });
        box.appendChild(row);
    }
    function serviceBox(s, osmHref) {
        var box = el("div", "koper-service");
        box.setAttribute("data-service-id", text(s[0]).textContent);
        var head = el("div", "koper-service-head", symbolHtml(s[2], 16));
        head.appendChild(el("b", "koper-service-name", s[1]));
        box.appendChild(head);
        box.appendChild(el("div", "koper-service-category", categoryLabel[s[2]] || s[2]));
        line(box, F[0], [s[3]]);
        line(box, F[1], [s[4]]);
        line(box, F[2], s[5].map(function (l) { return link(l[0], l[1]); }), ", ");
        line(box, F[3], s[6].map(function (l) { return link(l[0], l[1]); }), ", ");
        line(box, F[4], s[7].length ? [link(s[7][0], s[7][1], true)] : []);
        line(box, F[5], s[8], "<br>");
        line(box, F[6], [s[9]]);
        line(box, F[7], [s[10]]);
        line(box, F[8], [s[11]]);
        line(box, F[9], [link(osmHref, "OpenStreetMap", true, "koper-nowrap"),
                                link(s[12], "Google Maps", true, "koper-nowrap")], " \u00b7 ");
        if (s[13]) { box.appendChild(el("div", "koper-verified", s[13])); }
        return box;
    }
    // Each address: marks[i] = [lat, lon, id, category, address, count text, [service names]] and,
    // once known, details[i] = [OpenStreetMap href, service rows]: location_row = marks[i][0..5] + details[i].
    var marks = [], details = null, detailsWanted = false, whenDetails = [];
    function fullRow(i) {
        var m = marks[i], d = details[i];
        return [m[0], m[1], m[2], m[3], m[4], m[5], d[0], d[1]];
    }
    // The popup's DOM is made when it opens, not for every marker at start; before the details
    // have come it shows the address, and is made again when they come.
    function popupContent(i) {
        return function (layer) {
            var m = marks[i], row = details ? fullRow(i) : null;
            var box = el("div", "koper-popup");
            box.setAttribute("data-location-id", m[2]);
            box.appendChild(el("div", "koper-popup-address", m[4]));
            if (m[5]) { box.appendChild(el("div", "koper-popup-count", m[5])); }
            if (row) {
                row[7].forEach(function (s) { box.appendChild(serviceBox(s, row[6])); });
            } else {
                whenDetails.push(function () { var p = layer.getPopup(); if (p && p.isOpen()) { p.update(); } });
                loadDetails();
            }
            return box;
        };
    }
    function tooltipContent(i) {
        return function () { return "<b>" + marks[i][4] + "</b><br>" + marks[i][6].join("<br>"); };
    }
    function iconHtml(m) {
        var n = m[6].length;
        return '<div class="koper-marker' + (m[2] === selectedId ? " koper-selected" : "") +
            '" data-location-id="' + m[2] + '" role="img" aria-label="' + m[4] + '">' +
            symbolHtml(m[3], iconSize[0]) + (n > 1 ? '<span class="koper-count">' + n + "</span>" : "") + "</div>";
    }
    // A screen reader names each marker by its address (and the services there), each cluster by
    // what it groups; the visible symbols are aria-hidden.
    function plain(html) { return text(html).textContent; }
    function markerName(m) {
        return plain(m[4]) + (m[5] ? " (" + plain(m[5]) + ")" : "") + ": " +
            m[6].map(function (name) { return plain(name); }).join("; ");
    }
    // options.clusterLabel: [text before the count, text after it], both escaped in Python.
    if (options.clusterLabel && options.clusterLabel.length === 2 && cluster.options) {
        var defaultIcon = cluster._defaultIconCreateFunction;
        cluster.options.iconCreateFunction = function (group) {
            var icon = defaultIcon.call(cluster, group);
            // the visible count is aria-hidden: the name says it once
            icon.options.html = icon.options.html.replace("<div>", '<div aria-hidden="true">') +
                '<span class="koper-sr-only">' +
                options.clusterLabel[0] + String(group.getChildCount()) + options.clusterLabel[1] + "</span>";
            return icon;
        };
    }
    // A marker's icon, popup, tooltip and name are made when it is first shown: of 10,000 markers
    // in clusters, few ever are. Each time it is shown its new icon gets its name for screen readers.
    function onAdd(map) {
        var i = this._koperIndex;
        if (!this._koperReady) {
            this._koperReady = true;
            this.setIcon(L.divIcon({html: iconHtml(marks[i]), className: "koper-marker-icon",
                                    iconSize: iconSize, iconAnchor: iconAnchor}));
            this.bindPopup(popupContent(i), popupOptions);
            this.bindTooltip(tooltipContent(i), tooltipOptions);
        }
        L.Marker.prototype.onAdd.call(this, map);
        // bound while on the map, Leaflet does not add its keyboard-focus tooltip listeners on
        // every add (as it does for a tooltip bound before): each new icon gets them here
        if (typeof this._addFocusListeners === "function") { this._addFocusListeners(); }
        named(this, i);
    }
    var names = [];
    function named(marker, i) {
        var name = names[i];
        if (name === undefined) { name = names[i] = markerName(marks[i]); }
        if (marker._icon) { marker._icon.setAttribute("aria-label", name); }
    }
    var byId = Object.create(null);
    function addMarks(rows) {
        var start = marks.length, markers = new Array(rows.length);
        for (var k = 0; k < rows.length; k++) {
            var m = rows[k], marker = L.marker([m[0], m[1]]);
            marks[start + k] = m;
            marker._koperIndex = start + k;
            marker.onAdd = onAdd;
            markers[k] = byId[m[2]] = marker;
        }
        // One call: the cluster (chunked loading) adds thousands of markers in slices.
        cluster.addLayers(markers);
    }
    function gotDetails(rows) {
        details = rows;
        whenDetails.splice(0).forEach(function (f) { f(); });
    }
    function getJson(url, triesLeft, then) {
        fetch(url, {credentials: "same-origin"}).then(function (reply) {
            if (!reply.ok) { throw new Error("HTTP " + reply.status); }
            return reply.json();
        }).then(then, function (error) {
            if (triesLeft > 0) { setTimeout(function () { getJson(url, triesLeft - 1, then); }, 500); return; }
            console.error("koper map: " + url + " did not load", error);
        });
    }
    // The popups' details of a fetched view: the service rows with each one's open-state line put back.
    // They are loaded once the view file has named them (detailsUrl) and either the markers are
    // drawn (drawn) or a popup waits for them (whenDetails).
    var detailsUrl = null, stateTexts = [], stateCodes = "", drawn = false;
    function loadDetails() {
        if (detailsWanted || details || !detailsUrl) { return; }
        detailsWanted = true;
        getJson(detailsUrl, 1, function (rows) {
            var k = 0;
            rows.forEach(function (d) {
                d[1].forEach(function (s) {
                    var code = stateCodes.charAt(k++);
                    if (code && code !== ".") { s[8].push(stateTexts[+code]); }
                });
            });
            gotDetails(rows);
        });
    }
    function gotView(view) {
        detailsUrl = view[1]; stateTexts = view[2]; stateCodes = view[3];
        if (drawn || whenDetails.length) { loadDetails(); }
    }
    // Draw the markers; the popups' details once they are drawn (the cluster's last slice and the
    // paint after it), unless a popup asked for them first; at the latest after 3 s.
    function drawMarks(rows) {
        function afterDrawing() { drawn = true; loadDetails(); }
        var before = cluster.options.chunkProgress;
        cluster.options.chunkProgress = function (done, total) {
            if (before) { before.apply(this, arguments); }
            if (done === total) { requestAnimationFrame(function () { setTimeout(afterDrawing, 0); }); }
        };
        setTimeout(afterDrawing, 3000);
        addMarks(rows);
    }
    if (rows === null && options.rowsUrl && markers) {
        // a small view (issue 14): its markers came inline in the frame (ui/frames.py), drawn now, in
        // the same task as the map; the view file names the details and says the open states
        drawMarks(markers);
        if (view) { gotView(view); } else { getJson(options.rowsUrl, 1, gotView); }  // inline too: no fetch
    } else if (rows === null && options.rowsUrl) {
        // rows === null: the rows are files the app serves (options.rowsUrl, written by ui/frames.py),
        // fetched here rather than carried in the map frame's arguments (issue 14); one retry each.
        getJson(options.rowsUrl, 1, function (view) {
            gotView(view);
            getJson(view[0], 1, drawMarks);
        });
    } else {
        rows = rows || [];
        addMarks(rows.map(function (r) {
            return [r[0], r[1], r[2], r[3], r[4], r[5], r[7].map(function (s) { return s[1]; })];
        }));
        gotDetails(rows.map(function (r) { return [r[6], r[7]]; }));
    }
    return {cluster: cluster, markers: byId};
}
