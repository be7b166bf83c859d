// Search filters: open beside the results on wide screens, folded under a
// "Filter" button on phones. Without JavaScript the filters are folded and
// work the same; CSS shows them on wide screens in browsers that can.
(function () {
  "use strict";

  function follow(details) {
    var wide = window.matchMedia("(min-width: " + details.dataset.openFrom + ")");
    function apply() {
      details.open = wide.matches;
    }
    apply();
    wide.addEventListener("change", apply);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("details[data-open-from]").forEach(follow);
  });
})();
