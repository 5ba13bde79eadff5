"""Registry pages. Placeholder bodies until the UI shell lands."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def _todo(request, *args, **kwargs):
    return HttpResponse("TODO")


enterprise_list = enterprise_create = enterprise_detail = enterprise_edit = _todo
provider_list = provider_detail = expert_list = expert_detail = member_unit_list = _todo
