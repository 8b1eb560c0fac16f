from dataclasses import asdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaigns.contacts_csv import MAX_BYTES, ContactFileError, import_contacts
from campaigns.dialer import listed_among, next_lead
from campaigns.forms import (
    CallStatusForm,
    CampaignForm,
    CampaignStatusForm,
    ContactUploadForm,
    DialForm,
    ManualCallForm,
)
from campaigns.models import BlockedCall, Call, Campaign, Contact, Lead, PhoneNumber
from dnc.models import DncNumber, DoNotCallError, Source, is_listed
from dnc.pagination import paginate
from dnc.phone import format_national
from dnc.roles import admin_required, agent_required, is_admin

# Maximum rejected values listed after an upload. The rest are only counted.
SHOWN_ERRORS = 200


def _with_counts(campaigns):
    """Annotate lead counts by status and blocked calls, in the same query.

    `pending_listed` counts the pending leads whose number is on the DNC list
    now: the dialer skips them when it reaches them, and only then does
    `skipped_dnc` count them.
    """

    def leads(*statuses):
        return Count("leads", filter=Q(leads__status__in=statuses))

    listed = Exists(
        DncNumber.objects.filter(phone_number=OuterRef("leads__phone_number__number"))
    )

    blocked = (
        BlockedCall.objects.filter(campaign=OuterRef("pk"))
        .values("campaign")
        .annotate(total=Count("*"))
        .values("total")
    )
    return campaigns.annotate(
        lead_count=Count("leads"),
        pending=leads(Lead.Status.PENDING),
        called=leads(Lead.Status.DIALING, Lead.Status.CALLED),
        skipped_dnc=leads(Lead.Status.SKIPPED_DNC),
        pending_listed=Count(
            "leads", filter=Q(listed, leads__status=Lead.Status.PENDING)
        ),
        blocked=Coalesce(Subquery(blocked, output_field=IntegerField()), 0),
    )


@require_GET
@admin_required
def campaign_list(request):
    campaigns = _with_counts(Campaign.objects.all())
    return render(
        request,
        "campaigns/campaign_list.html",
        {"campaigns": campaigns, "nav": "campaigns"},
    )


@require_http_methods(["GET", "POST"])
@admin_required
def campaign_create(request):
    form = CampaignForm(request.POST or None)

    if request.method == "POST" and form.is_valid():
        campaign = form.save(commit=False)
        campaign.created_by = request.user
        campaign.save()
        messages.success(request, f'Campaign "{campaign}" created. Add its leads.')
        return redirect("campaigns:detail", campaign.pk)

    status = 422 if form.errors else 200
    return render(
        request,
        "campaigns/campaign_form.html",
        {"form": form, "nav": "campaigns"},
        status=status,
    )


