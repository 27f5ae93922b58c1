// dealmap: the little script the public pages need beside htmx (no inline script: the CSP forbids it).
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // Shareable URLs: leave empty fields out of the query string htmx builds and pushes.
  document.addEventListener("htmx:configRequest", function (event) {
    var params = event.detail.parameters;
    var names = params instanceof FormData ? Array.from(params.keys()) : Object.keys(params);
    names.forEach(function (name) {
      var values = params instanceof FormData ? params.getAll(name) : [].concat(params[name]);
      if (values.every(function (v) { return v === ""; })) {
        if (params instanceof FormData) params.delete(name); else delete params[name];
      }
    });
  });
})();
