from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "frontoffice.accounts"
    label = "accounts"
    verbose_name = _("Accounts and staff")

    def ready(self) -> None:
        # Cache invalidation only (no business effect): the cached signed-in user must not outlive a change.
        from django.contrib.auth.models import Group
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from frontoffice.core.models import Branch, Organisation

        from . import principal
        from .models import StaffMember, User

        for signal in (post_save, post_delete):
            signal.connect(principal.user_changed, sender=User, dispatch_uid="principal-user")
            signal.connect(principal.staff_changed, sender=StaffMember, dispatch_uid="principal-staff")
            for model in (Organisation, Branch, Group):
                signal.connect(principal.anything_changed, sender=model, dispatch_uid=f"principal-{model.__name__}")
        for through in (
            User.groups.through,
            User.user_permissions.through,
            StaffMember.branches.through,
            Group.permissions.through,
        ):
            uid = f"principal-{through.__name__}"
            m2m_changed.connect(principal.anything_changed, sender=through, dispatch_uid=uid)
