from django.urls import path

from xiezhi.coordination.corrections import views

app_name = "corrections"
urlpatterns = [
    path("", views.opinion_list, name="list"),
    path("new/", views.opinion_new, name="new"),
    path("<int:pk>/", views.opinion_detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.opinion_act, name="act"),
    path("feedback/", views.feedback_list, name="feedback_list"),
    path("feedback/new/", views.feedback_new, name="feedback_new"),
    path("feedback/<int:pk>/", views.feedback_detail, name="feedback_detail"),
    path("feedback/<int:pk>/answer/", views.feedback_answer, name="feedback_answer"),
    path("evidence/", views.evidence_list, name="evidence_list"),
    path("evidence/new/", views.evidence_new, name="evidence_new"),
    path("evidence/<str:sha256>/", views.evidence_chain, name="evidence_chain"),
]
