from rest_framework.routers import DefaultRouter

from . import views

app_name = "enforcement-api"

router = DefaultRouter()
router.register("actions", views.EnforcementActionViewSet)

urlpatterns = router.urls
