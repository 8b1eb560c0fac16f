from django.template.loader import render_to_string


class MethodNotAllowedPageMiddleware:
    """Give Django's empty 405 responses a page that explains what to do.

    Views refuse a wrong method with an empty body, which browsers show as
    a blank error. The status and the Allow header stay as they are.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.streaming or response.content:
            return response
        allowed = response.get("Allow", "")
        response.content = render_to_string(
            "405.html", {"method": request.method, "allowed": allowed}, request
        )
        response["Content-Type"] = "text/html; charset=utf-8"
        return response
