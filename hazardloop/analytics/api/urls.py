from django.urls import path

from . import views

app_name = "analytics-api"

urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("charts/<slug:chart>/", views.ChartView.as_view(), name="chart"),
    path("statistics/", views.StatisticsView.as_view(), name="statistics"),
]
