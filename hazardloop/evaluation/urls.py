from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("", views.scorecard_list, name="scorecard_list"),
    path("export/", views.scorecard_export, name="scorecard_export"),
    path("compute/", views.scorecard_compute, name="scorecard_compute"),
    path("scorecards/<int:pk>/", views.scorecard_detail, name="scorecard_detail"),
    path("scorecards/<int:pk>/records/", views.scorecard_records, name="scorecard_records"),
    path("scorecards/<int:pk>/pdf/", views.scorecard_pdf, name="scorecard_pdf"),
    path("scorecards/<int:pk>/xlsx/", views.scorecard_xlsx, name="scorecard_xlsx"),
    path("scorecards/<int:pk>/recompute/", views.scorecard_recompute, name="scorecard_recompute"),
    path("scorecards/<int:pk>/confirm/", views.scorecard_confirm, name="scorecard_confirm"),
    path("scorecards/<int:pk>/apply/", views.scorecard_apply, name="scorecard_apply"),
    path("kpis/", views.kpi_config, name="kpi_config"),
    path("ratings/", views.rating_list, name="rating_list"),
    path("ratings/export/", views.rating_export, name="rating_export"),
    path("inspections/<int:pk>/rate/", views.rate_inspection, name="rate_inspection"),
    path("contracts/<int:pk>/payment-rule/", views.payment_rule, name="payment_rule"),
]
