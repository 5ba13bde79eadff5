from rest_framework.routers import DefaultRouter

from . import views

app_name = "hazards-api"

router = DefaultRouter()
router.register("hazards", views.HazardViewSet)
router.register("notices", views.NoticeViewSet, basename="notice")
urlpatterns = router.urls
