/*
 * The score form (templates/scoring/score_form.html), driven by data- attributes (CSP: no inline script).
 *
 *   data-score-form               the <form>; data-step="1" or "0.5", data-msg-range and data-msg-step
 *                                 (translated messages for a points value outside the band / off the step)
 *   data-score-criterion          a criterion's <fieldset>
 *   data-score-band               a band radio with data-min, data-max and (lowest band) data-lowest
 *   data-score-points             the points input: its min/max follow the chosen band
 *   data-score-range              shows the chosen band's range next to the points label
 *   data-score-comment(-required) the comment, marked required when the lowest band is chosen
 *   data-score-level              a bonus criterion's <select>; options carry data-points
 *   data-score-apply-band="pk"    ticks the suggested band — only when the expert clicks it
 *   data-score-total              the running total (indicative; the server computes the real one)
 */
(function () {
  "use strict";

  function bandChosen(fieldset) {
    var radio = fieldset.querySelector("[data-score-band]:checked");
    var points = fieldset.querySelector("[data-score-points]");
    var range = fieldset.querySelector("[data-score-range]");
    var marker = fieldset.querySelector("[data-score-comment-required]");
    var comment = fieldset.querySelector("[data-score-comment]");
    if (!points) return;
    if (radio) {
      points.min = radio.getAttribute("data-min");
      points.max = radio.getAttribute("data-max");
      if (range) range.textContent = "（" + radio.getAttribute("data-min") + "–" + radio.getAttribute("data-max") + "）";
    } else {
      points.min = "0";
      points.max = fieldset.getAttribute("data-max");
      if (range) range.textContent = "";
    }
    var lowest = !!(radio && radio.hasAttribute("data-lowest"));
    if (marker) marker.classList.toggle("d-none", !lowest);
    if (comment) comment.setAttribute("aria-required", lowest ? "true" : "false");
    checkPoints(points);
  }

  function checkPoints(points) {
    var value = points.value === "" ? null : Number(points.value);
    var message = "";
    if (value !== null) {
      var form = points.closest("[data-score-form]");
      var step = Number((form && form.getAttribute("data-step")) || "1");
      if (value < Number(points.min) || value > Number(points.max)) {
        message = (form && form.getAttribute("data-msg-range") || "") + " " + points.min + "–" + points.max;
      } else if (Math.abs(value / step - Math.round(value / step)) > 1e-9) {
        message = (form && form.getAttribute("data-msg-step")) || "";
      }
    }
    points.setCustomValidity(message);
    points.classList.toggle("is-invalid", message !== "");
  }

  function updateTotal(form) {
    var output = form.querySelector("[data-score-total]");
    if (!output) return;
    var total = 0;
    form.querySelectorAll("[data-score-points]").forEach(function (input) {
      if (input.value !== "" && !isNaN(Number(input.value))) total += Number(input.value);
    });
    form.querySelectorAll("[data-score-level]").forEach(function (select) {
      var option = select.options[select.selectedIndex];
      if (option && option.hasAttribute("data-points")) total += Number(option.getAttribute("data-points"));
    });
    output.textContent = String(Math.round(total * 10) / 10);
  }

  function init(form) {
    form.querySelectorAll("[data-score-criterion]").forEach(bandChosen);
    updateTotal(form);
    form.addEventListener("change", function (event) {
      var fieldset = event.target.closest("[data-score-criterion]");
      if (event.target.matches("[data-score-band]") && fieldset) bandChosen(fieldset);
      updateTotal(form);
    });
    form.addEventListener("input", function (event) {
      if (event.target.matches("[data-score-points]")) checkPoints(event.target);
      updateTotal(form);
    });
    form.addEventListener("click", function (event) {
      var button = event.target.closest("[data-score-apply-band]");
      if (!button) return;
      var fieldset = button.closest("[data-score-criterion]");
      var radio = fieldset && fieldset.querySelector('[data-score-band][value="' + button.getAttribute("data-score-apply-band") + '"]');
      if (!radio) return;
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true }));
      var points = fieldset.querySelector("[data-score-points]");
      if (points) points.focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-score-form]").forEach(init);
  });
})();
