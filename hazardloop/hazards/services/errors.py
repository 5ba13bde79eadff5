"""The hazard services' refusals: the kit's kinds under the loop's own names."""

from __future__ import annotations

from django.utils.translation import gettext as _

from hazardloop.core.errors import Conflict, NotVisible, Refused, ServiceError

# --- errors ---------------------------------------------------------------------------------


class HazardError(ServiceError):
    """A refused action. `message` is for the user (Chinese); `errors` maps fields to messages."""


class HazardConflict(HazardError, Conflict):
    """Someone else changed the hazard after the actor looked at it."""


class HazardPermissionDenied(HazardError, Refused):
    """The actor's role may not do this."""


class HazardNotFound(HazardError, NotVisible):
    """Not there, or not the actor's to see — deliberately indistinguishable."""


def _conflict() -> HazardConflict:
    return HazardConflict(_("该隐患已被他人处理，请刷新后重试"))


def _not_found() -> HazardNotFound:
    return HazardNotFound(_("隐患不存在或不在您的管辖范围内。"))
