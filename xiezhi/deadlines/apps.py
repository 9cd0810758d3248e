from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "xiezhi.deadlines"
    label = "deadlines"
    verbose_name = "时限"
