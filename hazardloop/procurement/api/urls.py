from rest_framework.routers import DefaultRouter

app_name = "procurement-api"

router = DefaultRouter()

urlpatterns = router.urls
