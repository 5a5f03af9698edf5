// Starts Swagger UI on the element #swagger-ui (see service/rest/docs.py). A separate file so the
// page's Content-Security-Policy can forbid inline scripts.
(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.url,
    domNode: root,
    deepLinking: true,
    // The online validator would send the document to validator.swagger.io: nothing leaves.
    validatorUrl: null,
    tryItOutEnabled: true,
    displayRequestDuration: true,
    presets: [SwaggerUIBundle.presets.apis],
  });
})();
