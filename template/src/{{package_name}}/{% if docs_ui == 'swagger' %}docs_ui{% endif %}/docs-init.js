// Starts Swagger UI on /docs. A file of its own because the page's CSP refuses inline scripts.
(function () {
  "use strict";
  var target = document.getElementById("docs");
  // Relative to the page, so the docs keep working behind a proxy that serves the API under a path prefix.
  var specUrl = new URL(target.dataset.openapiUrl, document.baseURI).href;
  window.ui = SwaggerUIBundle({
    url: specUrl,
    domNode: target,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // The default validator badge sends the spec to validator.swagger.io: nothing may leave the origin.
    validatorUrl: null,
  });
})();