def _render_detail(request, campaign_id, upload_form=None, report=None, status=200):
    campaign = get_object_or_404(_with_counts(Campaign.objects.all()), pk=campaign_id)
    leads = campaign.leads.select_related("phone_number__contact", "agent")
    page = paginate(leads, request.GET.get("page"))
    listed = listed_among(lead.phone_number.number for lead in page.rows)
    for lead in page.rows:
        lead.is_listed = lead.phone_number.number in listed

    context = {
        "campaign": campaign,
        "page": page,
        "status_form": CampaignStatusForm(initial={"status": campaign.status}),
        "upload_form": upload_form or ContactUploadForm(),
        "report": report,
        "nav": "campaigns",
    }
    return render(request, "campaigns/campaign_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
@admin_required
def campaign_detail(request, campaign_id):
    """Show a campaign and its leads. A POST uploads a CSV file of contacts."""
    if request.method == "POST":
        return _upload_contacts(request, campaign_id)
    # The result of an upload, kept across its redirect to this page.
    report = request.session.pop(_report_key(campaign_id), None)
    return _render_detail(request, campaign_id, report=report)


@require_POST
@admin_required
def campaign_status(request, campaign_id):
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    form = CampaignStatusForm(request.POST)

    if form.is_valid():
        campaign.status = form.cleaned_data["status"]
        campaign.save(update_fields=["status"])
        messages.success(
            request, f'Campaign "{campaign}" is now {campaign.get_status_display()}.'
        )
    else:
        messages.error(request, "Pick one of the listed statuses.")
    return redirect("campaigns:detail", campaign.pk)


def _upload_contacts(request, campaign_id):
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    form = ContactUploadForm(request.POST, request.FILES)

    if not form.is_valid():
        return _render_detail(request, campaign.pk, upload_form=form, status=422)
    upload = form.cleaned_data["file"]
    try:
        if upload.size > MAX_BYTES:
            raise ContactFileError(
                f'"{upload.name}" is larger than {MAX_BYTES // 1_000_000} MB. '
                "Split it into smaller files and upload them one by one."
            )
        # NOTE: the whole file is parsed and saved within this request,
        # which is why MAX_BYTES and MAX_ROWS cap it.
        report = import_contacts(campaign, upload.read())
    except ContactFileError as exc:
        form.add_error("file", str(exc))
        return _render_detail(request, campaign.pk, upload_form=form, status=422)

    summary = _summarise(report)
    if not report.contacts:
        # No row was usable and nothing was saved, so the form shows the reasons.
        return _render_detail(request, campaign.pk, report=summary, status=422)
    request.session[_report_key(campaign.pk)] = summary
    url = reverse("campaigns:detail", args=[campaign.pk])
    return redirect(f"{url}#import-report")


def _report_key(campaign_id) -> str:
    return f"campaigns.upload_report.{campaign_id}"


def _summarise(report) -> dict:
    """Return an upload's result as the page shows it, in JSON-safe types."""
    return {
        "rows_read": report.rows_read,
        "contacts": report.contacts,
        "leads_added": report.leads_added,
        "error_count": len(report.errors),
        "errors": [asdict(error) for error in report.errors[:SHOWN_ERRORS]],
    }


@require_POST
@admin_required
def lead_add_to_dnc(request, campaign_id, lead_id):
    lead = get_object_or_404(
        Lead.objects.select_related("campaign", "phone_number"),
        pk=lead_id,
        campaign_id=campaign_id,
    )

    result = DncNumber.objects.add(
        lead.phone_number.number,
        by=request.user,
        source=Source.MANUAL,
        note=f'Added from a lead of campaign "{lead.campaign}".',
    )
    messages.success(request, _listed_message(result))
    url = reverse("campaigns:detail", args=[campaign_id])
    page = request.POST.get("page", "")
    if page.isdigit():
        url += f"?page={page}"
    return redirect(f"{url}#lead-{lead.pk}")


def _listed_message(result) -> str:
    shown = format_national(result.number.phone_number)
    if result.created:
        return (
            f"{shown} is now on the DNC list. It will be skipped in all "
            "campaigns and blocked for outbound calls."
        )
    return f"{shown} was already on the DNC list; it stays blocked in all campaigns."


@require_GET
@admin_required
def contact_search(request):
    q = request.GET.get("q", "").strip()
    contacts = []
    if len(q) >= 2:
        contacts = (
            Contact.objects.filter(Q(name__icontains=q) | Q(company__icontains=q))
            .prefetch_related("phone_numbers")
            .order_by("name", "id")[:10]
        )
    return render(
        request, "campaigns/contact_search.html", {"contacts": contacts, "q": q}
    )


def _render_console(request, dial_form, manual_form, status=200):
    waiting = (
        Call.objects.filter(agent=request.user, status="")
        .select_related("contact", "campaign")
        .order_by("-started_at", "-id")[:10]
    )
    context = {
        "dial_form": dial_form,
        "manual_form": manual_form,
        "waiting": waiting,
        "nav": "console",
    }
    return render(request, "campaigns/console.html", context, status=status)


@require_http_methods(["GET", "POST"])
@agent_required
def console(request):
    """Show the console. Its two forms post back here, so that a form shown
    again with an error stays at this page's URL."""
    if request.method == "GET":
        dial_form = DialForm(initial={"campaign": request.GET.get("campaign")})
        return _render_console(request, dial_form, ManualCallForm())

    action = request.POST.get("action", "")
    if action == "dial_next":
        return _dial_next(request)
    if action == "manual_call":
        return _manual_call(request)
    return HttpResponseBadRequest(
        f'Unknown console action "{action}". Reload the agent console and use '
        "its Dial next or Call button.",
        content_type="text/plain; charset=utf-8",
    )


def _dial_next(request):
    form = DialForm(request.POST)
    if not form.is_valid():
        return _render_console(request, form, ManualCallForm(), status=422)

    campaign = form.cleaned_data["campaign"]
    lead = next_lead(campaign, request.user)
    if lead is None:
        messages.info(request, f'No lead is left to dial in "{campaign}".')
        return redirect(f"{reverse('campaigns:console')}?campaign={campaign.pk}")
    return redirect("campaigns:call", lead.call.pk)


def _manual_call(request):
    form = ManualCallForm(request.POST)

    if form.is_valid():
        number = form.cleaned_data["phone_number"]
        # The contact, when exactly one owns the number.
        owners = list(PhoneNumber.objects.filter(number=number)[:2])
        try:
            call = Call.objects.create(
                phone_number=number,
                agent=request.user,
                contact_id=owners[0].contact_id if len(owners) == 1 else None,
            )
        except DoNotCallError:
            form.add_error(
                "phone_number",
                f"{format_national(number)} is on the Do Not Call list, so the "
                "call was not placed. Call another number.",
            )
        else:
            return redirect("campaigns:call", call.pk)
    return _render_console(request, DialForm(), form, status=422)


def _get_call_for_user(request, call_id) -> Call:
    call = get_object_or_404(
        Call.objects.select_related("campaign", "contact", "lead"), pk=call_id
    )
    if call.agent_id != request.user.pk and not is_admin(request.user):
        raise PermissionDenied
    return call


@require_http_methods(["GET", "POST"])
@agent_required
def call_detail(request, call_id):
    call = _get_call_for_user(request, call_id)
    form = CallStatusForm(request.POST or None, initial={"status": call.status})

    if request.method == "POST" and form.is_valid():
        result = call.set_status(form.cleaned_data["status"], by=request.user)
        if result is None:
            messages.success(
                request, f"Call status saved: {call.get_status_display()}."
            )
        else:
            messages.warning(request, _listed_message(result))
        url = reverse("campaigns:console")
        if call.campaign_id:
            url += f"?campaign={call.campaign_id}"
        return redirect(url)

    # The contact's other numbers give context; they are not dialled.
    others, owners = [], []
    if call.contact:
        others = call.contact.phone_numbers.exclude(number=call.phone_number)
    else:
        owners = Contact.objects.filter(phone_numbers__number=call.phone_number)
    context = {
        "call": call,
        "form": form,
        "other_numbers": others,
        "owners": owners,
        "is_listed": is_listed(call.phone_number),
        "nav": "console",
    }
    status = 422 if form.errors else 200
    return render(request, "campaigns/call.html", context, status=status)
