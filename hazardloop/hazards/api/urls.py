from rest_framework.routers import DefaultRouter

from . import views

app_name = "hazards-api"

router = DefaultRouter()
router.register("hazards", views.HazardViewSet)
urlpatterns = router.urls
