"""Fast form-field rendering for the big forms (the application form, the score sheet).

``{{ form.field|fast_field }}`` emits the markup of crispy-bootstrap5's ``|as_crispy_field`` and
``{{ field|fast_widget }}`` the markup of ``{{ field }}``, but in Python instead of through
crispy's field template and Django's widget templates, which made up most of the time of those
pages (a template render per widget, per <option> and per help text / error block).

What stays Django's: the widget attributes (BoundField.build_widget_attrs: required, disabled,
aria-invalid, aria-describedby), values (Widget.format_value, localisation) and options
(ChoiceWidget.optgroups), so labels, ids, names, help texts and errors are the same as before.
Only the rendering of the standard widget templates is done here; a widget with another template
(file inputs, multi-widgets, a custom template_name or a project-wide FORM_RENDERER) falls back to
Django's own rendering. Whitespace between tags is shortened: where crispy emits a run of spaces
and newlines, this emits one newline, so the page looks and reads the same (HTML collapses runs
of white space) and is smaller.

``described_radios`` writes radio buttons whose labels carry more than a choice label (the score
sheet's bands: points in bold, then the band's descriptor), with the same escaping and attribute
helpers: the one hand-written renderer for both forms.

Unlike crispy's ``crispy_field`` tag, nothing here writes to ``widget.attrs``: crispy added its
classes to the widget object itself, so a widget instance shared between forms (a module-level
DateInput) kept "is-invalid" for every later form once one date had an error.
"""

import copy
import functools
import html

from django import forms, template
from django.forms.renderers import DjangoTemplates
from django.template.defaultfilters import unordered_list
from django.utils.formats import localize
from django.utils.safestring import SafeData, SafeString

register = template.Library()

# Results are SafeString(text): what mark_safe(text) returns for a str, without mark_safe's check for
# a lazy argument (keep_lazy), which the form page paid a hundred and fifty times.

_W = "django/forms/widgets/"
# Widget templates that are only an include of input.html (same markup, type from the widget).
INPUT_TEMPLATES = frozenset(_W + name for name in (
    "input.html", "text.html", "number.html", "email.html", "url.html", "password.html", "hidden.html",
    "date.html", "datetime.html", "time.html", "search.html", "tel.html", "color.html", "checkbox.html",
))
TEXTAREA_TEMPLATE = _W + "textarea.html"
SELECT_TEMPLATE = _W + "select.html"
SELECT_OPTION_TEMPLATE = _W + "select_option.html"


def escape(value) -> str:
    """django.utils.html.escape without its lazy-argument wrapper and SafeString result (the
    callers mark the whole field safe once): the same characters escaped, and the page called it
    about a thousand times."""
    return html.escape(str(value))


def conditional_escape(value) -> str:
    """django.utils.html.conditional_escape, likewise."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _text(value) -> str:
    """``{{ value }}`` in a template: localised, then escaped unless already safe."""
    return conditional_escape(localize(value))


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}``: "%s" % value, escaped unless the value was safe."""
    if isinstance(value, SafeData):
        return str(value)
    return escape("%s" % value)


def _unlocalized(value) -> str:
    """``{{ value|unlocalize }}``."""
    return conditional_escape(str(localize(value, use_l10n=False)))


@functools.lru_cache(maxsize=256)
def _attr_name(name: str) -> str:
    """" name", escaped. A process constant: attribute names are written in code (a few dozen), and
    the form page escaped a thousand of them per request."""
    return " " + escape(name)


def flat_attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: ` name="value"`, a bare name for True, nothing for False."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(_attr_name(name))
        else:
            out.append(f'{_attr_name(name)}="{_formatted(value)}"')
    return "".join(out)


def _fast_renderer(form) -> bool:
    """Django's default form renderer (its own widget templates, which this reproduces)."""
    return type(form.renderer) is DjangoTemplates


def _crispy_class(widget, extra: str) -> dict:
    """widget.attrs as crispy's ``{% crispy_field field 'class' extra %}`` leaves them: the widget's
    class name added to its classes unless already there, then each class of ``extra``."""
    attrs = dict(widget.attrs)
    class_name = widget.__class__.__name__.lower()
    css = attrs.get("class", "")
    if css:
        if css.find(class_name) == -1:
            css += " " + class_name
    else:
        css = class_name
    present = css.split()
    for name in extra.split():
        if name not in present:
            css += " " + name
            present.append(name)
    attrs["class"] = css
    return attrs


