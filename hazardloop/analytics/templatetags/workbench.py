from django import template

register = template.Library()


@register.filter
def days_left(task, today):
    """Days from `today` to the task's deadline (negative when overdue)."""
    return task.days_left(today)


@register.filter
def days_overdue(task, today):
    return -task.days_left(today)
