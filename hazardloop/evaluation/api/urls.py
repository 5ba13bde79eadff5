from rest_framework.routers import DefaultRouter

from . import views

app_name = "evaluation-api"

router = DefaultRouter()
router.register("scorecards", views.ScorecardViewSet)
router.register("ratings", views.RatingViewSet)
router.register("kpis", views.KpiViewSet)
urlpatterns = router.urls