def _widget_context(bf, widget, base_attrs=None) -> dict:
    """BoundField.as_widget up to the template: the widget's context (widget.get_context)."""
    if bf.field.localize:
        widget.is_localized = True
    attrs = bf.build_widget_attrs({}, widget)
    if bf.auto_id and "id" not in (base_attrs if base_attrs is not None else widget.attrs):
        attrs.setdefault("id", bf.auto_id)
    if base_attrs is not None:
        # A shallow copy with other attrs: the widget (maybe shared between forms) stays untouched.
        widget = copy.copy(widget)
        widget.attrs = base_attrs
    return widget.get_context(bf.html_name, bf.value(), attrs)["widget"]


def _input(w) -> str:
    value = "" if w["value"] is None else f' value="{_formatted(w["value"])}"'
    return f'<input type="{escape(w["type"])}" name="{escape(w["name"])}"{value}{flat_attrs(w["attrs"])}>'


def _textarea(w) -> str:
    value = _text(w["value"]) if w["value"] else ""
    return f'<textarea name="{escape(w["name"])}"{flat_attrs(w["attrs"])}>\n{value}</textarea>'


def _select(w) -> str:
    out = [f'<select name="{escape(w["name"])}"{flat_attrs(w["attrs"])}>']
    for group_name, options, _index in w["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            out.append(f'\n  <option value="{_formatted(option["value"])}"{flat_attrs(option["attrs"])}>'
                       f'{_text(option["label"])}</option>\n')
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def _renderer_for(widget):
    """The Python rendering of the widget's template, or None (then Django renders it)."""
    name = widget.template_name
    if name in INPUT_TEMPLATES and getattr(widget, "input_type", None):
        return _input
    if name == TEXTAREA_TEMPLATE:
        return _textarea
    if name == SELECT_TEMPLATE and widget.option_template_name == SELECT_OPTION_TEMPLATE:
        return _select
    return None


def render_widget(bf, css: str | None = None) -> str:
    """``str(bf)`` — or, with ``css``, what crispy's ``{% crispy_field bf 'class' css %}`` renders."""
    widget = bf.field.widget
    render = _renderer_for(widget) if _fast_renderer(bf.form) and not bf.field.show_hidden_initial else None
    base_attrs = _crispy_class(widget, css) if css is not None else None
    if render is not None:
        return SafeString(render(_widget_context(bf, widget, base_attrs)))
    if base_attrs is None:
        return str(bf)
    widget = copy.copy(widget)
    widget.attrs = base_attrs
    html = bf.as_widget(widget=widget)
    return html + bf.as_hidden(only_initial=True) if bf.field.show_hidden_initial else html


@register.filter
def fast_widget(bf):
    """``{{ field|fast_widget }}`` renders like ``{{ field }}``."""
    return render_widget(bf)


@register.filter
def fast_hidden(bf):
    """``{{ field|fast_hidden }}`` renders like ``{{ field.as_hidden }}``."""
    if not _fast_renderer(bf.form):
        return bf.as_hidden()
    widget = bf.field.hidden_widget()
    return SafeString(_input(_widget_context(bf, widget)))


@register.filter
def fast_hidden_form(form):
    """A form of hidden fields only (a formset's management form), like ``{{ form }}``."""
    if not _fast_renderer(form) or form.errors or any(not bf.is_hidden for bf in form):
        return str(form)
    return SafeString("".join(render_widget(bf) for bf in form))


# ---- table cells: a widget with its errors in a <td> (the team and conflict tables, the economic grid) ----

FORMSET_FIELDS = frozenset(("ORDER", "DELETE"))  # a formset's own fields: the row's template places them


