// Where the eye is: a refusal is shown under the field it names, and that field gets the focus.
// The page's refusal callout (components/layout.error_text) calls navigatorFeedback when it
// appears (once per refusal) and navigatorFeedbackDone when it goes (the next refusal, or a
// success). Every element here is React's: this only marks the field invalid (which shows the
// message React already rendered under it, components/forms.field) or shows the callout.
(function () {
  var MARK = "data-feedback-describedby"; // on a field we marked: its own aria-describedby
  var BY = "data-feedback-by"; // and the callout that marked it

  // the fields a callout marked (every callout's, without one)
  function unmark(calloutId) {
    document.querySelectorAll("[" + MARK + "]").forEach(function (el) {
      if (calloutId && el.getAttribute(BY) !== calloutId) return;
      var before = el.getAttribute(MARK);
      el.removeAttribute("aria-invalid");
      if (before) el.setAttribute("aria-describedby", before);
      else el.removeAttribute("aria-describedby");
      el.removeAttribute(MARK);
      el.removeAttribute(BY);
    });
  }

  function mark(field, messageId, calloutId) {
    var before = field.getAttribute("aria-describedby") || "";
    field.setAttribute(MARK, before);
    field.setAttribute(BY, calloutId);
    field.setAttribute("aria-describedby", before ? messageId + " " + before : messageId);
    field.setAttribute("aria-invalid", "true");
  }

  // the form the person was working in first, then the page; name= or the f-<name> id
  function fieldNamed(name) {
    if (!name) return null;
    var selector = '[name="' + CSS.escape(name) + '"], #f-' + CSS.escape(name);
    var active = document.activeElement;
    var scope = (active && active.closest && active.closest("form")) || document;
    var found = scope.querySelector(selector) || document.querySelector(selector);
    return found && found.offsetParent !== null && found.type !== "hidden" ? found : null;
  }

  // the place for a refusal under the field, rendered by React with the message
  function placeUnder(field) {
    var box = field.closest(".field");
    var place = box && box.querySelector(".field-error");
    return place && place.id && place.closest(".field") === box ? place : null;
  }

  window.navigatorFeedback = function (messageId) {
    var message = document.getElementById(messageId);
    if (!message) return;
    unmark();
    var field = fieldNamed(message.getAttribute("data-field") || "");
    var place = field && placeUnder(field);
    if (field && place) {
      // the message under the field: read out once, with the field as it takes the focus,
      // or as an alert when the focus is already there (Enter pressed in the field)
      if (document.activeElement === field) place.setAttribute("role", "alert");
      else place.removeAttribute("role");
      mark(field, place.id, messageId);
      field.focus({ preventScroll: true });
      (field.closest(".field") || field).scrollIntoView({ block: "center" });
      return;
    }
    if (message.getAttribute("data-field")) {
      // a field without a place of its own (or none on this screen): the callout shows it
      if (field) message.removeAttribute("role"); // read out with the field, not twice
      message.setAttribute("data-placement", "callout");
    }
    if (field) {
      mark(field, message.id, messageId);
      field.focus({ preventScroll: true });
      field.scrollIntoView({ block: "center" });
    } else {
      message.scrollIntoView({ block: "nearest" });
    }
  };

  window.navigatorFeedbackDone = function (messageId) {
    unmark(messageId);
  };
})();
