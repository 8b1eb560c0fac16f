// Modal, toasts and the removal form's Delete button. The pages work without
// this file: every link and form also has a plain URL.
(function () {
  "use strict";

  // Django's LOGIN_URL, where LoginRequiredMiddleware sends anonymous users.
  const LOGIN_PATH = "/accounts/login/";

  function modal() {
    return document.getElementById("modal");
  }

  function showToast(message, level) {
    const box = document.getElementById("toasts");
    const toast = document.createElement("div");
    toast.className = "toast toast-" + (level || "success");
    toast.setAttribute("role", "status");
    toast.textContent = message;
    box.appendChild(toast);
    raiseAboveModal(box);
    setTimeout(function () { toast.remove(); }, 8000);
  }

  // An open <dialog> sits in the browser's top layer, above every other
  // element. Showing the toasts as a popover puts them in that layer too,
  // after the dialog, so a notice is never hidden behind the modal.
  function raiseAboveModal(box) {
    if (typeof box.showPopover !== "function") return;
    box.popover = "manual";
    if (box.matches(":popover-open")) box.hidePopover();
    box.showPopover();
  }

  // The Delete button stays disabled until a reason is picked, and for
  // "other" until a note is written. The server checks the same again.
  function guardRemovalForm(form) {
    const reason = form.querySelector("[name=reason]");
    const note = form.querySelector("[name=note]");
    const button = form.querySelector("[data-delete-button]");
    function update() {
      const picked = reason.value !== "";
      const noteOk = reason.value !== "other" || note.value.trim() !== "";
      button.disabled = !(picked && noteOk);
    }
    reason.addEventListener("change", update);
    note.addEventListener("input", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    htmx.onLoad(function (element) {
      element.querySelectorAll("[data-removal-form]").forEach(guardRemovalForm);
      if (element.matches && element.matches("[data-removal-form]")) {
        guardRemovalForm(element);
      }
    });

    // Open the modal once the swap has settled: htmx binds the new content's
    // attributes (hx-get, hx-trigger...) when it settles, so a field focused
    // earlier could take input that nothing listens to yet.
    document.body.addEventListener("htmx:afterSettle", function (event) {
      if (event.detail.target.id === "modal-body" && !modal().open) {
        modal().showModal();
        const first = modal().querySelector("input, select, textarea");
        if (first) first.focus();
      }
    });

    document.body.addEventListener("click", function (event) {
      const close = event.target.closest("[data-close-modal]");
      if (close && modal().contains(close)) {
        event.preventDefault();
        modal().close();
      }
    });

    modal().addEventListener("close", function () {
      document.getElementById("modal-body").replaceChildren();
    });

    document.body.addEventListener("toast", function (event) {
      showToast(event.detail.message, event.detail.level);
    });

    document.body.addEventListener("dnc:changed", function () {
      if (modal().open) modal().close();
    });
    document.body.addEventListener("modal:close", function () {
      if (modal().open) modal().close();
    });

    // When the session has expired, an htmx request is redirected to the
    // login page. Show that page in full instead of inside the table or modal.
    document.body.addEventListener("htmx:beforeSwap", function (event) {
      const url = event.detail.xhr.responseURL;
      if (url && new URL(url).pathname === LOGIN_PATH) {
        event.detail.shouldSwap = false;
        window.location.assign(url);
      }
    });

    document.body.addEventListener("htmx:responseError", function (event) {
      const xhr = event.detail.xhr;
      let text = "The server could not complete the request (HTTP " + xhr.status + "). Reload the page and try again.";
      // Django's CSRF failure is a 403 too, but it means the page's token is
      // stale (the user logged in again elsewhere), not a missing role.
      if (xhr.status === 403 && xhr.responseText.includes("CSRF verification failed")) {
        text = "Your session changed since this page was loaded. Reload the page and try again.";
      } else if (xhr.status === 403) {
        text = "You do not have permission to do that.";
      }
      showToast(text, "error");
    });
  });
})();