@register.filter
def fast_cells(fields, indent=2):
    """``{{ row|fast_cells }}`` (a form: its visible fields but a formset's ORDER and DELETE) or
    ``{{ fields|fast_cells:10 }}`` (bound fields): what the templates wrote as ::

        {% for field in fields %}
        <td>
          {{ field|fast_widget }}
          {% if field.errors %}<div id="{{ field.auto_id }}_error" class="invalid-feedback d-block">
          {% for error in field.errors %}<div>{{ error }}</div>{% endfor %}</div>{% endif %}
        </td>
        {% endfor %}

    (the error block on one line), with ``indent`` spaces before <td>, byte for byte. A table's
    dozen template look-ups per cell (each failing on BoundField.__getitem__ first) cost more than
    rendering its widget."""
    if isinstance(fields, forms.BaseForm):
        fields = [bf for bf in fields.visible_fields() if bf.name not in FORMSET_FIELDS]
    outer = "\n" + " " * int(indent)
    inner = outer + "  "
    out = []
    for bf in fields:
        errors, block = bf.errors, ""
        if errors:
            items = "".join(f"<div>{_text(error)}</div>" for error in errors)
            block = f'<div id="{_text(bf.auto_id)}_error" class="invalid-feedback d-block">{items}</div>'
        out.append(f"{outer}<td>{inner}{render_widget(bf)}{inner}{block}{outer}</td>{outer}")
    return SafeString("".join(out))


# ---- radio buttons with described options (the score sheet's bands) -------------------------------

# One option of a radio group whose label is more than the choice's text: a heading in bold (a
# band's points) and a description (the band's descriptor), plus the option's own data- attributes.
# The layout is the one score_form.html had when the template wrote it. The score sheet has some
# thirty of these; a dozen template variables each cost more than the rest of the form.
DESCRIBED_RADIO = """
        <div class="form-check">
          <input class="form-check-input" type="radio" name="{name}" id="{id}" value="{value}"
                {attrs}
                 {checked}>
          <label class="form-check-label small" for="{id}"><strong>{heading}</strong> {description}</label>
        </div>
        """


def described_radios(bf, options, *, suffix: str = "") -> str:
    """The radio buttons of ``bf``, one per option ``(value, heading, description, attrs)``: ids
    ``<auto_id>_<value>``, the chosen one (bf.value(), compared as text like a posted value)
    checked, ``attrs`` written as widget attributes are (flat_attrs), the heading followed by
    ``suffix`` (a unit) in bold, then the description. All text escaped; no outer element (the
    caller's radiogroup holds them)."""
    chosen = str(bf.value())
    name, auto_id, suffix = escape(bf.html_name), escape(bf.auto_id), escape(suffix)
    return SafeString("".join(
        DESCRIBED_RADIO.format(name=name, id=f"{auto_id}_{escape(value)}", value=escape(value),
                               attrs=flat_attrs(attrs), checked="checked" if str(value) == chosen else "",
                               heading=escape(heading) + suffix, description=escape(description))
        for value, heading, description, attrs in options))

# ---- crispy-bootstrap5's field.html ---------------------------------------------------------------


def _errors_block(bf, errors) -> str:
    """bootstrap5/layout/field_errors_block.html."""
    if not errors:
        return ""
    items = "".join(
        f'\n<p id="error_{n}_{escape(bf.auto_id)}"><strong>{_text(error)}</strong></p>'
        for n, error in enumerate(errors, start=1)
    )
    return f'\n<div id="{_text(errors.field_id)}_error" class="invalid-feedback">{items}\n</div>'


def _help_text(bf) -> str:
    """bootstrap5/layout/help_text.html (help text is not escaped, as in crispy: |safe)."""
    help_text = str(bf.help_text)  # a lazy text translated once (its truth value would be a second time)
    if not help_text:
        return ""
    id_attr = f'id="{escape(bf.auto_id)}_helptext" ' if bf.auto_id else ""
    return f'\n<div {id_attr}class="form-text">{help_text}</div>'


def _label_text(bf, label: str) -> str:
    star = '<span class="asteriskField">*</span>' if bf.field.required else ""
    return f"\n{label}{star}\n"


