"""Excel import and export pages. Placeholder bodies until the import issue lands."""

from .views import _todo

enterprise_export = enterprise_import = enterprise_template = import_job_detail = _todo
expert_export = expert_import = expert_template = _todo
