from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "xiezhi.audit"
    label = "audit"
    verbose_name = "审计"
