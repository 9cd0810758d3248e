from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "xiezhi.units"
    label = "units"
    verbose_name = "单位与人员"
