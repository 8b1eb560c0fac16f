from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import date as format_date
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import trigger_client_event

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
    """The htmx answer to a change: close the modal, refresh the table, notify."""
    response = HttpResponse(status=204)
    trigger_client_event(response, "dnc:changed", {})
    return _toast(response, message, level)


@require_GET
@admin_required
def number_list(request):
    form = SearchForm(request.GET)
    form.is_valid()
    q = form.cleaned_data.get("q", "")
    source = form.cleaned_data.get("source", "")

    numbers = filter_numbers(DncNumber.objects.select_related("added_by"), q, source)
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
    who = listed.added_by.get_username() if listed.added_by else "an import"
    return (
        f"{shown} is already on the DNC list, since "
        f"{format_date(listed.added_at, 'N j, Y')} (added by {who}). "
        "Your request was recorded."
    )


@require_http_methods(["GET", "POST"])
@admin_required
def number_add(request):
    form = AddNumberForm(request.POST or None)

    if request.method == "POST" and form.is_valid():
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


@require_http_methods(["GET", "POST"])
@admin_required
def number_remove(request, phone_number):
    listed = (
        DncNumber.objects.select_related("added_by")
        .filter(phone_number=phone_number)
        .first()
    )
    if listed is None and request.method == "GET":
        raise Http404("This number is not on the DNC list.")
    form = RemovalForm(request.POST or None)

    if request.method == "POST" and form.is_valid():
        shown = format_national(phone_number)
        try:
            DncNumber.objects.remove(
                phone_number,
                by=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except NotListedError:
            message = f"{shown} was already removed from the DNC list."
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
        raise Http404("This number is not on the DNC list.")
    status = 422 if form.errors else 200
    template = "dnc/number_remove.html"
    if request.htmx:
        template += "#form"
    return render(request, template, {"form": form, "listed": listed}, status=status)
