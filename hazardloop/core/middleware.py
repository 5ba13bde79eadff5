"""Chinese first: the interface language comes from the user's explicit choice (the language
cookie set by the switch in the top bar), never from the browser's Accept-Language, so a clerk
on an English-configured browser still gets the Chinese system the district adopted."""


class IgnoreBrowserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