def _radios(bf, errors) -> str:
    """bootstrap5/layout/radio_checkbox_select.html (no inline class, no field class)."""
    widget = bf.field.widget
    id_ = widget.attrs.get("id") or bf.auto_id
    attrs = bf.build_widget_attrs({"id": id_} if id_ else {})
    groups = widget.optgroups(bf.html_name, widget.format_value(bf.value()), attrs)
    invalid = " is-invalid" if errors else ""
    name = escape(bf.html_name)
    out = ["\n<div>"]
    for g, (group, options, _index) in enumerate(groups):
        if group:
            out.append(f"\n<strong>{_text(group)}</strong>")
        for o, option in enumerate(options):
            value = _unlocalized(option["value"])
            label = _unlocalized(option["label"])
            out.append(
                f'\n<div class="form-check">\n<input type="{escape(option["type"])}" class="form-check-input{invalid}"'
                f' name="{name}" value="{value}"{flat_attrs(option["attrs"])}>'
                f'\n<label for="{_text(option["attrs"].get("id", ""))}" class="form-check-label">\n{label}\n</label>'
            )
            if errors and o == len(options) - 1 and g == len(groups) - 1:
                out.append(_errors_block(bf, errors))
            out.append("\n</div>")
    out.append("\n</div>")
    out.append(_help_text(bf))
    return "".join(out)


def crispy_field_html(bf) -> str:
    """What ``{{ bf|as_crispy_field }}`` renders with crispy-bootstrap5 and no FormHelper."""
    widget = bf.field.widget
    if bf.is_hidden:
        return render_widget(bf)
    errors = bf.errors
    checkbox = isinstance(widget, forms.CheckboxInput)
    radios = isinstance(widget, forms.RadioSelect) and not isinstance(widget, forms.CheckboxSelectMultiple)
    if isinstance(widget, (forms.FileInput, forms.CheckboxSelectMultiple, forms.MultiWidget)):
        raise NotImplementedError(f"fast_field does not render {type(widget).__name__}; use |as_crispy_field")
    css_classes = bf.css_classes()
    extra = f" {css_classes}" if css_classes else ""
    auto_id = escape(bf.auto_id)
    required = " requiredField" if bf.field.required else ""
    label = _text(bf.label)  # a lazy label translated once (its truth value would be a second time)
    label_html = _label_text(bf, label)
    if checkbox:
        css = "form-check-input is-invalid" if errors else "form-check-input"
        return SafeString(
            f'<div class="mb-3">\n<div id="div_{auto_id}" class="form-check{extra}">\n'
            f"{render_widget(bf, css)}"
            f'\n<label for="{_text(bf.id_for_label)}" class="form-check-label{required}">{label_html}</label>'
            f"{_errors_block(bf, errors)}{_help_text(bf)}\n</div>\n</div>"
        )
    out = [f'<div id="div_{auto_id}" class="mb-3{extra}">']
    fieldset = bf.use_fieldset and label
    if label:
        if fieldset:
            described = bf.aria_describedby
            out.append(f'\n<fieldset aria-describedby="{_text(described)}">' if described else "\n<fieldset>")
        tag = "legend" if bf.use_fieldset else "label"
        for_attr = f'for="{_text(bf.id_for_label)}" ' if bf.id_for_label else ""
        legend = " fs-6" if bf.use_fieldset else ""
        out.append(f'\n<{tag} {for_attr}class="form-label{required}{legend}">{label_html}</{tag}>')
    if radios:
        out.append(_radios(bf, errors))
    else:
        if isinstance(widget, forms.Select):
            css = "form-select is-invalid" if errors else "form-select"
        else:
            css = "form-control is-invalid" if errors else "form-control"
        out.append(f"\n{render_widget(bf, css)}{_errors_block(bf, errors)}{_help_text(bf)}")
    if fieldset:
        out.append("\n</fieldset>")
    out.append("\n</div>")
    return SafeString("".join(out))


@register.filter
def fast_field(bf):
    """``{{ form.field|fast_field }}``: the markup of ``{{ form.field|as_crispy_field }}``."""
    return crispy_field_html(bf)


@register.filter
def fast_errors(form):
    """``{{ form|fast_errors }}``: the markup of ``{{ form|as_crispy_errors }}`` (a form, not a formset)."""
    errors = form.non_field_errors()
    if not errors:
        return ""
    return SafeString(
        '<div class="alert alert-block alert-danger">\n<ul class="m-0">\n'
        f"{unordered_list(errors, autoescape=True)}\n</ul>\n</div>"
    )
