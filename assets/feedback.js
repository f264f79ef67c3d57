// Where the eye is: a refusal's message is kept in view and the field it names gets the focus.
// Called by a message's on-mount (components/layout.feedback), once per refusal.
window.navigatorFeedback = function (messageId) {
  var message = document.getElementById(messageId);
  if (!message) return;
  var field = message.getAttribute("data-field") || "";
  var target = null;
  if (field) {
    // the form the person was working in first, then the page; name= or the f-<name> id
    var scope = (document.activeElement && document.activeElement.closest("form")) || document;
    var selector = '[name="' + CSS.escape(field) + '"], #f-' + CSS.escape(field);
    target = scope.querySelector(selector) || document.querySelector(selector);
  }
  document.querySelectorAll("[aria-invalid=true]").forEach(function (el) {
    el.removeAttribute("aria-invalid");
  });
  if (target && target.offsetParent !== null) {
    target.setAttribute("aria-invalid", "true");
    if (message.id) target.setAttribute("aria-describedby", message.id);
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: "center" });
  } else {
    message.scrollIntoView({ block: "nearest" });
  }
};
