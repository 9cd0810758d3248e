from django.urls import path

from xiezhi.documents import views

app_name = "documents"
urlpatterns = [
    path("<int:pk>/docx", views.document_docx, name="docx"),
    path("<int:pk>/pdf", views.document_pdf, name="pdf"),
]
