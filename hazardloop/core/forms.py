"""Form helpers shared by every app; no domain rules."""

from django import forms


class BootstrapFormMixin:
    """Gives each widget the Bootstrap class its kind needs, so templates stay plain loops."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def style_widgets(form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        existing = widget.attrs.get("class", "")
        if css not in existing.split():
            widget.attrs["class"] = f"{existing} {css}".strip()
