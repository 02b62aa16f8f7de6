// Starts ReDoc on /docs. A file of its own because the page's CSP refuses inline scripts.
(function () {
  "use strict";
  var target = document.getElementById("docs");
  // Relative to the page, so the docs keep working behind a proxy that serves the API under a path prefix.
  var specUrl = new URL(target.dataset.openapiUrl, document.baseURI).href;
  Redoc.init(specUrl, { expandResponses: "200,201" }, target);
})();
