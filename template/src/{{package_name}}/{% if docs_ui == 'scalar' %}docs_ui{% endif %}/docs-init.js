// Starts Scalar on /docs. A file of its own because the page's CSP refuses inline scripts.
(function () {
  "use strict";
  var target = document.getElementById("docs");
  // Relative to the page, so the docs keep working behind a proxy that serves the API under a path prefix.
  var specUrl = new URL(target.dataset.openapiUrl, document.baseURI).href;
  Scalar.createApiReference(target, {
    url: specUrl,
    // Nothing may leave the origin: no fonts from a CDN, no telemetry, no request proxy on a third-party host.
    withDefaultFonts: false,
    telemetry: false,
    proxyUrl: "",
    // Hosted Scalar features (agent, MCP, developer tools) would call scalar.com.
    agent: { disabled: true },
    mcp: { disabled: true },
    showDeveloperTools: "never",
  });
})();
