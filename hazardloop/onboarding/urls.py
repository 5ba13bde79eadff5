from django.urls import path

from . import views

app_name = "onboarding"

urlpatterns = [
    path("activate/", views.activate, name="activate"),
    path("pending/", views.pending, name="pending"),
    path("pending/<int:pk>/issue/", views.issue, name="issue"),
]
