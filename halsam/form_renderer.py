"""The portal's one form template set (docs/design-system.md, "Forms: one template set").

``FORM_RENDERER`` points here. ``{{ form }}`` renders ``templates/forms/form.html`` (the
error summary, then every field) and ``{{ field.as_field_group }}`` renders
``templates/forms/field.html`` in Designsystemet's markup. The bound field below adds
what those templates need and Django does not give them: the widget with the
``ds-input`` class, the options of a checkbox or radio group one by one (so that each
box sits before its own label inside a ``<fieldset>``), and the id the error summary
links to. The admin renders its fields with its own templates and never calls these,
so its markup is unchanged.
"""

from __future__ import annotations

from typing import Any

from django.forms import BoundField, widgets
from django.forms.boundfield import BoundWidget
from django.forms.renderers import TemplatesSetting
from django.utils.functional import cached_property

# Widgets that Designsystemet styles with .ds-input; file inputs keep the browser's look.
_UNSTYLED = (widgets.FileInput, widgets.HiddenInput)


class DesignBoundField(BoundField):
    """A bound field that knows how the portal's field template draws it."""

    @property
    def is_option_group(self) -> bool:
        """A group of checkboxes or radio buttons, drawn as a fieldset of options."""
        return isinstance(self.field.widget, widgets.ChoiceWidget) and self.use_fieldset

    @property
    def is_checkbox(self) -> bool:
        return isinstance(self.field.widget, widgets.CheckboxInput)

    @cached_property
    def design_options(self) -> list[BoundWidget]:
        """The group's options with the design classes and Django's aria attributes."""
        widget = self.field.widget
        id_ = widget.attrs.get("id") or self.auto_id
        attrs = {"id": id_} if id_ else {}
        attrs = self.build_widget_attrs({**attrs, **self._design_attrs()})
        return [
            BoundWidget(widget, data, self.form.renderer)
            for data in widget.subwidgets(self.html_name, self.value(), attrs=attrs)
        ]

    @property
    def anchor_id(self) -> str:
        """The id the error summary links to: the input itself, or a group's first input."""
        if self.is_option_group:
            options = self.design_options
            return (options[0].id_for_label or "") if options else ""
        if self.use_fieldset and self.auto_id:
            return f"{self.auto_id}_0"
        return self.id_for_label or ""

    def get_context(self) -> dict[str, Any]:
        context = super().get_context()
        context["label_html"] = self.label_tag(attrs={"class": "ds-label"}, label_suffix="")
        if self.is_option_group:
            context["options"] = self.design_options
        else:
            context["widget_html"] = self.as_widget(attrs=self._design_attrs())
        return context

    def _design_attrs(self) -> dict[str, str]:
        widget = self.field.widget
        classes = widget.attrs.get("class", "")
        if isinstance(widget, _UNSTYLED):
            return {"class": classes} if classes else {}
        return {"class": f"{classes} ds-input".strip()}


class HalsamFormRenderer(TemplatesSetting):
    """Django's TemplatesSetting renderer with the portal's form and field templates."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
    bound_field_class = DesignBoundField
