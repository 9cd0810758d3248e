"""Public pages (no sign-in), mounted at /public/."""

from django.urls import path

from xiezhi.catalogue.views import public

app_name = "public_catalogue"
urlpatterns = [
    path("", public.index, name="index"),
    path("catalogue/<str:code>/", public.township, name="township"),
    path("subjects/", public.subjects, name="subjects"),
]
