// Where the eye is: a refusal is shown under the field it names, and that field gets the focus.
// The page's refusal box (components/layout.error_text) calls navigatorFeedback when it appears
// (once per refusal) and navigatorFeedbackDone when it goes (the next refusal, or a success).
// Every element here is React's. The box shows the message until this script has shown it
// under the field instead (data-placement="field" on the box, data-placed on the field's
// place, components/forms.field): without this script, the box still says it.
(function () {
  var MARK = "data-feedback-describedby"; // on a field we marked: its own aria-describedby
  var BY = "data-feedback-by"; // and the box that marked it
  var PLACED = "data-placed"; // on a field's place for a refusal we showed: the box's id

  // the form of the person's last action: a refusal is placed under a field of that form
  // only (a page may repeat a field's name in many forms). An action is a submit, a click on
  // a button (Safari and Firefox on a Mac do not focus a clicked button, and a row's button
  // sits in no form: then the box says it), or a choice that acts by itself (a select, a box
  // ticked); a click into another form's text box while an answer is on its way is none
  var ACTS = "button, input[type=submit], input[type=button], input[type=image], [role=button]";
  var CHOOSES = "select, input[type=checkbox], input[type=radio]";
  var acted = null;
  function remember(event) {
    var el = event.target;
    if (!el || !el.closest) return;
    if (event.type === "click" && !el.closest(ACTS)) return;
    if (event.type === "change" && !el.closest(CHOOSES)) return;
    acted = el.closest("form") || null;
  }
  ["submit", "click", "change"].forEach(function (type) {
    document.addEventListener(type, remember, true);
  });

  function unmarkOne(el) {
    var before = el.getAttribute(MARK);
    el.removeAttribute("aria-invalid");
    if (before) el.setAttribute("aria-describedby", before);
    else el.removeAttribute("aria-describedby");
    el.removeAttribute(MARK);
    el.removeAttribute(BY);
  }

  function hidePlace(el) {
    el.removeAttribute(PLACED);
    el.removeAttribute("role");
  }

  // what one box marked
  function unmark(boxId) {
    document.querySelectorAll("[" + BY + "]").forEach(function (el) {
      if (el.getAttribute(BY) === boxId) unmarkOne(el);
    });
    document.querySelectorAll("[" + PLACED + "]").forEach(function (el) {
      if (el.getAttribute(PLACED) === boxId) hidePlace(el);
    });
  }

  // what boxes marked for a refusal that is no longer the one naming the field (a later
  // refusal named another field, or none): their boxes show their message again
  function sweep() {
    function stale(id) {
      var box = id && document.getElementById(id);
      return !box || !box.getAttribute("data-field");
    }
    document.querySelectorAll("[" + BY + "]").forEach(function (el) {
      if (stale(el.getAttribute(BY))) unmarkOne(el);
    });
    document.querySelectorAll("[" + PLACED + "]").forEach(function (el) {
      if (stale(el.getAttribute(PLACED))) hidePlace(el);
    });
  }

  function mark(field, messageId, boxId) {
    var before = field.getAttribute("aria-describedby") || "";
    field.setAttribute(MARK, before);
    field.setAttribute(BY, boxId);
    field.setAttribute("aria-describedby", before ? messageId + " " + before : messageId);
    field.setAttribute("aria-invalid", "true");
  }

  function shown(el) {
    return el.type !== "hidden" && el.getClientRects().length > 0;
  }

  // the first visible field of that name (name= or the f-<name> id) in the form the person
  // acted in; none outside it
  function fieldNamed(name) {
    if (!name || !acted) return null;
    var form = acted.isConnected ? acted : acted.id && document.getElementById(acted.id);
    if (!form) return null;
    var selector = '[name="' + CSS.escape(name) + '"], #f-' + CSS.escape(name);
    var all = form.querySelectorAll(selector);
    for (var i = 0; i < all.length; i++) if (shown(all[i])) return all[i];
    return null;
  }

  // the place for a refusal under the field, rendered by React with the message
  function placeUnder(field) {
    var box = field.closest(".field");
    var place = box && box.querySelector(".field-error");
    return place && place.id && place.closest(".field") === box ? place : null;
  }

  window.navigatorFeedback = function (boxId) {
    var box = document.getElementById(boxId);
    if (!box) return;
    unmark(boxId);
    sweep();
    var name = box.getAttribute("data-field") || "";
    var field = fieldNamed(name);
    var place = field && placeUnder(field);
    if (place) {
      // the message under the field, read out once: with the field as it takes the focus
      // (the box, hidden now, is no alert when it names a field), or as an alert when the
      // focus is already there (Enter pressed in the field)
      if (document.activeElement === field) place.setAttribute("role", "alert");
      else place.removeAttribute("role");
      place.setAttribute(PLACED, boxId);
      mark(field, place.id, boxId);
      box.setAttribute("data-placement", "field");
      field.focus({ preventScroll: true });
      (field.closest(".field") || field).scrollIntoView({ block: "center" });
      return;
    }
    box.setAttribute("data-placement", "callout");
    if (field) {
      // a field without a place of its own: the box says it, read out with the field
      mark(field, box.id, boxId);
      field.focus({ preventScroll: true });
      field.scrollIntoView({ block: "center" });
    } else if (name) {
      // a field not in the form the person used: the box says it as it takes the focus
      box.focus({ preventScroll: true });
      box.scrollIntoView({ block: "nearest" });
    } else {
      box.scrollIntoView({ block: "nearest" });
    }
  };

  window.navigatorFeedbackDone = function (boxId) {
    unmark(boxId);
  };
})();
