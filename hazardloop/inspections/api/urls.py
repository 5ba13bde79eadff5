from rest_framework.routers import DefaultRouter

from . import views

app_name = "inspections-api"

router = DefaultRouter()
router.register("inspections", views.InspectionViewSet)

urlpatterns = router.urls
