from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "xiezhi.documents"
    label = "documents"
    verbose_name = "执法文书"
