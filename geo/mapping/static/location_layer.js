// The service markers of one map, made in the browser (geo/mapping/elements.py, LocationLayer).
//
// The page calls this function with the parent MarkerCluster and the rows of geo/mapping/rows.py
// (location_row, service_row). Every text in the rows and labels is already HTML-escaped in
// Python, so it may be given to innerHTML; links are set with setAttribute after checking the
// scheme. A popup's DOM is made only when it opens. Returns {cluster, markers by location id}.
function koperLocationLayer(cluster, rows, labels, selectedId, options) {
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
    // The popup's DOM is made when it opens, not for every marker at start.
    function popupContent(row) {
        return function () {
            var box = el("div", "koper-popup");
            box.setAttribute("data-location-id", row[2]);
            box.appendChild(el("div", "koper-popup-address", row[4]));
            if (row[5]) { box.appendChild(el("div", "koper-popup-count", row[5])); }
            row[7].forEach(function (s) { box.appendChild(serviceBox(s, row[6])); });
            return box;
        };
    }
    function tooltipContent(row) {
        return function () {
            return "<b>" + row[4] + "</b><br>" + row[7].map(function (s) { return s[1]; }).join("<br>");
        };
    }
    function iconHtml(row) {
        var n = row[7].length;
        return '<div class="koper-marker' + (row[2] === selectedId ? " koper-selected" : "") +
            '" data-location-id="' + row[2] + '" role="img" aria-label="' + row[4] + '">' +
            symbolHtml(row[3], iconSize[0]) + (n > 1 ? '<span class="koper-count">' + n + "</span>" : "") + "</div>";
    }
    // A screen reader names each marker by its address (and the services there), each cluster by
    // what it groups; the visible symbols are aria-hidden.
    function plain(html) { return text(html).textContent; }
    function markerName(row) {
        return plain(row[4]) + (row[5] ? " (" + plain(row[5]) + ")" : "") + ": " +
            row[7].map(function (s) { return plain(s[1]); }).join("; ");
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
    function named(marker, name) {
        marker.on("add", function () {
            if (marker._icon) { marker._icon.setAttribute("aria-label", name); }
        });
    }
    var byId = Object.create(null);
    function addRows(rows) {
        var markers = new Array(rows.length);
        for (var i = 0; i < rows.length; i++) {
            var row = rows[i];
            var marker = L.marker([row[0], row[1]], {
                icon: L.divIcon({html: iconHtml(row), className: "koper-marker-icon",
                                 iconSize: iconSize, iconAnchor: iconAnchor})
            });
            marker.bindPopup(popupContent(row), popupOptions);
            marker.bindTooltip(tooltipContent(row), tooltipOptions);
            named(marker, markerName(row));
            markers[i] = byId[row[2]] = marker;
        }
        // One call: the cluster (chunked loading) adds thousands of markers in slices.
        cluster.addLayers(markers);
    }
    // rows === null: the rows are a file the app serves (options.rowsUrl, written by ui/cache.py),
    // fetched here rather than carried in the map frame's arguments (issue 14); one retry.
    function fetchRows(triesLeft) {
        fetch(options.rowsUrl, {credentials: "same-origin"}).then(function (reply) {
            if (!reply.ok) { throw new Error("HTTP " + reply.status); }
            return reply.json();
        }).then(addRows, function (error) {
            if (triesLeft > 0) { setTimeout(function () { fetchRows(triesLeft - 1); }, 500); return; }
            console.error("koper map: the marker rows did not load", error);
        });
    }
    if (rows === null && options.rowsUrl) { fetchRows(1); } else { addRows(rows || []); }
    return {cluster: cluster, markers: byId};
}
