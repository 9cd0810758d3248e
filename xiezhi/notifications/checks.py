"""System checks (`xiezhi check`, and before `migrate`): a misconfigured channel is reported at start-up
rather than discovered as a row of skipped deliveries."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Warning, register

from xiezhi.notifications import conf


@register()
def check_channels(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from xiezhi.notifications.channels import get_channel
    from xiezhi.notifications.webhook import configuration_problem

    messages: list[CheckMessage] = []
    names = conf.default_channels()
    for name in names:
        if get_channel(name) is None:
            messages.append(
                Error(
                    f"XIEZHI_NOTIFY_CHANNELS 含未知渠道：{name}",
                    hint="可用渠道：console、email、sms",
                    id="notifications.E001",
                )
            )
    if "sms" in names and configuration_problem():
        messages.append(
            Warning(configuration_problem(), hint="短信投递将被记为“未发送”", id="notifications.W001")
        )
    if "email" in names and not conf.email_domain():
        messages.append(
            Warning(
                "未配置 XIEZHI_NOTIFY_EMAIL_DOMAIN：没有登记邮箱的人员将不会收到邮件", id="notifications.W002"
            )
        )
    return messages
