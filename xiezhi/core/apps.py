from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "xiezhi.core"
    label = "core"
    verbose_name = "基础"
