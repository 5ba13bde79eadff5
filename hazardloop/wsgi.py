import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hazardloop.settings")
# Web requests get the short database timeouts; commands and task workers the long ones.
os.environ.setdefault("HAZARDLOOP_PROCESS", "web")
application = get_wsgi_application()
