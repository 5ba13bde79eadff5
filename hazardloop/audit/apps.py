from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def scope_audit_events(qs, user):
    """Administrators and the district bureau read the whole log; everyone else only what they
    did themselves."""
    # Role values as stored ("admin", "bureau"): the audit log sits below accounts.
    if user.role in {"admin", "bureau"}:
        return qs
    return qs.filter(actor_id=user.pk)


class AuditConfig(AppConfig):
    name = "hazardloop.audit"
    label = "audit"
    verbose_name = _("审计日志")

    def ready(self):
        from django.contrib.auth import signals

        from hazardloop.core import access

        from . import receivers

        access.register_scoper("audit.auditevent", scope_audit_events)
        signals.user_logged_in.connect(receivers.on_logged_in, dispatch_uid="audit.login")
        signals.user_login_failed.connect(receivers.on_login_failed, dispatch_uid="audit.login_failed")
        signals.user_logged_out.connect(receivers.on_logged_out, dispatch_uid="audit.logout")
