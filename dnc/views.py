from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import date as format_date
from django.utils.timezone import localtime
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import trigger_client_event

from campaigns.models import number_owners
from dnc.forms import AddNumberForm, RemovalForm, SearchForm
from dnc.models import DncNumber, NotListedError, RemovalError, Source
from dnc.pagination import paginate
from dnc.phone import InvalidPhoneNumber, format_national, search_digits, to_e164
from dnc.roles import admin_required, is_admin


@require_GET
def home(request):
    if is_admin(request.user):
        return redirect("dnc:list")
    return redirect("campaigns:console")


def filter_numbers(queryset, q: str, source: str):
    """Narrow the list to a search (any format, or a run of digits) and a source."""
    if source:
        queryset = queryset.filter(source=source)
    q = q.strip()
    if not q:
        return queryset
    try:
        return queryset.filter(phone_number=to_e164(q))
    except InvalidPhoneNumber:
        pass
    digits = search_digits(q)
    if not digits:
        return queryset.none()
    return queryset.filter(phone_number__contains=digits)


def _toast(response, message: str, level: str = "success"):
    return trigger_client_event(response, "toast", {"message": message, "level": level})


def _list_changed(message: str, level: str = "success") -> HttpResponse:
    """Return the htmx response to a change: close the modal, refresh, notify."""
    response = HttpResponse(status=204)
    trigger_client_event(response, "dnc:changed", {})
    return _toast(response, message, level)


@require_GET
@admin_required
def number_list(request):
    form = SearchForm(request.GET)

    numbers = DncNumber.objects.select_related("added_by").annotate(
        owners=number_owners()
    )
    if form.is_valid():
        q = form.cleaned_data["q"]
        source = form.cleaned_data["source"]
        numbers = filter_numbers(numbers, q, source)
    else:
        # The table shows the errors and no rows, rather than the whole list
        # as if no filter were set.
        q = request.GET.get("q", "")
        source = request.GET.get("source", "")
        numbers = numbers.none()
    page = paginate(numbers, request.GET.get("page"))

    context = {"form": form, "page": page, "q": q, "source": source}
    template = "dnc/number_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#table"
    return render(request, template, context)


def _added_message(result) -> str:
    shown = format_national(result.number.phone_number)
    if result.created:
        return (
            f"{shown} is now on the DNC list. It will be skipped in all your "
            "campaigns and blocked for outbound calls."
        )
    listed = result.number
    if listed.added_by:
        origin = f"added by {listed.added_by.get_username()}"
    else:
        origin = f"source: {listed.get_source_display()}"
    since = format_date(localtime(listed.added_at), "N j, Y")
    return (
        f"{shown} is already on the DNC list, since {since} ({origin}). "
        "Your request was recorded."
    )


@require_http_methods(["GET", "POST"])
@admin_required
def number_add(request):
    form = AddNumberForm(request.POST if request.method == "POST" else None)

    if form.is_valid():
        result = DncNumber.objects.add(
            form.cleaned_data["phone_number"],
            by=request.user,
            source=Source.MANUAL,
            note=form.cleaned_data["note"],
        )
        message = _added_message(result)
        if request.htmx:
            return _list_changed(message, "success" if result.created else "info")
        messages.success(request, message)
        return redirect("dnc:list")

    status = 422 if form.errors else 200
    template = "dnc/number_add.html"
    if request.htmx:
        template += "#form"
    return render(request, template, {"form": form}, status=status)


def _find_listed(phone_number: str) -> tuple[str, DncNumber | None]:
    """Return the E.164 form of a number from the URL and its listing, or None.

    Raises Http404 when the value is not a phone number at all.
    """
    try:
        e164 = to_e164(phone_number)
    except InvalidPhoneNumber as exc:
        raise Http404(
            f'"{phone_number}" is not a valid phone number, so it is not on the '
            "DNC list. Open the removal form from the DNC Numbers page."
        ) from exc
    listed = (
        DncNumber.objects.select_related("added_by").filter(phone_number=e164).first()
    )
    return e164, listed


def _not_listed_message(e164: str) -> str:
    return (
        f"{format_national(e164)} was already removed from the DNC list, "
        "or was never on it."
    )


def _not_listed(request, e164: str) -> HttpResponse:
    """Report a number that is no longer listed.

    htmx gets a warning toast and a table refresh, other requests a 404 page.
    """
    if request.htmx:
        return _list_changed(_not_listed_message(e164), "warning")
    raise Http404(
        f"{_not_listed_message(e164)} Go back to the DNC Numbers page to see "
        "the current list."
    )


@require_http_methods(["GET", "POST"])
@admin_required
def number_remove(request, phone_number):
    e164, listed = _find_listed(phone_number)
    if listed is None and request.method == "GET":
        return _not_listed(request, e164)
    form = RemovalForm(request.POST if request.method == "POST" else None)

    if form.is_valid():
        shown = format_national(e164)
        try:
            DncNumber.objects.remove(
                e164,
                by=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except NotListedError:
            message = _not_listed_message(e164)
            if request.htmx:
                return _list_changed(message, "warning")
            messages.warning(request, message)
            return redirect("dnc:list")
        except RemovalError as exc:
            form.add_error(None, str(exc))
        else:
            message = (
                f"{shown} was removed from the DNC list. The reason is on the "
                "record in the audit log."
            )
            if request.htmx:
                return _list_changed(message)
            messages.success(request, message)
            return redirect("dnc:list")

    if listed is None:
        return _not_listed(request, e164)
    status = 422 if form.errors else 200
    template = "dnc/number_remove.html"
    if request.htmx:
        template += "#form"
    return render(request, template, {"form": form, "listed": listed}, status=status)
