"""The interactive API docs (Swagger UI) under the site's strict CSP.

drf-spectacular's default page loads Swagger UI from a CDN and starts it with an inline script
and an inline style; the CSP (script-src/style-src 'self') blocks all three. Here the bundle
comes from drf-spectacular-sidecar through our static files (SWAGGER_UI_DIST = "SIDECAR"), the
start-up script is fetched from this same view (the "split" variant answers `?script` with
JavaScript), and the page's few style rules live in a static stylesheet, so the page needs no
CSP exception at all."""

from drf_spectacular.views import SpectacularSwaggerSplitView


class SwaggerDocsView(SpectacularSwaggerSplitView):
    template_name = "core/api/swagger_ui.html"
