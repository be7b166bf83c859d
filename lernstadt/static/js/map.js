// The map of search results. Data comes from the page (a JSON data block and
// data attributes), so the page needs no inline script; the result list below
// the map stays the primary way to reach every entry.
(function () {
  "use strict";

  function readMarkers(element) {
    var source = document.getElementById(element.dataset.markers);
    return source ? JSON.parse(source.textContent) : [];
  }

  function entryNode(marker) {
    // Built from DOM nodes, never from HTML strings: titles come from data.
    var item = document.createElement("li");
    var kind = document.createElement("span");
    kind.className = "map-popup__kind";
    kind.textContent = marker.kind;
    var link = document.createElement("a");
    link.href = marker.url;
    link.className = "map-popup__title";
    link.textContent = marker.title;
    item.appendChild(kind);
    item.appendChild(link);
    if (marker.subtitle) {
      var subtitle = document.createElement("span");
      subtitle.className = "map-popup__subtitle";
      subtitle.textContent = marker.subtitle;
      item.appendChild(subtitle);
    }
    return item;
  }

  function popupContent(group) {
    var list = document.createElement("ul");
    list.className = "map-popup";
    group.forEach(function (marker) {
      list.appendChild(entryNode(marker));
    });
    return list;
  }

  // Entries at the same address share one marker: one tab stop, one popup.
  function groupByPlace(markers) {
    var groups = {};
    var order = [];
    markers.forEach(function (marker) {
      var key = marker.lat.toFixed(5) + "," + marker.lng.toFixed(5);
      if (!groups[key]) {
        groups[key] = [];
        order.push(key);
      }
      groups[key].push(marker);
    });
    return order.map(function (key) {
      return groups[key];
    });
  }

  function markerLabel(group) {
    return group.length > 1 ? group[0].title + " (+" + (group.length - 1) + ")" : group[0].title;
  }

  function addTiles(map, element) {
    var url = element.dataset.tileUrl;
    if (!url) {
      return;
    }
    L.tileLayer(url, {
      maxZoom: 19,
      attribution: element.dataset.tileAttribution || "",
    }).addTo(map);
  }

  function showMap(element) {
    var center = [parseFloat(element.dataset.lat), parseFloat(element.dataset.lng)];
    // No fade: popups appear at full contrast at once (and calmer for readers who avoid motion).
    var map = L.map(element, { scrollWheelZoom: false, zoomSnap: 0.25, fadeAnimation: false }).setView(
      center,
      parseInt(element.dataset.zoom, 10)
    );
    addTiles(map, element);
    var points = [];
    groupByPlace(readMarkers(element)).forEach(function (group) {
      var point = [group[0].lat, group[0].lng];
      var label = markerLabel(group);
      points.push(point);
      L.marker(point, { title: label, alt: label, keyboard: true })
        .bindPopup(popupContent(group), { maxHeight: 280 })
        .addTo(map);
    });
    if (points.length > 1) {
      map.fitBounds(points, { padding: [24, 24], maxZoom: 15 });
    } else if (points.length === 1) {
      map.setView(points[0], 15);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var element = document.getElementById("map");
    if (element && window.L) {
      showMap(element);
    }
  });
})();
