"""JSON endpoint for dialers and other systems: may these numbers be called?"""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from dnc.lookup import check_numbers
from dnc.roles import agent_required

# Below DATA_UPLOAD_MAX_NUMBER_FIELDS (1000), which would reject the request first.
MAX_NUMBERS = 500


@require_GET
@agent_required
def check(request):
    """Return, for each `number` parameter, its E.164 form and DNC status."""
    numbers = request.GET.getlist("number")
    if not numbers:
        return JsonResponse(
            {"error": "Missing number: pass one or more ?number= parameters."},
            status=400,
        )
    if len(numbers) > MAX_NUMBERS:
        return JsonResponse(
            {
                "error": f"Too many numbers: {len(numbers)} given, at most "
                f"{MAX_NUMBERS} per request. Split the request."
            },
            status=400,
        )

    results = [result.as_json() for result in check_numbers(numbers, None)]
    return JsonResponse({"results": results})
