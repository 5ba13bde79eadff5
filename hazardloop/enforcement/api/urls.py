from rest_framework.routers import DefaultRouter

app_name = "enforcement-api"

router = DefaultRouter()

urlpatterns = router.urls
