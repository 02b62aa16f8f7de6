// Starts ReDoc. A file of its own because the page's CSP refuses inline scripts.
(function () {
  "use strict";

  // ReDoc 2.x hard-codes a remote logo (cdn.redoc.ly) in its "API docs by Redocly" link. The CSP would block the
  // fetch (a violation report, a failed request); instead, point any image from another origin at `data:,`, which
  // fails to decode, so ReDoc's own error handler drops the logo. Nothing is fetched from another host.
  var sameOrigin = function (value) {
    var url = new URL(String(value), document.baseURI);
    return url.origin === window.location.origin || url.protocol === "data:" || url.protocol === "blob:";
  };
  var setAttribute = Element.prototype.setAttribute;
  HTMLImageElement.prototype.setAttribute = function (name, value) {
    if (String(name).toLowerCase() === "src" && !sameOrigin(value)) {
      value = "data:,";
    }
    return setAttribute.call(this, name, value);
  };
  var src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    configurable: true,
    enumerable: src.enumerable,
    get: src.get,
    set: function (value) {
      src.set.call(this, sameOrigin(value) ? value : "data:,");
    },
  });

  var target = document.getElementById("docs");
  // Relative to the page, so the docs keep working behind a proxy that serves the API under a path prefix.
  var specUrl = new URL(target.dataset.openapiUrl, document.baseURI).href;
  Redoc.init(specUrl, { expandResponses: "200,201" }, target);
})();
