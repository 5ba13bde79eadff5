from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """A password must mix at least three of: lower case, upper case, digits, symbols (等保 2.0
    asks for complexity; the count of classes is configurable)."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def _classes(self, password: str) -> int:
        return sum(
            [
                any(c.islower() for c in password),
                any(c.isupper() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password),
            ]
        )

    def validate(self, password, user=None):
        if self._classes(password) < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少%(n)d类。") % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self):
        return _("密码须包含大写字母、小写字母、数字、符号中的至少%(n)d类。") % {"n": self.min_classes}
